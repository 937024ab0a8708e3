"""Fault drill: the whole Celery worker is killed (SIGKILL) in the middle of a bulk issue.

Run (PostgreSQL running; ``redis-server`` installed; the shared Redis is not used):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_fault_drill \\
  .venv/bin/python scripts/fault_worker_kill.py [PEOPLE] [VISIBILITY_TIMEOUT]

Starts a Redis of its own and a worker (2 processes) with the broker visibility timeout
given (default: the production one, CELERY_TASK_TIME_LIMIT + 30 s), starts a bulk issue
for PEOPLE (default 40) eligible trainees, kills the worker's process group with SIGKILL
once a few are issued, starts a new worker, and prints how long after the kill every item
was issued and rendered, and whether each was issued exactly once. Prints figures;
asserts nothing (the tests do: certification/tests/test_worker_death.py).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_databases  # noqa: E402


def cohort(size: int):
    from django.utils import timezone

    from accounts import roles
    from certification.models import CertificationType, IssueMode, Requirement, RequirementKind
    from courses.models import Enrolment
    from courses.tests import factories as course_factories
    from tests.factories import make_user

    stamp = timezone.now().strftime("%H%M%S%f")
    certification = CertificationType.objects.create(
        code=f"drill_{stamp}",
        serial_prefix=f"K{stamp[-4:]}",
        name="家庭教育指导师",
        name_en="Family-Education Instructor",
        issuing_authority="吐鲁番市民政局",
        issuing_authority_en="Turpan Municipal Civil Affairs Bureau",
        issue_mode=IssueMode.APPROVAL,
    )
    programme = course_factories.programme(slug=f"drill-{stamp}")
    course = course_factories.course(programme, slug=f"drill-course-{stamp}", modules=(1,))
    Requirement.objects.create(
        certification=certification, kind=RequirementKind.COURSES_COMPLETED, targets=[course.pk]
    )
    people = [make_user(roles.TRAINEE, username=f"kill_{stamp}_{i:03d}") for i in range(size)]
    Enrolment.objects.bulk_create(
        [Enrolment(user=person, course=course, completed_at=timezone.now()) for person in people]
    )
    coordinator = make_user(roles.COORDINATOR, username=f"kill_coordinator_{stamp}")
    return certification, people, coordinator


def main(size: int, visibility: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count

    from certification import services
    from certification.models import BulkIssueItemState, Certificate
    from tests.celery_broker import celery_publishing_to
    from tests.faults import RedisServer, Worker, database_url_of, wait_for, worker_environment

    setup_databases(verbosity=0, interactive=False, keepdb=True)
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the worker shares it).")
    work = Path(tempfile.mkdtemp(prefix="lms-fault-kill-"))
    redis = RedisServer(work / "redis").start()
    env = worker_environment(
        broker_url=redis.url,
        database_url=database_url_of(connection),
        EMAIL_URL="dummymail://",
        MEDIA_ROOT=str(work / "media"),
        CELERY_VISIBILITY_TIMEOUT=str(visibility),
    )
    workers = []
    try:
        certification, people, coordinator = cohort(size)
        workers.append(Worker(env, concurrency=2, log=work / "worker.log").start())
        with celery_publishing_to(redis.url):
            job = services.start_bulk_issue(
                certification=certification,
                users=get_user_model().objects.filter(pk__in=[p.pk for p in people]),
                started_by=coordinator,
            )

            def done() -> int:
                return job.items.exclude(state=BulkIssueItemState.QUEUED).count()

            wait_for(lambda: done() >= 3, 600)
            workers[-1].kill()
            killed = time.perf_counter()
            at_kill = done()
            workers.append(Worker(env, concurrency=2, log=work / "worker.log").start())
            certificates = Certificate.objects.filter(certification=certification)

            def finished() -> bool:
                return done() == size and certificates.exclude(pdf="").count() == size

            wait_for(finished, visibility + 900, interval=0.5)
            after = time.perf_counter() - killed
        holders = list(certificates.values_list("holder_id", flat=True))
        states = dict(job.items.values_list("state").annotate(n=Count("pk")))
        print(f"visibility timeout {visibility} s; {at_kill} of {size} done at the kill")
        print(f"all issued and rendered {after:.1f} s after the kill (new worker started at once)")
        print(
            f"certificates {len(holders)}, distinct holders {len(set(holders))}, "
            f"item states {states}"
        )
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()


if __name__ == "__main__":
    from django.conf import settings

    people = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    visibility = int(sys.argv[2]) if len(sys.argv) > 2 else settings.CELERY_VISIBILITY_TIMEOUT
    main(people, visibility)
