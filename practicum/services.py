"""Every change to practicum data goes through one of these functions.

Each is atomic, checks permission through ``practicum.permissions``, validates the
rules of the practicum, writes the audit log in the same transaction (who, when,
from, to, comment — counts and codes only, never a child's data) and queues any
e-mail to go out after commit. Views, the API, seed data and tasks call them alike.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User
from audit.services import record
from lms.textinput import PERSON_NAME, REASON

from . import permissions
from .evaluation_rule import evaluation_result
from .models import (
    COUNTED_STATES,
    PARTICIPANT_FIELDS,
    ActivityType,
    CompetencyEvaluation,
    EntryAttachment,
    EntryState,
    EvaluationRating,
    Placement,
    PracticumEntry,
    PracticumSettings,
    RubricItem,
)
from .privacy import find_identifying_data, privacy_error
from .uploads import MAX_ATTACHMENTS_PER_ENTRY, clean_upload

MAX_MINUTES_PER_DAY = 12 * 60

ENTRY_FIELDS = (
    "date",
    "start_time",
    "end_time",
    "minutes",
    "venue",
    "activity_type",
    "topic",
    *PARTICIPANT_FIELDS,
    "language",
    "description",
    "reflection",
)


class InvalidTransition(ValidationError):
    """The entry or evaluation is not in a state that allows this step."""

    def __init__(self, message):
        super().__init__(message, code="invalid_state")


def practicum_settings() -> PracticumSettings:
    return PracticumSettings.load()


# --- Entries ------------------------------------------------------------------------------


def _minutes_between(start: datetime.time, end: datetime.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _check_privacy(values: dict[str, str], errors: dict[str, list]) -> None:
    for field, text in values.items():
        findings = find_identifying_data(text or "")
        if findings:
            errors.setdefault(field, []).append(privacy_error(findings))


def validate_entry(
    *,
    trainee,
    placement: Placement,
    data: dict[str, Any],
    instance: PracticumEntry | None = None,
    check_backdating: bool = True,
) -> dict[str, Any]:
    """Check an entry against every rule; return the cleaned values or raise ValidationError.

    Rules: no future dates (nor a session that has not ended yet), within the
    back-dating window, within the placement's period, at most 12 hours in a day,
    no overlap with the trainee's other entries, direct service has participants,
    and no identifying data in the free text.
    """
    errors: dict[str, list] = {}
    values = dict(data)
    day = values.get("date")
    start, end = values.get("start_time"), values.get("end_time")
    activity_type: ActivityType | None = values.get("activity_type")
    today = timezone.localdate()

    if day is None:
        errors.setdefault("date", []).append(_("Enter the date of the practice."))
    else:
        if day > today:
            errors.setdefault("date", []).append(_("You cannot log practice on a future date."))
        elif day == today and end is not None and end > timezone.localtime().time():
            errors.setdefault("end_time", []).append(_("This session has not ended yet."))
        window = practicum_settings().backdating_days
        if check_backdating and day < today - datetime.timedelta(days=window):
            errors.setdefault("date", []).append(
                _("Practice older than %(days)s days can no longer be logged.") % {"days": window}
            )
        if day < placement.start_date or (placement.end_date and day > placement.end_date):
            errors.setdefault("date", []).append(
                _("The date is outside your placement (%(start)s – %(end)s).")
                % {"start": placement.start_date, "end": placement.end_date or "…"}
            )

    if (start is None) != (end is None):
        errors.setdefault("end_time", []).append(_("Give both the start and the end time."))
    elif start is not None:
        if end <= start:
            errors.setdefault("end_time", []).append(_("The end time must be after the start."))
        else:
            values["minutes"] = _minutes_between(start, end)
    if not values.get("minutes"):
        if "end_time" not in errors:
            errors.setdefault("minutes", []).append(
                _("Give the start and end time, or the duration in minutes.")
            )
    elif values["minutes"] > MAX_MINUTES_PER_DAY:
        errors.setdefault("minutes", []).append(_("One entry cannot be longer than 12 hours."))

    if activity_type is None:
        errors.setdefault("activity_type", []).append(_("Choose the kind of work."))
    elif activity_type.is_direct and not any(values.get(f) for f in PARTICIPANT_FIELDS):
        errors.setdefault("children_0_5", []).append(
            _("Direct service needs at least one participant count.")
        )

    _check_privacy(
        {"description": values.get("description", ""), "reflection": values.get("reflection", "")},
        errors,
    )
    if not (values.get("description") or "").strip():
        errors.setdefault("description", []).append(_("Describe what you did."))

    if day is not None and values.get("minutes") and not errors.get("date"):
        others = PracticumEntry.objects.filter(trainee=trainee, date=day, state__in=COUNTED_STATES)
        if instance is not None and instance.pk:
            others = others.exclude(pk=instance.pk)
        day_total = others.aggregate(total=Sum("minutes"))["total"] or 0
        if day_total + values["minutes"] > MAX_MINUTES_PER_DAY:
            errors.setdefault("minutes", []).append(
                _(
                    "This would make %(hours)s hours on %(date)s; at most 12 hours a day can be logged."
                )
                % {"hours": _hours(day_total + values["minutes"]), "date": day}
            )
        if start is not None and end is not None and end > start:
            clash = (
                others.filter(start_time__lt=end, end_time__gt=start)
                .order_by("start_time")
                .values_list("start_time", "end_time")
                .first()
            )
            if clash:
                errors.setdefault("start_time", []).append(
                    _("This overlaps your entry of %(start)s–%(end)s on the same day.")
                    % {"start": clash[0].strftime("%H:%M"), "end": clash[1].strftime("%H:%M")}
                )
    if errors:
        raise ValidationError(errors)
    return values


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _lock_trainee(trainee) -> None:
    """Serialise writes of one trainee's entries (the overlap and daily rules need it)."""
    list(User.objects.select_for_update().filter(pk=trainee.pk).values_list("pk", flat=True))


def _entry_summary(entry: PracticumEntry) -> dict[str, Any]:
    return {
        "date": entry.date.isoformat(),
        "minutes": entry.minutes,
        "activity_type": entry.activity_type.code,
        "service_kind": entry.service_kind,
        "participants": entry.participants_total,
    }


@transaction.atomic
def create_entry(
    *, trainee, placement: Placement, data: dict[str, Any], uploads=()
) -> PracticumEntry:
    """Log a new draft entry (and its evidence files) for the trainee in the placement."""
    permissions.check_can_log(trainee, placement)
    _lock_trainee(trainee)
    values = validate_entry(trainee=trainee, placement=placement, data=data)
    entry = PracticumEntry(
        placement=placement,
        trainee=trainee,
        supervisor_id=placement.supervisor_id,
        qualification=placement.qualification,
        state=EntryState.DRAFT,
    )
    _apply(entry, values)
    entry.full_clean(exclude=["placement", "trainee", "supervisor"])
    entry.save()
    for upload in uploads:
        _store_attachment(entry, upload)
    record(
        "practicum.entry.create",
        actor=trainee,
        obj=entry,
        changes={"to": entry.state, **_entry_summary(entry), "attachments": len(uploads)},
    )
    return entry


def _apply(entry: PracticumEntry, values: dict[str, Any]) -> None:
    for field in ENTRY_FIELDS:
        if field in values:
            value = values[field]
            if field in ("topic", "reflection", "description") and value is None:
                value = ""
            setattr(entry, field, value)
    if values.get("start_time") is None and "start_time" in values:
        entry.start_time = entry.end_time = None
    entry.service_kind = entry.activity_type.service_kind


@transaction.atomic
def update_entry(
    *, entry: PracticumEntry, actor, data: dict[str, Any], uploads=()
) -> PracticumEntry:
    """Change a draft or returned entry. Only its trainee may; approved entries never change."""
    _lock_trainee(actor)
    entry = PracticumEntry.objects.select_for_update().get(pk=entry.pk)
    permissions.check_can_edit(actor, entry)
    merged = {field: getattr(entry, field) for field in ENTRY_FIELDS}
    merged.update(data)
    if "start_time" in data and data["start_time"] is None and "minutes" not in data:
        merged["minutes"] = entry.minutes
    values = validate_entry(
        trainee=actor,
        placement=entry.placement,
        data=merged,
        instance=entry,
        check_backdating="date" in data and data["date"] != entry.date,
    )
    changed = sorted(f for f in ENTRY_FIELDS if f in data and getattr(entry, f) != values[f])
    _apply(entry, values)
    if len(uploads) + entry.attachments.count() > MAX_ATTACHMENTS_PER_ENTRY:
        raise ValidationError(
            {"attachment": _("At most %(n)s files per entry.") % {"n": MAX_ATTACHMENTS_PER_ENTRY}}
        )
    entry.save()
    for upload in uploads:
        _store_attachment(entry, upload)
    record(
        "practicum.entry.update",
        actor=actor,
        obj=entry,
        changes={"fields": changed, "state": entry.state, "attachments_added": len(uploads)},
    )
    return entry


def _store_attachment(entry: PracticumEntry, upload) -> EntryAttachment:
    clean = clean_upload(upload)
    if entry.attachments.count() >= MAX_ATTACHMENTS_PER_ENTRY:
        raise ValidationError(
            {"attachment": _("At most %(n)s files per entry.") % {"n": MAX_ATTACHMENTS_PER_ENTRY}}
        )
    attachment = EntryAttachment(
        entry=entry,
        content_type=clean.content_type,
        size=clean.size,
        original_name=clean.original_name,
    )
    attachment.file.save("evidence", ContentFile(clean.content), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def add_attachment(*, entry: PracticumEntry, actor, upload) -> EntryAttachment:
    """Attach one evidence file (checked by content; image metadata removed)."""
    entry = PracticumEntry.objects.select_for_update().get(pk=entry.pk)
    permissions.check_can_edit(actor, entry)
    attachment = _store_attachment(entry, upload)
    record(
        "practicum.attachment.add",
        actor=actor,
        obj=entry,
        changes={"content_type": attachment.content_type, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: EntryAttachment, actor) -> None:
    entry = PracticumEntry.objects.select_for_update().get(pk=attachment.entry_id)
    permissions.check_can_edit(actor, entry)
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(name))
    record(
        "practicum.attachment.remove",
        actor=actor,
        obj=entry,
        changes={"content_type": attachment.content_type},
    )


@transaction.atomic
def delete_draft(*, entry: PracticumEntry, actor) -> None:
    """A trainee may delete an entry that was never submitted."""
    entry = PracticumEntry.objects.select_for_update().get(pk=entry.pk)
    permissions.check_can_edit(actor, entry)
    if entry.state != EntryState.DRAFT:
        raise InvalidTransition(_("Only a draft can be deleted."))
    names = [a.file.name for a in entry.attachments.all()]
    record(
        "practicum.entry.delete",
        actor=actor,
        obj=entry,
        changes={"from": entry.state, **_entry_summary(entry)},
    )
    entry.delete()
    from .storage import private_storage

    transaction.on_commit(lambda: [private_storage.delete(name) for name in names])


@transaction.atomic
def submit_entry(*, entry: PracticumEntry, actor) -> PracticumEntry:
    """Send a draft or returned entry to the supervising expert; it is then locked."""
    _lock_trainee(actor)
    entry = PracticumEntry.objects.select_for_update().get(pk=entry.pk)
    permissions.check_can_submit(actor, entry)
    # The rules are checked again: the day may have filled up since the draft was saved.
    validate_entry(
        trainee=actor,
        placement=entry.placement,
        data={field: getattr(entry, field) for field in ENTRY_FIELDS},
        instance=entry,
        check_backdating=False,
    )
    previous = entry.state
    entry.state = EntryState.SUBMITTED
    entry.submitted_at = timezone.now()
    entry.save(update_fields=["state", "submitted_at", "updated_at"])
    record(
        "practicum.entry.submit",
        actor=actor,
        obj=entry,
        changes={"from": previous, "to": entry.state},
    )
    return entry


REVIEW_ACTIONS = {
    "approve": EntryState.APPROVED,
    "return": EntryState.RETURNED,
    "reject": EntryState.REJECTED,
}


def _clean_comment(comment: str, *, required: bool, field: str = "comment") -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ValidationError({field: _("Say what needs to change, or why.")})
    findings = find_identifying_data(comment)
    if findings:
        raise ValidationError({field: privacy_error(findings)})
    return comment


@transaction.atomic
def review_entry(
    *, entry: PracticumEntry, reviewer, action: str, comment: str = ""
) -> PracticumEntry:
    """Approve, return (with a comment) or reject (with a reason) a submitted entry.

    Only the entry's supervising expert may; the entry must be waiting for review.
    The trainee is told by e-mail when an entry comes back or is rejected.
    """
    if action not in REVIEW_ACTIONS:
        raise ValidationError({"action": _("Choose approve, return or reject.")})
    entry = PracticumEntry.objects.select_for_update().get(pk=entry.pk)
    permissions.check_can_review(reviewer, entry)
    if entry.state != EntryState.SUBMITTED:
        raise InvalidTransition(
            _("This entry is not waiting for review (it is %(state)s).")
            % {"state": entry.get_state_display().lower()}
        )
    comment = _clean_comment(comment, required=action != "approve")
    previous = entry.state
    entry.state = REVIEW_ACTIONS[action]
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = reviewer
    entry.review_comment = comment
    entry.save(
        update_fields=["state", "reviewed_at", "reviewed_by", "review_comment", "updated_at"]
    )
    record(
        f"practicum.entry.{action}",
        actor=reviewer,
        obj=entry,
        changes={"from": previous, "to": entry.state, "comment": comment},
    )
    if action != "approve":
        from outbox.services import enqueue

        from .tasks import notify_entry_reviewed

        enqueue(notify_entry_reviewed, entry.pk)
    return entry


@transaction.atomic
def bulk_approve(*, entry_ids, reviewer) -> tuple[int, int]:
    """Approve many submitted entries at once; returns (approved, skipped).

    Entries that are not the reviewer's or not waiting are skipped, never approved.
    """
    if not permissions.is_supervisor(reviewer):
        raise PermissionDenied(_("Only supervising experts can approve entries."))
    ids = {int(pk) for pk in entry_ids}
    entries = list(
        PracticumEntry.objects.select_for_update()
        .filter(pk__in=ids, supervisor=reviewer, state=EntryState.SUBMITTED)
        .order_by("pk")
    )
    now = timezone.now()
    for entry in entries:
        entry.state = EntryState.APPROVED
        entry.reviewed_at = now
        entry.reviewed_by = reviewer
        entry.review_comment = ""
    PracticumEntry.objects.bulk_update(
        entries, ["state", "reviewed_at", "reviewed_by", "review_comment"]
    )
    for entry in entries:
        record(
            "practicum.entry.approve",
            actor=reviewer,
            obj=entry,
            changes={"from": EntryState.SUBMITTED, "to": EntryState.APPROVED, "bulk": True},
        )
    return len(entries), len(ids) - len(entries)


@transaction.atomic
def reverse_approval(*, entry: PracticumEntry, actor, reason: str) -> PracticumEntry:
    """An administrator sends an approved entry back to the trainee, on the record.
    Credited supervision hours are not sent back (the trainee could then edit them):
    they are withdrawn with ``withdraw_supervision_credit``."""
    permissions.check_can_reverse(actor)
    entry = PracticumEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state != EntryState.APPROVED:
        raise InvalidTransition(_("Only an approved entry can be reversed."))
    if entry.credit_source:
        raise InvalidTransition(
            _("These hours were credited from a supervision session; withdraw the credit instead.")
        )
    reason = _clean_comment(reason, required=True, field="reason")
    entry.state = EntryState.RETURNED
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = actor
    entry.review_comment = reason
    entry.save(
        update_fields=["state", "reviewed_at", "reviewed_by", "review_comment", "updated_at"]
    )
    record(
        "practicum.entry.reverse",
        actor=actor,
        obj=entry,
        changes={"from": EntryState.APPROVED, "to": entry.state, "comment": reason},
    )
    from outbox.services import enqueue

    from .tasks import notify_entry_reviewed

    enqueue(notify_entry_reviewed, entry.pk)
    return entry


# --- Credited supervision hours ------------------------------------------------------------

MAX_CREDIT_SOURCE_LENGTH = 80


def supervision_activity_type() -> ActivityType:
    """The activity type credited supervision is recorded as: the first active type that
    counts as supervision received (the defaults' ``supervision``)."""
    found = (
        ActivityType.objects.filter(is_supervision=True, is_active=True)
        .order_by("sort_order", "pk")
        .first()
    )
    if found is None:
        raise ValidationError(
            _("No practicum activity type counts as supervision; an administrator must set one."),
            code="no_supervision_type",
        )
    return found


@transaction.atomic
def credit_supervision(
    *, actor, placement: Placement, date: datetime.date, minutes: int, source: str, description: str
) -> tuple[PracticumEntry, bool]:
    """Credit supervision the trainee received toward their requirement, without their
    logging it: an approved entry of the supervision activity type in ``placement``.

    Who may: the placement's own supervising expert, while it is current
    (``permissions.check_can_credit_supervision``). ``source`` names what the hours come
    from (``"supervision-attendance:<pk>"``); at most one entry ever exists per source,
    so crediting is idempotent: a second call (a retry, a double click, a task run twice)
    returns the first entry and ``False``, even when that credit was since withdrawn —
    a withdrawn credit comes back only by a new source. The date may not be in the future
    nor outside the placement; the trainee's back-dating window and 12-hour day do not
    apply (the supervising expert records it, possibly late). ``description`` is narrative
    text and passes the children's-data guard. Atomic and audited
    (``practicum.entry.credit``); the hours count at once (``selectors.requirement_status``).
    """
    permissions.check_can_credit_supervision(actor, placement)
    if not source or len(source) > MAX_CREDIT_SOURCE_LENGTH:
        raise ValueError("credit_supervision needs a source key of at most 80 characters")
    existing = PracticumEntry.objects.select_for_update().filter(credit_source=source).first()
    if existing is not None:
        return existing, False
    errors: dict[str, list] = {}
    if date > timezone.localdate():
        errors.setdefault("date", []).append(_("Supervision cannot be credited for a future date."))
    if date < placement.start_date or (placement.end_date and date > placement.end_date):
        errors.setdefault("date", []).append(
            _("The date is outside the trainee's placement (%(start)s – %(end)s).")
            % {"start": placement.start_date, "end": placement.end_date or "…"}
        )
    if not 1 <= int(minutes) <= MAX_MINUTES_PER_DAY:
        errors.setdefault("minutes", []).append(_("One entry cannot be longer than 12 hours."))
    _check_privacy({"description": description}, errors)
    if not (description or "").strip():
        errors.setdefault("description", []).append(_("Describe what you did."))
    if errors:
        raise ValidationError(errors)
    activity_type = supervision_activity_type()
    now = timezone.now()
    entry = PracticumEntry(
        placement=placement,
        trainee_id=placement.trainee_id,
        supervisor_id=placement.supervisor_id,
        qualification=placement.qualification,
        date=date,
        minutes=int(minutes),
        activity_type=activity_type,
        service_kind=activity_type.service_kind,
        description=description.strip()[:4000],
        state=EntryState.APPROVED,
        submitted_at=now,
        reviewed_at=now,
        reviewed_by=actor,
        credit_source=source,
    )
    entry.save()
    record(
        "practicum.entry.credit",
        actor=actor,
        obj=entry,
        changes={"to": entry.state, "source": source, **_entry_summary(entry)},
    )
    return entry, True


@transaction.atomic
def withdraw_supervision_credit(*, actor, source: str, reason: str) -> PracticumEntry | None:
    """Take back credited supervision hours (the trainee disputed them): the entry becomes
    rejected, with the reason, and stops counting at once.

    Who may: the trainee, the supervising expert who credited it, an administrator
    (``permissions.check_can_withdraw_credit``). Idempotent: a credit already withdrawn is
    returned unchanged, an unknown source gives None. The reason is narrative text (the
    children's-data guard runs). Atomic and audited (``practicum.entry.withdraw_credit``).
    """
    entry = PracticumEntry.objects.select_for_update().filter(credit_source=source).first()
    if entry is None:
        return None
    permissions.check_can_withdraw_credit(actor, entry)
    if entry.state != EntryState.APPROVED:
        return entry
    reason = _clean_comment(reason, required=True, field="reason")
    entry.state = EntryState.REJECTED
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = actor
    entry.review_comment = reason
    entry.save(
        update_fields=["state", "reviewed_at", "reviewed_by", "review_comment", "updated_at"]
    )
    record(
        "practicum.entry.withdraw_credit",
        actor=actor,
        obj=entry,
        changes={"from": EntryState.APPROVED, "to": entry.state, "source": source},
    )
    return entry


# --- Placements ---------------------------------------------------------------------------


def _check_people(trainee, supervisor) -> None:
    if not roles.has_role(trainee, roles.TRAINEE):
        raise ValidationError({"trainee": _("This person is not a trainee.")})
    if not roles.has_role(supervisor, roles.SUPERVISOR):
        raise ValidationError({"supervisor": _("This person is not a supervising expert.")})
    if trainee.pk == supervisor.pk:
        raise ValidationError({"supervisor": _("A trainee cannot supervise themselves.")})


@transaction.atomic
def create_placement(
    *,
    trainee,
    supervisor,
    qualification: str,
    start_date: datetime.date,
    actor,
    end_date: datetime.date | None = None,
    venue=None,
) -> Placement:
    """Place a trainee with a supervising expert; one current placement per qualification."""
    permissions.check_can_manage_placements(actor, trainee)
    _check_people(trainee, supervisor)
    if end_date and end_date < start_date:
        raise ValidationError({"end_date": _("The end must be after the start.")})
    if Placement.objects.current().filter(trainee=trainee, qualification=qualification).exists():
        raise ValidationError(
            {"trainee": _("This trainee already has a current placement; reassign it instead.")}
        )
    placement = Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification=qualification,
        start_date=start_date,
        end_date=end_date,
        venue=venue,
    )
    record(
        "practicum.placement.create",
        actor=actor,
        obj=placement,
        changes={
            "trainee": trainee.pk,
            "supervisor": supervisor.pk,
            "qualification": qualification,
            "venue": venue.pk if venue else None,
        },
    )
    return placement


@transaction.atomic
def reassign_placement(
    *, placement: Placement, supervisor, actor, reason: str, venue=...
) -> Placement:
    """Give the trainee a new supervising expert; the old placement stays as history.

    Entries not yet decided (drafts, submitted, returned) move to the new supervisor;
    approved and rejected ones stay with the placement in which they were reviewed.
    """
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    permissions.check_can_manage_placements(actor, placement.trainee)
    if not placement.is_current:
        raise InvalidTransition(_("This placement is already closed."))
    _check_people(placement.trainee, supervisor)
    if supervisor.pk == placement.supervisor_id and venue is ...:
        raise ValidationError({"supervisor": _("Choose a different supervising expert.")})
    reason = REASON.optional().clean(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the trainee is reassigned.")})
    today = timezone.localdate()
    placement.closed_on = today
    placement.closed_reason = reason
    placement.save(update_fields=["closed_on", "closed_reason"])
    new = Placement.objects.create(
        trainee=placement.trainee,
        supervisor=supervisor,
        qualification=placement.qualification,
        start_date=placement.start_date,
        end_date=placement.end_date,
        venue=placement.venue if venue is ... else venue,
        previous=placement,
    )
    moved = PracticumEntry.objects.filter(
        placement=placement,
        state__in=[EntryState.DRAFT, EntryState.SUBMITTED, EntryState.RETURNED],
    ).update(placement=new, supervisor=supervisor)
    record(
        "practicum.placement.reassign",
        actor=actor,
        obj=new,
        changes={
            "from_placement": placement.pk,
            "from_supervisor": placement.supervisor_id,
            "to_supervisor": supervisor.pk,
            "entries_moved": moved,
            "comment": reason,
        },
    )
    return new


@transaction.atomic
def close_placement(*, placement: Placement, actor, reason: str) -> Placement:
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    permissions.check_can_manage_placements(actor, placement.trainee)
    if not placement.is_current:
        raise InvalidTransition(_("This placement is already closed."))
    placement.closed_on = timezone.localdate()
    placement.closed_reason = REASON.optional().clean(reason)
    placement.save(update_fields=["closed_on", "closed_reason"])
    record(
        "practicum.placement.close",
        actor=actor,
        obj=placement,
        changes={"comment": placement.closed_reason},
    )
    return placement


# --- Competency evaluations ---------------------------------------------------------------


@transaction.atomic
def start_evaluation(
    *, placement: Placement, supervisor, stage: str, corrects=None
) -> CompetencyEvaluation:
    """Open a draft evaluation on the current rubric (or a correction of a signed one).

    A correction starts from the ratings of the evaluation it corrects.
    """
    permissions.check_can_evaluate(supervisor, placement)
    if corrects is not None:
        if not corrects.is_signed or corrects.trainee_id != placement.trainee_id:
            raise InvalidTransition(_("Only a signed evaluation of this trainee can be corrected."))
        if corrects.corrections.filter(signed_at__isnull=True).exists():
            raise InvalidTransition(_("A correction of this evaluation is already open."))
        stage = corrects.stage
    elif placement.evaluations.filter(stage=stage, signed_at__isnull=True).exists():
        raise InvalidTransition(_("A draft evaluation for this stage is already open."))
    evaluation = CompetencyEvaluation.objects.create(
        placement=placement,
        trainee_id=placement.trainee_id,
        supervisor=supervisor,
        qualification=placement.qualification,
        stage=stage,
        corrects=corrects,
        overall_comment=corrects.overall_comment if corrects else "",
    )
    previous = {r.rubric_item_id: r for r in corrects.ratings.all()} if corrects else {}
    EvaluationRating.objects.bulk_create(
        EvaluationRating(
            evaluation=evaluation,
            rubric_item=item,
            item_name=item.name,
            rating=previous[item.pk].rating if item.pk in previous else None,
            comment=previous[item.pk].comment if item.pk in previous else "",
        )
        for item in RubricItem.objects.filter(is_active=True)
    )
    record(
        "practicum.evaluation.start",
        actor=supervisor,
        obj=evaluation,
        changes={"stage": stage, "corrects": corrects.pk if corrects else None},
    )
    return evaluation


def _check_open(evaluation: CompetencyEvaluation, supervisor) -> CompetencyEvaluation:
    evaluation = CompetencyEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    permissions.check_can_evaluate(supervisor, evaluation.placement)
    if evaluation.is_signed:
        raise InvalidTransition(_("A signed evaluation cannot change; start a correction instead."))
    return evaluation


@transaction.atomic
def save_evaluation(
    *,
    evaluation: CompetencyEvaluation,
    supervisor,
    ratings: dict[int, tuple[int | None, str]],
    overall_comment: str = "",
) -> CompetencyEvaluation:
    """Record ratings (1–5) and comments on a draft evaluation, keyed by rubric item id."""
    evaluation = _check_open(evaluation, supervisor)
    errors: dict[str, list] = {}
    rows = {r.rubric_item_id: r for r in evaluation.ratings.all()}
    for item_id, (rating, comment) in ratings.items():
        row = rows.get(int(item_id))
        if row is None:
            continue
        if rating is not None and not 1 <= int(rating) <= 5:
            errors.setdefault(f"rating_{item_id}", []).append(_("Rate from 1 to 5."))
        findings = find_identifying_data(comment or "")
        if findings:
            errors.setdefault(f"comment_{item_id}", []).append(privacy_error(findings))
        row.rating = int(rating) if rating is not None else None
        row.comment = (comment or "").strip()
    findings = find_identifying_data(overall_comment or "")
    if findings:
        errors.setdefault("overall_comment", []).append(privacy_error(findings))
    if errors:
        raise ValidationError(errors)
    EvaluationRating.objects.bulk_update(list(rows.values()), ["rating", "comment"])
    evaluation.overall_comment = (overall_comment or "").strip()
    evaluation.save(update_fields=["overall_comment", "updated_at"])
    record(
        "practicum.evaluation.update",
        actor=supervisor,
        obj=evaluation,
        changes={"rated": sum(1 for r in rows.values() if r.rating)},
    )
    return evaluation


@transaction.atomic
def sign_evaluation(
    *,
    evaluation: CompetencyEvaluation,
    supervisor,
    signed_name: str,
    expected_passed: bool | None = None,
) -> CompetencyEvaluation:
    """Sign a complete evaluation with the supervisor's name and the time; it is then final.

    ``expected_passed`` is the result the supervising expert confirmed on the page that
    showed it (``selectors.evaluation_preview``): when the ratings or the pass rule changed
    in between, so that signing would record another result, nothing is signed
    (``ValidationError`` code ``result_changed``). Callers without a person confirming
    (the demo seed, tests) may leave it out.
    """
    evaluation = _check_open(evaluation, supervisor)
    signed_name = (signed_name or "").strip()
    if not signed_name:
        raise ValidationError({"signed_name": _("Type your full name to sign.")})
    ratings = list(evaluation.ratings.values_list("rating", flat=True))
    if not ratings or any(r is None for r in ratings):
        raise ValidationError({"__all__": _("Rate every competency before signing.")})
    config = practicum_settings()
    mean, passed = evaluation_result(
        ratings, min_item=config.evaluation_min_item_rating, min_mean=config.evaluation_min_mean
    )
    if expected_passed is not None and expected_passed != passed:
        raise ValidationError(
            _(
                "The result changed since you reviewed it (the ratings or the pass rule were "
                "changed): check it again before signing."
            ),
            code="result_changed",
        )
    evaluation.mean_rating = mean
    evaluation.passed = passed
    evaluation.rule_min_item = config.evaluation_min_item_rating
    evaluation.rule_min_mean = config.evaluation_min_mean
    evaluation.signed_name = PERSON_NAME.clean(signed_name)
    evaluation.signed_at = timezone.now()
    evaluation.save()
    record(
        "practicum.evaluation.sign",
        actor=supervisor,
        obj=evaluation,
        changes={
            "stage": evaluation.stage,
            "mean": str(mean),
            "passed": passed,
            "corrects": evaluation.corrects_id,
        },
    )
    return evaluation


# --- the practicum's rules (administrators, in the admin) --------------------------------


def _rule_code(rule, verb: str) -> str:
    return f"{rule._meta.label_lower}.{verb}"


@transaction.atomic
def create_rule(*, actor, rule):
    """Add a requirement, activity type or rubric item (``rule``: validated, unsaved; a
    requirement's minimums by activity type come with it). Administrators only
    (``PermissionDenied``); ``ValidationError`` for invalid values. Atomic; one audit row."""
    permissions.check_can_edit_rules(actor, "add")
    rule.full_clean()
    rule.save()
    record(_rule_code(rule, "create"), actor=actor, obj=rule, changes={"code": _rule_key(rule)})
    return rule


@transaction.atomic
def update_rule(*, actor, rule, changed=()):
    """Save edits to a requirement, activity type or rubric item (``rule`` carries them,
    unsaved). Entries already approved keep the hours they were approved with; the ledger
    and certification read the new rule from now on. Administrators only; atomic; one
    audit row naming the changed fields."""
    permissions.check_can_edit_rules(actor, "change", rule)
    type(rule).objects.select_for_update().get(pk=rule.pk)
    rule.full_clean()
    rule.save()
    record(
        _rule_code(rule, "update"),
        actor=actor,
        obj=rule,
        changes={"code": _rule_key(rule), "fields": sorted(changed)},
    )
    return rule


@transaction.atomic
def delete_rule(*, actor, rule) -> None:
    """Remove a rule nothing refers to. An activity type or rubric item that entries,
    minimums or evaluations use is refused (``ValidationError``: take it out of use
    instead), so the record of what was logged and rated stays. Administrators only."""
    permissions.check_can_edit_rules(actor, "delete", rule)
    record(_rule_code(rule, "delete"), actor=actor, obj=rule, changes={"code": _rule_key(rule)})
    try:
        with transaction.atomic():
            rule.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(
            _("This is still in use; untick “in use” or “offered” instead of deleting it.")
        ) from exc


def _rule_key(rule) -> str:
    return str(getattr(rule, "code", None) or getattr(rule, "qualification", ""))
