"""Killed workers: no partial PDF, and every task delivered again and finished once.

1. A pool process killed in the middle of writing a certificate PDF: the message is
   handed back at once (acks_late + reject_on_worker_lost), no partial file is left.
2. The whole worker (main process and pool) killed with SIGKILL in the middle of a bulk
   issue, as an out-of-memory kill of the service would, then started again: the
   messages it held come back after the broker's visibility timeout, and every item is
   issued exactly once.

Needs PostgreSQL (shared with the worker) and ``redis-server``: each test starts its own
Redis on a free port, never the shared one.
"""

import io
import os
import signal

import pytest
from django.db import connection

from certification.tests.factories import make_certificate
from tests.celery_broker import celery_publishing_to
from tests.faults import RedisServer, Worker, database_url_of, wait_for, worker_environment

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

# The drill's visibility timeout: short, so the test does not wait the production one
# (CELERY_TASK_TIME_LIMIT + 30 s); the bulk items take a few seconds each.
VISIBILITY_TIMEOUT = 20


@pytest.fixture
def drill(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker process")
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    redis = RedisServer(tmp_path / "redis").start()
    env = worker_environment(
        broker_url=redis.url,
        database_url=database_url_of(connection),
        MEDIA_ROOT=str(media),
        EMAIL_URL="dummymail://",
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        CERT_TEST_PAUSE_MARK=str(tmp_path / "paused-pid"),
    )
    workers = []

    def start_worker(**options):
        worker = Worker(env, log=tmp_path / "worker.log", **options).start()
        workers.append(worker)
        return worker

    try:
        with celery_publishing_to(redis.url):
            yield {
                "media": media,
                "mark": tmp_path / "paused-pid",
                "start_worker": start_worker,
                "log": tmp_path / "worker.log",
            }
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()


def test_worker_killed_mid_write_leaves_no_partial_pdf_and_the_task_is_retried(drill, trainee):
    from pypdf import PdfReader

    from certification import services
    from certification.models import Certificate
    from certification.tasks import render_certificate

    worker = drill["start_worker"](app="certification.tests.killable_worker")
    certificate = make_certificate(trainee)
    target = drill["media"] / services.pdf_name(certificate)
    render_certificate.apply_async((certificate.pk,))
    # The mark holds the rendering child's pid once it is paused before the rename.
    assert wait_for(lambda: drill["mark"].exists() and drill["mark"].read_text().strip(), 120), (
        "the worker never started rendering"
    )
    child = int(drill["mark"].read_text())
    partial = list(target.parent.glob(f"{target.name}.*.part"))
    assert partial and not target.exists()  # paused between write and rename
    os.kill(child, signal.SIGKILL)

    def rendered():
        return Certificate.objects.filter(pk=certificate.pk).exclude(pdf="").exists()

    assert wait_for(rendered, 120), "the task was not delivered again after the worker died"
    assert target.exists()
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert certificate.serial in reader.pages[0].extract_text()
    assert list(target.parent.glob("*.part")) == []
    assert worker.process.poll() is None  # the worker itself lives on


def bulk_cohort(size: int):
    """A certification type whose one requirement is a completed course, and ``size``
    trainees who completed it (eligible in the worker too: real sources, no fakes)."""
    from django.utils import timezone

    from accounts import roles
    from certification.models import (
        CertificationType,
        IssueMode,
        Requirement,
        RequirementKind,
    )
    from courses.models import Enrolment
    from courses.tests import factories as course_factories
    from tests.factories import make_user

    certification = CertificationType.objects.create(
        code="worker_death",
        serial_prefix="WD",
        name="家庭教育指导师",
        name_en="Family-Education Instructor",
        issuing_authority="吐鲁番市民政局",
        issuing_authority_en="Turpan Municipal Civil Affairs Bureau",
        issue_mode=IssueMode.APPROVAL,
    )
    course = course_factories.course(modules=(1,))
    Requirement.objects.create(
        certification=certification, kind=RequirementKind.COURSES_COMPLETED, targets=[course.pk]
    )
    people = [make_user(roles.TRAINEE, username=f"wd_{index:02d}") for index in range(size)]
    Enrolment.objects.bulk_create(
        [Enrolment(user=person, course=course, completed_at=timezone.now()) for person in people]
    )
    return certification, people


def test_bulk_issue_finishes_exactly_once_after_the_whole_worker_is_killed(drill, coordinator):
    from django.contrib.auth import get_user_model

    from certification import services
    from certification.models import BulkIssueItemState, Certificate

    certification, people = bulk_cohort(12)
    worker = drill["start_worker"](concurrency=2)
    job = services.start_bulk_issue(
        certification=certification,
        users=get_user_model().objects.filter(pk__in=[person.pk for person in people]),
        started_by=coordinator,
    )

    def done() -> int:
        return job.items.exclude(state=BulkIssueItemState.QUEUED).count()

    assert wait_for(lambda: done() >= 1, 240), "the worker issued nothing"
    worker.kill()  # SIGKILL to the main process and the pool: nothing handed back
    done_at_kill = done()
    assert done_at_kill < len(people), "the bulk issue ended before the kill: nothing to test"

    drill["start_worker"](concurrency=2)

    def finished() -> bool:
        rendered = Certificate.objects.filter(certification=certification).exclude(pdf="")
        return done() == len(people) and rendered.count() == len(people)

    assert wait_for(finished, VISIBILITY_TIMEOUT + 240), (
        f"not finished after the restart: {services.bulk_progress(job)}"
    )

    certificates = Certificate.objects.filter(certification=certification)
    assert certificates.count() == len(people)
    assert sorted(certificates.values_list("holder_id", flat=True)) == sorted(
        person.pk for person in people
    )
    serials = certificates.values_list("serial", flat=True)
    assert sorted(int(serial.rsplit("-", 1)[1]) for serial in serials) == list(
        range(1, len(people) + 1)
    )  # no gap, no number used twice
    assert set(job.items.values_list("state", flat=True)) == {BulkIssueItemState.ISSUED}
    for certificate in certificates:
        assert certificate.pdf.storage.exists(certificate.pdf.name)
