"""Qualifications held from elsewhere: recorded with evidence, approved by a coordinator.

The life of a record::

    recorded (holder or coordinator, with evidence) ──▶ pending
        pending ──coordinator approves──▶ approved ──coordinator withdraws (reason)──▶ revoked
        pending ──coordinator rejects (reason)──▶ rejected

An approved record makes its holder eligible for the topics it covers from ``issued_on``
until ``expires_on`` (``lecturer_corps`` matching reads it: it stands for the topic's
certificate and course). After it expires, or once withdrawn, matching excludes the
holder again; withdrawing also re-checks their coming sessions (the corps' certificate
alert, through the outbox). The evidence is a PDF or an image, checked by content
(``lms.uploads``), kept in private storage and shown only through a permission-checked
view. Nothing here is a certificate of this programme: certification never reads it,
and the verification page never shows it.

Every function is atomic, asks ``dispatch.permissions`` and writes the audit log.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from lecturer_corps import services as corps_services
from lecturer_corps.topics import TOPICS_BY_CODE
from lms import uploads
from lms.textinput import LABEL, REASON, TextPolicy

from . import notifications as kinds
from . import permissions
from .models import PriorQualification, PriorQualificationStatus
from .selectors import coordinators_of_district

TITLE = TextPolicy(200, purpose=LABEL)
ISSUER = TextPolicy(200, purpose=LABEL)
NUMBER = TextPolicy(100, purpose=LABEL)
EVIDENCE_TYPES = frozenset({uploads.PDF, uploads.JPEG, uploads.PNG})
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
LIVE_STATUSES = (PriorQualificationStatus.PENDING, PriorQualificationStatus.APPROVED)


def _detail_url(qualification) -> str:
    return reverse("dispatch:prior_detail", args=[qualification.pk])


def clean_fields(*, title, issuer, number, issued_on, expires_on, topics, today=None) -> dict:
    """Checked values, or ``ValidationError`` naming each field."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name, policy, value in (
        ("title", TITLE, title),
        ("issuer", ISSUER, issuer),
        ("number", NUMBER, number),
    ):
        try:
            values[name] = policy.clean(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    today = today or timezone.localdate()
    if not isinstance(issued_on, datetime.date):
        errors["issued_on"] = [_("Give the date it was issued.")]
    elif issued_on > today:
        errors["issued_on"] = [_("The issue date is in the future.")]
    if expires_on is not None:
        if not isinstance(expires_on, datetime.date):
            errors["expires_on"] = [_("Give the expiry date, or leave it empty.")]
        elif isinstance(issued_on, datetime.date) and expires_on <= issued_on:
            errors["expires_on"] = [_("It must expire after it was issued.")]
    codes = sorted(set(topics or []))
    unknown = [code for code in codes if code not in TOPICS_BY_CODE]
    if not codes:
        errors["topics"] = [_("Choose the topics this qualification covers.")]
    elif unknown:
        errors["topics"] = [_("Unknown topic codes: %s") % ", ".join(unknown)]
    if errors:
        raise ValidationError(errors)
    values.update({"issued_on": issued_on, "expires_on": expires_on, "topics": codes})
    return values


@transaction.atomic
def record_prior_qualification(
    *,
    actor,
    holder,
    evidence,
    title: str,
    issuer: str,
    number: str,
    issued_on,
    expires_on=None,
    topics=(),
    today=None,
) -> PriorQualification:
    """Record a qualification ``holder`` holds from elsewhere, with its scanned evidence
    (PDF, JPEG or PNG, at most 10 MB, judged by content; image metadata removed). The
    holder (a lecturer) or a coordinator of the holder's scope. It waits for a
    coordinator's approval; the coordinators of the holder's district are told. The same
    certificate (issuer and number) cannot be waiting or approved twice. Audited."""
    permissions.check_can_record_prior(actor, holder)
    values = clean_fields(
        title=title,
        issuer=issuer,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        topics=topics,
        today=today,
    )
    if evidence is None:
        raise ValidationError({"evidence": _("Attach the scanned certificate.")})
    try:
        checked = uploads.check_upload(
            evidence,
            accept=EVIDENCE_TYPES,
            max_bytes=EVIDENCE_MAX_BYTES,
            type_message=_("Attach a PDF, JPEG or PNG scan of the certificate."),
        )
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc
    duplicate = _("This certificate is already recorded and waiting or approved.")
    if PriorQualification.objects.filter(
        issuer=values["issuer"], number=values["number"], status__in=LIVE_STATUSES
    ).exists():
        raise ValidationError({"number": duplicate})
    qualification = PriorQualification(
        holder=holder, recorded_by=actor, evidence_type=checked.content_type, **values
    )
    qualification.full_clean(exclude=["evidence"])
    qualification.evidence.save(
        f"evidence.{checked.extension}", ContentFile(checked.content), save=False
    )
    try:
        with transaction.atomic():
            qualification.save()
    except IntegrityError as exc:  # recorded a moment ago by someone else
        qualification.evidence.storage.delete(qualification.evidence.name)
        raise ValidationError({"number": duplicate}) from exc
    record(
        "dispatch.prior_qualification.record",
        actor=actor,
        obj=qualification,
        changes={"holder": holder.pk, "topics": values["topics"], "type": checked.content_type},
    )
    corps_services.notify(
        coordinators_of_district(holder.district_id),
        kinds.PRIOR_RECORDED,
        {"title": qualification.title, "holder": str(holder)},
        url=_detail_url(qualification),
    )
    return qualification


def _lock(qualification) -> PriorQualification:
    return (
        PriorQualification.objects.select_for_update(of=("self",))
        .select_related("holder")
        .get(pk=qualification.pk)
    )


@transaction.atomic
def approve_prior_qualification(*, actor, qualification) -> PriorQualification:
    """A coordinator of the holder's scope (not the holder) approves a waiting record: the
    holder may be sent to teach its topics while it is valid. Audited; the holder is told."""
    permissions.check_can_decide_prior(actor, qualification)
    locked = _lock(qualification)
    if locked.status != PriorQualificationStatus.PENDING:
        raise ValidationError(_("Only a record waiting for approval can be approved."))
    locked.status = PriorQualificationStatus.APPROVED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = ""
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        "dispatch.prior_qualification.approve",
        actor=actor,
        obj=locked,
        changes={"holder": locked.holder_id, "topics": locked.topics},
    )
    corps_services.notify(
        [locked.holder],
        kinds.PRIOR_DECIDED,
        {"title": locked.title, "approved": True},
        url=_detail_url(locked),
    )
    return locked


@transaction.atomic
def reject_prior_qualification(*, actor, qualification, reason: str) -> PriorQualification:
    """A coordinator of the holder's scope (not the holder) refuses a waiting record, with a
    reason the holder sees. Audited; the holder is told."""
    permissions.check_can_decide_prior(actor, qualification)
    reason = REASON.optional().clean(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why it is not recognised.")})
    locked = _lock(qualification)
    if locked.status != PriorQualificationStatus.PENDING:
        raise ValidationError(_("Only a record waiting for approval can be refused."))
    locked.status = PriorQualificationStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        "dispatch.prior_qualification.reject",
        actor=actor,
        obj=locked,
        changes={"holder": locked.holder_id, "reason_length": len(reason)},
    )
    corps_services.notify(
        [locked.holder],
        kinds.PRIOR_DECIDED,
        {"title": locked.title, "approved": False, "message": reason},
        url=_detail_url(locked),
    )
    return locked


@transaction.atomic
def revoke_prior_qualification(*, actor, qualification, reason: str) -> PriorQualification:
    """A coordinator of the holder's scope withdraws an approval (the certificate was
    found void, say), with a reason. Matching excludes the holder at once; their coming
    sessions are re-checked and the coordinators told (the corps' certificate alert,
    queued in the outbox). Audited; the holder is told."""
    from lecturer_corps.tasks import certificate_changed
    from outbox.services import enqueue

    permissions.check_can_decide_prior(actor, qualification)
    reason = REASON.optional().clean(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the approval is withdrawn.")})
    locked = _lock(qualification)
    if locked.status != PriorQualificationStatus.APPROVED:
        raise ValidationError(_("Only an approved record can be withdrawn."))
    locked.status = PriorQualificationStatus.REVOKED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        "dispatch.prior_qualification.revoke",
        actor=actor,
        obj=locked,
        changes={"holder": locked.holder_id, "reason_length": len(reason)},
    )
    enqueue(certificate_changed, locked.holder_id)
    corps_services.notify(
        [locked.holder],
        kinds.PRIOR_DECIDED,
        {"title": locked.title, "approved": False, "message": reason},
        url=_detail_url(locked),
    )
    return locked
