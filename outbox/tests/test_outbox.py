"""The outbox: written in the caller's transaction, sent after the commit, kept and
retried while the broker is away, held until its due-time, sent once."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.tasks import send_email
from outbox import services
from outbox.models import OutboxMessage
from tests.celery_broker import (
    MEMORY,
    UNREACHABLE,
    celery_publishing_to,
    drain_memory_queue,
)

pytestmark = pytest.mark.django_db

MAIL = {"subject": "提醒", "body": "正文", "to": ["trainee@example.org"]}


@pytest.fixture
def memory_broker():
    with celery_publishing_to(MEMORY) as app:
        drain_memory_queue(app)
        yield app
        drain_memory_queue(app)


@pytest.fixture
def broker_down():
    with celery_publishing_to(UNREACHABLE) as app:
        yield app


def test_the_row_is_written_in_the_transaction_and_sent_after_the_commit(
    memory_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        message = services.enqueue(send_email, **MAIL)
        assert OutboxMessage.objects.filter(pk=message.pk, sent_at=None).exists()
    assert drain_memory_queue(memory_broker) == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert drain_memory_queue(memory_broker) == [("accounts.tasks.send_email", [], MAIL)]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(
    memory_broker, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.enqueue(send_email, **MAIL)
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert drain_memory_queue(memory_broker) == []


def test_a_broker_outage_keeps_the_message_and_the_relay_sends_it_later(
    django_capture_on_commit_callbacks,
):
    with celery_publishing_to(UNREACHABLE):
        with django_capture_on_commit_callbacks(execute=True):
            first = services.enqueue(send_email, **MAIL)  # raises nothing
        with django_capture_on_commit_callbacks(execute=True):
            second = services.enqueue(send_email, **MAIL)
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.sent_at is None and first.attempts == 1
        assert "Error" in first.last_error
        assert first.due_at <= timezone.now()  # a broker error is not the message's fault
        # This process now pauses publishing: the second is left to the relay untried.
        assert second.sent_at is None and second.attempts == 0
        assert services.relay_due() == 0  # the relay tries, and stops at the first failure
    with celery_publishing_to(MEMORY) as app:
        drain_memory_queue(app)
        assert services.relay_due() == 2
        assert len(drain_memory_queue(app)) == 2
    assert not OutboxMessage.objects.filter(sent_at=None).exists()


def test_a_message_that_fails_by_itself_backs_off(memory_broker):
    message = OutboxMessage.objects.create(task="no.such.task", due_at=timezone.now())
    before = timezone.now()
    assert services.relay_due() == 0
    after = timezone.now()
    message.refresh_from_db()
    assert message.attempts == 1 and "no.such.task" in message.last_error
    first = datetime.timedelta(seconds=30)
    assert before + first <= message.due_at <= after + first
    services.relay_due()  # not due again yet: not tried
    message.refresh_from_db()
    assert message.attempts == 1
    later = message.due_at + datetime.timedelta(seconds=1)
    before = timezone.now()
    services.relay_due(now=later)
    after = timezone.now()
    message.refresh_from_db()
    assert message.attempts == 2
    second = datetime.timedelta(seconds=60)  # doubled
    assert before + second <= message.due_at <= after + second


def test_back_off_doubles_up_to_its_ceiling(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    delays = [services.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240]
    assert delays[-1] == 3600


def test_a_due_time_holds_the_message_in_the_database_until_then(
    memory_broker, django_capture_on_commit_callbacks
):
    due = timezone.now() + datetime.timedelta(hours=6)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = services.enqueue(send_email, due_at=due, **MAIL)
    assert callbacks == []  # not offered to the broker at the commit
    assert services.relay_due() == 0
    assert drain_memory_queue(memory_broker) == []
    assert services.relay_due(now=due + datetime.timedelta(seconds=1)) == 1
    assert drain_memory_queue(memory_broker) == [("accounts.tasks.send_email", [], MAIL)]
    message.refresh_from_db()
    assert message.sent_at is not None


def test_a_message_is_sent_once_however_often_the_relay_runs(
    memory_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue(send_email, **MAIL)
    for _ in range(3):
        services.relay_due()
    call_command("outbox_relay", stdout=io.StringIO())
    assert len(drain_memory_queue(memory_broker)) == 1


def test_a_dedupe_key_queues_once(memory_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.enqueue(send_email, dedupe_key="entry:7:returned", **MAIL)
        again = services.enqueue(send_email, dedupe_key="entry:7:returned", **MAIL)
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert len(drain_memory_queue(memory_broker)) == 1


def test_enqueue_many_writes_one_row_each_and_sends_them(
    memory_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ids = services.enqueue_many("certification.tasks.issue_bulk_item", [(1,), (2,), (3,)])
    assert len(ids) == 3
    sent = drain_memory_queue(memory_broker)
    assert sorted(args for _task, args, _kwargs in sent) == [[1], [2], [3]]


def test_an_unknown_task_is_refused_at_enqueue(db):
    with pytest.raises(LookupError):
        services.enqueue("accounts.tasks.no_such_task", 1)
    assert not OutboxMessage.objects.exists()


def test_under_eager_settings_the_task_runs_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.enqueue(send_email, **MAIL)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [sent.to for sent in mail.outbox] == [MAIL["to"]]
    message.refresh_from_db()
    assert message.sent_at is not None


def test_the_relay_command_reports_what_waits(memory_broker):
    OutboxMessage.objects.create(
        task="accounts.tasks.send_email",
        kwargs=MAIL,
        due_at=timezone.now() + datetime.timedelta(hours=1),
    )
    out = io.StringIO()
    call_command("outbox_relay", stdout=out)
    assert out.getvalue().strip() == "sent 0; unsent 1 (due 0, oldest due 0 s)"


def test_sent_messages_are_purged_after_the_keeping_period(db):
    now = timezone.now()
    old = OutboxMessage.objects.create(task="t", sent_at=now - datetime.timedelta(days=8))
    recent = OutboxMessage.objects.create(task="t", sent_at=now - datetime.timedelta(days=1))
    unsent = OutboxMessage.objects.create(task="t", due_at=now - datetime.timedelta(days=30))
    assert services.purge_sent(older_than_days=7) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


def test_the_relay_runs_from_the_beat_schedule():
    from lms.celery import gather_beat_schedule

    schedule = gather_beat_schedule()
    assert schedule["outbox-relay"]["task"] == "outbox.tasks.relay"
    assert schedule["outbox-relay"]["schedule"] == 60.0
