"""The review list of flagged free text, in the Wagtail admin: coordinators (their
district) and administrators. It shows what the guard found, masked, and a link to the
record where the reviewer's own permissions apply; it never shows or edits the text."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied

from accounts.permissions import TwoFactorRequired

from .models import FlagState
from .permissions import check_review_flags, flags_in_scope
from .review import review_flag

PAGE = 200

# Where a reviewer acts on a flagged record (its own page, with its own permission checks).
RECORD_PAGES = {
    "lecturer_corps.deliveryreport": ("lecturer_corps:report_detail", lambda flag: flag.object_id),
    "lecturer_corps.servicerequest": ("lecturer_corps:request_detail", lambda flag: flag.object_id),
}


def reviewers_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            check_review_flags(request.user)
        except TwoFactorRequired:
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        except PermissionDenied as exc:
            return permission_denied(request, exc)
        return view(request, *args, **kwargs)

    return wrapped


def _record_url(flag) -> str:
    key = f"{flag.content_type.app_label}.{flag.content_type.model}"
    if key not in RECORD_PAGES:
        return ""
    name, arg = RECORD_PAGES[key]
    try:
        return reverse(name, args=[arg(flag)])
    except NoReverseMatch:
        return ""


@reviewers_only
def flagged_text_list(request):
    state = request.GET.get("state", FlagState.OPEN)
    if state not in FlagState.values:
        state = FlagState.OPEN
    flags = list(
        flags_in_scope(request.user)
        .filter(state=state)
        .select_related("content_type", "district", "reviewed_by")
        .order_by("-found_at", "-pk")[:PAGE]
    )
    rows = [
        {
            "flag": flag,
            "kind": flag.content_type.model_class()._meta.verbose_name
            if flag.content_type.model_class()
            else flag.content_type.model,
            "url": _record_url(flag),
        }
        for flag in flags
    ]
    return TemplateResponse(
        request,
        "privacy/flagged_text.html",
        {"rows": rows, "state": state, "states": FlagState.choices},
    )


@reviewers_only
@require_POST
def flagged_text_review(request, pk):
    flag = get_object_or_404(flags_in_scope(request.user), pk=pk)
    try:
        review_flag(actor=request.user, flag=flag, state=request.POST.get("state", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The flag is reviewed."))
    return redirect("privacy_flagged_text")
