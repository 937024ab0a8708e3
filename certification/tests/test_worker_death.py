"""A worker killed in the middle of writing a certificate PDF leaves no partial file, and the
task is delivered again and finishes (acks_late + reject_on_worker_lost). Needs Redis and PostgreSQL."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from certification.tests.factories import make_certificate

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER.startswith("redis"), reason="needs CELERY_BROKER_URL=redis://…"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL shared with the worker process",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker process")
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    mark = tmp_path / "paused-pid"
    queue = f"certification-kill-{os.getpid()}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(media),
        "CERT_TEST_PAUSE_MARK": str(mark),
        "EMAIL_URL": "consolemail://",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "certification.tests.killable_worker",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        yield {"queue": queue, "mark": mark, "media": media, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_worker_killed_mid_write_leaves_no_partial_pdf_and_the_task_is_retried(worker, trainee):
    from pypdf import PdfReader

    from certification import services
    from certification.models import Certificate
    from certification.tasks import render_certificate
    from lms.celery import app

    certificate = make_certificate(trainee)
    target = worker["media"] / services.pdf_name(certificate)
    eager_keys = ("task_always_eager", "CELERY_TASK_ALWAYS_EAGER")
    for key in eager_keys:
        app.conf[key] = False
    try:
        render_certificate.apply_async((certificate.pk,), queue=worker["queue"])
        # The mark holds the rendering child's pid once it is paused before the rename.
        assert wait_for(
            lambda: worker["mark"].exists() and worker["mark"].read_text().strip(), 90
        ), "the worker never started rendering"
        child = int(worker["mark"].read_text())
        partial = list(target.parent.glob(f"{target.name}.*.part"))
        assert partial and not target.exists()  # paused between write and rename
        os.kill(child, signal.SIGKILL)

        def rendered():
            return Certificate.objects.filter(pk=certificate.pk).exclude(pdf="").exists()

        assert wait_for(rendered, 90), "the task was not delivered again after the worker died"
    finally:
        for key in eager_keys:
            app.conf[key] = True
    assert target.exists()
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert certificate.serial in reader.pages[0].extract_text()
    assert list(target.parent.glob("*.part")) == []
    assert worker["process"].poll() is None  # the worker itself lives on
