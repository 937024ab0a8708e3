"""Benchmark of the supervision dashboard and the monthly report at scale (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_reports \\
        .venv/bin/python bench/reports_bench.py [--setup] [--runs 15]

``--setup`` migrates, loads the reference data (districts, demo log-ins), runs
``manage.py seed_scale`` (10,000 trainees, 100,000 practicum entries, and the lecturer
corps' 20,000 sessions when its ``scale.py`` is installed) and then tops up what no
app's scale data provides: verified sessions with delivery reports up to 20,000,
finished quiz attempts and certificates, the register of children in difficulty.

It prints: the dashboard's median and p95 server time (Django test client, warm, as
a city-wide coordinator) and its query count, for a month in the data and for one
district; the API summary's time; and the monthly report's generation time (figures,
PDF, workbook) and sizes. Budgets (issue 8): dashboard < 300 ms with a fixed number
of queries; monthly report (PDF + XLSX) < 5 s. Then the cache's footprint (keys and
bytes after the dashboards and the report of one month).

``--check-invalidation`` then writes to a counted table in several ways (ORM
``update()``, ``bulk_update()``, ``bulk_create()``, raw SQL through Django's cursor
plain, schema-qualified and with a CTE, a rolled-back transaction, psql outside
Django), each undone afterwards, and says whether the figures served after each write
are those built from the database.

The same bench measures django-cachalot in place of the figure cache (issue 13; not a
project dependency): install it somewhere of your own and run with
``DJANGO_SETTINGS_MODULE=bench.reports_cachalot_settings`` (see that module).
Use a Redis cache (``CACHE_URL=redis://127.0.0.1:6379/<db>``) for figures that mean
what production does; the bench clears that cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SESSIONS = 20_000
ATTEMPTS = 20_000
CERTIFICATES = 3_000
BATCH = 2_000


def setup() -> None:
    call_command("migrate", "--noinput", verbosity=0)
    from accounts import seed as accounts_seed
    from places import seed as places_seed
    from practicum.models import PracticumEntry

    places_seed.seed()
    accounts_seed.seed()
    if PracticumEntry.objects.count() < 100_000:  # seed_scale adds only what is missing
        call_command("seed_scale", "--skip-index", stdout=sys.stdout)
    top_up_sessions()
    top_up_attempts_and_certificates()
    coverage_figures()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics after bulk loads, as autovacuum would


def top_up_sessions() -> None:
    """Verified sessions with delivery reports up to SESSIONS (if the corps' scale did not)."""
    from accounts import roles
    from accounts.models import User
    from lecturer_corps.models import (
        DeliveryReport,
        LecturerProfile,
        RequestStatus,
        ServiceRequest,
        Session,
        SessionStatus,
        Venue,
        VenueType,
    )
    from lecturer_corps.topics import TOPICS
    from places.models import District

    missing = SESSIONS - Session.objects.count()
    if missing <= 0:
        return
    rng = random.Random(8)
    districts = list(District.objects.all())
    venues = list(Venue.objects.all())
    if len(venues) < 300:
        Venue.objects.bulk_create(
            [
                Venue(
                    name=f"报表测试场所{i}",
                    venue_type=rng.choice(VenueType.values),
                    district=rng.choice(districts),
                    capacity=200,
                )
                for i in range(300)
            ],
            ignore_conflicts=True,
        )
        venues = list(Venue.objects.all())
    lecturers = list(User.objects.filter(lecturer_profile__isnull=False)[:500])
    if len(lecturers) < 500:
        from django.contrib.auth.models import Group

        group = Group.objects.get_or_create(name=roles.LECTURER)[0]
        made = User.objects.bulk_create(
            [User(username=f"bench_lecturer_{i}", real_name=f"讲师{i}") for i in range(500)],
            ignore_conflicts=True,
        )
        made = list(User.objects.filter(username__startswith="bench_lecturer_"))
        group.user_set.add(*made)
        LecturerProfile.objects.bulk_create(
            [
                LecturerProfile(
                    user=user,
                    district=rng.choice(districts),
                    languages=rng.choice([["zh"], ["ug"], ["zh", "ug"]]),
                    topics=["child_01"],
                )
                for user in made
            ],
            ignore_conflicts=True,
        )
        lecturers = made
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    while missing > 0:
        chunk = min(BATCH, missing)
        requests, plans = [], []
        for index in range(chunk):
            # Lecturer n's k-th session is on day 1 + 9k (never two at once for anyone).
            number = SESSIONS - missing + index
            lecturer = lecturers[number % len(lecturers)]
            day = today - dt.timedelta(days=1 + 9 * (number // len(lecturers)) % 360)
            start, end = dt.time(9, 0), dt.time(10, 40)
            topic = rng.choice(TOPICS)
            verified = rng.random() < 0.85
            requests.append(
                ServiceRequest(
                    venue=rng.choice(venues),
                    topic=topic.code,
                    audience=topic.audience,
                    age_band="7-10" if topic.audience == "children" else "",
                    expected_size=30,
                    language="zh",
                    date=day,
                    start_time=start,
                    end_time=end,
                    starts_at=timezone.make_aware(dt.datetime.combine(day, start), zone),
                    ends_at=timezone.make_aware(dt.datetime.combine(day, end), zone),
                    status=RequestStatus.VERIFIED if verified else RequestStatus.DELIVERED,
                )
            )
            plans.append((lecturer, verified))
        with transaction.atomic():
            ServiceRequest.objects.bulk_create(requests, batch_size=BATCH)
            sessions = Session.objects.bulk_create(
                [
                    Session(
                        request=request,
                        lecturer=lecturer,
                        status=SessionStatus.VERIFIED if verified else SessionStatus.DELIVERED,
                        starts_at=request.starts_at,
                        ends_at=request.ends_at,
                        response_deadline=request.starts_at,
                    )
                    for request, (lecturer, verified) in zip(requests, plans, strict=True)
                ],
                batch_size=BATCH,
            )
            DeliveryReport.objects.bulk_create(
                [
                    DeliveryReport(
                        session=session,
                        filed_by_id=session.lecturer_id,
                        actual_minutes=100,
                        children_count=rng.randint(5, 40),
                        caregivers_count=rng.randint(0, 10),
                        teachers_count=rng.randint(0, 3),
                        verified_at=session.ends_at if verified else None,
                    )
                    for session, (_lecturer, verified) in zip(sessions, plans, strict=True)
                ],
                batch_size=BATCH,
            )
        missing -= chunk
    print(f"  reports bench: sessions now {Session.objects.count()}")


def top_up_attempts_and_certificates() -> None:
    from accounts.models import User
    from certification.models import Certificate, CertificationType, StatusList
    from quizzes.models import Attempt, AttemptState, Quiz

    rng = random.Random(9)
    trainees = list(User.objects.filter(groups__name="trainee").values_list("pk", flat=True))
    if Attempt.objects.count() < ATTEMPTS and trainees:
        quizzes = [Quiz.objects.create(title=f"报表测试测验{i}") for i in range(20)]
        now = timezone.now()
        Attempt.objects.bulk_create(
            [
                Attempt(
                    quiz=quizzes[i % 20],
                    user_id=trainees[i % len(trainees)],
                    number=1 + i // (20 * len(trainees)),
                    state=AttemptState.FINISHED,
                    submitted_at=now - dt.timedelta(days=rng.randint(0, 360)),
                    grade=(grade := rng.randint(20, 100)),
                    passed=grade >= 60,
                )
                for i in range(ATTEMPTS)
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    if Certificate.objects.count() < CERTIFICATES and trainees:
        types = {}
        for code, prefix, name in (
            ("counsellor", "PC", "心理咨询师"),
            ("family_educator", "FE", "家庭教育指导师"),
        ):
            types[code] = CertificationType.objects.get_or_create(
                code=code,
                defaults={
                    "serial_prefix": prefix,
                    "name": name,
                    "name_en": code,
                    "issuing_authority": "吐鲁番市民政局",
                    "issuing_authority_en": "Turpan Civil Affairs Bureau",
                },
            )[0]
        status_list = StatusList.objects.create()
        today = timezone.localdate()
        rows = []
        for i, holder in enumerate(rng.sample(trainees, min(CERTIFICATES, len(trainees)))):
            valid_from = today - dt.timedelta(days=rng.randint(0, 1000))
            rows.append(
                Certificate(
                    certification=types["counsellor" if i % 2 else "family_educator"],
                    holder_id=holder,
                    serial=f"BENCH-{i:06d}",
                    verification_code=f"bench-{i}-{rng.random()}",
                    holder_name="学员",
                    issued_at=timezone.make_aware(dt.datetime.combine(valid_from, dt.time(10))),
                    valid_from=valid_from,
                    expires_on=valid_from + dt.timedelta(days=1095),
                    status_list=status_list,
                    status_list_index=i,
                )
            )
        Certificate.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def coverage_figures() -> None:
    """The register: 3,000 children in difficulty per district (uncategorised), each year."""
    from places.models import District
    from reports.models import RegisterCount

    for district in District.objects.all():
        for year in range(2020, dt.date.today().year + 1):
            RegisterCount.objects.get_or_create(
                year=year,
                district=district,
                township=None,
                category="",
                defaults={"children": 3000},
            )


def cache_layer() -> str:
    from reports import figure_cache

    if "cachalot" in settings.INSTALLED_APPS:
        return "django-cachalot"
    return "figure cache" if figure_cache.enabled() else "no cache"


def mark_written(tables) -> None:
    """As after a write to these tables, the data unchanged: a new data version
    (figure cache) or the tables' cached queries invalidated (django-cachalot)."""
    from reports import figure_cache

    if not tables:
        return
    if "cachalot" in settings.INSTALLED_APPS:
        from cachalot.api import invalidate

        invalidate(*tables)
    else:
        for table in tables:
            figure_cache.bump_version(table)


def cache_footprint() -> tuple[int, int]:
    """Keys and bytes (values as stored) in the default cache (Redis or local memory)."""
    store = getattr(cache, "_cache", None)
    if hasattr(store, "get_client"):  # django.core.cache.backends.redis
        client = store.get_client(None, write=False)
        keys = list(client.scan_iter(count=1000))
        return len(keys), sum(client.memory_usage(key) or 0 for key in keys)
    if isinstance(store, dict):  # LocMemCache: pickled values
        return len(store), sum(len(value) for value in store.values())
    return 0, 0


def measure(runs: int) -> None:
    from accounts import roles
    from places.models import District
    from reports.periods import Period, Scope
    from reports.services import build_report_content, generate_monthly_report
    from tests.factories import make_user

    coordinator = make_user(
        roles.COORDINATOR, username="bench_reports_coordinator", two_factor=False
    )
    period = Period.current().previous()
    client = Client()
    client.force_login(coordinator)
    district = District.objects.order_by("sort_order").first()

    def timed(url, params, *, cold=False, written=(), write=None):
        client.get(url, params)  # warm
        times, cpu = [], []
        for _ in range(runs):
            if cold:
                cache.clear()  # every figure built from the database
            mark_written(written)  # as after a write to these tables (the data unchanged)
            if write:
                write()
            cpu_start = process_cpu_ms()
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append(process_cpu_ms() - cpu_start)
            assert response.status_code == 200, response.status_code
        if cold:
            cache.clear()
        mark_written(written)
        if write:
            write()
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        return statistics.median(times), p95, len(queries), statistics.median(cpu)

    load = os.getloadavg()[0]
    print(
        f"database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND']}, "
        f"{cache_layer()}; period {period.code}; runs {runs}; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} when measuring"
    )
    from django.apps import apps

    for label in (
        "accounts.User",
        "courses.Enrolment",
        "practicum.PracticumEntry",
        "lecturer_corps.Session",
        "lecturer_corps.DeliveryReport",
        "quizzes.Attempt",
        "certification.Certificate",
    ):
        print(f"  rows {label}: {apps.get_model(label).objects.count():,}")
    for label, url, params in (
        ("dashboard, city", "/reports/", {"period": period.code}),
        (
            "dashboard, one district",
            "/reports/",
            {"period": period.code, "district": district.code},
        ),
        ("API summary, city", "/api/v1/reports/summary", {"period": period.code}),
    ):
        for state, cold in (("cold", True), ("cached", False)):
            median, p95, queries, cpu = timed(url, params, cold=cold)
            print(
                f"{label}, {state}: median {median:.0f} ms, p95 {p95:.0f} ms, "
                f"{queries} queries; CPU {cpu:.0f} ms (Django + PostgreSQL backend)"
            )
    for label, tables in (
        ("a finished quiz attempt", ["quizzes_attempt"]),
        ("a practicum entry approved", ["practicum_practicumentry"]),
        ("a delivery report verified", ["lecturer_corps_deliveryreport", "lecturer_corps_session"]),
    ):
        median, p95, queries, cpu = timed("/reports/", {"period": period.code}, written=tables)
        print(
            f"dashboard, city, after {label}: median {median:.0f} ms, p95 {p95:.0f} ms, "
            f"{queries} queries; CPU {cpu:.0f} ms"
        )
    from accounts.models import User

    def log_in():  # what every log-in writes (a real write; only the time changes)
        User.objects.filter(pk=coordinator.pk).update(last_login=timezone.now())

    median, p95, queries, cpu = timed("/reports/", {"period": period.code}, write=log_in)
    print(
        f"dashboard, city, after a log-in (UPDATE accounts_user SET last_login): "
        f"median {median:.0f} ms, p95 {p95:.0f} ms, {queries} queries; CPU {cpu:.0f} ms"
    )

    scope = Scope(period)
    cache.clear()
    start = time.perf_counter()
    build_report_content(scope)
    figures_ms = (time.perf_counter() - start) * 1000
    for attempt in range(3):
        if attempt == 0:
            cache.clear()  # run 1 builds every figure; runs 2-3 find the months cached
        cpu_start = process_cpu_ms()
        start = time.perf_counter()
        report = generate_monthly_report(period=period, district=None)
        total = time.perf_counter() - start
        cpu = (process_cpu_ms() - cpu_start) / 1000
        print(
            f"monthly report (figures of two months + PDF + XLSX), run {attempt + 1} "
            f"({'cold' if attempt == 0 else 'figures cached'}): "
            f"{total:.2f} s wall, {cpu:.2f} s CPU (figures {figures_ms:.0f} ms wall); "
            f"PDF {report.pdf_file.size / 1024:.0f} KB, XLSX {report.xlsx_file.size / 1024:.0f} KB"
        )

    cache.clear()
    for params in ({"period": period.code}, {"period": period.code, "district": district.code}):
        client.get("/reports/", params)
    client.get("/api/v1/reports/summary", {"period": period.code})
    generate_monthly_report(period=period, district=None)
    keys, size = cache_footprint()
    print(
        f"cache after the city and district dashboards, the API summary and the monthly "
        f"report: {keys} keys, {size / 1024:.0f} KB"
    )


def check_invalidation() -> None:
    """After each kind of write (then after undoing it), are the served figures exact?"""
    import subprocess
    from contextlib import contextmanager

    from django.test.utils import override_settings

    from quizzes.models import Attempt
    from reports.models import RegisterCount
    from reports.periods import Period, Scope
    from reports.selectors import summary

    scope = Scope(Period.current().previous())
    period = scope.period

    @contextmanager
    def from_the_database():
        if "cachalot" in settings.INSTALLED_APPS:
            from cachalot.api import cachalot_disabled

            with cachalot_disabled():
                yield
        else:
            with override_settings(REPORTS_FIGURES_CACHE=False):
                yield

    def built():
        with from_the_database():
            return summary(scope)

    ids = list(
        Attempt.objects.filter(
            submitted_at__gte=period.start_at, submitted_at__lt=period.end_at, passed=True
        ).values_list("pk", flat=True)[:50]
    )
    table = Attempt._meta.db_table
    flip = f"SET passed = NOT passed WHERE id IN ({', '.join(map(str, ids))})"

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def bulk_update():
        attempts = list(Attempt.objects.filter(pk__in=ids))
        for attempt in attempts:
            attempt.passed = not attempt.passed
        Attempt.objects.bulk_update(attempts, ["passed"])

    def psql(sql):
        name = settings.DATABASES["default"]["NAME"]
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-c", sql],
            check=True,
        )

    district = scope.districts[0]
    figure = RegisterCount(
        year=1999, district=district, township=None, category="", children=123_456
    )

    def rolled_back():
        with transaction.atomic():
            Attempt.objects.filter(pk__in=ids).update(passed=False)
            inside = summary(scope) == built()
            transaction.set_rollback(True)
        return inside

    cases = [
        (
            "ORM update()",
            lambda: Attempt.objects.filter(pk__in=ids).update(passed=False),
            lambda: Attempt.objects.filter(pk__in=ids).update(passed=True),
        ),
        ("ORM bulk_update()", bulk_update, bulk_update),
        (
            "ORM bulk_create() / delete()",
            lambda: RegisterCount.objects.bulk_create([figure]),
            lambda: RegisterCount.objects.filter(children=123_456).delete(),
        ),
        (f'raw SQL: UPDATE "{table}"', lambda: raw(f'UPDATE "{table}" {flip}'), None),
        (f"raw SQL: UPDATE public.{table}", lambda: raw(f"UPDATE public.{table} {flip}"), None),
        (
            "raw SQL: WITH … UPDATE",
            lambda: raw(f"WITH picked AS (SELECT 1) UPDATE {table} {flip}"),
            None,
        ),
        (f"psql (outside Django): UPDATE {table}", lambda: psql(f"UPDATE {table} {flip}"), None),
    ]
    print(f"invalidation ({cache_layer()}, period {period.code}):")
    for label, write, undo in cases:
        results = []
        for step in (write, undo or write):
            summary(scope)  # served, so cached
            before = built()
            step()
            truth = built()
            assert truth != before, f"{label}: the write changes no figure"
            results.append("exact" if summary(scope) == truth else "STALE")
        print(f"  {label}: after the write {results[0]}, after undoing it {results[1]}")
    summary(scope)
    inside = rolled_back()
    after = summary(scope) == built()
    print(
        "  a write in a transaction rolled back: inside "
        f"{'exact' if inside else 'STALE'}, after {'exact' if after else 'STALE'}"
    )


def process_cpu_ms() -> float:
    """CPU time used so far by this process and its PostgreSQL backend (same machine).

    On a shared, busy machine wall time mostly measures waiting for a CPU; the CPU
    time is what a request costs, i.e. its latency on an idle machine.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_ms = 0.0
    try:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        backend_ms = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pass
    return time.process_time() * 1000 + backend_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true", help="Create the scale data first.")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--check-invalidation", action="store_true", help="Then check writes of each kind."
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL database (e.g. lms_bench_reports).")
        sys.exit(2)
    settings.MFA_WAIVED_USERNAMES = frozenset({"bench_reports_coordinator"})
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    if args.setup:
        setup()
    with connection.cursor() as cursor:
        # Keep each query in its backend so that its CPU time is counted (2-CPU machine).
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    measure(args.runs)
    if args.check_invalidation:
        check_invalidation()


if __name__ == "__main__":
    main()
