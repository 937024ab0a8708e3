"""Pages of certification: the trainee's checklist, certificates, public verification, coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.permissions import role_required
from lms.uploads import PDF, private_file_response

from . import credentials, integrations, permissions, selectors, services
from .forms import CohortIssueForm, ReissueForm, RejectForm, RevokeForm, VerifyLookupForm
from .models import BulkIssueJob, CertificateStatus, CertificationType, IssueRequest, StatusList
from .ratelimit import verification_allowed

MANAGERS = (roles.COORDINATOR, roles.ADMINISTRATOR)


def _certificate_or_404(serial):
    certificate = selectors.certificate_by_serial(serial)
    if certificate is None:
        raise Http404
    return certificate


def _viewable(request, serial):
    certificate = _certificate_or_404(serial)
    if not permissions.can_view_certificate(request.user, certificate):
        raise Http404  # do not tell strangers that a serial exists
    return certificate


# --- trainee and holder -----------------------------------------------------------


@login_required
def my_certifications(request):
    """Each qualification: the requirements and what is missing, and the user's certificates."""
    return render(
        request,
        "certification/my_certifications.html",
        {
            "checklists": selectors.checklists(request.user),
            "certificates": list(selectors.certificates_of(request.user).current()),
        },
    )


@login_required
@require_POST
def claim(request, code):
    certification = get_object_or_404(CertificationType, code=code, is_active=True)
    try:
        outcome = services.claim_certificate(trainee=request.user, certification=certification)
    except services.CertificationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("certification:my_certifications")
    if isinstance(outcome, IssueRequest):
        messages.success(request, _("Your request was sent to the coordinators for approval."))
        return redirect("certification:my_certifications")
    messages.success(request, _("Your certificate has been issued."))
    return redirect("certification:detail", serial=outcome.display_serial)


@login_required
@require_POST
def renew(request, serial):
    certificate = _viewable(request, serial)
    try:
        outcome = services.claim_renewal(certificate=certificate, holder=request.user)
    except (services.CertificationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("certification:my_certifications")
    if isinstance(outcome, IssueRequest):
        messages.success(request, _("Your renewal was sent to the coordinators for approval."))
        return redirect("certification:my_certifications")
    messages.success(request, _("Your certificate has been renewed."))
    return redirect("certification:detail", serial=outcome.display_serial)


@login_required
def certificate_detail(request, serial):
    certificate = _viewable(request, serial)
    return render(
        request,
        "certification/certificate_detail.html",
        {
            "certificate": certificate,
            "newer": selectors.newer_version(certificate),
            "can_manage": permissions.manages_holder(request.user, certificate.holder),
            "verification_url": certificate.verification_url(),
        },
    )


@login_required
def certificate_pdf(request, serial):
    certificate = _viewable(request, serial)
    services.ensure_certificate_pdf(certificate)
    return private_file_response(
        certificate.pdf.open("rb"), content_type=PDF, filename=f"{certificate.display_serial}.pdf"
    )


@login_required
def certificate_credential(request, serial):
    """The OpenBadgeCredential as a VC-JWT file, for wallets and backpacks."""
    certificate = _viewable(request, serial)
    response = HttpResponse(
        credentials.signed_credential(certificate), content_type="application/vc+jwt"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.display_serial}.jwt"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- public -------------------------------------------------------------------------


@never_cache
def verify_lookup(request):
    """Public: type a serial number or verification code; a match opens its verification
    page. Every look-up counts against the same per-address window as the verification
    page and API (so serials cannot be tried faster than codes); a typed look-up that
    matches therefore costs two (the look-up and the page)."""
    form = VerifyLookupForm(request.GET if "q" in request.GET else None)
    status = 200
    if form.is_bound:
        if not verification_allowed(request):
            return render(request, "certification/verify_limited.html", status=429)
        if form.is_valid():
            code = selectors.verification_code_for(form.cleaned_data["q"])
            if code:
                return redirect("certification:verify", code=code)
            form.add_error(
                "q",
                _(
                    "No certificate has this serial number or verification code. "
                    "Check what you typed against the certificate."
                ),
            )
        status = 404 if form.errors and "q" in form.data and form.data["q"].strip() else 400
    return render(request, "certification/verify_lookup.html", {"form": form}, status=status)


@never_cache
def verify(request, code):
    """Public: valid / expired / revoked / unknown, for whom and for what. Nothing more."""
    if not verification_allowed(request):
        return render(request, "certification/verify_limited.html", status=429)
    result = selectors.verification_result(code)
    status = 200 if result["status"] != "unknown" else 404
    return render(request, "certification/verify.html", {"result": result}, status=status)


@cache_control(public=True, max_age=3600)
def jwks(request):
    return JsonResponse(credentials.jwks(), json_dumps_params={"indent": 2})


@cache_control(public=True, max_age=3600)
def issuer_profile(request):
    return JsonResponse(credentials.issuer_profile(), json_dumps_params={"ensure_ascii": False})


@cache_control(public=True, max_age=3600)
def achievement(request, code):
    certification = get_object_or_404(CertificationType, code=code)
    document = {
        "@context": [credentials.VC_CONTEXT, credentials.OB_CONTEXT],
        **credentials.achievement(certification),
    }
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@never_cache
def credential_json(request, code):
    """The public id of a credential: its current status, like the verification API."""
    if not verification_allowed(request):
        return JsonResponse({"detail": _("Too many requests."), "code": "rate_limited"}, status=429)
    result = selectors.verification_result(code)
    return JsonResponse(
        result,
        status=200 if result["status"] != "unknown" else 404,
        json_dumps_params={"ensure_ascii": False},
    )


@cache_control(public=True, max_age=300)
def status_list(request, pk):
    """The Bitstring Status List credential, signed (VC-JWT); ``?format=json`` for the JSON."""
    status_list = get_object_or_404(StatusList, pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse(credentials.status_list_credential(status_list))
    return HttpResponse(
        credentials.signed_status_list(status_list), content_type="application/vc+jwt"
    )


# --- coordinators ---------------------------------------------------------------------


@role_required(*MANAGERS)
def manage(request):
    district = permissions.scope(request.user)
    return render(
        request,
        "certification/manage.html",
        {
            "pending_count": selectors.pending_requests(district).count(),
            "expiring_count": selectors.expiring_soon(district).count(),
            "recent": selectors.recent_certificates(district, limit=10),
            "jobs": BulkIssueJob.objects.filter(created_by=request.user)[:5],
            "district": district,
        },
    )


@role_required(*MANAGERS)
def pending(request):
    district = permissions.scope(request.user)
    return render(
        request,
        "certification/pending.html",
        {"requests": selectors.pending_requests(district), "reject_form": RejectForm()},
    )


@role_required(*MANAGERS)
@require_POST
def decide(request, pk, decision):
    issue_request = get_object_or_404(
        IssueRequest.objects.select_related("trainee", "certification"), pk=pk
    )
    if not permissions.manages_holder(request.user, issue_request.trainee):
        raise Http404
    try:
        if decision == "approve":
            certificate = services.approve_request(
                issue_request=issue_request, approved_by=request.user
            )
            messages.success(
                request,
                _("Certificate %(serial)s issued.") % {"serial": certificate.display_serial},
            )
        elif decision == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the request is rejected."))
                return redirect("certification:pending")
            services.reject_request(
                issue_request=issue_request,
                rejected_by=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The request was rejected."))
        else:
            raise Http404
    except services.CertificationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("certification:pending")


@role_required(*MANAGERS)
def certificate_list(request):
    district = permissions.scope(request.user)
    query = request.GET.get("q", "")
    page = Paginator(selectors.search_certificates(district, query), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "certification/certificate_list.html", {"page": page, "query": query})


@role_required(*MANAGERS)
def expiring(request):
    district = permissions.scope(request.user)
    try:
        days = max(1, min(365, int(request.GET.get("days", 90))))
    except ValueError:
        days = 90
    return render(
        request,
        "certification/expiring.html",
        {"certificates": selectors.expiring_soon(district, days=days), "days": days},
    )


def _managed(request, serial):
    certificate = _certificate_or_404(serial)
    if not permissions.manages_holder(request.user, certificate.holder):
        raise Http404
    return certificate


@role_required(*MANAGERS)
def revoke(request, serial):
    """The confirmation step of revoking: what happens, a reason, and a tick."""
    certificate = _managed(request, serial)
    if certificate.status != CertificateStatus.ACTIVE:
        messages.info(request, _("Only an active certificate can be revoked."))
        return redirect("certification:detail", serial=certificate.version_serial)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certificate(
                certificate=certificate,
                revoked_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.CertificationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("The certificate was revoked."))
            return redirect("certification:detail", serial=certificate.version_serial)
    return render(
        request,
        "certification/revoke.html",
        {"certificate": certificate, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def reissue(request, serial):
    certificate = _managed(request, serial)
    form = ReissueForm(
        request.POST or None, initial={"holder_name": certificate.holder.display_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.reissue_certificate(
                certificate=certificate,
                reissued_by=request.user,
                reason=form.cleaned_data["reason"],
                holder_name=form.cleaned_data["holder_name"],
            )
        except services.CertificationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Reissued as %(serial)s.") % {"serial": new.display_serial})
            return redirect("certification:detail", serial=new.display_serial)
    return render(
        request,
        "certification/reissue.html",
        {"certificate": certificate, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def cohort_issue(request):
    """Pick a cohort, see every member against the requirements, issue to all who are eligible."""
    district = permissions.scope(request.user)
    cohorts = integrations.cohorts_in_scope(district)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = CohortIssueForm(data, cohorts=cohorts)
    rows = None
    if form.is_bound and form.is_valid():
        certification = form.cleaned_data["certification"]
        members = integrations.cohort_members(int(form.cleaned_data["cohort"]))
        if district is not None:
            members = members.filter(district=district)
        if request.method == "POST":
            eligible = selectors.eligible_users(certification, members)
            try:
                job = services.start_bulk_issue(
                    certification=certification,
                    users=members.filter(pk__in=eligible),
                    started_by=request.user,
                    title=dict(form.fields["cohort"].choices).get(form.cleaned_data["cohort"], ""),
                )
            except services.CertificationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(f"{request.path}?{request.POST.urlencode()}")
            return redirect("certification:job", pk=job.pk)
        rows = selectors.cohort_eligibility(certification, members)
    return render(
        request,
        "certification/cohort_issue.html",
        {
            "form": form,
            "rows": rows,
            "eligible_count": sum(1 for row in rows or [] if row.state == "eligible"),
            "has_cohorts": bool(cohorts),
        },
    )


def _job(request, pk):
    job = get_object_or_404(BulkIssueJob.objects.select_related("certification"), pk=pk)
    district = permissions.scope(request.user)
    if district is not None and job.scope_district_id != district.pk:
        raise Http404
    return job


@role_required(*MANAGERS)
def job_detail(request, pk):
    job = _job(request, pk)
    items = job.items.select_related("trainee", "certificate").order_by("pk")
    return render(
        request,
        "certification/job.html",
        {
            "job": job,
            "progress": services.bulk_progress(job),
            "items": items[:500],
        },
    )


@role_required(*MANAGERS)
@never_cache
def job_progress(request, pk):
    return JsonResponse(services.bulk_progress(_job(request, pk)))
