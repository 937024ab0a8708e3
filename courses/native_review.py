"""Translations awaiting review by a native speaker (issue 16), admin side.

A translation made with care but not by a native speaker (the seed's Uyghur drafts) is
flagged with a ``courses.NativeReview`` row. The page editor shows the flag at the top
of the form (``NativeReviewPanel``, first of the course, module and lesson panels) with
a *Mark as reviewed* link; an editor of the page (a translator or a supervising expert)
clears it after reading the translation, on a confirmation page. Clearing keeps the row
(``reviewed_at``) and writes the page's history (``courses.native_review.cleared``, with
who cleared it; Wagtail's history is copied into the audit log), so a re-seed never
flags the page again. The flag does not publish anything and is not a publish right:
the translation still goes live only through the course review workflow.

Learners never see the flag; they never see a draft either (``courses.selectors``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.panels import Panel

CLEARED = "courses.native_review.cleared"
CLEARED_LABEL = gettext_lazy("Translation reviewed by a native speaker")


def request_review(page):
    """Flag ``page`` (a translation) as awaiting a native speaker's review. Idempotent: a
    flag that exists — awaiting or already cleared — is left as it is."""
    from .models import NativeReview

    review, _created = NativeReview.objects.get_or_create(page_id=page.pk)
    return review


def open_review(page):
    """The page's flag while it awaits review, else None (one query)."""
    from .models import NativeReview

    if page is None or page.pk is None:
        return None
    return NativeReview.objects.filter(page_id=page.pk, reviewed_at__isnull=True).first()


def may_clear(user, page) -> bool:
    """Whoever may edit the page may say the translation was read by a native speaker.
    Publishing stays with the review workflow (a second person approves)."""
    return bool(user and user.is_authenticated and page.permissions_for_user(user).can_edit())


def clear_review(*, page, actor):
    """Clear the page's flag; records who did it in the page's history. Returns the row,
    or None when the page was not awaiting review."""
    from wagtail.log_actions import log

    from .models import NativeReview

    if not may_clear(actor, page):
        raise PermissionDenied
    with transaction.atomic():
        review = (
            NativeReview.objects.select_for_update()
            .filter(page_id=page.pk, reviewed_at__isnull=True)
            .first()
        )
        if review is None:
            return None
        review.reviewed_at = timezone.now()
        review.save(update_fields=["reviewed_at"])
        log(instance=page, action=CLEARED, user=actor)
    return review


class NativeReviewPanel(Panel):
    """At the top of the page editor: "Awaiting review by a native speaker", shown only
    while the page is flagged."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/native_review_panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.review = open_review(self.instance)

        def is_shown(self):
            return self.review is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["review"] = self.review
            context["clear_url"] = reverse("courses_native_review_clear", args=[self.instance.pk])
            context["may_clear"] = may_clear(self.request.user, self.instance)
            return context


def clear_view(request, page_id: int):
    """GET: what clearing means, and a button; POST: clear and go back to the editor."""
    from wagtail.models import Page

    page = get_object_or_404(Page, pk=page_id).specific
    if not may_clear(request.user, page):
        raise PermissionDenied
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    if request.method == "POST":
        if clear_review(page=page, actor=request.user) is not None:
            messages.success(
                request,
                _("“%(title)s” is no longer marked as awaiting review by a native speaker.")
                % {"title": page.get_admin_display_title()},
            )
        return redirect(edit_url)
    return TemplateResponse(
        request,
        "courses/admin/native_review_clear.html",
        {"page": page, "review": open_review(page), "edit_url": edit_url},
    )
