"""Heavy reads of certification: the eligibility engine, certificate lists, expiring soon.

Eligibility is evaluated for a *queryset* of users (a subquery, never a list of ids), so
the single-trainee checklist and a 10,000-trainee cohort table run the same code with
the same, fixed number of queries: one per requirement kind's source, plus a few here.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Certificate,
    CertificateStatus,
    CertificationType,
    IssueRequest,
    IssueRequestStatus,
    Requirement,
    RequirementStage,
)
from .requirements import EVALUATORS, UNAVAILABLE, EvaluationContext, RequirementResult


def default_sources():
    from .sources import AppSources

    return AppSources()


def active_types():
    """Active certification types with their requirements and signatories (3 queries)."""
    return list(
        CertificationType.objects.filter(is_active=True).prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.order_by("sort_order", "pk"))
        )
    )


def _requirements(certification, stage):
    return [r for r in certification.requirements.all() if r.stage == stage]


def evaluate(certification, users, *, stage=RequirementStage.INITIAL, windows=None, sources=None):
    """``{user_id: [RequirementResult, …]}`` for every user of the queryset, in requirement order."""
    sources = sources or default_sources()
    user_ids = sources.user_ids(users)
    context = EvaluationContext(
        certification=certification, sources=sources, windows=windows or {}, user_ids=user_ids
    )
    table: dict[int, list[RequirementResult]] = {user_id: [] for user_id in user_ids}
    for requirement in _requirements(certification, stage):
        evaluator = EVALUATORS.get(requirement.kind)
        if evaluator is None:
            continue
        results = evaluator.evaluate(requirement, users, context)
        for user_id in user_ids:
            table[user_id].append(results[user_id])
    return table


def is_eligible(results: list[RequirementResult]) -> bool:
    return bool(results) and all(result.met for result in results)


def current_certificates(users, certification=None) -> dict[tuple[int, int], Certificate]:
    """The newest current (not superseded) certificate per (user, type), one query."""
    queryset = Certificate.objects.current().filter(holder__in=users)
    if certification is not None:
        queryset = queryset.filter(certification=certification)
    found: dict[tuple[int, int], Certificate] = {}
    for certificate in queryset.order_by("cycle", "version"):
        found[(certificate.holder_id, certificate.certification_id)] = certificate
    return found


def renewal_windows(certificates) -> dict[int, tuple[datetime.date, datetime.date]]:
    today = timezone.localdate()
    return {
        c.holder_id: (c.valid_from, min(today, c.expires_on) if c.expires_on else today)
        for c in certificates
    }


def renewal_opens_on(certificate) -> datetime.date | None:
    if certificate.expires_on is None:
        return None
    return certificate.expires_on - datetime.timedelta(
        days=certificate.certification.renewal_window_days
    )


@dataclass
class Checklist:
    """One qualification as a trainee sees it."""

    certification: CertificationType
    stage: str  # "initial" or "renewal"
    results: list[RequirementResult] = field(default_factory=list)
    certificate: Certificate | None = None
    pending_request: IssueRequest | None = None
    renewal_opens_on: datetime.date | None = None

    @property
    def eligible(self) -> bool:
        return is_eligible(self.results)

    @property
    def met_count(self) -> int:
        return sum(1 for result in self.results if result.met)

    @property
    def unavailable(self) -> bool:
        return any(result.state == UNAVAILABLE for result in self.results)

    @property
    def can_claim(self) -> bool:
        """The trainee may press 'get my certificate' / 'ask for my certificate'."""
        if not self.eligible or self.pending_request is not None:
            return False
        if self.stage == RequirementStage.INITIAL:
            return self.certificate is None
        return self.renewal_open

    @property
    def renewal_open(self) -> bool:
        return (
            self.stage == RequirementStage.RENEWAL
            and self.certificate is not None
            and self.certificate.status == CertificateStatus.ACTIVE
            and self.renewal_opens_on is not None
            and self.renewal_opens_on <= timezone.localdate()
        )

    def as_dict(self) -> dict:
        return {
            "certification": self.certification.code,
            "name": self.certification.name,
            "name_en": self.certification.name_en,
            "stage": self.stage,
            "eligible": self.eligible,
            "met": self.met_count,
            "total": len(self.results),
            "requirements": [result.as_dict() for result in self.results],
            "certificate": self.certificate.display_serial if self.certificate else None,
            "pending_approval": self.pending_request is not None,
            "renewal_opens_on": self.renewal_opens_on.isoformat()
            if self.renewal_opens_on
            else None,
        }


def checklists(user, *, sources=None) -> list[Checklist]:
    """For each active qualification: the requirements for the user's next step and their state.

    Without a certificate (or with a revoked one) the initial requirements; with a
    current certificate the renewal requirements over its validity period.
    """
    users = get_user_model().objects.filter(pk=user.pk)
    certificates = current_certificates(users)
    pending = {
        (r.certification_id, r.cycle): r
        for r in IssueRequest.objects.filter(trainee=user, status=IssueRequestStatus.PENDING)
    }
    lists = []
    for certification in active_types():
        certificate = certificates.get((user.pk, certification.pk))
        if certificate is None or certificate.status != CertificateStatus.ACTIVE:
            stage, windows = RequirementStage.INITIAL, None
            cycle = 0
        else:
            stage, windows = RequirementStage.RENEWAL, renewal_windows([certificate])
            cycle = certificate.cycle + 1
        results = evaluate(certification, users, stage=stage, windows=windows, sources=sources)
        lists.append(
            Checklist(
                certification=certification,
                stage=stage,
                results=results.get(user.pk, []),
                certificate=certificate,
                pending_request=pending.get((certification.pk, cycle)),
                renewal_opens_on=renewal_opens_on(certificate) if certificate else None,
            )
        )
    return lists


@dataclass
class CohortRow:
    user: object
    results: list[RequirementResult]
    certificate: Certificate | None

    @property
    def eligible(self) -> bool:
        return is_eligible(self.results)

    @property
    def state(self) -> str:
        if self.certificate is not None:
            return "certified" if self.certificate.status == CertificateStatus.ACTIVE else "revoked"
        return "eligible" if self.eligible else "not_eligible"


def cohort_eligibility(certification, users, *, sources=None) -> list[CohortRow]:
    """A table of every user of the queryset against the type's initial requirements."""
    users = users.order_by("pk")
    people = list(users.only("pk", "username", "real_name", "district_id"))
    results = evaluate(certification, users, sources=sources)
    certificates = current_certificates(users, certification)
    return [
        CohortRow(
            user=person,
            results=results.get(person.pk, []),
            certificate=certificates.get((person.pk, certification.pk)),
        )
        for person in people
    ]


def eligible_users(certification, users, *, sources=None):
    """Ids of the users who meet every initial requirement and hold no certificate of the type."""
    results = evaluate(certification, users, sources=sources)
    certified = {holder for holder, _type in current_certificates(users, certification)}
    return [u for u, rs in results.items() if is_eligible(rs) and u not in certified]


def verified_sessions_delivered(users, windows, qualification: str) -> dict[int, int]:
    """Verified sessions of ``qualification``'s topics each user delivered as a lecturer
    within their window (a session counts for the qualification its topic needs only).

    The lecturer corps provides the counter when it is ready
    (``certification.signals.provide_delivered_sessions``): ``users`` a queryset,
    ``windows`` ``{user_id: (first_day, last_day)}``, counting sessions a coordinator
    verified.
    """
    from .signals import delivered_sessions

    return delivered_sessions(users, windows, qualification)


# --- certificate lists ---------------------------------------------------------


def certificates_of(user):
    """The user's own certificates (every version), newest first."""
    return (
        Certificate.objects.filter(holder=user)
        .select_related("certification")
        .order_by("-issued_at", "-pk")
    )


def certificate_by_serial(serial: str) -> Certificate | None:
    """The current version for a serial; ``PC-2027-000123-v2`` names a version exactly."""
    base, _sep, suffix = serial.rpartition("-v")
    queryset = Certificate.objects.select_related("certification", "holder")
    if base and suffix.isdigit():
        return queryset.filter(serial=base, version=int(suffix)).first()
    return queryset.filter(serial=serial).order_by("-version").first()


def expiring_soon(district, *, days=90, today=None):
    today = today or timezone.localdate()
    return (
        Certificate.objects.filter(status=CertificateStatus.ACTIVE)
        .in_scope(district)
        .filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=days))
        .exclude(renewals__status=CertificateStatus.ACTIVE)
        .select_related("certification", "holder")
        .order_by("expires_on")
    )


def pending_requests(district):
    queryset = IssueRequest.objects.filter(status=IssueRequestStatus.PENDING).select_related(
        "certification", "trainee"
    )
    if district is not None:
        queryset = queryset.filter(trainee__district=district)
    return queryset


def recent_certificates(district, limit=50):
    return (
        Certificate.objects.in_scope(district)
        .select_related("certification", "holder")
        .order_by("-issued_at", "-pk")[:limit]
    )


def search_certificates(district, query: str):
    queryset = Certificate.objects.in_scope(district).select_related("certification", "holder")
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(serial__icontains=query)
            | Q(holder_name__icontains=query)
            | Q(holder__username__iexact=query)
        )
    return queryset.order_by("-issued_at", "-pk")


def verification_code_for(text: str) -> str | None:
    """The verification code a person typed, or the one of the serial they typed.

    Accepts the code itself, or a serial as printed (any case, full-width characters,
    spaces around it); ``PC-2027-000123-v2`` names version 2, a bare serial its newest
    version (whose page says whether it is valid, revoked or replaced). One query (two
    when the text is not a code). None when nothing matches.
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    code = (
        Certificate.objects.filter(verification_code=text)
        .values_list("verification_code", flat=True)
        .first()
    )
    if code:
        return code
    serial, version = text.upper().replace(" ", ""), None
    match = re.fullmatch(r"(.+)-V(\d{1,3})", serial)
    if match:
        serial, version = match.group(1), int(match.group(2))
    rows = Certificate.objects.filter(serial=serial)
    if version is not None:
        rows = rows.filter(version=version)
    return rows.order_by("-version").values_list("verification_code", flat=True).first()


def verification_result(code: str) -> dict:
    """The public facts for a verification code: status, name, qualification, dates. Nothing more.

    ``status`` is valid / expired / revoked / unknown, or ``anonymised`` for a revoked
    certificate whose holder's personal data was removed (then there is no name).
    """
    certificate = (
        Certificate.objects.select_related("certification").filter(verification_code=code).first()
        if code
        else None
    )
    if certificate is None:
        return {"status": "unknown"}
    state = certificate.state
    certification = certificate.certification
    result = {
        "status": "revoked" if state == "revoked" else ("valid" if state == "valid" else state),
        "serial": certificate.display_serial,
        "holder_name": certificate.holder_name,
        "qualification": certification.name,
        "qualification_en": certification.name_en,
        "issuing_authority": certification.issuing_authority,
        "issued_on": timezone.localtime(certificate.issued_at).date().isoformat(),
        "valid_from": certificate.valid_from.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
    }
    if state == "not_yet_valid":
        result["status"] = "valid"
    if certificate.status == CertificateStatus.REVOKED:
        result["revoked_on"] = timezone.localtime(certificate.revoked_at).date().isoformat()
        result["revocation_reason"] = certificate.revocation_reason
    elif certificate.status == CertificateStatus.SUPERSEDED:
        result["revoked_on"] = timezone.localtime(certificate.revoked_at).date().isoformat()
        result["revocation_reason"] = _("Replaced by a reissued version of this certificate.")
    if certificate.status != CertificateStatus.ACTIVE and not certificate.holder_name:
        # The holder's personal data was removed on request (privacy.services.anonymise_person):
        # the certificate stays verifiable as issued and revoked, without a name.
        result["status"] = "anonymised"
        result["holder_name"] = None
    return result


def newer_version(certificate) -> Certificate | None:
    """The version a reissue made of ``certificate``, when one replaced it."""
    if certificate.status != CertificateStatus.SUPERSEDED:
        return None
    return Certificate.objects.filter(previous_version=certificate).first()
