"""Every change to supervision, inspections, stages, units and publicity.

Each service takes the acting user (``actor=``), asks ``permissions``, cleans every text
with its policy (narrative text passes the children's-data guard), runs in one
transaction and writes an audit record (codes and counts only) in it. Pages, the API and
the Wagtail admin all call these functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from audit.services import record
from lms.uploads import IMAGE_TYPES, PDF, check_upload
from outbox.services import enqueue
from practicum import services as practicum_services

from . import permissions
from .models import (
    ACTION_TEXT,
    DISPUTE_TEXT,
    EVIDENCE_TEXT,
    FINDING_TEXT,
    FOLLOW_UPS_TEXT,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    NAME_TEXT,
    RETURN_TEXT,
    STAGE_TEXT,
    SUMMARY_TEXT,
    TOPICS_TEXT,
    VERIFY_TEXT,
    ActionState,
    AttendanceResponse,
    CorrectiveAction,
    Finding,
    Inspection,
    PublicityForm,
    PublicityItem,
    PublicityRule,
    SessionKind,
    Stage,
    SupervisionAttendance,
    SupervisionSession,
    Unit,
)

FILE_TYPES = IMAGE_TYPES | {PDF}
MAX_FILE_BYTES = 8 * 1024 * 1024
UNIT_AUDIT = "supervision.unit"
RULE_AUDIT = "supervision.publicity_rule"
STAGE_AUDIT = "supervision.stage"


def _invalid_state(message) -> ValidationError:
    return ValidationError(message, code="invalid_state")


def _clean_texts(pairs, errors: dict) -> dict[str, str]:
    """``{field: cleaned text}`` for each (field, policy, value); refusals into ``errors``."""
    cleaned = {}
    for field, policy, value in pairs:
        try:
            cleaned[field] = policy.clean(value)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    return cleaned


def clean_file(upload):
    """A photo (JPEG, PNG, WebP, re-encoded without metadata) or a plain PDF, at most 8 MB."""
    return check_upload(
        upload,
        accept=FILE_TYPES,
        max_bytes=MAX_FILE_BYTES,
        type_message=_("Only photos (JPEG, PNG, WebP) and PDF documents are accepted."),
    )


def _delete_after_commit(file_field_name: str, storage) -> None:
    if file_field_name:
        transaction.on_commit(lambda: storage.delete(file_field_name))


# --- e-mails (queued in the outbox, in the caller's transaction) -----------------------------


def _tell_attendance(attendance: SupervisionAttendance, kind: str) -> None:
    from .tasks import send_attendance_email

    enqueue(
        send_attendance_email,
        attendance.pk,
        kind,
        dedupe_key=f"supervision-attendance:{attendance.pk}:{kind}",
    )


def _tell_owner(action: CorrectiveAction, kind: str, *, key: str = "") -> None:
    from .tasks import send_action_email

    enqueue(
        send_action_email,
        action.pk,
        kind,
        dedupe_key=f"supervision-action:{action.pk}:{kind}{key}",
    )


def _tell_inspectors(action: CorrectiveAction) -> None:
    """Evidence waits: each inspector of the inspection in the leading group (who verify)
    hears of it."""
    from .tasks import send_action_email

    stamp = int(action.evidence_at.timestamp())
    inspectors = action.finding.inspection.inspectors.filter(
        is_active=True, groups__name=roles.LEADING_GROUP
    ).order_by("pk")
    for person in inspectors:
        enqueue(
            send_action_email,
            action.pk,
            "evidence",
            person.pk,
            dedupe_key=f"supervision-action:{action.pk}:evidence:{person.pk}:{stamp}",
        )


def schedule_notices(action: CorrectiveAction, now) -> None:
    """Set (not save) ``action.next_notice_at``: the reminder ``reminder_days()`` before the
    deadline while it is ahead, then the overdue notice the day after the deadline; nothing
    while evidence waits or once verified, and each notice once."""
    if action.state != ActionState.OPEN:
        action.next_notice_at = None
    elif action.reminded_at is None and action.reminder_at > now:
        action.next_notice_at = action.reminder_at
    elif action.overdue_notified_at is None:
        action.next_notice_at = max(action.overdue_at, now)
    else:
        action.next_notice_at = None


def send_due_notices(*, now=None, batch: int = 500) -> int:
    """Send the reminders and overdue notices whose time has come (the beat task). Each
    action is re-read under a row lock, its notice stamped and the next one scheduled in
    the same transaction as the e-mail's row in the outbox: a notice goes once, however
    often or late this runs; one that comes after the deadline sends the overdue notice
    instead of the reminder. Returns how many e-mails were queued."""
    now = now or timezone.now()
    due = list(
        CorrectiveAction.objects.filter(next_notice_at__lte=now)
        .order_by("next_notice_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            action = (
                CorrectiveAction.objects.select_for_update()
                .filter(pk=pk, next_notice_at__lte=now)
                .first()
            )
            if action is None:
                continue
            kind = None
            if action.state == ActionState.OPEN:
                if now >= action.overdue_at:
                    if action.overdue_notified_at is None:
                        kind, action.overdue_notified_at = "overdue", now
                elif action.reminded_at is None:
                    kind, action.reminded_at = "reminder", now
            schedule_notices(action, now)
            action.save(update_fields=["next_notice_at", "reminded_at", "overdue_notified_at"])
            if kind is not None:
                _tell_owner(action, kind)
                sent += 1
    return sent


# --- supervision sessions ---------------------------------------------------------------


def _trainee_placements(actor, trainees) -> tuple[list, list]:
    """(placement per trainee, trainees who are not the actor's own), in the given order.
    A trainee with two current placements under the expert is credited in the one that
    started first."""
    ids = [getattr(trainee, "pk", trainee) for trainee in trainees]
    placements = {}
    for placement in (
        permissions.own_trainee_placements(actor)
        .filter(trainee_id__in=ids)
        .select_related("trainee")
        .order_by("start_date", "pk")
    ):
        placements.setdefault(placement.trainee_id, placement)
    found = [placements[pk] for pk in ids if pk in placements]
    missing = [pk for pk in ids if pk not in placements]
    return found, missing


def record_session(
    *,
    actor,
    kind: str,
    date: datetime.date,
    minutes: int,
    topics: str,
    trainees: Iterable,
    follow_ups: str = "",
) -> SupervisionSession:
    """Record individual or group supervision the actor gave, and credit each trainee
    present with its length toward their practicum's supervision requirement.

    Who may: supervising experts (``permissions.check_record_session``), for their own
    trainees only (a current placement with them; anyone else is a ``ValidationError`` on
    ``trainees``). Individual supervision has one trainee, group supervision two or more.
    The date is not in the future and within each trainee's placement; the length is
    15–480 minutes; topics and follow-ups are narrative text (the children's-data guard).
    Atomic: the session, one attendance per trainee, one credited practicum entry each
    (``practicum.services.credit_supervision``, keyed by the attendance, so credited once),
    the audit record and each trainee's e-mail in the outbox (the hours credited; confirm
    or dispute) are written together or not at all.
    """
    permissions.check_record_session(actor)
    errors: dict[str, list] = {}
    cleaned = _clean_texts(
        [("topics", TOPICS_TEXT, topics), ("follow_ups", FOLLOW_UPS_TEXT, follow_ups)], errors
    )
    if kind not in SessionKind.values:
        errors.setdefault("kind", []).append(_("Choose individual or group supervision."))
    if date is None:
        errors.setdefault("date", []).append(_("Give the date of the supervision."))
    elif date > timezone.localdate():
        errors.setdefault("date", []).append(_("Supervision cannot be recorded in advance."))
    if minutes is None or not MIN_SESSION_MINUTES <= int(minutes) <= MAX_SESSION_MINUTES:
        errors.setdefault("minutes", []).append(
            _("Give the length in minutes, from %(low)d to %(high)d.")
            % {"low": MIN_SESSION_MINUTES, "high": MAX_SESSION_MINUTES}
        )
    trainees = list(dict.fromkeys(trainees or []))
    placements, missing = _trainee_placements(actor, trainees)
    if missing:
        errors.setdefault("trainees", []).append(
            _("Only your own trainees (a current placement with you) can be recorded.")
        )
    elif kind == SessionKind.INDIVIDUAL and len(trainees) != 1:
        errors.setdefault("trainees", []).append(_("Individual supervision has one trainee."))
    elif kind == SessionKind.GROUP and len(trainees) < 2:
        errors.setdefault("trainees", []).append(_("Group supervision has two trainees or more."))
    if date is not None and "date" not in errors:
        outside = [
            p
            for p in placements
            if date < p.start_date or (p.end_date is not None and date > p.end_date)
        ]
        if outside:
            errors.setdefault("date", []).append(
                _("The date is outside the placement of %(names)s.")
                % {"names": ", ".join(p.trainee.display_name for p in outside)}
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = SupervisionSession.objects.create(
            expert=actor,
            kind=kind,
            date=date,
            minutes=int(minutes),
            recorded_at=timezone.now(),
            **cleaned,
        )
        for placement in placements:
            attendance = SupervisionAttendance.objects.create(
                session=session, trainee_id=placement.trainee_id, placement=placement
            )
            entry, _created = practicum_services.credit_supervision(
                actor=actor,
                placement=placement,
                date=date,
                minutes=session.minutes,
                source=attendance.credit_source,
                description=session.topics,
            )
            attendance.credited_entry = entry
            attendance.save(update_fields=["credited_entry"])
            _tell_attendance(attendance, "recorded")
        record(
            "supervision.session.record",
            actor=actor,
            obj=session,
            changes={
                "kind": kind,
                "date": date.isoformat(),
                "minutes": session.minutes,
                "trainees": len(placements),
            },
        )
    return session


def _locked_attendance(attendance: SupervisionAttendance) -> SupervisionAttendance:
    return SupervisionAttendance.objects.select_for_update().get(pk=attendance.pk)


def confirm_attendance(*, actor, attendance: SupervisionAttendance) -> SupervisionAttendance:
    """The trainee present confirms the supervision recorded for them (the credit stays).
    Only them (``permissions.check_answer``), only while waiting for their answer
    (``invalid_state`` otherwise). Atomic, audited."""
    permissions.check_answer(actor, attendance)
    with transaction.atomic():
        attendance = _locked_attendance(attendance)
        if attendance.response != AttendanceResponse.PENDING:
            raise _invalid_state(_("You have already answered for this supervision."))
        attendance.response = AttendanceResponse.CONFIRMED
        attendance.responded_at = timezone.now()
        attendance.save(update_fields=["response", "responded_at"])
        record(
            "supervision.attendance.confirm",
            actor=actor,
            obj=attendance,
            changes={"session": attendance.session_id},
        )
    return attendance


def dispute_attendance(
    *, actor, attendance: SupervisionAttendance, reason: str
) -> SupervisionAttendance:
    """The trainee present disputes the supervision recorded for them (they were not
    there, or it was shorter): the credited hours are withdrawn at once
    (``practicum.services.withdraw_supervision_credit``) and stop counting. Only them,
    only while waiting for their answer; the reason is narrative text. Atomic, audited;
    the supervising expert is e-mailed (outbox) and may record the session again, corrected."""
    permissions.check_answer(actor, attendance)
    errors: dict[str, list] = {}
    cleaned = _clean_texts([("reason", DISPUTE_TEXT, reason)], errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        attendance = _locked_attendance(attendance)
        if attendance.response != AttendanceResponse.PENDING:
            raise _invalid_state(_("You have already answered for this supervision."))
        practicum_services.withdraw_supervision_credit(
            actor=actor, source=attendance.credit_source, reason=cleaned["reason"]
        )
        attendance.response = AttendanceResponse.DISPUTED
        attendance.dispute_reason = cleaned["reason"]
        attendance.responded_at = timezone.now()
        attendance.save(update_fields=["response", "dispute_reason", "responded_at"])
        record(
            "supervision.attendance.dispute",
            actor=actor,
            obj=attendance,
            changes={"session": attendance.session_id, "credit_withdrawn": True},
        )
        _tell_attendance(attendance, "disputed")
    return attendance


# --- inspections and corrective actions ------------------------------------------------------


def record_inspection(
    *, actor, date: datetime.date, inspectors: Iterable = (), district=None, unit=None, summary=""
) -> Inspection:
    """Record the leading group's inspection of a unit (its district follows) or of a
    district as a whole. Who may: the leading group. The actor is always among the
    inspectors; the others must be leading-group members or supervising experts. The date
    is not in the future. Atomic, audited."""
    permissions.check_record_inspection(actor)
    errors: dict[str, list] = {}
    cleaned = _clean_texts([("summary", SUMMARY_TEXT, summary)], errors)
    if unit is not None:
        if district is not None and district.pk != unit.district_id:
            errors.setdefault("unit", []).append(_("This unit is in another district."))
        district = unit.district
    if district is None:
        errors.setdefault("district", []).append(_("Say which district or unit was inspected."))
    if date is None:
        errors.setdefault("date", []).append(_("Give the date of the inspection."))
    elif date > timezone.localdate():
        errors.setdefault("date", []).append(_("An inspection is recorded after it took place."))
    people = list(dict.fromkeys([actor, *inspectors]))
    if any(not permissions.can_be_inspector(person) for person in people):
        errors.setdefault("inspectors", []).append(
            _("Inspectors are members of the leading group or supervising experts.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            district=district,
            unit=unit,
            date=date,
            recorded_by=actor,
            recorded_at=timezone.now(),
            **cleaned,
        )
        inspection.inspectors.set(people)
        record(
            "supervision.inspection.record",
            actor=actor,
            obj=inspection,
            changes={
                "district": district.pk,
                "unit": unit.pk if unit else None,
                "date": date.isoformat(),
                "inspectors": len(people),
            },
        )
    return inspection


def add_finding(
    *,
    actor,
    inspection: Inspection,
    text: str,
    required: str = "",
    owner=None,
    deadline: datetime.date | None = None,
) -> Finding:
    """Add a finding to an inspection, with a corrective action when ``required`` (what
    must be done), ``owner`` and ``deadline`` are given (all three or none). The owner is
    a coordinator covering the district or a reporter of the inspected unit; the deadline
    is on or after the inspection. Who may: the leading group. Atomic, audited; the owner
    is e-mailed (outbox) and the reminder before the deadline and the overdue notice after
    it are scheduled in the database (``next_notice_at``, sent by ``send_due_notices``)."""
    permissions.check_add_finding(actor, inspection)
    errors: dict[str, list] = {}
    cleaned = _clean_texts([("text", FINDING_TEXT, text)], errors)
    wants_action = bool((required or "").strip()) or owner is not None or deadline is not None
    if wants_action:
        cleaned.update(_clean_texts([("required", ACTION_TEXT, required)], errors))
        if owner is None:
            errors.setdefault("owner", []).append(_("Say who owns the corrective action."))
        elif not permissions.can_be_owner(owner, inspection.district_id, inspection.unit):
            errors.setdefault("owner", []).append(
                _("The owner is a coordinator of the district or a reporter of the unit.")
            )
        if deadline is None:
            errors.setdefault("deadline", []).append(_("Give the deadline."))
        elif deadline < inspection.date:
            errors.setdefault("deadline", []).append(
                _("The deadline cannot be before the inspection.")
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        finding = Finding.objects.create(
            inspection=inspection, text=cleaned["text"], created_at=now
        )
        action = None
        if wants_action:
            action = CorrectiveAction(
                finding=finding,
                required=cleaned["required"],
                owner=owner,
                deadline=deadline,
                created_at=now,
            )
            schedule_notices(action, now)
            action.save()
            _tell_owner(action, "assigned")
        record(
            "supervision.finding.add",
            actor=actor,
            obj=inspection,
            changes={
                "finding": finding.pk,
                "action": action.pk if action else None,
                "deadline": deadline.isoformat() if action else None,
            },
        )
    return finding


def _locked_action(action: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.select_for_update()
        .select_related("finding__inspection")
        .get(pk=action.pk)
    )


def submit_evidence(*, actor, action: CorrectiveAction, note: str, upload=None):
    """The owner (or a coordinator of the district) says what was done, with an optional
    photo or PDF (checked by content; images re-encoded without metadata; kept privately).
    Only an open action (``invalid_state`` otherwise); it then waits for the inspector.
    A new file replaces the one of an earlier, returned submission. Atomic, audited; the
    inspectors in the leading group are e-mailed (outbox); no reminder goes while it waits."""
    permissions.check_submit_evidence(actor, action)
    errors: dict[str, list] = {}
    cleaned = _clean_texts([("note", EVIDENCE_TEXT, note)], errors)
    checked = None
    if upload is not None:
        try:
            checked = clean_file(upload)
        except ValidationError as error:
            errors.setdefault("file", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = _locked_action(action)
        if action.state != ActionState.OPEN:
            raise _invalid_state(_("This action is not open for evidence now."))
        old_file = action.evidence_file.name if checked is not None else ""
        if checked is not None:
            action.evidence_file.save("evidence", ContentFile(checked.content), save=False)
            action.evidence_content_type = checked.content_type
            action.evidence_name = checked.original_name[:200]
        action.evidence_note = cleaned["note"]
        action.evidence_at = timezone.now()
        action.state = ActionState.SUBMITTED
        schedule_notices(action, action.evidence_at)
        action.save()
        _tell_inspectors(action)
        _delete_after_commit(old_file, action.evidence_file.storage)
        record(
            "supervision.action.evidence",
            actor=actor,
            obj=action,
            changes={
                "file": checked.content_type if checked else None,
                "late": action.evidence_at.date() > action.deadline,
            },
        )
    return action


def verify_action(*, actor, action: CorrectiveAction, accept: bool, note: str = ""):
    """An inspector of the inspection verifies the evidence (the action is done) or returns
    it with a note saying what is missing (the action is open again, its deadline
    unchanged; its reminders resume). Only evidence waiting for verification
    (``invalid_state`` otherwise). Atomic, audited; the owner is e-mailed (outbox)."""
    permissions.check_verify(actor, action)
    errors: dict[str, list] = {}
    policy = VERIFY_TEXT if accept else RETURN_TEXT
    cleaned = _clean_texts([("note", policy, note)], errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = _locked_action(action)
        if action.state != ActionState.SUBMITTED:
            raise _invalid_state(_("No evidence is waiting for verification."))
        now = timezone.now()
        action.verification_note = cleaned["note"]
        if accept:
            action.state = ActionState.VERIFIED
            action.verified_at = now
            action.verified_by = actor
        else:
            action.state = ActionState.OPEN
            action.returned_at = now
            if now >= action.overdue_at and action.overdue_notified_at is None:
                action.overdue_notified_at = now  # the return's e-mail says it is overdue
        schedule_notices(action, now)
        action.save(
            update_fields=[
                "state",
                "verification_note",
                "verified_at",
                "verified_by",
                "returned_at",
                "next_notice_at",
                "overdue_notified_at",
            ]
        )
        _tell_owner(
            action,
            "verified" if accept else "returned",
            key="" if accept else f":{int(now.timestamp())}",
        )
        record(
            "supervision.action.verify" if accept else "supervision.action.return",
            actor=actor,
            obj=action,
            changes={"days_after_deadline": (now.date() - action.deadline).days},
        )
    return action


# --- stages ------------------------------------------------------------------------------------


def sign_off_stage(*, actor, stage: Stage, note: str = "", today=None) -> Stage:
    """The leading group accepts a stage (阶段性验收) whose criteria are all met now, as
    measured from the product's figures (``selectors.stage_progress``). The measured
    values are kept with the sign-off, as they were. Only once (``invalid_state``); a
    criterion not met refuses it (``criteria_not_met``). Atomic, audited."""
    from .selectors import stage_progress

    permissions.check_sign_off(actor)
    errors: dict[str, list] = {}
    cleaned = _clean_texts([("note", STAGE_TEXT, note)], errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stage = Stage.objects.select_for_update().get(pk=stage.pk)
        if stage.is_signed_off:
            raise _invalid_state(_("This stage has already been accepted."))
        progress = stage_progress(stage, today=today)
        if not progress.all_met:
            raise ValidationError(
                _("Not every criterion is met yet; the stage cannot be accepted."),
                code="criteria_not_met",
            )
        stage.signed_off_at = timezone.now()
        stage.signed_off_by = actor
        stage.sign_off_note = cleaned["note"]
        stage.sign_off_figures = progress.as_data()
        stage.save(
            update_fields=["signed_off_at", "signed_off_by", "sign_off_note", "sign_off_figures"]
        )
        record(
            f"{STAGE_AUDIT}.sign_off",
            actor=actor,
            obj=stage,
            changes={"criteria": len(progress.criteria)},
        )
    return stage


def _check_stage(instance: Stage) -> None:
    instance.full_clean(exclude=["signed_off_by"])
    instance.name = NAME_TEXT.clean(instance.name)


def create_stage(*, actor, instance: Stage) -> Stage:
    """Define a stage and its criteria (administrators, in the Wagtail admin). Atomic,
    audited."""
    permissions.check_stage_admin(actor, "add")
    _check_stage(instance)
    with transaction.atomic():
        instance.save()
        record(
            f"{STAGE_AUDIT}.create",
            actor=actor,
            obj=instance,
            changes={"criteria": instance.criteria.count()},
        )
    return instance


def update_stage(*, actor, instance: Stage, changed=()) -> Stage:
    """Change a stage not yet accepted (administrators). An accepted stage is the record of
    its acceptance and no longer changes (``invalid_state``)."""
    permissions.check_stage_admin(actor, "change", instance)
    _check_stage(instance)
    with transaction.atomic():
        if Stage.objects.select_for_update().filter(pk=instance.pk, signed_off_at__isnull=False):
            raise _invalid_state(_("An accepted stage no longer changes."))
        instance.save()
        record(
            f"{STAGE_AUDIT}.update",
            actor=actor,
            obj=instance,
            changes={"fields": sorted(changed), "criteria": instance.criteria.count()},
        )
    return instance


def delete_stage(*, actor, instance: Stage) -> None:
    """Remove a stage not yet accepted (administrators)."""
    permissions.check_stage_admin(actor, "delete", instance)
    if Stage.objects.filter(pk=instance.pk, signed_off_at__isnull=False).exists():
        raise _invalid_state(_("An accepted stage cannot be removed."))
    with transaction.atomic():
        record(f"{STAGE_AUDIT}.delete", actor=actor, obj=instance, changes={"name": instance.name})
        instance.delete()


# --- units (Wagtail admin) -------------------------------------------------------------------


def _check_unit(actor, instance: Unit, reporters) -> None:
    instance.full_clean(validate_unique=True)
    scope = permissions.coordinator_district_id(actor)
    if (
        not permissions.is_administrator(actor)
        and scope not in (None, False)
        and instance.district_id != scope
    ):
        raise PermissionDenied(_("You manage the units of your own district only."))
    if instance.township_id and instance.township.district_id != instance.district_id:
        raise ValidationError(
            {"township": _("This township is not in the unit's district or county.")}
        )
    if reporters is not None and any(not person.is_active for person in reporters):
        raise ValidationError({"reporters": _("Reporters must have active accounts.")})


def _unit_changes(instance: Unit, reporters) -> dict:
    return {
        "district": instance.district_id,
        "kind": instance.kind,
        "reporters": None if reporters is None else len(reporters),
    }


def create_unit(*, actor, instance: Unit, related=None) -> Unit:
    """Add a unit (administrators; coordinators in their district) and its reporters."""
    permissions.check_unit_admin(actor, "add")
    reporters = list((related or {}).get("reporters", []) or [])
    _check_unit(actor, instance, reporters)
    with transaction.atomic():
        instance.save()
        instance.reporters.set(reporters)
        record(
            f"{UNIT_AUDIT}.create",
            actor=actor,
            obj=instance,
            changes=_unit_changes(instance, reporters),
        )
    return instance


def update_unit(*, actor, instance: Unit, changed=(), related=None) -> Unit:
    """Change a unit (as ``create_unit``); a coordinator cannot move it out of their district."""
    stored = Unit.objects.get(pk=instance.pk)
    permissions.check_unit_admin(actor, "change", stored)
    reporters = None
    if related and "reporters" in related:
        reporters = list(related["reporters"] or [])
    _check_unit(actor, instance, reporters)
    with transaction.atomic():
        instance.save()
        if reporters is not None:
            instance.reporters.set(reporters)
        record(
            f"{UNIT_AUDIT}.update",
            actor=actor,
            obj=instance,
            changes={"fields": sorted(changed), **_unit_changes(instance, reporters)},
        )
    return instance


# --- publicity -------------------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_publicity_item(
    *,
    actor,
    unit: Unit,
    period: datetime.date,
    form: str,
    title: str,
    published_on: datetime.date,
    link: str = "",
    upload=None,
) -> PublicityItem:
    """Add one piece of a unit's monthly publicity: its form, title, publication date and a
    link or a photo/PDF of it (at least one). Who may: the unit's reporters, the district's
    coordinators, administrators. The month is not in the future; the publication date is
    in it. Atomic, audited."""
    permissions.check_report_publicity(actor, unit)
    errors: dict[str, list] = {}
    cleaned = _clean_texts([("title", NAME_TEXT, title)], errors)
    period = first_of_month(period) if period else None
    if form not in PublicityForm.values:
        errors.setdefault("form", []).append(_("Choose one of the options."))
    if period is None or period > first_of_month(timezone.localdate()):
        errors.setdefault("period", []).append(_("Report a month that has begun."))
    if published_on is None:
        errors.setdefault("published_on", []).append(_("Give the date it was published."))
    elif period is not None and first_of_month(published_on) != period:
        errors.setdefault("published_on", []).append(_("The date must be in the month reported."))
    elif published_on > timezone.localdate():
        errors.setdefault("published_on", []).append(_("The date cannot be in the future."))
    checked = None
    if upload is not None:
        try:
            checked = clean_file(upload)
        except ValidationError as error:
            errors.setdefault("file", []).extend(error.messages)
    if not (link or "").strip() and upload is None:
        errors.setdefault("link", []).append(_("Give a link to it or attach a photo or PDF."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = PublicityItem(
            unit=unit,
            period=period,
            form=form,
            title=cleaned["title"],
            published_on=published_on,
            link=(link or "").strip(),
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        if checked is not None:
            item.file.save("publicity", ContentFile(checked.content), save=False)
            item.content_type = checked.content_type
            item.original_name = checked.original_name[:200]
        item.full_clean(exclude=["file"])
        item.save()
        record(
            "supervision.publicity.add",
            actor=actor,
            obj=item,
            changes={"unit": unit.pk, "period": period.isoformat(), "form": form},
        )
    return item


def remove_publicity_item(*, actor, item: PublicityItem) -> None:
    """Remove an item uploaded by mistake (as ``add_publicity_item``); its file goes after
    the commit. Atomic, audited."""
    permissions.check_remove_publicity(actor, item)
    with transaction.atomic():
        record(
            "supervision.publicity.remove",
            actor=actor,
            obj=item,
            changes={"unit": item.unit_id, "period": item.period.isoformat(), "form": item.form},
        )
        name = item.file.name
        storage = item.file.storage
        item.delete()
        _delete_after_commit(name, storage)


def _check_rule(instance: PublicityRule) -> None:
    if instance.applies_from:
        instance.applies_from = first_of_month(instance.applies_from)
    instance.full_clean()


def create_publicity_rule(*, actor, instance: PublicityRule) -> PublicityRule:
    """Set how much publicity a unit must report from a month on (administrators)."""
    permissions.check_rule_admin(actor, "add")
    _check_rule(instance)
    with transaction.atomic():
        instance.save()
        record(
            f"{RULE_AUDIT}.create",
            actor=actor,
            obj=instance,
            changes={"min_forms": instance.min_forms, "min_items": instance.min_items},
        )
    return instance


def update_publicity_rule(*, actor, instance: PublicityRule, changed=()) -> PublicityRule:
    """Change a publicity rule (administrators); months already reported are measured
    against the rule of their month, now the changed one."""
    permissions.check_rule_admin(actor, "change", instance)
    _check_rule(instance)
    with transaction.atomic():
        instance.save()
        record(
            f"{RULE_AUDIT}.update",
            actor=actor,
            obj=instance,
            changes={
                "fields": sorted(changed),
                "min_forms": instance.min_forms,
                "min_items": instance.min_items,
            },
        )
    return instance
