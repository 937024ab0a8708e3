"""Benchmark: ranked candidates for one service request among 5,000 lecturers.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_corps .venv/bin/python bench/corps_matching.py [REQUESTS]
Uses bench/corps_data.py (5,000 lecturers, 2,000 venues, 20,000 sessions; built once).
Times ``lecturer_corps.selectors.rank_candidates`` for REQUESTS (default 30) requests
at random venues, topics, languages and times (made inside a transaction that is
rolled back): every hard constraint checked and every soft cost priced for all 5,000
lecturers, the candidates' reasons written. Prints median, p95 and worst milliseconds,
the CPU time of Python and of the PostgreSQL backend, the load average before and
after, and the query count (it must not depend on the number of lecturers), then the
time to also write out the reasons of every excluded lecturer. Nothing is asserted.
"""

import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corps_data import CpuClock, load_average, open_database  # noqa: E402


def main(count: int) -> None:
    open_database()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from lecturer_corps import selectors
    from lecturer_corps.models import LecturerProfile, ServiceRequest
    from lecturer_corps.topics import TOPICS
    from places.models import Venue

    translation.activate("en")
    rng = random.Random(11)
    venues = list(Venue.objects.filter(name__startswith="规模测试场所"))
    lecturers = LecturerProfile.objects.count()
    timings, reason_timings, queries, sizes, cpu_timings = [], [], [], [], []
    db_timings, backend_cpu = [], 0.0
    clock = CpuClock()
    print(f"load average before: {load_average()}")
    with transaction.atomic():
        for i in range(count):
            topic = rng.choice(TOPICS)
            start = rng.choice([datetime.time(9, 0), datetime.time(14, 30), datetime.time(16, 0)])
            end = (
                datetime.datetime.combine(datetime.date.today(), start)
                + datetime.timedelta(minutes=100)
            ).time()
            request = ServiceRequest(
                venue=rng.choice(venues),
                topic=topic.code,
                audience=topic.audience,
                age_band="6-11" if topic.audience == "children" else "",
                expected_size=20,
                language=rng.choice(["zh", "zh", "ug"]),
                date=timezone.localdate() + datetime.timedelta(days=rng.randint(1, 40)),
                start_time=start,
                end_time=end,
            )
            request.save()
            request = ServiceRequest.objects.select_related("venue").get(pk=request.pk)
            with CaptureQueriesContext(connection) as captured:
                backend_began = clock.backend_ms()
                began, cpu_began = time.perf_counter(), time.process_time()
                ranking = selectors.rank_candidates(request)
                elapsed = time.perf_counter() - began
                cpu = time.process_time() - cpu_began
                backend = clock.backend_ms() - backend_began
                db = sum(float(q["time"]) for q in captured.captured_queries)
            if i:  # the first call warms caches (imports, translations)
                timings.append(elapsed * 1000)
                cpu_timings.append(cpu * 1000)
                db_timings.append(db * 1000)
                backend_cpu += backend
                queries.append(len(captured.captured_queries))
                sizes.append((len(ranking.candidates), len(ranking.exclusions)))
                began = time.perf_counter()
                for exclusion in ranking.exclusions:
                    exclusion.reasons  # noqa: B018
                reason_timings.append((time.perf_counter() - began) * 1000)
        transaction.set_rollback(True)
    timings.sort()
    print(f"lecturers in the pool: {lecturers}")
    print(f"load average after: {load_average()}")
    print(
        f"CPU per ranking: Python median {statistics.median(cpu_timings):.1f} ms + PostgreSQL "
        f"backend {backend_cpu / len(timings):.1f} ms (mean; its clock ticks in 10 ms) = "
        f"{statistics.median(cpu_timings) + backend_cpu / len(timings):.1f} ms "
        "(what one ranking costs; the wall time below adds waiting for a CPU)"
    )
    print(f"waiting on the database per ranking: median {statistics.median(db_timings):.1f} ms")
    print(
        f"rank_candidates: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, worst {timings[-1]:.1f} ms "
        f"over {len(timings)} requests; queries {min(queries)}–{max(queries)}"
    )
    candidates = [c for c, _e in sizes]
    print(
        f"candidates per request: median {statistics.median(candidates):.0f} "
        f"(min {min(candidates)}, max {max(candidates)}); the rest excluded with reasons"
    )
    print(
        f"writing out every exclusion's reasons as well: median "
        f"{statistics.median(reason_timings):.1f} ms more"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
