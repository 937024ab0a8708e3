"""Shared set-up of the lecturer-corps benchmarks (not a benchmark itself).

Opens a test database (``test_<name>`` of DATABASE_URL, kept between runs) and fills it
once with the places, the two certification types, the sixteen topic course pages and
``lecturer_corps.scale.seed_scale`` data (5,000 lecturers, 2,000 venues, 20,000 past
sessions by default). A database that already holds the data is reused.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_databases  # noqa: E402


def open_database(lecturers=5000, venues=2000, sessions=20000):
    """Set up (or reuse) the benchmark database and its data; returns the scale summary."""
    from django.db import connection

    if connection.vendor != "postgresql":
        print(
            "Set DATABASE_URL to PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/lms_bench_corps"
        )
        sys.exit(2)
    setup_databases(verbosity=0, interactive=False, keepdb=True)
    from lecturer_corps.models import LecturerProfile

    if (
        LecturerProfile.objects.filter(user__username__startswith="scale_lecturer_").count()
        >= lecturers
    ):
        _analyze()
        return None
    started = time.perf_counter()
    from lecturer_corps import scale
    from lecturer_corps.tests.factories import certification_type, complete_course
    from places import seed as places_seed
    from tests.factories import make_user

    places_seed.seed()
    certification_type("counsellor")
    certification_type("family_educator")
    someone = make_user("trainee", username="bench_corps_course_maker")
    from lecturer_corps.topics import TOPICS

    for topic in TOPICS:  # creates the sixteen course pages
        complete_course(someone, topic.code)
    summary = scale.seed_scale(
        {"corps_lecturers": lecturers, "corps_venues": venues, "corps_sessions": sessions}
    )
    print(f"data built in {time.perf_counter() - started:.0f} s: {summary}")
    _analyze()
    return summary


def _analyze():
    """Fresh planner statistics after bulk inserts (autovacuum would do it, later)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
