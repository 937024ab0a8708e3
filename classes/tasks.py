"""Background work of face-to-face classes: the e-mails (reminder the day before, a seat
from the waiting list, a class changed or cancelled).

Arguments are primary keys and codes; every task re-reads its rows and does nothing when
what it was queued for no longer holds (a cancelled booking, a re-timed class), so it is
safe to run twice and safe to run late. The e-mails go out through the outbox.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

KINDS = ("reminder", "promoted", "class_changed", "class_cancelled")


def _render(user, context: dict) -> tuple[str, str]:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        text = render_to_string("classes/email/booking.txt", {"user": user, **context})
    subject, _blank, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _still_relevant(booking, kind: str, starts_at: str, now) -> bool:
    from .models import BookingStatus, ClassStatus

    training_class = booking.training_class
    if kind == "class_cancelled":
        return training_class.status == ClassStatus.CANCELLED
    if training_class.status != ClassStatus.SCHEDULED:
        return False
    if starts_at and datetime.datetime.fromisoformat(starts_at) != training_class.starts_at:
        return False  # re-timed since: the new time has its own message
    if kind == "class_changed":
        return booking.status in (BookingStatus.BOOKED, BookingStatus.WAITING)
    if booking.status != BookingStatus.BOOKED:
        return False
    if kind == "reminder":
        return training_class.starts_at > now and booking.reminder_sent_for != (
            training_class.starts_at
        )
    return True


@shared_task(time_limit=60, soft_time_limit=50)
def email_booking(booking_id: int, kind: str, starts_at: str = "") -> bool:
    """E-mail the person of a booking about their class, in their language.

    ``kind``: ``reminder`` (the day before; once per start time, marked on the booking in
    the transaction that queues the e-mail), ``promoted`` (a seat from the waiting list),
    ``class_changed``, ``class_cancelled``. ``starts_at`` is the class's start when the
    message was queued: a message about a time the class no longer has is dropped."""
    from accounts.tasks import send_email
    from outbox.services import enqueue

    from .models import Booking

    if kind not in KINDS:
        return False
    booking = (
        Booking.objects.select_related(
            "user", "training_class", "training_class__venue", "training_class__trainer"
        )
        .filter(pk=booking_id)
        .first()
    )
    now = timezone.now()
    if booking is None or not _still_relevant(booking, kind, starts_at, now):
        return False
    user = booking.user
    if not user.email or not user.is_active:
        return False
    training_class = booking.training_class
    subject, body = _render(
        user,
        {
            "kind": kind,
            "booking": booking,
            "training_class": training_class,
            "starts_at": timezone.localtime(training_class.starts_at),
            "url": settings.SITE_URL + reverse("classes:detail", args=[training_class.pk]),
        },
    )
    with transaction.atomic():
        if kind == "reminder":
            updated = (
                Booking.objects.filter(pk=booking.pk)
                .exclude(reminder_sent_for=training_class.starts_at)
                .update(reminder_sent_for=training_class.starts_at)
            )
            if not updated:
                return False
        enqueue(
            send_email,
            subject=subject,
            body=body,
            to=[user.email],
            dedupe_key=f"class-email:{booking.pk}:{kind}:{starts_at}:{booking.booked_at}",
        )
    logger.info("classes.email_queued", extra={"kind": kind, "booking": booking.pk})
    return True
