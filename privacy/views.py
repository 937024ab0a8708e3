"""Administrators' data-protection pages in the Wagtail admin: find, export, anonymise."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .export import collect
from .permissions import check_manage_personal_data
from .services import PrivacyError, anonymise_person, export_person, is_anonymised

SEARCH_LIMIT = 20


def people(request):
    """Find a person by username, name, e-mail or phone."""
    check_manage_personal_data(request.user)
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


def person(request, pk):
    """What is held on one person (counts by kind), with the export and anonymise actions."""
    check_manage_personal_data(request.user)
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
def export(request, pk):
    check_manage_personal_data(request.user)
    subject = get_object_or_404(get_user_model(), pk=pk)
    content, _summary = export_person(person=subject, requested_by=request.user, request=request)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="person-{subject.pk}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def anonymise(request, pk):
    """Anonymise after the administrator types the person's username to confirm."""
    check_manage_personal_data(request.user)
    subject = get_object_or_404(get_user_model(), pk=pk)
    if request.POST.get("confirm_username", "").strip() != subject.get_username():
        messages.error(request, _("Type the person's username exactly to confirm."))
        return redirect("privacy_person", pk=subject.pk)
    try:
        counts = anonymise_person(person=subject, performed_by=request.user, request=request)
    except PrivacyError as exc:
        messages.error(request, str(exc))
        return redirect("privacy_person", pk=subject.pk)
    messages.success(
        request,
        _("The person has been anonymised (%(count)d records changed or removed).")
        % {"count": sum(counts.values())},
    )
    return redirect("privacy_person", pk=subject.pk)
