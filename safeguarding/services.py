"""Every change to a child-safety concern and to the districts' safeguarding arrangements.

Each service takes the acting user (``actor=``), asks ``permissions``, runs in one
transaction, writes an audit record (codes and counts only, never what was written about
a child) and queues its e-mails in the outbox in the same transaction (sent after the
commit). Pages, the API, the Wagtail admin and the beat task all call these functions.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from audit.services import record
from outbox.services import enqueue

from . import permissions
from .models import (
    DONE_TEXT,
    SEEN_TEXT,
    STEP_NOTE,
    AlertReason,
    Category,
    Concern,
    ConcernAlert,
    ConcernState,
    ConcernStep,
    EscalationStep,
    ReferredTo,
    SafeguardingArrangement,
    StepKind,
    Urgency,
)

ARRANGEMENT_AUDIT = "safeguarding.arrangement"


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the options.")}, code="invalid_choice")
    return value


def _check_state(concern: Concern, *allowed: str) -> None:
    if concern.state not in allowed:
        raise ValidationError(
            _("This concern is %(state)s; that step is not possible now.")
            % {"state": concern.get_state_display()},
            code="invalid_state",
        )


def _locked(concern: Concern) -> Concern:
    """The concern re-read under a row lock (a step and an escalation never cross)."""
    return Concern.objects.select_for_update().get(pk=concern.pk)


# --- who hears about a concern ---------------------------------------------------------


def _active(users) -> list:
    return [user for user in users if user is not None and user.is_active]


def district_coordinators(district_id) -> list:
    """The district's coordinators; the city-wide coordinators when it has none."""
    User = get_user_model()
    people = list(
        User.objects.filter(
            groups__name=roles.COORDINATOR, is_active=True, coordinator_district_id=district_id
        ).order_by("pk")
    )
    if not people:
        people = list(
            User.objects.filter(
                groups__name=roles.COORDINATOR, is_active=True, coordinator_district__isnull=True
            ).order_by("pk")
        )
    return people


def reporter_supervisors(reporter) -> list:
    """The supervising experts of the reporter's current practicum placements."""
    from practicum.models import Placement

    placements = (
        Placement.objects.current().filter(trainee=reporter).select_related("supervisor")
    ).order_by("pk")
    return _active(placement.supervisor for placement in placements)


def first_recipients(reporter, district_id, arrangement) -> list[tuple[object, str]]:
    """(person, reason) a new concern goes to at once: the reporter's supervisor where they
    have a placement, otherwise the district's duty supervising expert; and the district's
    coordinators. Never the reporter."""
    found = [(user, AlertReason.SUPERVISOR) for user in reporter_supervisors(reporter)]
    if not found and arrangement.duty_expert_id:
        found = [(user, AlertReason.DUTY_EXPERT) for user in _active([arrangement.duty_expert])]
    found += [(user, AlertReason.COORDINATOR) for user in district_coordinators(district_id)]
    return _unique(found, exclude={reporter.pk})


def step_recipients(step: str, district_id, arrangement) -> list:
    """The people one escalation step names, for the concern's district."""
    User = get_user_model()
    if step == EscalationStep.DUTY_EXPERT:
        return _active([arrangement.duty_expert]) if arrangement.duty_expert_id else []
    if step == EscalationStep.COORDINATORS:
        return district_coordinators(district_id)
    group = {
        EscalationStep.LEADING_GROUP: roles.LEADING_GROUP,
        EscalationStep.ADMINISTRATORS: roles.ADMINISTRATOR,
    }[step]
    return list(User.objects.filter(groups__name=group, is_active=True).order_by("pk"))


def _unique(pairs, *, exclude: set) -> list:
    seen, result = set(exclude), []
    for user, reason in pairs:
        if user.pk not in seen:
            seen.add(user.pk)
            result.append((user, reason))
    return result


def _send(concern: Concern, pairs, *, level: int, now) -> list[ConcernAlert]:
    """Alerts (the in-product notification) now; one e-mail each through the outbox."""
    alerts = [
        ConcernAlert.objects.create(
            concern=concern, user=user, reason=reason, level=level, created_at=now
        )
        for user, reason in pairs
    ]
    from .tasks import send_alert_email

    for alert in alerts:
        enqueue(send_alert_email, alert.pk, dedupe_key=f"safeguarding-alert:{alert.pk}")
    return alerts


def _tell_reporter(concern: Concern, kind: str) -> None:
    from .tasks import send_reporter_update

    enqueue(
        send_reporter_update,
        concern.pk,
        kind,
        dedupe_key=f"safeguarding-reporter:{concern.pk}:{kind}:{concern.steps.count()}",
    )


# --- raising ---------------------------------------------------------------------------


def raise_concern(
    *, actor, category: str, urgency: str, what_seen: str, venue, what_done: str = ""
) -> Concern:
    """Raise a concern and send it at once to the people ``first_recipients`` names.

    Who may: trainees and lecturers (``permissions.check_raise``). The two texts are
    cleaned with their narrative policies, so the children's-data guard refuses a child's
    name or identifiers (``ValidationError`` naming what it found) before anything is
    stored. Atomic: the concern, its first step, the alerts, the audit record and the
    e-mails in the outbox are written together or not at all. The escalation deadline
    (``next_escalation_at``) is set from the district's arrangement and the urgency.
    """
    permissions.check_raise(actor)
    errors = {}
    cleaned = {}
    for field, policy, value in (
        ("what_seen", SEEN_TEXT, what_seen),
        ("what_done", DONE_TEXT, what_done),
    ):
        try:
            cleaned[field] = policy.clean(value)
        except ValidationError as error:
            errors[field] = error.messages
    for field, choices, value in (("category", Category, category), ("urgency", Urgency, urgency)):
        try:
            _choice(value, choices, field)
        except ValidationError as error:
            errors.update(error.message_dict)
    if venue is None:
        errors["venue"] = [_("Say where you saw it.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    arrangement = SafeguardingArrangement.for_district(venue.district_id)
    with transaction.atomic():
        concern = Concern.objects.create(
            reporter=actor,
            category=category,
            urgency=urgency,
            venue=venue,
            district_id=venue.district_id,
            raised_at=now,
            next_escalation_at=now + arrangement.wait_for(urgency),
            **cleaned,
        )
        ConcernStep.objects.create(
            concern=concern, kind=StepKind.RAISED, actor=actor, created_at=now
        )
        alerts = _send(
            concern, first_recipients(actor, venue.district_id, arrangement), level=0, now=now
        )
        record(
            "safeguarding.concern.raise",
            actor=actor,
            obj=concern,
            changes={
                "category": category,
                "urgency": urgency,
                "district": venue.district_id,
                "recipients": len(alerts),
            },
        )
    return concern


# --- the steps that follow ------------------------------------------------------------------


def acknowledge(*, actor, concern: Concern, note: str = "") -> Concern:
    """Say the concern has been seen and someone is on it; escalation stops.

    Who may: anyone who may see it except its reporter (``permissions.check_handle``).
    Only a raised concern can be acknowledged (``ValidationError`` code ``invalid_state``
    otherwise: two people pressing at once get one acknowledgement and one refusal).
    Atomic, audited; the reporter is told by e-mail through the outbox.
    """
    permissions.check_handle(actor, concern)
    note = STEP_NOTE.optional().clean(note)
    with transaction.atomic():
        concern = _locked(concern)
        _check_state(concern, ConcernState.RAISED)
        now = timezone.now()
        concern.state = ConcernState.ACKNOWLEDGED
        concern.acknowledged_at = now
        concern.acknowledged_by = actor
        concern.next_escalation_at = None
        concern.save(
            update_fields=["state", "acknowledged_at", "acknowledged_by", "next_escalation_at"]
        )
        ConcernStep.objects.create(
            concern=concern, kind=StepKind.ACKNOWLEDGED, actor=actor, note=note, created_at=now
        )
        record(
            "safeguarding.concern.acknowledge",
            actor=actor,
            obj=concern,
            changes={
                "minutes_to_acknowledge": int((now - concern.raised_at).total_seconds() // 60),
                "escalations": concern.escalation_level,
            },
        )
        _tell_reporter(concern, StepKind.ACKNOWLEDGED)
    return concern


def refer(*, actor, concern: Concern, referred_to: str, note: str) -> Concern:
    """Record that the concern was passed to an agency (civil affairs, school, police,
    hospital…), with a note. Who may: as ``acknowledge``. From acknowledged or referred (a
    second agency may follow the first). Atomic, audited; the reporter is told."""
    permissions.check_handle(actor, concern)
    _choice(referred_to, ReferredTo, "referred_to")
    note = STEP_NOTE.clean(note)
    with transaction.atomic():
        concern = _locked(concern)
        _check_state(concern, ConcernState.ACKNOWLEDGED, ConcernState.REFERRED)
        concern.state = ConcernState.REFERRED
        concern.referred_to = referred_to
        concern.save(update_fields=["state", "referred_to"])
        ConcernStep.objects.create(
            concern=concern,
            kind=StepKind.REFERRED,
            actor=actor,
            note=note,
            referred_to=referred_to,
            created_at=timezone.now(),
        )
        record(
            "safeguarding.concern.refer",
            actor=actor,
            obj=concern,
            changes={"referred_to": referred_to},
        )
        _tell_reporter(concern, StepKind.REFERRED)
    return concern


def close(*, actor, concern: Concern, note: str) -> Concern:
    """Close an acknowledged or referred concern, with a note saying why. Who may: as
    ``acknowledge``. Atomic, audited; the reporter is told. A closed concern stays
    readable by the same people; it only leaves the open lists."""
    permissions.check_handle(actor, concern)
    note = STEP_NOTE.clean(note)
    with transaction.atomic():
        concern = _locked(concern)
        _check_state(concern, ConcernState.ACKNOWLEDGED, ConcernState.REFERRED)
        now = timezone.now()
        concern.state = ConcernState.CLOSED
        concern.closed_at = now
        concern.save(update_fields=["state", "closed_at"])
        ConcernStep.objects.create(
            concern=concern, kind=StepKind.CLOSED, actor=actor, note=note, created_at=now
        )
        record(
            "safeguarding.concern.close",
            actor=actor,
            obj=concern,
            changes={"referred_to": concern.referred_to},
        )
        _tell_reporter(concern, StepKind.CLOSED)
    return concern


# --- escalation (the beat task) ------------------------------------------------------------


def escalate(concern_id: int, *, now=None) -> bool:
    """Send one overdue, unacknowledged concern to the next step of its district's chain.

    Idempotent and safe beside a person acknowledging at the same moment: the row is
    locked and re-checked (still raised, still due), so a concern is escalated once per
    deadline and never after an acknowledgement. Steps that would reach nobody new
    (e.g. a duty expert who already has it) are passed over in the same run. When the
    chain is spent, ``next_escalation_at`` is cleared: the concern stays at the top of
    every list that shows it, waiting. Audited with no actor (the system).
    """
    now = now or timezone.now()
    with transaction.atomic():
        concern = (
            Concern.objects.select_for_update()
            .filter(pk=concern_id, state=ConcernState.RAISED, next_escalation_at__lte=now)
            .first()
        )
        if concern is None:
            return False
        arrangement = SafeguardingArrangement.for_district(concern.district_id)
        chain = arrangement.chain
        already = set(concern.alerts.values_list("user_id", flat=True)) | {concern.reporter_id}
        level, step, pairs = concern.escalation_level, "", []
        while level < len(chain) and not pairs:
            step = chain[level]
            level += 1
            pairs = _unique(
                [
                    (user, AlertReason.ESCALATED)
                    for user in step_recipients(step, concern.district_id, arrangement)
                ],
                exclude=already,
            )
        alerts = _send(concern, pairs, level=level, now=now) if pairs else []
        concern.escalation_level = level
        concern.next_escalation_at = (
            now + arrangement.wait_for(concern.urgency) if level < len(chain) else None
        )
        concern.save(update_fields=["escalation_level", "next_escalation_at"])
        if alerts:
            ConcernStep.objects.create(
                concern=concern, kind=StepKind.ESCALATED, escalation_step=step, created_at=now
            )
        record(
            "safeguarding.concern.escalate",
            obj=concern,
            changes={"level": level, "step": step if alerts else "", "recipients": len(alerts)},
        )
    return bool(alerts)


def escalate_due(*, now=None) -> int:
    """Escalate every concern whose deadline has passed (the beat task, every few minutes).
    Each concern in its own transaction; returns how many reached someone new."""
    now = now or timezone.now()
    due = list(
        Concern.objects.due_for_escalation(now)
        .order_by("next_escalation_at")
        .values_list("pk", flat=True)[:500]
    )
    return sum(1 for pk in due if escalate(pk, now=now))


# --- the arrangements (Wagtail admin through the door) -------------------------------------


def _validate_arrangement(instance: SafeguardingArrangement) -> None:
    instance.full_clean(validate_unique=instance.pk is None)
    if instance.duty_expert_id and not roles.has_role(instance.duty_expert, roles.SUPERVISOR):
        raise ValidationError(
            {"duty_expert": _("The duty expert must be a supervising expert.")}, code="not_expert"
        )
    if not instance.step_1:
        raise ValidationError({"step_1": _("Name at least one escalation.")}, code="required")


def _arrangement_changes(instance) -> dict:
    return {
        "district": instance.district_id,
        "duty_expert": instance.duty_expert_id,
        "urgent_hours": instance.urgent_hours,
        "other_hours": instance.other_hours,
        "chain": list(instance.chain),
    }


def create_arrangement(*, actor, instance: SafeguardingArrangement) -> SafeguardingArrangement:
    """Set a district's duty expert, waiting times and escalation chain. Administrators
    only; validated; atomic; audited. Concerns already raised keep their deadline; the next
    escalation uses the new chain."""
    permissions.check_arrangement_admin(actor, "add")
    _validate_arrangement(instance)
    with transaction.atomic():
        instance.save()
        record(
            f"{ARRANGEMENT_AUDIT}.create",
            actor=actor,
            obj=instance,
            changes=_arrangement_changes(instance),
        )
    return instance


def update_arrangement(
    *, actor, instance: SafeguardingArrangement, changed=()
) -> SafeguardingArrangement:
    """Change a district's arrangement (as ``create_arrangement``)."""
    permissions.check_arrangement_admin(actor, "change", instance)
    _validate_arrangement(instance)
    with transaction.atomic():
        instance.save()
        record(
            f"{ARRANGEMENT_AUDIT}.update",
            actor=actor,
            obj=instance,
            changes={"fields": sorted(changed), **_arrangement_changes(instance)},
        )
    return instance


def delete_arrangement(*, actor, instance: SafeguardingArrangement) -> None:
    """Remove a district's arrangement: the defaults apply again. Administrators only."""
    permissions.check_arrangement_admin(actor, "delete", instance)
    with transaction.atomic():
        record(
            f"{ARRANGEMENT_AUDIT}.delete",
            actor=actor,
            obj=instance,
            changes={"district": instance.district_id},
        )
        instance.delete()
