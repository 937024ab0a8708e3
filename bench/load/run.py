"""Load test: a realistic mix of users against gunicorn + PostgreSQL + Redis + a Celery
worker on this machine, at several concurrency levels, with a bare Django view as the
baseline in the same run.

    .venv/bin/pip install -e ".[dev,bench]"        # locust
    .venv/bin/python bench/load/run.py [--levels 20,50,100] [--seconds 60]
        [--bare-seconds 30] [--workers 4] [--scale 0.2] [--fresh]

1. Prepares the PostgreSQL database ``load_db`` (127.0.0.1:5432): migrate, ``seed_demo``,
   ``seed_scale --scale`` (0.2: 2,000 learning trainees with 40 courses, 400 lessons and
   20,000 progress rows; 100 supervising experts with 20,000 practicum entries; 1,000
   lecturers, 400 venues, 4,000 past sessions), then the load run's own rows: 20 city
   coordinators, each with 40 open service requests over the coming year (about 65 a
   month in all; the programme report counts some 50 activities and lectures in all). Staff get TOTP authenticators, as
   in production; no two-factor waiver. A database that holds the data is reused unless
   ``--fresh``.
2. Starts a Celery worker (Redis db 12, also the cache) and gunicorn (``--workers`` sync
   workers) with ``bench/load/load_settings.py``: production settings over plain HTTP on
   127.0.0.1, ``DEBUG`` off, plus the bare view ``/bench/bare`` (one ``SELECT 1``).
3. For each level: writes the accounts file (a session per account, made in the
   database), runs locust headless for ``--seconds`` with the mix (70% trainees, 15%
   supervisors, 15% coordinators; 1–3 s think time), then for ``--bare-seconds`` with
   the bare view alone at the same concurrency and think time. Statistics are reset
   once every user has started.
4. Prints requests per second, p50/p95/p99 (ms), error rate and the load average during
   each run; writes them to bench/results/load.json.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DB_NAME = "load_db"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/12"
SECRET_KEY = "load-test-only-secret-key-not-for-production-0123456789abcdef"
COORDINATORS = 20
REQUESTS_PER_COORDINATOR = 40
MIX = ["Trainee", "Supervisor", "Coordinator"]


@functools.cache
def signing_key_pem() -> str:
    """A throwaway Ed25519 key for this run: production settings refuse to start without one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def environment(port: int = 0) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        DJANGO_SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        CERT_SIGNING_KEY=signing_key_pem(),
        PRACTICUM_PRIVATE_ROOT=str(ROOT / "var" / "bench-private"),
        CELERY_BROKER_URL=REDIS_URL,
        CACHE_URL=REDIS_URL,
        EMAIL_URL="consolemail://",
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    return env


def seeding_environment() -> dict[str, str]:
    """seed_demo and seed_scale refuse production settings: dev settings, same database."""
    return {
        **environment(),
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DJANGO_DEBUG": "0",
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "locmemcache://",
    }


def manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=seeding_environment(),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare_database(args) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and args.fresh:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    started = time.perf_counter()
    manage("migrate", "--noinput", "-v0")
    setup_django()
    from accounts.models import User

    if not User.objects.filter(username="trainee").exists():
        manage("seed_demo")
    if not User.objects.filter(username__startswith="scale_supervisor_").exists():
        manage("seed_scale", "--scale", str(args.scale), "--skip-index")
    load_rows()
    print(f"database ready in {time.perf_counter() - started:.0f} s", flush=True)


def setup_django() -> None:
    if "django" in sys.modules and getattr(sys.modules["django"], "apps", None):
        from django.apps import apps

        if apps.ready:
            return
    os.environ.update(seeding_environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_rows() -> None:
    """Coordinators with open requests (idempotent); staff with TOTP; a quiz that can be
    taken again and again."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from accounts import roles
    from accounts.models import User
    from lecturer_corps.models import RequestStatus, ServiceRequest
    from places.models import Venue
    from tests.factories import enable_two_factor, make_user

    with transaction.atomic():
        template = ServiceRequest.objects.filter(status=RequestStatus.REQUESTED).first()
        venues = list(Venue.objects.order_by("pk").values_list("pk", flat=True))
        rng = random.Random(12)
        today = timezone.localdate()
        for number in range(1, COORDINATORS + 1):
            username = f"load_coordinator_{number:02d}"
            coordinator = User.objects.filter(username=username).first()
            if coordinator is None:
                coordinator = make_user(roles.COORDINATOR, username=username, two_factor=True)
            have = ServiceRequest.objects.filter(
                created_by=coordinator, status=RequestStatus.REQUESTED
            ).count()
            made = []
            for _ in range(REQUESTS_PER_COORDINATOR - have):
                item = ServiceRequest(
                    venue_id=rng.choice(venues),
                    topic=template.topic,
                    audience=template.audience,
                    age_band=template.age_band,
                    expected_size=template.expected_size,
                    language=template.language,
                    date=today + datetime.timedelta(days=rng.randint(7, 365)),
                    start_time=template.start_time,
                    end_time=template.end_time,
                    class_hours=template.class_hours,
                    lecturers_needed=1,
                    notes="负载测试",
                    created_by=coordinator,
                )
                item.compute_times()
                made.append(item)
            ServiceRequest.objects.bulk_create(made)
        for supervisor in User.objects.filter(
            username__startswith="scale_supervisor_", authenticator__isnull=True
        ):
            enable_two_factor(supervisor)


def pick_quiz(trainee):
    from quizzes.models import Quiz
    from quizzes.permissions import check_can_take

    for quiz in Quiz.objects.filter(is_available=True).order_by("pk"):
        try:
            check_can_take(trainee, quiz)
        except Exception:
            continue
        if quiz.attempts_allowed or quiz.time_limit_minutes:
            # A load run takes the quiz hundreds of times: unlimited attempts, no clock.
            Quiz.objects.filter(pk=quiz.pk).update(attempts_allowed=0, time_limit_minutes=None)
        return quiz.pk
    raise SystemExit("No quiz a scale trainee may take")


def write_accounts(path: Path, users: int) -> None:
    """One session per account: as many accounts of each kind as users at this level."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count, Q

    from accounts.models import User
    from courses.models import Enrolment, Lesson
    from lecturer_corps.models import RequestStatus, ServiceRequest
    from practicum.models import EntryState

    def session(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    trainees = []
    enrolments = (
        Enrolment.objects.filter(user__username__startswith="scale_trainee_")
        .select_related("user", "course")
        .order_by("user__username")
    )
    seen = set()
    for enrolment in enrolments:
        if enrolment.user_id in seen:
            continue
        seen.add(enrolment.user_id)
        # Lessons the trainee has opened (a sequential course locks the ones after them).
        lessons = [
            lesson.url
            for lesson in Lesson.objects.live()
            .filter(progress__user=enrolment.user, progress__course=enrolment.course)
            .order_by("path")[:8]
        ]
        if not lessons:
            continue
        trainees.append({"user": enrolment.user, "lessons": lessons})
        if len(trainees) == users:
            break
    quiz = pick_quiz(trainees[0]["user"])
    supervisors = list(
        User.objects.filter(username__startswith="scale_supervisor_")
        .annotate(
            waiting=Count(
                "practicum_entries_to_review",
                filter=Q(practicum_entries_to_review__state=EntryState.SUBMITTED),
            )
        )
        .order_by("-waiting")[:users]
    )
    coordinators = list(
        User.objects.filter(username__startswith="load_coordinator_").order_by("username")
    )
    open_requests = {}
    for pk, owner in ServiceRequest.objects.filter(
        created_by__in=coordinators, status=RequestStatus.REQUESTED
    ).values_list("pk", "created_by"):
        open_requests.setdefault(owner, []).append(pk)
    accounts = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "trainees": [
            {"session": session(t["user"]), "lessons": t["lessons"], "quiz": quiz} for t in trainees
        ],
        "supervisors": [{"session": session(user)} for user in supervisors],
        "coordinators": [
            {"session": session(user), "requests": open_requests.get(user.pk, [])}
            for user in coordinators
        ],
    }
    path.write_text(json.dumps(accounts), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def served_environment(port: int) -> dict[str, str]:
    return {
        **environment(port),
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": f"{ROOT}:{HERE}",
    }


def start_services(port: int, workers: int, logs: Path) -> list[subprocess.Popen]:
    """Celery worker and gunicorn; their output (e-mail printed by the console backend,
    warnings) goes to ``logs``."""
    env = served_environment(port)
    log = open(logs, "w", encoding="utf-8")  # noqa: SIM115 (open for the whole run)
    subprocess.run(["redis-cli", "-n", "12", "FLUSHDB"], check=True, capture_output=True)
    # Production settings serve hashed static files: they need their manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "lms", "worker", "--concurrency", "1",
         "--loglevel", "WARNING"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "lms.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=5) as r:
                if r.status == 200:
                    time.sleep(5)  # let every worker finish booting
                    return [server, worker]
        except OSError:
            pass
        time.sleep(0.5)
    stop_services([server, worker])
    raise SystemExit("gunicorn did not start")


def stop_services(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


class LoadSampler:
    """The 1-minute load average, sampled every 5 s while a run lasts."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(5):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def drain(port: int, limit: float = 120) -> None:
    """Wait until the server has worked through what the last run left queued (gunicorn
    still answers requests whose clients have gone): the bare view answers in < 100 ms
    three times in a row."""
    deadline = time.time() + limit
    fast = 0
    while fast < 3 and time.time() < deadline:
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=60):
            pass
        fast = fast + 1 if time.perf_counter() - started < 0.1 else 0
        time.sleep(0.5)


def percentile(value: str) -> float | None:
    return None if value == "N/A" else float(value)


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def run_locust(port, users, seconds, classes, accounts, prefix) -> dict:
    drain(port)
    env = {**os.environ, "LOAD_ACCOUNTS": str(accounts)}
    command = [
        str(ROOT / ".venv/bin/locust"), "-f", str(HERE / "locustfile.py"), "--headless",
        "--host", f"http://127.0.0.1:{port}", "-u", str(users), "-r", str(max(users // 2, 1)),
        "--run-time", f"{seconds}s", "--reset-stats", "--only-summary", "--csv", str(prefix),
        "--exit-code-on-error", "0", "--loglevel", "WARNING", *classes,
    ]  # fmt: skip
    with LoadSampler() as sampler:
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    count = int(total["Request Count"])
    failures = {}
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with open(failures_file, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                failures[f"{row['Method']} {row['Name']}: {row['Error']}"] = int(row["Occurrences"])
    return {
        "users": users,
        "requests": count,
        "rps": float(total["Requests/s"]),
        "p50": percentile(total["50%"]),
        "p95": percentile(total["95%"]),
        "p99": percentile(total["99%"]),
        "errors": int(total["Failure Count"]),
        "error_rate": int(total["Failure Count"]) / count if count else 0.0,
        "failures": failures,
        "load": max(sampler.samples) if sampler.samples else os.getloadavg()[0],
        "load_mean": sum(sampler.samples) / len(sampler.samples) if sampler.samples else 0.0,
        "pages": {
            name: {
                "requests": int(row["Request Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "errors": int(row["Failure Count"]),
            }
            for name, row in rows.items()
            if name != "Aggregated"
        },  # fmt: skip
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="20,50,100", help="Concurrent users per run.")
    parser.add_argument("--seconds", type=int, default=60, help="Length of each mix run.")
    parser.add_argument("--bare-seconds", type=int, default=30, help="Length of each bare run.")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers.")
    parser.add_argument("--scale", type=float, default=0.2, help="seed_scale --scale.")
    parser.add_argument("--fresh", action="store_true", help="Drop and rebuild load_db.")
    parser.add_argument("--prepare-only", action="store_true", help="Prepare load_db, run nothing.")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    prepare_database(args)
    if args.prepare_only:
        return
    port = free_port()
    logs = ROOT / "bench/results/load-services.log"
    logs.parent.mkdir(parents=True, exist_ok=True)
    services = start_services(port, args.workers, logs)
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="load-") as scratch:
            scratch = Path(scratch)
            for users in levels:
                accounts = scratch / f"accounts-{users}.json"
                write_accounts(accounts, users)
                for name, classes, seconds in [
                    ("mix", MIX, args.seconds),
                    ("bare view", ["BareViewUser"], args.bare_seconds),
                ]:
                    prefix = scratch / f"{name.replace(' ', '-')}-{users}"
                    row = run_locust(port, users, seconds, classes, accounts, prefix)
                    row["name"] = name
                    results.append(row)
                    print(
                        f"{users:4d} users {name:10} {row['rps']:7.1f} req/s  p50 {ms(row['p50']):>6}"
                        f"  p95 {ms(row['p95']):>6}  p99 {ms(row['p99']):>6} ms  errors "
                        f"{row['errors']}/{row['requests']}  load {row['load']:.1f}",
                        flush=True,
                    )
                    for failure, times in row["failures"].items():
                        print(f"      {times} × {failure}")
    finally:
        stop_services(services)

    print(
        f"\n{os.cpu_count()} CPUs, gunicorn {args.workers} sync workers, 1 Celery worker, "
        f"think time 1–3 s; mix {args.seconds} s, bare {args.bare_seconds} s per level"
    )
    print(
        f"{'users':>5} {'run':10} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'errors':>7} {'load avg':>9}"
    )
    for row in results:
        print(
            f"{row['users']:5d} {row['name']:10} {row['rps']:7.1f} {ms(row['p50']):>7}"
            f" {ms(row['p95']):>7} {ms(row['p99']):>7} {row['error_rate']:7.1%}"
            f" {row['load_mean']:4.1f}–{row['load']:.1f}"
        )
    mails = logs.read_text(encoding="utf-8", errors="replace").count("Message-ID:")
    print(f"E-mails sent by the Celery worker (console backend) during the run: {mails}")
    out = ROOT / "bench/results/load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        f"\nPer-page figures: {out.relative_to(ROOT)}; server and worker output: {logs.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
