"""Benchmark: the month's supply against demand at seed_scale size (issue 19, "Speed").

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_corps .venv/bin/python bench/dispatch_supply_demand.py [RUNS]

Uses bench/corps_data.py (built once: 5,000 lecturers with their certificates and
completed courses, 2,000 venues, 20,000 past sessions). Inside a transaction that is
rolled back it adds a city-wide coordinator, 1,000 requests next month at random venues,
topics, languages and times (every third proposed to a scale lecturer) and 35 approved
qualifications from elsewhere; then it times, RUNS times each (default 20):

* ``dispatch.selectors.supply_and_demand`` alone (district × language × topic × week);
* the month's plan page (``/dispatch/plan/?month=``) with Django's test client
  (in-process, production-like settings: DEBUG off), which renders that table.

For each: wall time (median, p95), CPU time of Django and of the PostgreSQL backend,
time waiting on queries, query count and response size. Load average before and after.
Nothing is asserted: the budget (< 300 ms, a fixed number of queries) is judged in
docs/performance.md; the fixed number of queries is pinned in dispatch/tests.
"""

import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corps_data import CpuClock, load_average, open_database  # noqa: E402
from corps_pages import measure, report  # noqa: E402

COORDINATOR = "bench_dispatch_coordinator"
REQUESTS = 1000
EXPERTS = 35


def make_month(count: int):
    """``count`` requests next month at random scale venues; every third proposed."""
    from django.utils import timezone

    from lecturer_corps.models import (
        LecturerProfile,
        ServiceRequest,
        Session,
        SessionStatus,
        Venue,
    )
    from lecturer_corps.topics import TOPICS

    rng = random.Random(19)
    venues = list(Venue.objects.filter(name__startswith="规模测试场所"))
    lecturers = list(LecturerProfile.objects.values_list("user_id", flat=True)[:3000])
    first = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    rows = []
    for _ in range(count):
        topic = rng.choice(TOPICS)
        start = rng.choice([datetime.time(9, 0), datetime.time(14, 30), datetime.time(16, 0)])
        end = (datetime.datetime.combine(first, start) + datetime.timedelta(minutes=100)).time()
        row = ServiceRequest(
            venue=rng.choice(venues),
            topic=topic.code,
            audience=topic.audience,
            age_band="6-11" if topic.audience == "children" else "",
            expected_size=20,
            language=rng.choice(["zh", "zh", "ug"]),
            date=first + datetime.timedelta(days=rng.randint(0, 27)),
            start_time=start,
            end_time=end,
            lecturers_needed=rng.choice([1, 1, 1, 2]),
        )
        row.compute_times()
        rows.append(row)
    ServiceRequest.objects.bulk_create(rows)
    deadline = timezone.now() + datetime.timedelta(days=2)
    Session.objects.bulk_create(
        Session(
            request=row,
            lecturer_id=lecturer,
            status=SessionStatus.PROPOSED,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            response_deadline=deadline,
        )
        for row, lecturer in zip(rows[::3], rng.sample(lecturers, len(rows[::3])), strict=True)
    )
    return first, rows


def make_experts(count: int) -> None:
    """Approved qualifications from elsewhere for ``count`` scale lecturers (the evidence
    file is not read by the selector; its name stands in)."""
    from dispatch.models import PriorQualification
    from lecturer_corps.models import LecturerProfile
    from lecturer_corps.topics import TOPICS

    children = [t.code for t in TOPICS if t.qualification == "counsellor"]
    holders = LecturerProfile.objects.order_by("-user_id").values_list("user_id", flat=True)
    rows = [
        PriorQualification(
            holder_id=user_id,
            title="国家二级心理咨询师",
            issuer="人力资源和社会保障部",
            number=f"BENCH-{n:04d}",
            issued_on=datetime.date(2019, 6, 1),
            topics=children,
            evidence="dispatch/bench/evidence.pdf",
            evidence_type="application/pdf",
            status="approved",
        )
        for n, user_id in enumerate(holders[:count])
    ]
    for row in rows:
        row.topic_bits = sum(1 << t.bit for t in TOPICS if t.code in children)
    PriorQualification.objects.bulk_create(rows)


def time_selector(clock, month, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dispatch.selectors import supply_and_demand

    supply_and_demand(None, month)  # warm
    walls, cpus, waits, queries = [], [], [], []
    backend_start = clock.backend_ms()
    sheet = None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            cpu_start = time.process_time()
            began = time.perf_counter()
            sheet = supply_and_demand(None, month)
            walls.append((time.perf_counter() - began) * 1000)
            cpus.append((time.process_time() - cpu_start) * 1000)
        waits.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries.append(len(captured.captured_queries))
    walls.sort()
    return sheet, {
        "wall": statistics.median(walls),
        "p95": walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))],
        "django_cpu": statistics.median(cpus),
        "backend_cpu": (clock.backend_ms() - backend_start) / runs,
        "db_wait": statistics.median(waits),
        "queries": f"{min(queries)}–{max(queries)}" if min(queries) != max(queries) else queries[0],
        "kb": 0,
        "runs": runs,
    }


def main(runs: int) -> None:
    summary = open_database()
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from accounts import roles
    from lecturer_corps.models import LecturerProfile
    from tests.factories import make_user

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.MFA_WAIVED_USERNAMES = frozenset({COORDINATOR})
    clock = CpuClock()
    print(f"scale data: {summary or 'reused'}; lecturers {LecturerProfile.objects.count()}")
    print(f"load average before: {load_average()}")
    with transaction.atomic():
        coordinator = make_user(roles.COORDINATOR, username=COORDINATOR, two_factor=False)
        first, rows = make_month(REQUESTS)
        make_experts(EXPERTS)
        sheet, figures = time_selector(clock, first, runs)
        print(
            f"supply and demand for {first:%Y-%m}: {len(rows)} requests, {sheet.seats} seats, "
            f"{len(sheet.rows)} rows × {len(sheet.weeks)} weeks, {sheet.short_cells} short "
            f"cells, {sheet.lecturers} lecturers"
        )
        report("selector supply_and_demand (5,000 lecturers, 1,000 requests)", figures)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(coordinator)
        url = reverse("dispatch:month_plan")
        report(
            "month's plan page (the table rendered)",
            measure(client, clock, [(url, {"month": f"{first:%Y-%m}"})] * runs),
        )
        transaction.set_rollback(True)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
