"""Reminders: supervisors after 7 days of waiting, coordinators after 14, once a day."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from practicum.models import EntryState, ReviewReminder
from practicum.tasks import send_review_reminders as run_reminders

from .factories import EntryFactory


def waiting(placement, days):
    return EntryFactory(
        placement=placement,
        state=EntryState.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=days, hours=1),
    )


@pytest.fixture
def send_review_reminders(django_capture_on_commit_callbacks):
    """The task, with the e-mails it queues on commit actually sent."""

    def send(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return run_reminders(**kwargs)

    return send


@pytest.fixture
def coordinators(coordinator, district_coordinator, other_district_coordinator):
    return coordinator, district_coordinator, other_district_coordinator


def test_supervisor_is_reminded_after_seven_days(placement, supervisor, send_review_reminders):
    waiting(placement, 8)
    waiting(placement, 2)
    mail.outbox.clear()
    assert send_review_reminders() == {"supervisors": 1, "coordinators": 0}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [supervisor.email]
    assert "1" in mail.outbox[0].subject
    assert ReviewReminder.objects.get().entry_count == 1


def test_nothing_is_sent_for_recent_entries(placement, send_review_reminders):
    waiting(placement, 3)
    mail.outbox.clear()
    assert send_review_reminders() == {"supervisors": 0, "coordinators": 0}
    assert mail.outbox == []


def test_coordinators_in_scope_are_told_after_fourteen_days(
    placement, coordinators, supervisor, send_review_reminders
):
    city, district_coordinator, other = coordinators
    waiting(placement, 15)  # trainee is in `district`
    mail.outbox.clear()
    assert send_review_reminders() == {"supervisors": 1, "coordinators": 2}
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([supervisor.email, city.email, district_coordinator.email])
    assert other.email not in recipients


def test_reminders_are_sent_once_a_day(placement, coordinators, send_review_reminders):
    waiting(placement, 20)
    send_review_reminders()
    mail.outbox.clear()
    assert send_review_reminders() == {"supervisors": 0, "coordinators": 0}
    assert mail.outbox == []
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert send_review_reminders(today=tomorrow)["supervisors"] == 1


def test_reminder_delays_come_from_settings(placement, send_review_reminders):
    from practicum.models import PracticumSettings

    config = PracticumSettings.load()
    config.supervisor_reminder_days = 3
    config.save()
    waiting(placement, 4)
    assert send_review_reminders()["supervisors"] == 1


def test_beat_schedule_runs_the_reminders_daily():
    from lms.celery import gather_beat_schedule

    entry = gather_beat_schedule()["practicum-review-reminders"]
    assert entry["task"] == "practicum.tasks.send_review_reminders"
    assert entry["schedule"].hour == {9}
