"""Benchmark: the coordinators' two heavy pages over 5,000 lecturers.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_corps .venv/bin/python bench/corps_pages.py [RUNS]
Uses bench/corps_data.py (built once). Inside a transaction that is rolled back it adds a
city-wide coordinator and a month of open requests (300, as in the load test's busiest
month), a third of them with a proposed lecturer; then, with Django's test client
(in-process, production-like settings: DEBUG off), it times

* the request list of that month, page 1 and page 2;
* a request's page with its ranked candidates (``rank_candidates`` over 5,000
  lecturers), RUNS different requests (default 20).

For each: wall time (median, p95), CPU time of Django and of the PostgreSQL backend
(median, or per page over all runs for the backend, whose clock ticks in 10 ms), time
spent waiting for the database, query count and response size. Load average printed
before and after. Nothing is asserted.
"""

import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corps_data import CpuClock, load_average, open_database  # noqa: E402

COORDINATOR = "bench_corps_coordinator"


def make_month(count: int):
    """``count`` open requests next month at random venues; every third proposed to a
    scale lecturer."""
    from django.utils import timezone

    from lecturer_corps.models import (
        LecturerProfile,
        ServiceRequest,
        Session,
        SessionStatus,
        Venue,
    )
    from lecturer_corps.topics import TOPICS

    rng = random.Random(7)
    venues = list(Venue.objects.filter(name__startswith="规模测试场所"))
    lecturers = list(LecturerProfile.objects.values_list("user_id", flat=True)[:2000])
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


def measure(client, clock, gets):
    """Time each GET of ``gets`` (url, params) after one warm-up GET of the first;
    returns a dict of figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(*gets[0])  # warm: templates, translations, session
    walls, cpus, db_waits, queries, sizes = [], [], [], [], []
    backend_start = clock.backend_ms()
    for url, params in gets:
        with CaptureQueriesContext(connection) as captured:
            cpu_start = time.process_time()
            began = time.perf_counter()
            response = client.get(url, params)
            walls.append((time.perf_counter() - began) * 1000)
            cpus.append((time.process_time() - cpu_start) * 1000)
        assert response.status_code == 200, response.status_code
        db_waits.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries.append(len(captured.captured_queries))
        sizes.append(len(response.content))
    walls.sort()
    return {
        "wall": statistics.median(walls),
        "p95": walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))],
        "django_cpu": statistics.median(cpus),
        "backend_cpu": (clock.backend_ms() - backend_start) / len(walls),
        "db_wait": statistics.median(db_waits),
        "queries": f"{min(queries)}–{max(queries)}" if min(queries) != max(queries) else queries[0],
        "kb": statistics.median(sizes) / 1024,
        "runs": len(walls),
    }


def report(label, figures):
    print(
        f"{label}: wall median {figures['wall']:.0f} ms (p95 {figures['p95']:.0f}); "
        f"CPU Django {figures['django_cpu']:.0f} ms + PostgreSQL {figures['backend_cpu']:.0f} ms; "
        f"waiting on queries {figures['db_wait']:.0f} ms; {figures['queries']} queries; "
        f"{figures['kb']:.0f} KB; {figures['runs']} runs"
    )


def main(runs: int) -> None:
    open_database()
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from accounts import roles
    from tests.factories import make_user

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.MFA_WAIVED_USERNAMES = frozenset({COORDINATOR})
    clock = CpuClock()
    print(f"load average before: {load_average()}")
    with transaction.atomic():
        coordinator = make_user(roles.COORDINATOR, username=COORDINATOR, two_factor=False)
        first, rows = make_month(300)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(coordinator)
        month = {"month": first.strftime("%Y-%m")}
        list_url = reverse("lecturer_corps:request_list")
        report(
            f"request list, {len(rows)} requests in {month['month']}, page 1",
            measure(client, clock, [(list_url, month)] * runs),
        )
        report(
            "request list, page 2",
            measure(client, clock, [(list_url, {**month, "page": 2})] * runs),
        )
        open_requests = rows[1::3][:runs]  # no lecturer yet: the page ranks candidates
        report(
            "request with ranked candidates (5,000 lecturers)",
            measure(
                client,
                clock,
                [
                    (reverse("lecturer_corps:request_detail", args=[r.pk]), {})
                    for r in open_requests
                ],
            ),
        )
        transaction.set_rollback(True)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
