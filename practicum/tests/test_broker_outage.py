"""A supervisor returns an entry while the broker is down: the change stays, the page
answers normally, and the trainee's e-mail goes out once the broker is back, once.

Needs PostgreSQL (shared with the worker) and ``redis-server``; the test starts its own
Redis on a free port and its own worker (with beat running the outbox relay every
second), and never touches the shared Redis.
"""

import os

import pytest
from django.db import connection
from django.urls import reverse

from outbox.models import OutboxMessage
from practicum import services
from practicum.models import EntryState
from tests.celery_broker import celery_publishing_to
from tests.faults import RedisServer, Worker, database_url_of, wait_for, worker_environment

from .factories import entry_data

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL shared with the worker process",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def worker(tmp_path, redis):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker process")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = worker_environment(
        broker_url=redis.url,
        database_url=database_url_of(connection),
        EMAIL_URL=f"filemail:///{mail_dir}",  # django-environ drops one slash
        MEDIA_ROOT=str(tmp_path / "media"),
        OUTBOX_RELAY_SECONDS="1",
    )
    process = Worker(env, beat_schedule=tmp_path / "beat-schedule", log=tmp_path / "worker.log")
    process.start()
    yield mail_dir
    process.stop()


def emails_to(mail_dir, address: str) -> int:
    return sum(
        path.read_text(errors="replace").count(f"To: {address}") for path in mail_dir.iterdir()
    )


def test_a_return_during_a_broker_outage_commits_and_the_trainee_is_told_once_later(
    client, trainee, supervisor, placement, redis, worker
):
    entry = services.create_entry(trainee=trainee, placement=placement, data=entry_data())
    services.submit_entry(entry=entry, actor=trainee)
    client.force_login(supervisor)
    with celery_publishing_to(redis.url):
        redis.stop()
        response = client.post(
            reverse("practicum:entry_review", args=[entry.pk]),
            {"action": "return", "comment": "请补充复盘时长"},
        )
        assert response.status_code == 302  # back to the queue, not a server error
        entry.refresh_from_db()
        assert entry.state == EntryState.RETURNED
        waiting = OutboxMessage.objects.get(task="practicum.tasks.notify_entry_reviewed")
        assert waiting.sent_at is None and waiting.attempts == 1 and waiting.last_error
        assert emails_to(worker, trainee.email) == 0

        redis.start()  # the same port: the worker and its beat reconnect
        assert wait_for(lambda: emails_to(worker, trainee.email) >= 1, 300), (
            "the trainee's e-mail was not sent after the broker came back"
        )
        assert wait_for(lambda: not OutboxMessage.objects.filter(sent_at=None).exists(), 120)
        # A row only the relay can send: once it arrives, the relay has run again after
        # everything was sent, and nothing was sent twice.
        OutboxMessage.objects.create(
            task="accounts.tasks.send_email",
            kwargs={"subject": "sentinel", "body": "-", "to": ["sentinel@example.org"]},
        )
        assert wait_for(lambda: emails_to(worker, "sentinel@example.org") == 1, 120)
    assert emails_to(worker, trainee.email) == 1
