"""Administrators' data-protection pages in the Wagtail admin: find, export, anonymise."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied

from accounts.permissions import TwoFactorRequired

from .export import collect
from .permissions import check_manage_personal_data
from .services import PrivacyError, anonymise_person, export_person, is_anonymised

SEARCH_LIMIT = 20


def administrators_only(view):
    """403 for anyone but administrators; administrators without two-factor go to set it up.

    Wagtail's admin turns a PermissionDenied into a redirect to the dashboard; here a
    refusal is a real 403, as everywhere else in the product.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            check_manage_personal_data(request.user)
        except TwoFactorRequired:
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        except PermissionDenied as exc:
            return permission_denied(request, exc)
        return view(request, *args, **kwargs)

    return wrapped


@administrators_only
def people(request):
    """Find a person by username, name, e-mail or phone."""
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        found = list(
            get_user_model()
            .objects.filter(
                Q(username__icontains=query)
                | Q(real_name__icontains=query)
                | Q(email__iexact=query)
                | Q(mobile=query)
            )
            .order_by("username")[:SEARCH_LIMIT]
        )
    return TemplateResponse(request, "privacy/people.html", {"query": query, "found": found})


@administrators_only
def person(request, pk):
    """What is held on one person (counts by kind), with the export and anonymise actions."""
    subject = get_object_or_404(get_user_model(), pk=pk)
    counts = sorted((label, len(rows)) for label, rows in collect(subject).items())
    return TemplateResponse(
        request,
        "privacy/person.html",
        {
            "subject": subject,
            "counts": counts,
            "anonymised": is_anonymised(subject),
            "is_self": subject.pk == request.user.pk,
        },
    )


@require_POST
@administrators_only
def export(request, pk):
    subject = get_object_or_404(get_user_model(), pk=pk)
    content, _summary = export_person(person=subject, requested_by=request.user)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="person-{subject.pk}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@administrators_only
def anonymise(request, pk):
    """Anonymise after the administrator types the person's username to confirm."""
    subject = get_object_or_404(get_user_model(), pk=pk)
    if request.POST.get("confirm_username", "").strip() != subject.get_username():
        messages.error(request, _("Type the person's username exactly to confirm."))
        return redirect("privacy_person", pk=subject.pk)
    try:
        counts = anonymise_person(person=subject, performed_by=request.user)
    except PrivacyError as exc:
        messages.error(request, str(exc))
        return redirect("privacy_person", pk=subject.pk)
    messages.success(
        request,
        _("The person has been anonymised (%(count)d records changed or removed).")
        % {"count": sum(counts.values())},
    )
    return redirect("privacy_person", pk=subject.pk)
