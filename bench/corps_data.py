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


class CpuClock:
    """CPU time of this process and of its PostgreSQL backend (same machine), in ms.

    On a shared, busy machine wall time mostly measures waiting for a CPU; CPU time is
    what the work costs, i.e. about its latency on an idle machine. The backend's time
    comes from /proc in clock ticks (10 ms), so read it over many calls, not one.
    Parallel query is switched off so that all of a query's work is in the backend.
    """

    def __init__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = cursor.fetchone()[0]

    def backend_ms(self) -> float:
        try:
            fields = Path(f"/proc/{self.backend}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def read(self) -> tuple[float, float]:
        """(this process's CPU ms, the database backend's CPU ms) so far."""
        return time.process_time() * 1000, self.backend_ms()


def load_average() -> str:
    return (
        " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" (1/5/15 min) on {os.cpu_count()} cores"
    )
