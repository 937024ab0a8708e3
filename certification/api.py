"""Certification API: checklists, certificates, PDF, credential, revocation, public verification."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from lms.api import ApiError
from lms.api_types import CodeText, ReasonText

from . import credentials, permissions, selectors, services
from .ratelimit import verification_allowed

router = Router(tags=["certification"])


class RequirementStepOut(Schema):
    """One named thing to do for a requirement and where it is done (``url``, a path)."""

    label: str
    state: str
    detail: str
    url: str
    action: str
    percent: int | None = None
    pending_percent: int = 0


class RequirementOut(Schema):
    kind: str
    label: str
    met: bool
    state: str
    message: str
    done: float | None = None
    needed: float | None = None
    percent: int
    steps: list[RequirementStepOut] = []


class ChecklistOut(Schema):
    certification: str
    name: str
    name_en: str
    stage: str
    eligible: bool
    met: int
    total: int
    requirements: list[RequirementOut]
    certificate: str | None
    pending_approval: bool
    renewal_opens_on: str | None


class CertificateOut(Schema):
    serial: str
    certification: str
    qualification: str
    qualification_en: str
    holder_name: str
    status: str
    issued_on: str
    valid_from: str
    expires_on: str | None
    verification_url: str
    pdf_url: str
    credential_url: str


class VerificationOut(Schema):
    status: str
    serial: str | None = None
    holder_name: str | None = None
    qualification: str | None = None
    qualification_en: str | None = None
    issuing_authority: str | None = None
    issued_on: str | None = None
    valid_from: str | None = None
    expires_on: str | None = None
    revoked_on: str | None = None
    revocation_reason: str | None = None


class RevokeIn(Schema):
    reason: ReasonText


class ErrorOut(Schema):
    detail: str
    code: str


def _certificate_out(certificate) -> dict:
    serial = certificate.display_serial
    return {
        "serial": serial,
        "certification": certificate.certification.code,
        "qualification": certificate.certification.name,
        "qualification_en": certificate.certification.name_en,
        "holder_name": certificate.holder_name,
        "status": certificate.state,
        "issued_on": timezone.localtime(certificate.issued_at).date().isoformat(),
        "valid_from": certificate.valid_from.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "verification_url": certificate.verification_url(),
        "pdf_url": f"/api/v1/certificates/{serial}/pdf",
        "credential_url": f"/api/v1/certificates/{serial}/credential",
    }


def _viewable(request, serial):
    certificate = selectors.certificate_by_serial(serial)
    if certificate is None or not permissions.can_view_certificate(request.auth, certificate):
        raise ApiError(404, "not_found", "No such certificate.")
    return certificate


@router.get("/me/certifications", response=list[ChecklistOut])
def my_certifications(request):
    """For each qualification: every requirement, its state and what is missing."""
    return [checklist.as_dict() for checklist in selectors.checklists(request.auth)]


@router.get("/me/certificates", response=list[CertificateOut])
def my_certificates(request):
    """The caller's certificates (current versions)."""
    return [_certificate_out(c) for c in selectors.certificates_of(request.auth).current()]


@router.get("/certificates/{serial}/pdf", response={200: None, 404: ErrorOut})
def certificate_pdf(request, serial: CodeText):
    """The certificate PDF (holder, or a coordinator in scope)."""
    certificate = _viewable(request, serial)
    services.ensure_certificate_pdf(certificate)
    with certificate.pdf.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.display_serial}.pdf"'
    return response


@router.get("/certificates/{serial}/credential", response={200: None, 404: ErrorOut})
def certificate_credential(request, serial: CodeText):
    """The Open Badges 3.0 credential as a VC-JWT (``application/vc+jwt``)."""
    certificate = _viewable(request, serial)
    return HttpResponse(
        credentials.signed_credential(certificate), content_type="application/vc+jwt"
    )


@router.post(
    "/certificates/{serial}/revoke",
    response={200: CertificateOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def revoke(request, serial: CodeText, payload: RevokeIn):
    """Revoke with a reason (coordinators in scope, administrators)."""
    certificate = selectors.certificate_by_serial(serial)
    if certificate is None:
        raise ApiError(404, "not_found", "No such certificate.")
    if not permissions.can_view_certificate(request.auth, certificate):
        permissions.check_manage(request.auth, certificate.holder)
    try:
        revoked = services.revoke_certificate(
            certificate=certificate, revoked_by=request.auth, reason=payload.reason
        )
    except services.CertificationError as exc:
        raise ApiError(400, "not_revocable", " ".join(exc.messages)) from exc
    return _certificate_out(revoked)


@router.get("/verify/{code}", auth=None, response={200: VerificationOut, 429: ErrorOut})
def verify(request, code: CodeText):
    """Public: status (valid/expired/revoked/unknown), name, qualification and dates only."""
    if not verification_allowed(request):
        raise ApiError(429, "rate_limited", _("Too many verifications; wait a minute."))
    return selectors.verification_result(code)
