"""Benchmark: auto-assign of 1,000 requests over 500 lecturers, against greedy.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_corps .venv/bin/python bench/corps_autoassign.py [REQUESTS] [LECTURERS]
Uses bench/corps_data.py (built once). Makes REQUESTS (default 1,000) open requests over
the next 30 days at random venues, topics, languages and times (inside a transaction
that is rolled back) and plans them over LECTURERS (default 500) scale lecturers with
``lecturer_corps.assignment.plan_auto_assign``: the plan of the mixed-integer program
(HiGHS), then, on the very same problem arrays, the hand-written branch and bound used
before issue 12 (``bench/assignment_branch_and_bound.py``, with its 1 s budget and with
10 s) and the
greedy baseline. Prints the time of each step, each plan's cost, seats filled and, for
the two exact methods, whether the plan was proven optimal (else the gap to the lower
bound). Nothing is asserted.
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
    import assignment_branch_and_bound
    from django.db import transaction
    from django.utils import timezone

    from lecturer_corps.assignment import build_problem, plan_auto_assign
    from lecturer_corps.models import LecturerProfile, ServiceRequest
    from lecturer_corps.selectors import load_matching_data
    from lecturer_corps.topics import TOPICS
    from places.models import Venue

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
                age_band="6-11" if topic.audience == "children" else "",
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
        data = load_matching_data(requests, user_ids=user_ids)
        problem, _evaluations = build_problem(
            requests, [r.lecturers_needed for r in requests], data
        )
        transaction.set_rollback(True)
    legacy = assignment_branch_and_bound.solve(problem)
    legacy_long = assignment_branch_and_bound.solve(problem, node_limit=10_000, time_limit=10.0)
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
        + f" ({solution.variables:,} variables, {solution.constraints:,} rows, "
        f"{solution.nodes} branch-and-bound nodes)"
    )
    seats = problem.seats
    print(f"{'method':<34} {'cost':>12} {'filled':>7} {'seconds':>8}  proof")
    for name, result in (
        ("MIP (HiGHS)", solution),
        ("branch and bound before issue 12", legacy),
        ("the same, 10 s and 10,000 nodes", legacy_long),
        ("greedy", greedy),
    ):
        proof = "-"
        if result is not greedy:
            proof = (
                "proven optimal"
                if result.proven_optimal
                else f"not proven: gap {100 * (result.cost - result.lower_bound) / result.cost:.2f}%"
            )
        print(
            f"{name:<34} {result.cost:>12,.1f} {result.filled:>7} {result.seconds:>8.2f}  {proof}"
        )
    filled = {
        name: result.cost - 10_000 * (seats - result.filled)
        for name, result in (("MIP", solution), ("before", legacy), ("greedy", greedy))
    }
    print(
        "cost of the filled seats alone (unfilled seats cost 10,000 each in the totals): "
        + ", ".join(f"{k} {v:,.1f}" for k, v in filled.items())
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 500,
    )
