"""Every state change of face-to-face classes.

Each function takes the acting user (``actor=``), asks ``classes.permissions``, is
atomic, writes the audit log in the same transaction and queues its e-mails in the
outbox (sent after the commit). Pages, the API, the Wagtail admin (through the door),
commands and tasks call these.

Seats: signing up, cancelling and changing a class's seats lock the class row
(SELECT … FOR UPDATE on PostgreSQL), count the booked seats and promote from the waiting
list in the order people joined it, so two people racing for the last seat cannot both
get it and a freed seat goes to the first person waiting, at once.

Check-in: the trainer's screen shows a QR code that changes every
``CHECK_IN_WINDOW_SECONDS``. The code is a signed token (``lms.signed_tokens``) naming the
class, the window and a nonce stored in a ``CheckInCode`` row; it is accepted during its
window and ``CHECK_IN_GRACE_SECONDS`` after, once (``claim_once``): a photograph sent to
an absent friend is stale or already spent by the time it is used.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from lms.date_horizon import check_within_horizon
from lms.signed_tokens import (
    SignedTokens,
    TokenRefused,
    claim_once,
    current_window,
    new_nonce,
)

from . import permissions
from .models import (
    Audience,
    Booking,
    BookingStatus,
    CheckInCode,
    CheckInMethod,
    ClassStatus,
    TrainingClass,
)

logger = logging.getLogger(__name__)

CLASS_AUDIT = "classes.class"
BOOKING_AUDIT = "classes.booking"

CHECK_IN_WINDOW_SECONDS = 30
CHECK_IN_GRACE_SECONDS = 10
# The code is shown from this long before the class until it ends.
CHECK_IN_OPENS_BEFORE = datetime.timedelta(minutes=30)
# The trainer may correct attendance for this long after the class.
MARKING_CLOSES_AFTER = datetime.timedelta(days=14)
REMINDER_BEFORE = datetime.timedelta(days=1)

_CHECK_IN_TOKENS = SignedTokens(
    "classes.check_in",
    max_age=datetime.timedelta(seconds=CHECK_IN_WINDOW_SECONDS + CHECK_IN_GRACE_SECONDS),
)


class CheckInRefused(Exception):
    """A check-in that cannot count. ``code`` is stable: ``invalid`` (forged, garbage),
    ``expired``, ``other_class``, ``used`` (another person used this code), ``not_booked``,
    ``waiting``, ``closed`` (not during the class), ``cancelled``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _refuse(code: str, message: str, training_class=None, actor=None):
    logger.info(
        "classes.check_in_refused",
        extra={
            "code": code,
            "class_id": getattr(training_class, "pk", None),
            "user_id": getattr(actor, "pk", None),
        },
    )
    return CheckInRefused(code, message)


# --- classes -------------------------------------------------------------------------


def _class_changes(instance: TrainingClass) -> dict:
    return {
        "district": instance.district_id,
        "trainer": instance.trainer_id,
        "capacity": instance.capacity,
        "starts_at": instance.starts_at.isoformat() if instance.starts_at else None,
        "audience": instance.audience,
    }


def _validate_class(instance: TrainingClass) -> None:
    """Fill the hours from the course and check what a form cannot see alone."""
    errors = {}
    if instance.hours is None and instance.course_id:
        instance.hours = Decimal(instance.course.class_hours)
    if instance.hours is None:
        errors["hours"] = _("Give the class hours, or link the class to a course.")
    if instance.trainer_id and not permissions.may_train(instance.trainer):
        errors["trainer"] = _("The trainer must be an active lecturer, supervisor or coordinator.")
    if instance.audience == Audience.COHORT and not instance.cohort_id:
        errors["cohort"] = _("Choose the cohort this class is for.")
    if not instance.venue_id and not (instance.address or "").strip():
        errors["address"] = _("Choose a venue or write the address.")
    if instance.requirement_id and instance.requirement.kind != "class_hours":
        errors["requirement"] = _("Choose a requirement of kind 'face-to-face class hours'.")
    if instance.starts_at and instance.ends_at and instance.ends_at <= instance.starts_at:
        errors["ends_at"] = _("The class must end after it starts.")
    if errors:
        raise ValidationError(errors)
    check_within_horizon(timezone.localtime(instance.starts_at).date(), field="starts_at")
    instance.full_clean()


def create_class(*, actor, instance: TrainingClass) -> TrainingClass:
    """Schedule a class (coordinators of its district, city-wide coordinators,
    administrators). Validated; atomic; audited."""
    permissions.check_manage(actor, "add", instance)
    _validate_class(instance)
    with transaction.atomic():
        instance.created_by = actor
        instance.status = ClassStatus.SCHEDULED
        instance.save()
        record(f"{CLASS_AUDIT}.create", actor=actor, obj=instance, changes=_class_changes(instance))
    return instance


def update_class(*, actor, instance: TrainingClass, changed=()) -> TrainingClass:
    """Change a scheduled class. More seats promote people waiting, at once; fewer seats
    than people booked is refused; a new time re-times everyone's reminder and tells the
    people booked and waiting."""
    permissions.check_manage(actor, "change", instance)
    with transaction.atomic():
        current = TrainingClass.objects.select_for_update().get(pk=instance.pk)
        permissions.check_manage(actor, "change", current)  # its district before the edit
        if current.status != ClassStatus.SCHEDULED:
            raise ValidationError(_("A cancelled class cannot be changed."), code="invalid_state")
        _validate_class(instance)
        booked = current.bookings.filter(status=BookingStatus.BOOKED).count()
        if instance.capacity < booked:
            raise ValidationError(
                {
                    "capacity": _("%(booked)d people are booked; keep at least %(booked)d seats.")
                    % {"booked": booked}
                }
            )
        moved = instance.starts_at != current.starts_at or instance.ends_at != current.ends_at
        instance.status = current.status
        instance.save()
        record(
            f"{CLASS_AUDIT}.update",
            actor=actor,
            obj=instance,
            changes={"fields": sorted(changed), **_class_changes(instance)},
        )
        promoted = _promote_waiting(instance, actor=actor)
        if moved:
            for booking in instance.bookings.filter(
                status__in=[BookingStatus.BOOKED, BookingStatus.WAITING]
            ).exclude(pk__in=[b.pk for b in promoted]):
                _queue_email(booking, "class_changed", instance)
                if booking.status == BookingStatus.BOOKED:
                    _queue_reminder(booking, instance)
    return instance


def delete_class(*, actor, instance: TrainingClass) -> None:
    """Remove a class nobody has signed up for (one with bookings is cancelled instead,
    so that the people booked are told and the attendance stays)."""
    permissions.check_manage(actor, "delete", instance)
    with transaction.atomic():
        if instance.bookings.exists():
            raise ValidationError(
                _("People have signed up for this class: cancel it instead of deleting it."),
                code="has_bookings",
            )
        record(f"{CLASS_AUDIT}.delete", actor=actor, obj=instance, changes=_class_changes(instance))
        instance.delete()


def cancel_class(*, actor, training_class: TrainingClass, reason: str) -> TrainingClass:
    """Cancel a class that has not taken place: everyone booked or waiting is told by
    e-mail. Refused once anyone attended (the class took place)."""
    permissions.check_manage(actor, "change", training_class)
    with transaction.atomic():
        current = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
        if current.status == ClassStatus.CANCELLED:
            return current
        if current.bookings.filter(attended_at__isnull=False).exists():
            raise ValidationError(
                _("People attended this class; it cannot be cancelled."), code="invalid_state"
            )
        current.status = ClassStatus.CANCELLED
        current.cancelled_at = timezone.now()
        current.cancel_reason = reason
        current.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        record(f"{CLASS_AUDIT}.cancel", actor=actor, obj=current, changes={"reason": "given"})
        for booking in current.bookings.filter(
            status__in=[BookingStatus.BOOKED, BookingStatus.WAITING]
        ):
            _queue_email(booking, "class_cancelled", current)
    return current


# --- sign-up, waiting list, cancellation ------------------------------------------------


def _locked_class(pk: int) -> TrainingClass:
    """The class row, locked until the end of the transaction (PostgreSQL; SQLite
    serialises writers anyway)."""
    return TrainingClass.objects.select_for_update().get(pk=pk)


def _booked_count(training_class) -> int:
    return Booking.objects.filter(
        training_class=training_class, status=BookingStatus.BOOKED
    ).count()


def sign_up(*, actor, training_class: TrainingClass) -> Booking:
    """Take a seat, or a place at the end of the waiting list when the class is full.

    Trainees and lecturers, for open classes and their cohort's classes, until the class
    starts. Idempotent: someone already booked or waiting keeps their place. Atomic under
    the class row's lock, so the seats are never over-booked."""
    permissions.check_sign_up(actor, training_class)
    now = timezone.now()
    with transaction.atomic():
        current = _locked_class(training_class.pk)
        if current.status != ClassStatus.SCHEDULED:
            raise ValidationError(_("This class was cancelled."), code="cancelled")
        if now >= current.starts_at:
            raise ValidationError(_("Sign-up closed when the class started."), code="closed")
        booking = Booking.objects.filter(training_class=current, user=actor).first()
        if booking is not None and booking.status != BookingStatus.CANCELLED:
            return booking
        seat = _booked_count(current) < current.capacity
        status = BookingStatus.BOOKED if seat else BookingStatus.WAITING
        if booking is None:
            booking = Booking(training_class=current, user=actor)
        booking.status = status
        booking.queued_at = now
        booking.booked_at = now if seat else None
        booking.cancelled_at = None
        booking.save()
        record(
            f"{BOOKING_AUDIT}.sign_up",
            actor=actor,
            obj=booking,
            changes={"class": current.pk, "status": status},
        )
        if seat:
            _queue_reminder(booking, current)
    booking.training_class = current
    return booking


def cancel_booking(*, actor, booking: Booking) -> Booking:
    """Give up a seat or a place on the waiting list, before the class starts. A freed
    seat goes at once to the first person waiting (who is told by e-mail)."""
    permissions.check_own_booking(actor, booking)
    now = timezone.now()
    with transaction.atomic():
        current = _locked_class(booking.training_class_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            return booking
        if now >= current.starts_at:
            raise ValidationError(
                _("The class has started; ask the trainer instead."), code="closed"
            )
        was = booking.status
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        record(
            f"{BOOKING_AUDIT}.cancel",
            actor=actor,
            obj=booking,
            changes={"class": current.pk, "was": was},
        )
        if was == BookingStatus.BOOKED and current.status == ClassStatus.SCHEDULED:
            _promote_waiting(current, actor=actor)
    return booking


def _promote_waiting(training_class: TrainingClass, *, actor) -> list[Booking]:
    """Fill free seats from the waiting list, first come first served. Call with the
    class row locked. Each person promoted is told by e-mail and gets a reminder."""
    if training_class.status != ClassStatus.SCHEDULED:
        return []
    free = training_class.capacity - _booked_count(training_class)
    if free <= 0:
        return []
    waiting = list(
        Booking.objects.select_for_update()
        .filter(training_class=training_class, status=BookingStatus.WAITING)
        .order_by("queued_at", "pk")[:free]
    )
    now = timezone.now()
    for booking in waiting:
        booking.status = BookingStatus.BOOKED
        booking.booked_at = now
        booking.save(update_fields=["status", "booked_at"])
        record(
            f"{BOOKING_AUDIT}.promote",
            actor=actor,
            obj=booking,
            changes={"class": training_class.pk, "user": booking.user_id},
        )
        _queue_email(booking, "promoted", training_class)
        _queue_reminder(booking, training_class)
    return waiting


def book_cohort(*, actor, training_class: TrainingClass) -> dict[str, int]:
    """Sign up every member of the class's cohort who is not booked or waiting yet: seats
    first, then the waiting list (coordinators of the class). Returns the counts."""
    permissions.check_manage(actor, "change", training_class)
    from courses.models import CohortMembership

    now = timezone.now()
    counts = {"booked": 0, "waiting": 0}
    with transaction.atomic():
        current = _locked_class(training_class.pk)
        if current.status != ClassStatus.SCHEDULED or now >= current.starts_at:
            raise ValidationError(_("This class is not open for sign-up."), code="closed")
        if not current.cohort_id:
            raise ValidationError(_("This class is not for a cohort."), code="no_cohort")
        members = list(
            CohortMembership.objects.filter(cohort_id=current.cohort_id, user__is_active=True)
            .order_by("added_at", "pk")
            .values_list("user_id", flat=True)
        )
        existing = {
            b.user_id: b
            for b in Booking.objects.filter(training_class=current, user_id__in=members)
        }
        free = current.capacity - _booked_count(current)
        for user_id in members:
            booking = existing.get(user_id)
            if booking is not None and booking.status != BookingStatus.CANCELLED:
                continue
            seat = free > 0
            free -= 1 if seat else 0
            booking = booking or Booking(training_class=current, user_id=user_id)
            booking.status = BookingStatus.BOOKED if seat else BookingStatus.WAITING
            booking.queued_at = now
            booking.booked_at = now if seat else None
            booking.cancelled_at = None
            booking.save()
            counts["booked" if seat else "waiting"] += 1
            if seat:
                _queue_reminder(booking, current)
        record(f"{CLASS_AUDIT}.book_cohort", actor=actor, obj=current, changes=counts)
    return counts


# --- attendance ---------------------------------------------------------------------------


def _check_marking_open(training_class, now) -> None:
    if training_class.status != ClassStatus.SCHEDULED:
        raise ValidationError(_("This class was cancelled."), code="cancelled")
    if now < training_class.starts_at - CHECK_IN_OPENS_BEFORE:
        raise ValidationError(_("Attendance is marked once the class begins."), code="closed")
    if now > training_class.ends_at + MARKING_CLOSES_AFTER:
        raise ValidationError(
            _("Attendance can no longer be changed for this class."), code="closed"
        )


def _attendance_changed(booking: Booking) -> None:
    """Attendance earns hours: the person's certification eligibility is checked again."""
    from certification.tasks import issue_eligible_for
    from outbox.services import enqueue

    enqueue(issue_eligible_for, booking.user_id)


def mark_attendance(*, actor, booking: Booking, attended: bool) -> Booking:
    """The trainer (or a coordinator of the class) marks a booked person present or
    absent, from the class's start until ``MARKING_CLOSES_AFTER`` after it. Idempotent."""
    training_class = booking.training_class
    permissions.check_roster(actor, training_class)
    now = timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        _check_marking_open(training_class, now)
        if booking.status != BookingStatus.BOOKED:
            raise ValidationError(
                _("Only people with a seat can be marked present."), code="not_booked"
            )
        if booking.attended == attended:
            return booking
        booking.attended_at = now if attended else None
        booking.check_in_method = CheckInMethod.TRAINER if attended else ""
        booking.marked_by = actor
        booking.save(update_fields=["attended_at", "check_in_method", "marked_by"])
        record(
            f"{BOOKING_AUDIT}.{'attend' if attended else 'absent'}",
            actor=actor,
            obj=booking,
            changes={"class": training_class.pk, "user": booking.user_id, "method": "trainer"},
        )
        _attendance_changed(booking)
    return booking


# --- check-in by the rotating QR code ---------------------------------------------------------


@dataclass(frozen=True)
class CheckInDisplay:
    """What the trainer's screen shows: the code, the address it opens, until when."""

    token: str
    url: str
    window: int
    valid_until: datetime.datetime


def check_in_open(training_class, now=None) -> bool:
    now = now or timezone.now()
    return (
        training_class.status == ClassStatus.SCHEDULED
        and training_class.starts_at - CHECK_IN_OPENS_BEFORE <= now <= training_class.ends_at
    )


def _window_of(now) -> int:
    return current_window(CHECK_IN_WINDOW_SECONDS, now.timestamp())


def _window_end(window: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(
        (window + 1) * CHECK_IN_WINDOW_SECONDS + CHECK_IN_GRACE_SECONDS, tz=datetime.UTC
    )


def check_in_url(training_class, token: str) -> str:
    path = reverse("classes:check_in", args=[training_class.pk])
    return f"{settings.SITE_URL}{path}?code={token}"


def check_in_code(*, actor, training_class: TrainingClass, current: str = "", now=None):
    """The code the trainer's screen shows now: ``current`` again while it is in the
    present window and unused, else a new one (a new ``CheckInCode`` row). The trainer
    or a coordinator of the class, while check-in is open."""
    permissions.check_roster(actor, training_class)
    now = now or timezone.now()
    if not check_in_open(training_class, now):
        raise ValidationError(
            _("Check-in opens 30 minutes before the class and closes when it ends."),
            code="closed",
        )
    window = _window_of(now)
    if current:
        try:
            claims = _CHECK_IN_TOKENS.read(current)
        except TokenRefused:
            claims = {}
        if (
            claims.get("c") == training_class.pk
            and claims.get("w") == window
            and CheckInCode.objects.filter(
                training_class=training_class, nonce=str(claims.get("n")), used_at__isnull=True
            ).exists()
        ):
            return CheckInDisplay(
                current, check_in_url(training_class, current), window, _window_end(window)
            )
    nonce = new_nonce()
    with transaction.atomic():
        # Unused codes of past windows are of no use to anyone: keep the table small.
        CheckInCode.objects.filter(
            training_class=training_class,
            used_at__isnull=True,
            expires_at__lt=now - datetime.timedelta(minutes=5),
        ).delete()
        CheckInCode.objects.create(
            training_class=training_class,
            nonce=nonce,
            window=window,
            issued_at=now,
            expires_at=_window_end(window),
        )
    token = _CHECK_IN_TOKENS.make(c=training_class.pk, w=window, n=nonce)
    return CheckInDisplay(token, check_in_url(training_class, token), window, _window_end(window))


def check_in(*, actor, training_class: TrainingClass, code: str, now=None) -> Booking:
    """Check ``actor`` in to ``training_class`` with a code scanned from the trainer's
    screen. Accepted once, during the code's window and the grace after it, for this
    class, from a person with a seat; refused otherwise with a ``CheckInRefused`` whose
    code says why. Someone already checked in is answered with their booking, and the
    code stays unspent for the next person."""
    now = now or timezone.now()
    try:
        claims = _CHECK_IN_TOKENS.read(code)
    except TokenRefused as refused:
        if refused.code == "expired":
            raise _refuse(
                "expired",
                _("This code has expired: scan the code on the screen now."),
                training_class,
                actor,
            ) from None
        raise _refuse(
            "invalid", _("This is not a check-in code of this site."), training_class, actor
        ) from None
    window, nonce = claims.get("w"), claims.get("n")
    if not isinstance(window, int) or not isinstance(nonce, str):
        raise _refuse(
            "invalid", _("This is not a check-in code of this site."), training_class, actor
        )
    if claims.get("c") != training_class.pk:
        raise _refuse("other_class", _("This code is for another class."), training_class, actor)
    if not (window * CHECK_IN_WINDOW_SECONDS <= now.timestamp() < _window_end(window).timestamp()):
        raise _refuse(
            "expired",
            _("This code has expired: scan the code on the screen now."),
            training_class,
            actor,
        )
    if training_class.status != ClassStatus.SCHEDULED:
        raise _refuse("cancelled", _("This class was cancelled."), training_class, actor)
    if not check_in_open(training_class, now):
        raise _refuse("closed", _("Check-in is open only during the class."), training_class, actor)
    booking = Booking.objects.filter(training_class=training_class, user=actor).first()
    if booking is None or booking.status == BookingStatus.CANCELLED:
        raise _refuse(
            "not_booked",
            _("You have no seat on this class; ask the trainer."),
            training_class,
            actor,
        )
    if booking.status == BookingStatus.WAITING:
        raise _refuse(
            "waiting",
            _("You are on the waiting list of this class; ask the trainer."),
            training_class,
            actor,
        )
    if booking.attended:
        return booking
    with transaction.atomic():
        codes = CheckInCode.objects.filter(training_class=training_class, expires_at__gt=now)
        if not claim_once(codes, nonce=nonce, now=now, used_by=actor):
            spent = CheckInCode.objects.filter(nonce=nonce, used_at__isnull=False).exists()
            raise _refuse(
                "used" if spent else "invalid",
                _("Someone has already checked in with this code: scan the code on the screen now.")
                if spent
                else _("This is not a check-in code of this site."),
                training_class,
                actor,
            )
        updated = Booking.objects.filter(
            pk=booking.pk, status=BookingStatus.BOOKED, attended_at__isnull=True
        ).update(attended_at=now, check_in_method=CheckInMethod.QR, marked_by=None)
        if not updated:  # marked meanwhile (the trainer, or a second scan of a new code)
            transaction.set_rollback(True)
            return Booking.objects.get(pk=booking.pk)
        booking.refresh_from_db()
        record(
            f"{BOOKING_AUDIT}.attend",
            actor=actor,
            obj=booking,
            changes={"class": training_class.pk, "user": actor.pk, "method": "qr"},
        )
        _attendance_changed(booking)
    return booking


# --- e-mails and reminders ---------------------------------------------------------------------


def _instant(moment: datetime.datetime) -> str:
    """One spelling of an instant (UTC), whatever time zone the object carried."""
    return moment.astimezone(datetime.UTC).isoformat()


def _queue_email(booking: Booking, kind: str, training_class: TrainingClass) -> None:
    from outbox.services import enqueue

    from .tasks import email_booking

    enqueue(email_booking, booking.pk, kind, _instant(training_class.starts_at))


def _queue_reminder(booking: Booking, training_class: TrainingClass) -> None:
    """The reminder the day before, due ``REMINDER_BEFORE`` ahead of the start (kept in
    the outbox until then). Keyed by the booking, the start and when the seat was given,
    so a re-timed class or a new seat gets its own reminder and a repeat gets none."""
    from outbox.services import enqueue

    from .tasks import email_booking

    due_at = max(training_class.starts_at - REMINDER_BEFORE, timezone.now())
    starts = _instant(training_class.starts_at)
    seat = booking.booked_at.timestamp() if booking.booked_at else 0
    enqueue(
        email_booking,
        booking.pk,
        "reminder",
        starts,
        due_at=due_at,
        dedupe_key=f"class-reminder:{booking.pk}:{starts}:{seat}",
    )


def trainers():
    """People who may be named trainer (for the forms' choices)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=permissions.TRAINER_ROLES)
        .distinct()
        .order_by("real_name", "username")
    )
