"""Every state change of certification: issue, render, revoke, reissue, renew, approve, bulk issue.

Each function is atomic, checks who may call it (``certification.permissions``), writes
the audit log in the same transaction, and queues follow-up work (PDF rendering, e-mail)
only once the transaction has committed, so a failure after the commit (a broker or
SMTP outage) never undoes an issue.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record
from lms.textinput import REASON
from outbox.services import enqueue, enqueue_many

from . import permissions, selectors, tasks
from .models import (
    BulkIssueItem,
    BulkIssueItemState,
    BulkIssueJob,
    Certificate,
    CertificateStatus,
    CertificationType,
    ExpiryReminder,
    IssueMode,
    IssueRequest,
    IssueRequestStatus,
    RequirementStage,
    SerialCounter,
    StatusList,
)

logger = logging.getLogger(__name__)

REMINDER_DAYS = (60, 30, 7)


class CertificationError(ValidationError):
    """A refusal a person can act on (not eligible, already revoked, …)."""


# --- allocation --------------------------------------------------------------


def _allocate_serial_number(prefix: str, year: int) -> tuple[SerialCounter, int]:
    """Lock the (prefix, year) counter row and return it with the next number (not yet saved)."""
    counter, _created = SerialCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = SerialCounter.objects.select_for_update().get(pk=counter.pk)
    return counter, counter.last_number + 1


def format_serial(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def _allocate_status_index() -> tuple[StatusList, int]:
    status_list = (
        StatusList.objects.select_for_update().filter(next_index__lt=models_size()).order_by("pk")
    ).first()
    if status_list is None:
        status_list = StatusList.objects.create()
        status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
    index = status_list.next_index
    status_list.next_index = index + 1
    status_list.save(update_fields=["next_index"])
    return status_list, index


def models_size() -> int:
    return StatusList._meta.get_field("size").default


def new_verification_code() -> str:
    """128 random bits, URL-safe (22 characters): unguessable and short enough for a QR code."""
    return secrets.token_urlsafe(16)


# --- issuing -----------------------------------------------------------------


def _snapshot(certification, results, trainee) -> dict:
    """What was achieved, frozen at issue: hours, courses, exam score, evaluation."""
    snapshot: dict = {"requirements": [], "certification": certification.code}
    for result in results:
        snapshot["requirements"].append(
            {"kind": result.kind, "label": result.label, "message": result.message}
        )
        facts = result.facts or {}
        if "courses" in facts:
            snapshot["courses"] = facts["courses"]
            snapshot["class_hours"] = facts.get("class_hours", 0)
        if "quizzes" in facts:
            snapshot["quizzes"] = facts["quizzes"]
            scores = [q["score"] for q in facts["quizzes"] if q.get("score") is not None]
            if scores:
                snapshot["exam_score"] = max(scores)
        if "lines" in facts:
            lines = facts["lines"]
            snapshot["practicum"] = {
                "lines": lines,
                "total_hours": next(
                    (line["done"] for line in lines if line["code"] == "total"), None
                ),
                "direct_hours": next(
                    (line["done"] for line in lines if line["code"] == "direct"), None
                ),
            }
        if "final_evaluation" in facts:
            snapshot["final_evaluation"] = facts["final_evaluation"]
        for key in ("continuing_education", "sessions_delivered", "class_hours"):
            if key in facts:
                snapshot[key] = facts[key]
    return snapshot


def _current_for_cycle(certification, holder, cycle) -> Certificate | None:
    return (
        Certificate.objects.current()
        .filter(certification=certification, holder=holder, cycle=cycle)
        .order_by("-version")
        .first()
    )


def _create_certificate(
    *,
    certification,
    holder,
    cycle,
    issued_by,
    snapshot,
    valid_from,
    renews=None,
    serial=None,
    version=1,
    previous_version=None,
    holder_name=None,
) -> Certificate | None:
    """Insert the certificate, allocating its serial in this transaction.

    Returns None when another transaction created the same (type, holder, cycle,
    version) first; the serial counter is then left as it was (no gap).
    """
    counter = None
    if serial is None:
        year = valid_from.year
        counter, number = _allocate_serial_number(certification.serial_prefix, year)
        existing = _current_for_cycle(certification, holder, cycle)
        if existing is not None:
            return None
        serial = format_serial(certification.serial_prefix, year, number)
    status_list, index = _allocate_status_index()
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                certification=certification,
                holder=holder,
                cycle=cycle,
                version=version,
                serial=serial,
                verification_code=new_verification_code(),
                holder_name=holder_name or holder.certificate_name,
                holder_languages=list(holder.languages or []),
                snapshot=snapshot,
                issued_at=timezone.now(),
                valid_from=valid_from,
                expires_on=certification.expiry_for(valid_from),
                issued_by=issued_by,
                renews=renews,
                previous_version=previous_version,
                status_list=status_list,
                status_list_index=index,
            )
    except IntegrityError:
        return None
    if counter is not None:
        counter.last_number = number
        counter.save(update_fields=["last_number"])
    return certificate


def _after_issue(certificate: Certificate, *, notify: bool = True, queue_pdf: bool = True) -> None:
    """Queue the PDF and the e-mail in the outbox, in the issuing transaction: they exist
    exactly when the certificate does, and a broker outage delays them, never fails the issue."""
    if queue_pdf:
        enqueue(tasks.render_certificate, certificate.pk)
    if notify:
        enqueue(tasks.email_holder, certificate.pk, "issued")


def issue_certificate(
    *,
    trainee,
    certification,
    issued_by,
    queue_pdf: bool = True,
    valid_from: datetime.date | None = None,
    notify: bool = True,
) -> Certificate:
    """Issue ``certification`` to ``trainee`` once every initial requirement is met.

    Idempotent: when the trainee already holds a certificate of this type (first
    cycle), that certificate is returned unchanged, also when two calls race (the
    serial counter row is locked, then the check is repeated). The serial is
    allocated in this transaction, so a failure leaves no gap. ``issued_by`` is
    None for the system (automatic issuing), a coordinator in scope, or the trainee
    for a type issued automatically. The returned certificate has ``created``.
    ``queue_pdf=False`` is for callers that render the PDF themselves (bulk issue).
    ``valid_from`` (default today) and ``notify=False`` are for history written after the
    fact (the demo seed's holders, certified months ago): the serial's year is that of
    ``valid_from``, and the holder is not e-mailed about it now.
    """
    permissions.check_issue(issued_by, trainee, certification)
    existing = _current_for_cycle(certification, trainee, 0)
    if existing is not None:
        existing.created = False
        return existing
    users = get_user_model().objects.filter(pk=trainee.pk)
    results = selectors.evaluate(certification, users).get(trainee.pk, [])
    if not selectors.is_eligible(results):
        missing = [r.message for r in results if not r.met] or [_("No requirements are set.")]
        raise CertificationError(
            _("Not all requirements are met: %(missing)s") % {"missing": "; ".join(missing)}
        )
    with transaction.atomic():
        certificate = _create_certificate(
            certification=certification,
            holder=trainee,
            cycle=0,
            issued_by=issued_by,
            snapshot=_snapshot(certification, results, trainee),
            valid_from=valid_from or timezone.localdate(),
        )
        if certificate is None:
            existing = _current_for_cycle(certification, trainee, 0)
            existing.created = False
            return existing
        IssueRequest.objects.filter(
            certification=certification,
            trainee=trainee,
            cycle=0,
            status=IssueRequestStatus.PENDING,
        ).update(
            status=IssueRequestStatus.APPROVED,
            decided_at=timezone.now(),
            decided_by=issued_by,
            certificate=certificate,
        )
        record(
            "certification.certificate.issue",
            actor=issued_by,
            obj=certificate,
            changes={
                "serial": certificate.serial,
                "certification": certification.code,
                "holder_id": trainee.pk,
                "expires_on": str(certificate.expires_on or ""),
            },
        )
        _after_issue(certificate, queue_pdf=queue_pdf, notify=notify)
    certificate.created = True
    return certificate


def claim_certificate(*, trainee, certification):
    """The trainee's "get my certificate": issues (automatic types) or asks for approval.

    Returns the certificate or the pending ``IssueRequest``.
    """
    if certification.issue_mode == IssueMode.AUTOMATIC:
        return issue_certificate(trainee=trainee, certification=certification, issued_by=trainee)
    return request_approval(trainee=trainee, certification=certification)


def request_approval(*, trainee, certification, cycle=0) -> IssueRequest:
    """Put an eligible trainee in the coordinators' approval queue (idempotent)."""
    users = get_user_model().objects.filter(pk=trainee.pk)
    if _current_for_cycle(certification, trainee, cycle) is not None:
        raise CertificationError(_("You already hold this certificate."))
    results = selectors.evaluate(certification, users).get(trainee.pk, [])
    if not selectors.is_eligible(results):
        raise CertificationError(_("Not all requirements are met yet."))
    with transaction.atomic():
        pending = IssueRequest.objects.filter(
            certification=certification,
            trainee=trainee,
            cycle=cycle,
            status=IssueRequestStatus.PENDING,
        ).first()
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                issue_request = IssueRequest.objects.create(
                    certification=certification, trainee=trainee, cycle=cycle
                )
        except IntegrityError:
            return IssueRequest.objects.get(
                certification=certification,
                trainee=trainee,
                cycle=cycle,
                status=IssueRequestStatus.PENDING,
            )
        record(
            "certification.request.create",
            actor=trainee,
            obj=issue_request,
            changes={"certification": certification.code, "cycle": cycle},
        )
    return issue_request


def approve_request(*, issue_request, approved_by) -> Certificate:
    """A coordinator approves a pending request: the certificate is issued (or renewed)."""
    permissions.check_manage(approved_by, issue_request.trainee)
    issue_request.refresh_from_db(fields=["status"])
    if issue_request.status != IssueRequestStatus.PENDING:
        raise CertificationError(_("This request has already been decided."))
    if issue_request.cycle == 0:
        return issue_certificate(
            trainee=issue_request.trainee,
            certification=issue_request.certification,
            issued_by=approved_by,
        )
    current = _current_for_cycle(
        issue_request.certification, issue_request.trainee, issue_request.cycle - 1
    )
    return renew_certificate(certificate=current, renewed_by=approved_by)


def reject_request(*, issue_request, rejected_by, note: str) -> IssueRequest:
    permissions.check_manage(rejected_by, issue_request.trainee)
    note = REASON.optional().clean(note)
    if not note:
        raise CertificationError(_("Say why the request is rejected."))
    with transaction.atomic():
        locked = IssueRequest.objects.select_for_update().get(pk=issue_request.pk)
        if locked.status != IssueRequestStatus.PENDING:
            raise CertificationError(_("This request has already been decided."))
        locked.status = IssueRequestStatus.REJECTED
        locked.decided_by = rejected_by
        locked.decided_at = timezone.now()
        locked.note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
        record(
            "certification.request.reject",
            actor=rejected_by,
            obj=locked,
            changes={"certification": locked.certification.code},
        )
    return locked


# --- PDF ---------------------------------------------------------------------


def render_certificate_pdf(certificate) -> bytes:
    """The certificate as an A4 landscape PDF (bytes). Pure: reads, never writes.

    Uses the process-wide font configuration and stylesheet (see ``certification.pdf``).
    """
    from . import pdf

    with translation.override("zh-hans"):
        return pdf.render(certificate)


def pdf_name(certificate) -> str:
    return f"certificates/{certificate.valid_from.year}/{certificate.display_serial}.pdf"


def store_certificate_pdf(certificate, content: bytes) -> str:
    """Write the PDF so that readers see the old file or the complete new one, never a part.

    On the file system: write ``<name>.<pid>.part`` beside the target, fsync, then
    ``os.replace`` (atomic on POSIX); leftovers of a killed worker are removed. Other
    storages get the complete bytes in one ``save`` after rendering has finished.
    """
    from django.core.files.storage import default_storage

    name = pdf_name(certificate)
    if isinstance(default_storage, FileSystemStorage):
        target = default_storage.path(name)
        directory = os.path.dirname(target)
        os.makedirs(directory, exist_ok=True)
        prefix = os.path.basename(target) + "."
        for leftover in os.listdir(directory):
            if leftover.startswith(prefix) and leftover.endswith(".part"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(directory, leftover))
        temporary = f"{target}.{os.getpid()}.part"
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    else:
        if default_storage.exists(name):
            default_storage.delete(name)
        name = default_storage.save(name, ContentFile(content))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=name, pdf_rendered_at=timezone.now())
    certificate.pdf.name = name
    return name


def ensure_certificate_pdf(certificate, *, force: bool = False) -> str:
    """Render and store the PDF unless a rendered file is already there (idempotent)."""
    if not force and certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name):
        return certificate.pdf.name
    return store_certificate_pdf(certificate, render_certificate_pdf(certificate))


# --- lifecycle -----------------------------------------------------------------


def _tell_lecturer_corps(holder_id: int) -> None:
    """Tell the apps above (the lecturer corps re-checks the holder's coming sessions):
    sent in the caller's transaction, so what receivers queue exists exactly when the
    change commits (``certification.signals``)."""
    from .signals import certificate_changed

    certificate_changed.send(sender=Certificate, holder_id=holder_id)


def revoke_certificate(*, certificate, revoked_by, reason: str) -> Certificate:
    """Revoke with a reason. The verification page, the API and the status list say so at once."""
    permissions.check_manage(revoked_by, certificate.holder)
    return _revoke(certificate=certificate, revoked_by=revoked_by, reason=reason)


def revoke_for_erasure(*, certificate, revoked_by, reason: str) -> Certificate:
    """Revoke the certificate of a person being anonymised.

    Caller: ``privacy.services``, which has checked its own, stricter permission (an
    administrator erasing a person); audited and told to the lecturer corps as any
    revocation.
    """
    return _revoke(certificate=certificate, revoked_by=revoked_by, reason=reason)


def _revoke(*, certificate, revoked_by, reason: str) -> Certificate:
    """Revoke without the permission check (callers: ``revoke_certificate``, the demo seed,
    ``privacy.services.anonymise_person`` which checks its own)."""
    reason = REASON.optional().clean(reason)
    if not reason:
        raise CertificationError(_("Give the reason for revoking the certificate."))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status != CertificateStatus.ACTIVE:
            raise CertificationError(_("Only an active certificate can be revoked."))
        locked.status = CertificateStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = revoked_by
        locked.revocation_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
        record(
            "certification.certificate.revoke",
            actor=revoked_by,
            obj=locked,
            changes={"serial": locked.display_serial, "reason": locked.revocation_reason},
        )
        _tell_lecturer_corps(locked.holder_id)
    return locked


def reissue_certificate(
    *, certificate, reissued_by, reason: str, holder_name: str | None = None
) -> Certificate:
    """A new version of the same serial (e.g. after a name correction); the old one is superseded.

    The new version keeps the serial, dates and achievement snapshot, gets a new
    verification code (the old QR code then reports the old version as replaced)
    and a new status-list bit; the old version's bit is set.
    """
    permissions.check_manage(reissued_by, certificate.holder)
    reason = REASON.optional().clean(reason)
    if not reason:
        raise CertificationError(_("Give the reason for reissuing the certificate."))
    with transaction.atomic():
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if old.status == CertificateStatus.SUPERSEDED:
            raise CertificationError(_("A newer version of this certificate exists already."))
        holder = old.holder
        new_name = (holder_name or "").strip() or holder.certificate_name
        new = _create_certificate(
            certification=old.certification,
            holder=holder,
            cycle=old.cycle,
            issued_by=reissued_by,
            snapshot={**old.snapshot, "reissued_from": old.display_serial},
            valid_from=old.valid_from,
            renews=old.renews,
            serial=old.serial,
            version=old.version + 1,
            previous_version=old,
            holder_name=new_name,
        )
        if new is None:
            raise CertificationError(_("A newer version of this certificate exists already."))
        new.expires_on = old.expires_on
        new.issued_at = timezone.now()
        new.save(update_fields=["expires_on", "issued_at"])
        was = old.status
        old.status = CertificateStatus.SUPERSEDED
        old.revoked_at = old.revoked_at or timezone.now()
        old.revoked_by = old.revoked_by or reissued_by
        if not old.revocation_reason:
            old.revocation_reason = reason
        old.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
        record(
            "certification.certificate.reissue",
            actor=reissued_by,
            obj=new,
            changes={
                "serial": new.display_serial,
                "supersedes": old.display_serial,
                "previous_status": was,
                "reason": reason,
                "name_changed": new_name != old.holder_name,
            },
        )
        _after_issue(new)
    return new


def renew_certificate(*, certificate, renewed_by) -> Certificate:
    """A new certificate (new serial, next cycle) once the renewal requirements are met.

    Allowed from ``renewal_window_days`` before expiry onwards, and after expiry. The
    new period starts the day after the old expiry (or today, if already expired).
    Idempotent: a renewal that exists is returned.
    """
    if renewed_by is not None and renewed_by.pk != certificate.holder_id:
        permissions.check_manage(renewed_by, certificate.holder)
    certification = certificate.certification
    if certificate.status != CertificateStatus.ACTIVE:
        raise CertificationError(_("Only an active certificate can be renewed."))
    existing = _current_for_cycle(certification, certificate.holder, certificate.cycle + 1)
    if existing is not None:
        existing.created = False
        return existing
    today = timezone.localdate()
    opens = selectors.renewal_opens_on(certificate)
    if opens is None:
        raise CertificationError(_("This certificate does not expire and needs no renewal."))
    if today < opens:
        raise CertificationError(_("Renewal opens on %(date)s.") % {"date": opens.isoformat()})
    if (
        renewed_by is not None
        and renewed_by.pk == certificate.holder_id
        and certification.issue_mode != IssueMode.AUTOMATIC
    ):
        raise PermissionDenied(_("Renewal is issued after a coordinator's approval."))
    users = get_user_model().objects.filter(pk=certificate.holder_id)
    results = selectors.evaluate(
        certification,
        users,
        stage=RequirementStage.RENEWAL,
        windows=selectors.renewal_windows([certificate]),
    ).get(certificate.holder_id, [])
    if not all(r.met for r in results):
        raise CertificationError(
            _("Not all renewal requirements are met: %(missing)s")
            % {"missing": "; ".join(r.message for r in results if not r.met)}
        )
    valid_from = max(today, certificate.expires_on + datetime.timedelta(days=1))
    with transaction.atomic():
        new = _create_certificate(
            certification=certification,
            holder=certificate.holder,
            cycle=certificate.cycle + 1,
            issued_by=renewed_by,
            snapshot={
                **_snapshot(certification, results, certificate.holder),
                "renews": certificate.display_serial,
            },
            valid_from=valid_from,
            renews=certificate,
        )
        if new is None:
            existing = _current_for_cycle(certification, certificate.holder, certificate.cycle + 1)
            existing.created = False
            return existing
        IssueRequest.objects.filter(
            certification=certification,
            trainee=certificate.holder,
            cycle=certificate.cycle + 1,
            status=IssueRequestStatus.PENDING,
        ).update(
            status=IssueRequestStatus.APPROVED,
            decided_at=timezone.now(),
            decided_by=renewed_by,
            certificate=new,
        )
        record(
            "certification.certificate.renew",
            actor=renewed_by,
            obj=new,
            changes={"serial": new.serial, "renews": certificate.display_serial},
        )
        _after_issue(new)
    new.created = True
    return new


def claim_renewal(*, certificate, holder):
    """The holder's "renew": renews (automatic types) or asks a coordinator to approve."""
    if certificate.holder_id != holder.pk:
        raise PermissionDenied(_("You may not renew this certificate."))
    if certificate.certification.issue_mode == IssueMode.AUTOMATIC:
        return renew_certificate(certificate=certificate, renewed_by=holder)
    opens = selectors.renewal_opens_on(certificate)
    if opens is None or timezone.localdate() < opens:
        raise CertificationError(_("Renewal is not open yet."))
    users = get_user_model().objects.filter(pk=holder.pk)
    results = selectors.evaluate(
        certificate.certification,
        users,
        stage=RequirementStage.RENEWAL,
        windows=selectors.renewal_windows([certificate]),
    ).get(holder.pk, [])
    if not all(r.met for r in results):
        raise CertificationError(_("Not all renewal requirements are met yet."))
    with transaction.atomic():
        issue_request, created = IssueRequest.objects.get_or_create(
            certification=certificate.certification,
            trainee=holder,
            cycle=certificate.cycle + 1,
            status=IssueRequestStatus.PENDING,
        )
        if created:
            record(
                "certification.request.create",
                actor=holder,
                obj=issue_request,
                changes={"certification": certificate.certification.code, "renewal": True},
            )
    return issue_request


def record_expiries(today: datetime.date | None = None) -> int:
    """Write one audit record per certificate that has expired (idempotent)."""
    today = today or timezone.localdate()
    count = 0
    expired = Certificate.objects.filter(
        status=CertificateStatus.ACTIVE, expires_on__lt=today, expiry_recorded=False
    ).values_list("pk", flat=True)
    for pk in list(expired[:5000]):
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update().filter(pk=pk, expiry_recorded=False).first()
            )
            if certificate is None:
                continue
            certificate.expiry_recorded = True
            certificate.save(update_fields=["expiry_recorded"])
            record(
                "certification.certificate.expire",
                obj=certificate,
                changes={
                    "serial": certificate.display_serial,
                    "expired_on": str(certificate.expires_on),
                },
            )
            _tell_lecturer_corps(certificate.holder_id)
            count += 1
    return count


# --- reminders -------------------------------------------------------------------


def reminder_threshold(days_left: int) -> int | None:
    """The smallest threshold (60, 30, 7) that ``days_left`` is within, or None."""
    applicable = [days for days in REMINDER_DAYS if days_left <= days]
    return min(applicable) if applicable else None


def send_expiry_reminders(today: datetime.date | None = None) -> int:
    """Remind holders 60, 30 and 7 days before expiry; once per certificate per threshold.

    A run that was missed catches up with the nearest threshold only (a holder is
    not sent the 60- and 30-day reminders on the same day). Holders who have renewed
    are skipped. Returns the number of reminders queued.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    candidates = (
        Certificate.objects.filter(
            status=CertificateStatus.ACTIVE, expires_on__gte=today, expires_on__lte=horizon
        )
        .exclude(renewals__status=CertificateStatus.ACTIVE)
        .select_related("holder", "certification")
        .prefetch_related("reminders")
    )
    sent = 0
    for certificate in candidates:
        days_left = (certificate.expires_on - today).days
        threshold = reminder_threshold(days_left)
        if threshold is None:
            continue
        already = {reminder.days_before for reminder in certificate.reminders.all()}
        if any(days <= threshold for days in already):
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ExpiryReminder.objects.create(certificate=certificate, days_before=threshold)
            except IntegrityError:
                continue
            record(
                "certification.certificate.remind",
                obj=certificate,
                changes={"days_before": threshold, "expires_on": str(certificate.expires_on)},
            )
            enqueue(tasks.email_holder, certificate.pk, "expiry_reminder", threshold)
        sent += 1
    return sent


# --- e-mail ------------------------------------------------------------------------


def _email(
    certificate, template: str, subject: str, dedupe_key: str, extra: dict | None = None
) -> None:
    """Render the holder's e-mail and queue it in the outbox, once per ``dedupe_key``."""
    from accounts.tasks import send_email

    holder = certificate.holder
    if not holder.email:
        return
    with translation.override(holder.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "certificate": certificate,
            "holder": holder,
            "site_url": settings.SITE_URL,
            "verification_url": certificate.verification_url(),
            **(extra or {}),
        }
        body = render_to_string(template, context)
        enqueue(
            send_email,
            subject=str(subject),
            body=body,
            to=[holder.email],
            dedupe_key=dedupe_key,
        )


def _send_issued_email(certificate_id: int) -> None:
    certificate = Certificate.objects.select_related("holder", "certification").get(
        pk=certificate_id
    )
    with translation.override(certificate.holder.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Your certificate %(serial)s has been issued") % {
            "serial": certificate.display_serial
        }
    _email(
        certificate,
        "certification/email/issued.txt",
        subject,
        dedupe_key=f"certification.issued:{certificate.pk}",
    )


def _send_reminder_email(certificate_id: int, days_before: int) -> None:
    certificate = Certificate.objects.select_related("holder", "certification").get(
        pk=certificate_id
    )
    with translation.override(certificate.holder.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Your certificate %(serial)s expires in %(days)s days") % {
            "serial": certificate.display_serial,
            "days": days_before,
        }
    _email(
        certificate,
        "certification/email/expiry_reminder.txt",
        subject,
        dedupe_key=f"certification.expiry_reminder:{certificate.pk}:{days_before}",
        extra={"days": days_before},
    )


# --- bulk issue --------------------------------------------------------------------


def start_bulk_issue(*, certification, users, started_by, title="") -> BulkIssueJob:
    """Queue one issuing task per user of the queryset that the coordinator may manage.

    Safe to re-run: issuing is idempotent, so a second job for the same people marks
    those already certified as such and issues the rest.
    """
    district = permissions.scope(started_by)
    if district is not None:
        users = users.filter(district=district)
    trainee_ids = list(users.order_by("pk").values_list("pk", flat=True))
    if not trainee_ids:
        raise CertificationError(_("Nobody to issue to in your scope."))
    with transaction.atomic():
        job = BulkIssueJob.objects.create(
            certification=certification,
            title=title[:200],
            created_by=started_by,
            scope_district=district,
        )
        BulkIssueItem.objects.bulk_create(
            [BulkIssueItem(job=job, trainee_id=pk) for pk in trainee_ids], batch_size=1000
        )
        record(
            "certification.bulk_issue.start",
            actor=started_by,
            obj=job,
            changes={"certification": certification.code, "people": len(trainee_ids)},
        )
        item_ids = list(job.items.values_list("pk", flat=True))
        enqueue_many(tasks.issue_bulk_item, [(item_id,) for item_id in item_ids])
    return job


def process_bulk_item(item_id: int) -> str:
    """Issue (idempotently) for one item of a bulk job; returns the item's new state.

    The certificate and the item's state are written in one transaction, so a worker
    killed in between leaves neither, and the redelivered task issues the item once.
    """
    item = (
        BulkIssueItem.objects.select_related("job__certification", "job__created_by", "trainee")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        return "missing"
    if item.state in (BulkIssueItemState.ISSUED, BulkIssueItemState.ALREADY):
        return item.state
    job = item.job
    try:
        with transaction.atomic():
            certificate = issue_certificate(
                trainee=item.trainee,
                certification=job.certification,
                issued_by=job.created_by,
                queue_pdf=False,
            )
            state = BulkIssueItemState.ISSUED if certificate.created else BulkIssueItemState.ALREADY
            BulkIssueItem.objects.filter(pk=item.pk).update(state=state, certificate=certificate)
    except (CertificationError, PermissionDenied) as exc:
        message = " ".join(exc.messages) if hasattr(exc, "messages") else str(exc)
        BulkIssueItem.objects.filter(pk=item.pk).update(
            state=BulkIssueItemState.NOT_ELIGIBLE, message=message[:300]
        )
        return BulkIssueItemState.NOT_ELIGIBLE
    return state


def bulk_progress(job: BulkIssueJob) -> dict:
    from django.db.models import Count

    counts = dict(job.items.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    total = sum(counts.values())
    done = total - counts.get(BulkIssueItemState.QUEUED, 0)
    return {
        "job": job.pk,
        "total": total,
        "done": done,
        "percent": int(done * 100 / total) if total else 100,
        "finished": done == total,
        "counts": {state: counts.get(state, 0) for state in BulkIssueItemState.values},
    }


def issue_eligible_automatically(user_ids=None) -> int:
    """Issue automatic types to everyone eligible; queue approval requests for the others.

    Run daily by Celery beat for every trainee, and for one trainee when they complete a
    course (``user_ids``); safe to run any time: issuing and requests are idempotent.
    """
    from accounts import roles

    users = get_user_model().objects.filter(groups__name=roles.TRAINEE, is_active=True)
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    issued = 0
    for certification in CertificationType.objects.filter(is_active=True):
        for user_id in selectors.eligible_users(certification, users):
            trainee = get_user_model().objects.get(pk=user_id)
            try:
                if certification.issue_mode == IssueMode.AUTOMATIC:
                    issue_certificate(trainee=trainee, certification=certification, issued_by=None)
                    issued += 1
                else:
                    request_approval(trainee=trainee, certification=certification)
            except CertificationError as exc:
                logger.info(
                    "certification.auto_issue.skipped", extra={"user": user_id, "why": str(exc)}
                )
    return issued


# --- certification types, requirements and signatories (administrators, the admin) ----------


def _type_code(item, verb: str) -> str:
    return f"{item._meta.label_lower}.{verb}"


@transaction.atomic
def save_certification_type(*, actor, certification: CertificationType, changed=()):
    """Add a certification type or save edits to one (``certification`` carries them,
    unsaved). Administrators only (``PermissionDenied``). Once certificates of the type
    exist its code and serial prefix are fixed (``ValidationError``): serials already
    issued and other apps' qualification codes depend on them. Atomic; one audit row."""
    creating = certification.pk is None
    permissions.check_can_manage_types(actor, "add" if creating else "change", certification)
    if not creating:
        stored = CertificationType.objects.select_for_update().get(pk=certification.pk)
        fixed = [
            name
            for name in ("code", "serial_prefix")
            if getattr(stored, name) != getattr(certification, name)
        ]
        if fixed and Certificate.objects.filter(certification=stored).exists():
            raise ValidationError(
                {
                    name: _("Certificates of this type exist; this can no longer change.")
                    for name in fixed
                }
            )
    certification.full_clean()
    certification.save()
    changes = {"code": certification.code}
    if not creating:
        changes["fields"] = sorted(changed)
    record(
        _type_code(certification, "create" if creating else "update"),
        actor=actor,
        obj=certification,
        changes=changes,
    )
    return certification


@transaction.atomic
def save_type_part(*, actor, part, changed=()):
    """Add or change a requirement or a signatory of a certification type (``part``:
    a ``Requirement`` or ``Signatory``, validated by its model). Requirements apply to
    eligibility from now on; certificates already issued keep their snapshot.
    Administrators only; atomic; one audit row naming the type."""
    creating = part.pk is None
    permissions.check_can_manage_types(actor, "add" if creating else "change", part)
    part.full_clean()
    part.save()
    changes = {"certification": part.certification_id}
    if not creating:
        changes["fields"] = sorted(changed)
    record(
        _type_code(part, "create" if creating else "update"), actor=actor, obj=part, changes=changes
    )
    return part


@transaction.atomic
def delete_type_part(*, actor, part) -> None:
    """Remove a requirement or a signatory. Administrators only; audited."""
    permissions.check_can_manage_types(actor, "delete", part)
    record(
        _type_code(part, "delete"),
        actor=actor,
        obj=part,
        changes={"certification": part.certification_id},
    )
    part.delete()
