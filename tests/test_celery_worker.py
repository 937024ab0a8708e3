"""A real Celery worker process takes a task from Redis and runs it (skipped without Redis)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.result import allow_join_result

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(not BROKER.startswith("redis"), reason="needs CELERY_BROKER_URL=redis://…"),
]


@pytest.fixture
def worker(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops one slash
        "CELERY_RESULT_BACKEND": BROKER,
    }
    env.pop("DATABASE_URL", None)  # the e-mail task needs no database
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            "celery",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        yield mail_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_email_task_round_trip_through_redis_and_a_worker(worker):
    from accounts.tasks import send_email
    from lms.celery import app

    # The test settings run tasks eagerly; this test sends this one through Redis.
    eager_keys = ("task_always_eager", "CELERY_TASK_ALWAYS_EAGER")
    for key in eager_keys:
        app.conf[key] = False
    app.conf.update(CELERY_RESULT_BACKEND=BROKER, result_backend=BROKER)
    try:
        # Results are not stored by default (CELERY_TASK_IGNORE_RESULT): this one is.
        result = send_email.apply_async(
            kwargs={"subject": "测试 round trip", "body": "正文", "to": ["trainee@example.org"]},
            ignore_result=False,
        )
        # An earlier test in this process may have left Celery believing it runs inside
        # a worker (which forbids joining); this is a plain client waiting for its result.
        with allow_join_result():
            assert result.get(timeout=60) == 1
    finally:
        for key in eager_keys:
            app.conf[key] = True
    deadline = time.monotonic() + 60  # a guard against a lost message, not a budget
    while time.monotonic() < deadline and not any(worker.iterdir()):
        time.sleep(0.2)
    written = "".join(path.read_text() for path in worker.iterdir())
    assert "trainee@example.org" in written
