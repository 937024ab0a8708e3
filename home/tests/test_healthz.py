"""/healthz: each dependency it reports, and each way it fails."""

import pytest

from home import views


@pytest.fixture
def broker_elsewhere(settings, monkeypatch):
    """Tasks go to a broker (not eager); the broker itself is taken to answer."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(views, "_check_broker", lambda: "ok")


def test_healthy_site_reports_every_dependency(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] in ("ok", "eager")
    assert body["media"] == "ok"
    assert body["workers"] in ("eager",) or body["workers"].endswith("answering")
    assert response["Cache-Control"].startswith("max-age=0")


def test_database_down_is_503(client, db, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise ConnectionError("database unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_cache_down_is_503(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"


def test_broker_down_is_reported_degraded_but_not_503(client, db, settings):
    """Follow-ups wait in the outbox while the broker is away; pages keep working, so a
    load balancer must not take the site out of rotation for it."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"] == "error"
    assert body["workers"] == "unknown"


def test_outbox_backlog_is_reported(client, db):
    import datetime

    from django.utils import timezone

    from outbox.models import OutboxMessage

    now = timezone.now()
    OutboxMessage.objects.create(task="accounts.tasks.send_email", due_at=now)
    OutboxMessage.objects.create(
        task="accounts.tasks.send_email", due_at=now - datetime.timedelta(minutes=10)
    )
    OutboxMessage.objects.create(
        task="accounts.tasks.send_email", due_at=now + datetime.timedelta(hours=3)
    )
    OutboxMessage.objects.create(task="accounts.tasks.send_email", due_at=now, sent_at=now)
    outbox = client.get("/healthz").json()["outbox"]
    assert outbox["unsent"] == 3
    assert outbox["due"] == 2
    assert 600 <= outbox["oldest_due_seconds"] < 3600


def test_outbox_is_unknown_when_the_database_is_down(client, db, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise ConnectionError("database unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        body = client.get("/healthz").json()
    assert body["outbox"] == "unknown"


def test_media_not_writable_is_503(client, db, settings, tmp_path):
    not_a_directory = tmp_path / "media-is-a-file"
    not_a_directory.write_text("")
    settings.MEDIA_ROOT = not_a_directory
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["media"] == "error"


def test_media_probe_leaves_no_file(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    assert client.get("/healthz").json()["media"] == "ok"
    assert not any(path.is_file() for path in (tmp_path / "media").rglob("*"))


def test_no_worker_answering_is_reported_but_not_503(client, db, broker_elsewhere, monkeypatch):
    from lms.celery import app

    monkeypatch.setattr(app.control, "ping", lambda timeout: [])
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"] == "none answering"


def test_answering_workers_are_counted_and_the_answer_cached(
    client, db, broker_elsewhere, monkeypatch
):
    from lms.celery import app

    pings = []

    def ping(timeout):
        pings.append(timeout)
        return [{"celery@a": {"ok": "pong"}}, {"celery@b": {"ok": "pong"}}]

    monkeypatch.setattr(app.control, "ping", ping)
    assert client.get("/healthz").json()["workers"] == "2 answering"
    assert client.get("/healthz").json()["workers"] == "2 answering"
    assert len(pings) == 1


def test_worker_ping_failure_is_reported(client, db, broker_elsewhere, monkeypatch):
    from lms.celery import app

    def ping(timeout):
        raise OSError("connection refused")

    monkeypatch.setattr(app.control, "ping", ping)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"] == "error"
