"""Benchmark: auto-assign of 1,000 requests over 500 lecturers, against greedy.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_corps .venv/bin/python bench/corps_autoassign.py [REQUESTS] [LECTURERS]
Uses bench/corps_data.py (built once). Makes REQUESTS (default 1,000) open requests over
the next 30 days at random venues, topics, languages and times (inside a transaction
that is rolled back) and plans them over LECTURERS (default 500) scale lecturers with
``lecturer_corps.assignment.plan_auto_assign``: the optimal plan (assignment problem
with branch and bound for clashes) and the greedy baseline on the same cost function.
Prints the time of each step, the total cost and seats filled of both plans, and
whether the plan was proven optimal (else the gap to the lower bound). Nothing is
asserted.
"""

import datetime
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corps_data import CpuClock, load_average, open_database  # noqa: E402


def main(count: int, lecturer_count: int) -> None:
    open_database()
    from django.db import transaction
    from django.utils import timezone

    from lecturer_corps.assignment import plan_auto_assign
    from lecturer_corps.models import LecturerProfile, ServiceRequest, Venue
    from lecturer_corps.topics import TOPICS

    rng = random.Random(5)
    venues = list(Venue.objects.filter(name__startswith="规模测试场所"))
    user_ids = list(
        LecturerProfile.objects.filter(user__username__startswith="scale_lecturer_")
        .order_by("pk")
        .values_list("user_id", flat=True)[:lecturer_count]
    )
    clock = CpuClock()
    print(f"load average before: {load_average()}")
    with transaction.atomic():
        rows = []
        today = timezone.localdate()
        for _ in range(count):
            topic = rng.choice(TOPICS)
            start = rng.choice(
                [
                    datetime.time(9, 0),
                    datetime.time(10, 30),
                    datetime.time(14, 30),
                    datetime.time(16, 0),
                ]
            )
            end = (datetime.datetime.combine(today, start) + datetime.timedelta(minutes=100)).time()
            row = ServiceRequest(
                venue=rng.choice(venues),
                topic=topic.code,
                audience=topic.audience,
                age_band="7-10" if topic.audience == "children" else "",
                expected_size=20,
                language=rng.choice(["zh", "zh", "zh", "ug"]),
                date=today + datetime.timedelta(days=rng.randint(1, 30)),
                start_time=start,
                end_time=end,
            )
            row.compute_times()
            rows.append(row)
        ServiceRequest.objects.bulk_create(rows)
        requests = list(
            ServiceRequest.objects.filter(pk__in=[r.pk for r in rows])
            .select_related("venue")
            .prefetch_related("sessions")
            .order_by("starts_at", "pk")
        )
        began, cpu_began = time.perf_counter(), time.process_time()
        backend_began = clock.backend_ms()
        plan = plan_auto_assign(requests, user_ids=user_ids)
        total = time.perf_counter() - began
        cpu = time.process_time() - cpu_began
        backend = (clock.backend_ms() - backend_began) / 1000
        transaction.set_rollback(True)
    solution, greedy = plan.solution, plan.greedy
    print(f"{len(requests)} requests, {len(user_ids)} lecturers")
    print(f"load average after: {load_average()}")
    print(
        f"CPU time of the plan: Python {cpu:.2f} s + PostgreSQL backend {backend:.2f} s "
        f"= {cpu + backend:.2f} s (wall time below)"
    )
    print(
        f"auto-assign total {total:.2f} s: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in plan.timings.items())
        + f" (repair rounds {solution.repairs}, branch-and-bound nodes {solution.nodes})"
    )
    print(
        f"optimal plan: cost {solution.cost:,.1f}, seats filled {solution.filled}"
        + (
            " (proven optimal)"
            if solution.proven_optimal
            else f" (not proven; lower bound {solution.lower_bound:,.1f})"
        )
    )
    print(f"greedy plan:  cost {greedy.cost:,.1f}, seats filled {greedy.filled}")
    filled_cost = solution.cost - 10_000 * (len(requests) - solution.filled)
    greedy_filled_cost = greedy.cost - 10_000 * (len(requests) - greedy.filled)
    print(
        f"cost of the filled seats alone: optimal {filled_cost:,.1f}, greedy {greedy_filled_cost:,.1f}; "
        f"unfilled seats cost 10,000 each in both totals"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 500,
    )
