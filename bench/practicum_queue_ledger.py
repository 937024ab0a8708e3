"""Benchmark: a supervisor's review queue and a trainee's ledger with 100,000 entries.

Run:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_practicum \
      .venv/bin/python bench/practicum_queue_ledger.py [--entries 100000] [--supervisors 500] [--repeat 30]

Creates the database if needed, migrates it, and builds the data once with
``practicum.scale.seed_scale`` (2,000 trainees × 50 entries over 500 supervisors by
default). Then, through Django's test client (the whole request: middleware,
permission checks, queries, template), it times the review-queue page of the
supervisor with the most waiting entries, the ledger page and the API summary of the
trainee with the most approved entries, the certification selectors for every
trainee at once, and the PDF record. Prints median and 95th percentile and the number
of queries of each. Nothing is asserted: budgets are read off the output.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lms_bench_practicum")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_database() -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        print("Set DATABASE_URL to PostgreSQL, e.g. .../lms_bench_practicum")
        sys.exit(2)
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def server_time(queries) -> float:
    """PostgreSQL's own planning + execution time of the queries (EXPLAIN ANALYZE), in ms."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            total += plan["Planning Time"] + plan["Execution Time"]
    return total


def timed(function, repeat: int):
    """(median ms, p95 ms, median CPU ms of this process, SQL server ms, queries of one call)."""
    from django.db import connection

    for _ in range(3):
        function()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        function()
    samples, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return (
        statistics.median(samples),
        p95,
        statistics.median(cpu),
        statistics.median(server_time(queries) for _ in range(5)),
        len(queries),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--supervisors", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--nice",
        type=int,
        default=None,
        help="Run this process and its PostgreSQL backend at this priority (e.g. -10, needs "
        "root): on a machine saturated by other jobs it shows the figures of an idle one.",
    )
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from allauth.mfa.models import Authenticator
    from django.db.models import Count, Q
    from django.test import Client

    from places import seed as places_seed
    from places.models import Venue, VenueType
    from practicum.models import EntryState, Placement, PracticumEntry
    from practicum.pdf import render_record
    from practicum.scale import seed_scale
    from practicum.selectors import (
        final_evaluation_passed_bulk,
        ledger,
        requirement_status_bulk,
    )
    from tests.factories import enable_two_factor

    started = time.perf_counter()
    places_seed.seed()
    from places.models import District

    for district in District.objects.all():
        for n, kind in enumerate(VenueType.values * 5):
            Venue.objects.get_or_create(
                district=district,
                name=f"{district.name}实践场所{n + 1:02d}",
                defaults={"venue_type": kind},
            )
    result = seed_scale(
        {"practicum_entries": args.entries, "practicum_supervisors": args.supervisors}
    )
    print(f"data: {result} ({time.perf_counter() - started:.1f} s)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"database: {PracticumEntry.objects.count():,} entries, "
        f"{Placement.objects.values('supervisor').distinct().count()} supervisors, "
        f"{Placement.objects.values('trainee').distinct().count():,} trainees"
    )

    busiest = (
        PracticumEntry.objects.filter(state=EntryState.SUBMITTED)
        .values("supervisor")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    from accounts.models import User

    supervisor = User.objects.get(pk=busiest["supervisor"])
    if not Authenticator.objects.filter(user=supervisor).exists():
        enable_two_factor(supervisor)
    trainee_row = (
        PracticumEntry.objects.values("trainee", "qualification")
        .annotate(n=Count("pk", filter=Q(state=EntryState.APPROVED)))
        .order_by("-n")
        .first()
    )
    trainee = User.objects.get(pk=trainee_row["trainee"])
    qualification = trainee_row["qualification"]
    all_entries = PracticumEntry.objects.filter(supervisor=supervisor).count()
    print(
        f"supervisor {supervisor.username}: {busiest['n']} waiting of {all_entries} entries; "
        f"trainee {trainee.username}: {trainee_row['n']} approved entries ({qualification})"
    )

    supervisor_client = Client(HTTP_HOST="127.0.0.1")
    supervisor_client.force_login(supervisor)
    trainee_client = Client(HTTP_HOST="127.0.0.1")
    trainee_client.force_login(trainee)

    def get(client, url):
        def request():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return request

    ledger_url = f"/practicum/ledger/{trainee.pk}/{qualification}/"
    trainee_ids = list(
        Placement.objects.current()
        .filter(qualification=qualification)
        .values_list("trainee_id", flat=True)
    )
    rows = [
        ("review queue page (waiting, oldest first)", get(supervisor_client, "/practicum/review/")),
        (
            "review queue page (approved, sorted by trainee)",
            get(supervisor_client, "/practicum/review/?state=approved&sort=trainee"),
        ),
        ("trainee ledger page", get(trainee_client, ledger_url)),
        ("trainee 'my practicum' page", get(trainee_client, "/practicum/")),
        ("GET /api/v1/me/practicum/summary", get(trainee_client, "/api/v1/me/practicum/summary")),
        (
            f"requirement_status_bulk ({len(trainee_ids):,} trainees)",
            lambda: requirement_status_bulk(trainee_ids, qualification),
        ),
        (
            f"final_evaluation_passed_bulk ({len(trainee_ids):,} trainees)",
            lambda: final_evaluation_passed_bulk(trainee_ids, qualification),
        ),
    ]
    if args.nice is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        for pid in (os.getpid(), backend):
            os.setpriority(os.PRIO_PROCESS, pid, args.nice)
        print(f"priority {args.nice} for this process and PostgreSQL backend {backend}")
    print(f"load average before timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(
        f"\n{'what':52} {'median':>9} {'p95':>9} {'CPU':>9} {'SQL':>9} {'queries':>8}"
        "\n(median and p95: wall time; CPU: this process; SQL: PostgreSQL's own time)"
    )
    for label, function in rows:
        repeat = args.repeat if "bulk" not in label else max(5, args.repeat // 3)
        median, p95, cpu, sql, queries = timed(function, repeat)
        print(f"{label:52} {median:7.1f}ms {p95:7.1f}ms {cpu:7.1f}ms {sql:7.1f}ms {queries:8d}")
    data = ledger(trainee, qualification)
    median, p95, cpu, _, _ = timed(lambda: render_record(data), 3)
    label = f"practicum record PDF ({len(data.approved_entries)} entries)"
    print(f"{label:52} {median:7.1f}ms {p95:7.1f}ms {cpu:7.1f}ms {'-':>9} {'-':>8}")
    print(f"load average after timing: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
