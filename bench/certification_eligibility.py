"""Benchmark: eligibility for a whole cohort (10,000 trainees) against the real apps' data.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_certification_bench \
     .venv/bin/python bench/certification_eligibility.py [TRAINEES]

Builds (once, kept in ``test_<name>``) TRAINEES trainees (default 10,000) with a realistic
spread: courses completed (of the qualification's 4 bench courses), a final-exam grade,
approved practicum entries and signed final evaluations. Then times
``selectors.cohort_eligibility`` for all of them (fixed number of queries) beside the
per-trainee baseline (one evaluation per trainee, as a loop over checklists would do),
measured on 300 trainees and scaled to TRAINEES. Nothing is asserted.
"""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certification_data import open_database  # noqa: E402

PREFIX = "bench_elig_"


def build(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    User = get_user_model()
    if User.objects.filter(username__startswith=PREFIX).count() >= count:
        return
    started = time.perf_counter()
    from courses.models import Course, Enrolment, Programme
    from courses.tests import factories as course_factories
    from practicum.defaults import install_defaults
    from practicum.models import (
        ActivityType,
        CompetencyEvaluation,
        EntryState,
        Placement,
        PracticumEntry,
    )
    from quizzes.models import Quiz, QuizGrade
    from tests.factories import make_user

    install_defaults()
    programme = course_factories.programme(slug="bench-elig-programme")
    courses = [course_factories.course(programme, modules=(1,)) for _ in range(4)]
    exam = Quiz.objects.create(
        title="结业考试（基准）", page=Programme.objects.get(pk=programme.pk)
    )
    supervisor = make_user("supervisor", username=f"{PREFIX}supervisor")
    group = Group.objects.get_or_create(name="trainee")[0]
    rng = random.Random(6)
    users = User.objects.bulk_create(
        [User(username=f"{PREFIX}{i:05d}", real_name=f"学员{i}") for i in range(count)],
        batch_size=2000,
    )
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=5000
    )
    now = timezone.now()
    Enrolment.objects.bulk_create(
        [
            Enrolment(user=u, course=c, completed_at=now if rng.random() < 0.8 else None)
            for u in users
            for c in courses
        ],
        batch_size=5000,
    )
    QuizGrade.objects.bulk_create(
        [
            QuizGrade(quiz=exam, user=u, grade=g, best_grade=g, passed=g >= 60)
            for u in users
            for g in [rng.randint(40, 98)]
        ],
        batch_size=5000,
    )
    placements = Placement.objects.bulk_create(
        [
            Placement(
                trainee=u,
                supervisor=supervisor,
                qualification="counsellor",
                start_date=timezone.localdate() - datetime.timedelta(days=200),
            )
            for u in users
        ],
        batch_size=5000,
    )
    direct = ActivityType.objects.get(code="group_counselling")
    entries = []
    for placement in placements:
        for day in range(rng.randint(2, 8)):
            entries.append(
                PracticumEntry(
                    placement=placement,
                    trainee_id=placement.trainee_id,
                    supervisor=supervisor,
                    qualification="counsellor",
                    date=timezone.localdate() - datetime.timedelta(days=day + 1),
                    minutes=rng.choice([120, 240, 480]),
                    activity_type=direct,
                    service_kind=direct.service_kind,
                    description="带领儿童开展团体辅导。",
                    state=EntryState.APPROVED,
                )
            )
    PracticumEntry.objects.bulk_create(entries, batch_size=5000)
    CompetencyEvaluation.objects.bulk_create(
        [
            CompetencyEvaluation(
                placement=p,
                trainee_id=p.trainee_id,
                supervisor=supervisor,
                qualification="counsellor",
                stage="final",
                passed=rng.random() < 0.9,
                signed_name="陈静",
                signed_at=now,
            )
            for p in placements
            if rng.random() < 0.7
        ],
        batch_size=5000,
    )
    assert Course.objects.filter(pk__in=[c.pk for c in courses]).count() == 4
    print(
        f"built {count} trainees, {len(entries)} practicum entries in {time.perf_counter() - started:.0f} s"
    )


def top_up_practicum() -> None:
    """Give about 60% of the bench trainees a complete practicum (once): every line met."""
    from django.utils import timezone

    from practicum.models import ActivityType, EntryState, Placement, PracticumEntry

    if PracticumEntry.objects.filter(
        trainee__username__startswith=PREFIX, activity_type__code="preparation"
    ).exists():
        return
    started = time.perf_counter()
    types = {t.code: t for t in ActivityType.objects.all()}
    plan = [
        ("group_counselling", 6, 480),
        ("individual_counselling", 3, 240),
        ("children_activity", 2, 240),
        ("screening", 1, 240),
        ("supervision", 3, 240),
        ("preparation", 4, 240),
    ]
    rng = random.Random(7)
    entries = []
    for placement in Placement.objects.filter(trainee__username__startswith=PREFIX):
        if rng.random() >= 0.6:
            continue
        day = 20
        for code, count, minutes in plan:
            for _ in range(count):
                day += 1
                entries.append(
                    PracticumEntry(
                        placement=placement,
                        trainee_id=placement.trainee_id,
                        supervisor_id=placement.supervisor_id,
                        qualification="counsellor",
                        date=timezone.localdate() - datetime.timedelta(days=day),
                        minutes=minutes,
                        activity_type=types[code],
                        service_kind=types[code].service_kind,
                        description="实践记录（基准数据）。",
                        state=EntryState.APPROVED,
                    )
                )
    PracticumEntry.objects.bulk_create(entries, batch_size=5000)
    print(f"added {len(entries)} practicum entries in {time.perf_counter() - started:.0f} s")


def main(count: int) -> None:
    open_database()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from certification import selectors
    from certification.models import CertificationType, Requirement, RequirementKind
    from courses.models import Course, Programme

    with transaction.atomic():
        build(count)
        top_up_practicum()
    programme = Programme.objects.get(slug="bench-elig-programme")
    course_ids = list(Course.objects.child_of(programme).values_list("pk", flat=True))
    with transaction.atomic():
        certification, _ = CertificationType.objects.get_or_create(
            code="counsellor",
            defaults={
                "serial_prefix": "PC",
                "name": "心理咨询师",
                "name_en": "Psychological Counsellor",
                "issuing_authority": "吐鲁番市民政局",
                "issuing_authority_en": "Turpan Municipal Civil Affairs Bureau",
            },
        )
        Requirement.objects.filter(certification=certification).delete()
        for order, kind in enumerate(
            [
                RequirementKind.COURSES_COMPLETED,
                RequirementKind.QUIZZES_PASSED,
                RequirementKind.PRACTICUM_HOURS,
                RequirementKind.FINAL_EVALUATION,
            ]
        ):
            Requirement.objects.create(
                certification=certification,
                kind=kind,
                targets=course_ids if kind == RequirementKind.COURSES_COMPLETED else [],
                sort_order=order,
            )
        certification = next(t for t in selectors.active_types() if t.code == "counsellor")
        users = (
            get_user_model()
            .objects.filter(username__startswith=PREFIX)
            .exclude(username__endswith="supervisor")[:count]
        )
        users = get_user_model().objects.filter(pk__in=users.values("pk"))
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            with CaptureQueriesContext(connection) as queries:
                selectors.cohort_eligibility(certification, users)
            profile.disable()
            for query in queries.captured_queries:
                print(query["time"], query["sql"][:160])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        timings, cpu_timings, sql_timings = [], [], []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                started, cpu = time.perf_counter(), time.process_time()
                rows = selectors.cohort_eligibility(certification, users)
                timings.append(time.perf_counter() - started)
                cpu_timings.append(time.process_time() - cpu)
            sql_timings.append(sum(float(q["time"]) for q in queries.captured_queries))
        eligible = sum(row.eligible for row in rows)
        print(
            f"cohort_eligibility for {len(rows)} trainees: median {statistics.median(timings):.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in timings)}), {len(queries)} queries, "
            f"{eligible} eligible; Python CPU median {statistics.median(cpu_timings):.2f} s, "
            f"time in queries median {statistics.median(sql_timings):.2f} s; "
            f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )
        sample = list(users.order_by("pk").values_list("pk", flat=True)[:300])
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            for pk in sample:
                selectors.evaluate(certification, get_user_model().objects.filter(pk=pk))
        per = (time.perf_counter() - started) / len(sample)
        print(
            f"baseline, one trainee at a time: {per * 1000:.1f} ms and "
            f"{len(queries) / len(sample):.0f} queries per trainee → "
            f"{per * len(rows):.1f} s and {len(queries) / len(sample) * len(rows):.0f} queries "
            f"for {len(rows)}"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
