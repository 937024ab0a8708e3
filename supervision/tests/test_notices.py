"""The e-mails of supervision, all through the outbox: a corrective action's owner hears
when it is set, before its deadline and once it is overdue (due-times in the database,
sent by the beat task against a clock set by hand), and when the evidence is returned or
verified; the inspectors hear when evidence waits; a trainee hears of supervision hours
credited to them, and the expert of a dispute. No e-mail carries what was written."""

import datetime

import pytest
from django.core import mail

from outbox.models import OutboxMessage
from supervision import services
from supervision.models import CorrectiveAction

from .conftest import TODAY

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
FINDING = "三月活动记录不完整。"
REQUIRED = "补齐三月全部活动记录并上传目录。"


@pytest.fixture
def english_people(district_coordinator, leading_group, trainee, other_trainee, supervisor):
    for person in (district_coordinator, leading_group, trainee, other_trainee, supervisor):
        person.preferred_language = "en"
        person.save(update_fields=["preferred_language"])


@pytest.fixture
def run_beat(django_capture_on_commit_callbacks):
    """The beat task as the worker runs it; returns the e-mails it sent."""
    from supervision.tasks import send_action_notices

    def run():
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            send_action_notices()
        return list(mail.outbox)

    return run


def _add(leading_group, inspection, owner, deadline, capture):
    mail.outbox.clear()
    with capture(execute=True):
        finding = services.add_finding(
            actor=leading_group,
            inspection=inspection,
            text=FINDING,
            required=REQUIRED,
            owner=owner,
            deadline=deadline,
        )
    return finding.corrective_action


def test_the_owner_is_told_when_an_action_is_set(
    english_people,
    inspection,
    leading_group,
    district_coordinator,
    django_capture_on_commit_callbacks,
):
    action = _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + 7 * DAY,
        django_capture_on_commit_callbacks,
    )
    assert [m.to for m in mail.outbox] == [[district_coordinator.email]]
    message = mail.outbox[0]
    assert "corrective action" in message.subject and "高昌区民政局" in message.subject
    assert f"/supervision/actions/{action.pk}/" in message.body
    assert "2026-03-17" in message.body
    assert FINDING not in message.body and REQUIRED not in message.body
    assert OutboxMessage.objects.filter(task="supervision.tasks.send_action_email").count() == 1


def test_a_reminder_before_the_deadline_then_an_overdue_notice_each_once(
    english_people,
    inspection,
    leading_group,
    district_coordinator,
    clock,
    run_beat,
    django_capture_on_commit_callbacks,
):
    action = _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + 7 * DAY,
        django_capture_on_commit_callbacks,
    )
    # Due 2026-03-17: reminded at 09:00 on the 14th (three days before), in Turpan's time.
    assert action.next_notice_at == datetime.datetime(2026, 3, 14, 1, 0, tzinfo=datetime.UTC)
    clock.now = datetime.datetime(2026, 3, 14, 0, 59, tzinfo=datetime.UTC)
    assert run_beat() == []
    clock.advance(minutes=1)
    (reminder,) = run_beat()
    assert reminder.to == [district_coordinator.email] and "Reminder" in reminder.subject
    assert run_beat() == []  # once
    action.refresh_from_db()
    assert action.reminded_at == clock.now
    # Overdue from 00:00 on the 18th (the day after the deadline).
    assert action.next_notice_at == datetime.datetime(2026, 3, 17, 16, 0, tzinfo=datetime.UTC)
    clock.now = datetime.datetime(2026, 3, 17, 15, 59, tzinfo=datetime.UTC)
    assert run_beat() == []
    clock.advance(minutes=20)
    (overdue,) = run_beat()
    assert "Overdue" in overdue.subject and overdue.to == [district_coordinator.email]
    clock.advance(days=3)
    assert run_beat() == []
    action.refresh_from_db()
    assert action.next_notice_at is None and action.overdue_notified_at is not None


def test_a_beat_that_comes_late_sends_the_overdue_notice_not_the_reminder(
    english_people,
    inspection,
    leading_group,
    district_coordinator,
    clock,
    run_beat,
    django_capture_on_commit_callbacks,
):
    _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + 7 * DAY,
        django_capture_on_commit_callbacks,
    )
    clock.now = datetime.datetime(2026, 3, 20, 2, 0, tzinfo=datetime.UTC)
    (message,) = run_beat()
    assert "Overdue" in message.subject
    assert run_beat() == []


def test_a_deadline_too_close_for_a_reminder_gets_only_the_overdue_notice(
    inspection, leading_group, district_coordinator, clock, django_capture_on_commit_callbacks
):
    action = _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + DAY,
        django_capture_on_commit_callbacks,
    )
    assert action.next_notice_at == datetime.datetime(2026, 3, 11, 16, 0, tzinfo=datetime.UTC)


def test_evidence_tells_the_inspectors_and_stops_the_reminders_until_returned(
    english_people,
    inspection,
    leading_group,
    district_coordinator,
    clock,
    run_beat,
    django_capture_on_commit_callbacks,
):
    action = _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + 7 * DAY,
        django_capture_on_commit_callbacks,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_evidence(actor=district_coordinator, action=action, note="已补齐记录。")
    assert [m.to for m in mail.outbox] == [[leading_group.email]]
    assert "Evidence to verify" in mail.outbox[0].subject
    action.refresh_from_db()
    assert action.next_notice_at is None
    clock.now = datetime.datetime(2026, 3, 16, 2, 0, tzinfo=datetime.UTC)
    assert run_beat() == []  # evidence waits for the inspector: no reminder to the owner
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_action(
            actor=leading_group, action=action, accept=False, note="缺少活动照片。"
        )
    assert [m.to for m in mail.outbox] == [[district_coordinator.email]]
    assert "Returned" in mail.outbox[0].subject and "缺少活动照片" not in mail.outbox[0].body
    action.refresh_from_db()
    # Past the reminder's time: the overdue notice is what remains.
    assert action.next_notice_at == datetime.datetime(2026, 3, 17, 16, 0, tzinfo=datetime.UTC)


def test_a_return_after_the_deadline_is_the_overdue_notice(
    inspection,
    leading_group,
    district_coordinator,
    clock,
    run_beat,
    django_capture_on_commit_callbacks,
):
    action = _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + DAY,
        django_capture_on_commit_callbacks,
    )
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐记录。")
    clock.advance(days=5)
    services.verify_action(actor=leading_group, action=action, accept=False, note="缺少照片。")
    action.refresh_from_db()
    assert action.overdue_notified_at is not None and action.next_notice_at is None
    assert run_beat() == []


def test_a_verified_action_is_never_reminded(
    english_people,
    inspection,
    leading_group,
    district_coordinator,
    clock,
    run_beat,
    django_capture_on_commit_callbacks,
):
    action = _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + 7 * DAY,
        django_capture_on_commit_callbacks,
    )
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐记录。")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_action(actor=leading_group, action=action, accept=True)
    assert [m.to for m in mail.outbox] == [[district_coordinator.email]]
    assert "Verified" in mail.outbox[0].subject
    clock.advance(days=30)
    assert run_beat() == []
    assert CorrectiveAction.objects.get().next_notice_at is None


def test_a_reminder_queued_for_an_action_verified_meanwhile_is_dropped(
    inspection, leading_group, district_coordinator, django_capture_on_commit_callbacks
):
    from supervision.tasks import send_action_email

    action = _add(
        leading_group,
        inspection,
        district_coordinator,
        TODAY + 7 * DAY,
        django_capture_on_commit_callbacks,
    )
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐记录。")
    services.verify_action(actor=leading_group, action=action, accept=True)
    assert send_action_email(action.pk, "reminder") is False
    assert send_action_email(action.pk, "overdue") is False


def test_the_notices_are_on_the_beat_schedule():
    from lms.celery import app, gather_beat_schedule

    entry = gather_beat_schedule()["supervision-corrective-action-notices"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_each_trainee_hears_of_hours_credited_and_the_expert_of_a_dispute(
    english_people,
    record_group,
    trainee,
    other_trainee,
    supervisor,
    django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session = record_group()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([trainee.email, other_trainee.email])
    for message in mail.outbox:
        assert "recorded for you" in message.subject
        assert (
            "90 minutes" in message.body and f"/supervision/sessions/{session.pk}/" in message.body
        )
        assert "情绪爆发" not in message.body  # the topics stay in the site
    mail.outbox.clear()
    attendance = session.attendances.get(trainee=trainee)
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_attendance(actor=trainee, attendance=attendance, reason="我当天请假了。")
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
    assert "disputes" in mail.outbox[0].subject and "请假" not in mail.outbox[0].body
