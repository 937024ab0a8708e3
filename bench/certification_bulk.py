"""Benchmark: bulk issue of 1,000 certificates for a cohort by real Celery workers.

Run (Redis and PostgreSQL running):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_certification_bench \
  CELERY_BROKER_URL=redis://127.0.0.1:6379/6 \
  .venv/bin/python bench/certification_bulk.py [PEOPLE] [PROCESSES ...]

For each PROCESSES value (default: 2, then 1 as the baseline) it starts
``celery worker --concurrency=PROCESSES``, starts a bulk issue for PEOPLE (default 1,000)
eligible trainees (a completed course is the bench type's one requirement), and times
until every item is issued and every PDF is stored (one task per certificate: issue,
then render). Previous bench certificates are deleted first. Nothing is asserted.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certification_data import open_database  # noqa: E402

PREFIX = "bench_bulk_"
ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(count: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from certification.models import (
        BulkIssueJob,
        Certificate,
        CertificationType,
        IssueMode,
        Requirement,
        RequirementKind,
        SerialCounter,
    )
    from courses.models import Enrolment
    from courses.tests import factories as course_factories

    User = get_user_model()
    certification, _ = CertificationType.objects.get_or_create(
        code="bench_bulk",
        defaults={
            "serial_prefix": "BB",
            "name": "家庭教育指导师",
            "name_en": "Family-Education Instructor",
            "issuing_authority": "吐鲁番市民政局",
            "issuing_authority_en": "Turpan Municipal Civil Affairs Bureau",
            "issue_mode": IssueMode.APPROVAL,
        },
    )
    BulkIssueJob.objects.filter(certification=certification).delete()
    Certificate.objects.filter(certification=certification).delete()
    SerialCounter.objects.filter(prefix="BB").delete()
    requirement = Requirement.objects.filter(certification=certification).first()
    if requirement is None:
        course = course_factories.course(modules=(1,))
        requirement = Requirement.objects.create(
            certification=certification,
            kind=RequirementKind.COURSES_COMPLETED,
            targets=[course.pk],
        )
    course_id = requirement.targets[0]
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have < count:
        users = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}{i:05d}", real_name=f"批量学员{i}", languages=["zh"])
                for i in range(have, count)
            ],
            batch_size=2000,
        )
        Enrolment.objects.bulk_create(
            [Enrolment(user=u, course_id=course_id, completed_at=timezone.now()) for u in users],
            batch_size=2000,
        )
    return certification


def start_workers(processes: int, media: str):
    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": media,
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "lms", "worker", f"--concurrency={processes}",
         "--pool=prefork", "--loglevel=WARNING", "--without-heartbeat", "--without-mingle",
         "--without-gossip", "-n", f"bench-bulk-{os.getpid()}@%h"],
        env=env, cwd=ROOT,
    )  # fmt: skip


def run(count: int, processes: int) -> None:
    from django.contrib.auth import get_user_model

    from certification import services
    from certification.models import BulkIssueItemState, Certificate
    from lms.celery import app

    certification = prepare(count)
    coordinator = get_user_model().objects.filter(username="bench_bulk_coordinator").first()
    if coordinator is None:
        from tests.factories import make_user

        coordinator = make_user("coordinator", username="bench_bulk_coordinator")
    for key in ("task_always_eager", "CELERY_TASK_ALWAYS_EAGER"):
        app.conf[key] = False
    media = tempfile.mkdtemp(prefix="lms-bench-bulk-")
    worker = start_workers(processes, media)
    try:
        time.sleep(8)  # worker start-up (Django, fonts) is not part of the figure
        users = get_user_model().objects.filter(username__startswith=PREFIX)[:count]
        users = get_user_model().objects.filter(pk__in=users.values("pk"))
        started = time.perf_counter()
        job = services.start_bulk_issue(
            certification=certification, users=users, started_by=coordinator
        )
        issued_at = None
        while True:
            progress = services.bulk_progress(job)
            if progress["finished"] and issued_at is None:
                issued_at = time.perf_counter() - started
            rendered = (
                Certificate.objects.filter(certification=certification).exclude(pdf="").count()
            )
            if progress["finished"] and rendered >= progress["counts"][BulkIssueItemState.ISSUED]:
                break
            if time.perf_counter() - started > 900:
                print("gave up after 900 s", progress, rendered)
                break
            time.sleep(0.5)
        total = time.perf_counter() - started
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        rss = [rss_mb(int(pid)) for pid in children]
        sizes = [p.stat().st_size for p in Path(media).rglob("*.pdf")]
        print(
            f"{processes} worker process(es): {progress['counts'][BulkIssueItemState.ISSUED]} "
            f"certificates issued and rendered in {total:.1f} s "
            f"({count / total:.1f}/s; all issued after {issued_at:.1f} s); "
            f"{len(sizes)} PDFs, mean {sum(sizes) / max(len(sizes), 1) / 1024:.0f} KB; "
            f"worker process RSS after the run: {', '.join(f'{r:.0f} MB' for r in rss)}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def main(count: int, process_counts: list[int]) -> None:
    from django.db import connection

    open_database()
    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL", "").startswith(
        "redis"
    ):
        print("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis); see the docstring.")
        sys.exit(2)
    for processes in process_counts:
        run(count, processes)


if __name__ == "__main__":
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    main(people, [int(a) for a in sys.argv[2:]] or [2, 1])
