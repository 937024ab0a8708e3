"""Reminders the day before, and the e-mails of the waiting list, through the outbox."""

import datetime

import pytest

from classes import services, tasks
from classes.models import Booking
from classes.tests.factories import CLASS_START, learners, make_class
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def reminders():
    return [
        m
        for m in OutboxMessage.objects.filter(task="classes.tasks.email_booking")
        if m.args[1] == "reminder"
    ]


def emails():
    return OutboxMessage.objects.filter(task="accounts.tasks.send_email")


def test_a_seat_queues_a_reminder_due_the_day_before(clock):
    training_class = make_class(capacity=1)
    holder, waiting = learners(2)
    booking = services.sign_up(actor=holder, training_class=training_class)
    services.sign_up(actor=waiting, training_class=training_class)
    (reminder,) = reminders()  # nobody waiting is reminded
    assert reminder.args[0] == booking.pk
    assert reminder.due_at == CLASS_START - datetime.timedelta(days=1)


def test_the_reminder_is_sent_once_in_the_persons_language(clock):
    training_class = make_class()
    (person,) = learners(1)
    person.preferred_language = "en"
    person.save()
    booking = services.sign_up(actor=person, training_class=training_class)
    (reminder,) = reminders()
    assert tasks.email_booking(*reminder.args) is True
    assert tasks.email_booking(*reminder.args) is False  # a second delivery sends nothing
    (email,) = emails()
    assert email.kwargs["to"] == [person.email]
    assert training_class.title in email.kwargs["subject"]
    assert "tomorrow" in email.kwargs["subject"]
    booking.refresh_from_db()
    assert booking.reminder_sent_for == training_class.starts_at


def test_a_re_timed_class_drops_the_old_reminder_and_queues_a_new_one(
    clock, district, district_coordinator
):
    training_class = make_class(district=district)
    (person,) = learners(1)
    services.sign_up(actor=person, training_class=training_class)
    (old,) = reminders()
    training_class.starts_at = CLASS_START + datetime.timedelta(days=2)
    training_class.ends_at = training_class.starts_at + datetime.timedelta(hours=3)
    services.update_class(
        actor=district_coordinator, instance=training_class, changed=["starts_at"]
    )
    assert len(reminders()) == 2
    assert tasks.email_booking(*old.args) is False  # about a time the class no longer has
    new = next(m for m in reminders() if m.pk != old.pk)
    assert new.due_at == training_class.starts_at - datetime.timedelta(days=1)
    assert tasks.email_booking(*new.args) is True


def test_a_cancelled_booking_gets_no_reminder(clock):
    training_class = make_class()
    (person,) = learners(1)
    booking = services.sign_up(actor=person, training_class=training_class)
    services.cancel_booking(actor=person, booking=booking)
    (reminder,) = reminders()
    assert tasks.email_booking(*reminder.args) is False
    assert not emails().exists()


def test_the_person_promoted_is_told(clock):
    training_class = make_class(capacity=1)
    holder, waiting = learners(2)
    booking = services.sign_up(actor=holder, training_class=training_class)
    services.sign_up(actor=waiting, training_class=training_class)
    services.cancel_booking(actor=holder, booking=booking)
    promoted = Booking.objects.get(user=waiting)
    message = next(
        m
        for m in OutboxMessage.objects.filter(task="classes.tasks.email_booking")
        if m.args[:2] == [promoted.pk, "promoted"]
    )
    assert tasks.email_booking(*message.args) is True
    assert emails().get().kwargs["to"] == [waiting.email]
