"""Load benchmark of the learning pages against gunicorn + PostgreSQL + Redis.

    .venv/bin/python bench/courses_load.py [--users 20] [--seconds 20] [--workers 4]
        [--trainees 10000 --courses 200 --lessons 2000 --progress 100000] [--fresh]

1. Prepares the database ``lms_bench_courses`` (PostgreSQL on 127.0.0.1:5432): migrates
   and loads ``seed_scale --only courses`` with the sizes given (defaults: the full
   10,000 trainees / 200 courses / 2,000 lessons / 100,000 progress rows). A database
   that already holds the scale data is reused unless ``--fresh``.
2. Starts gunicorn on a free port with production settings (``bench/courses_settings.py``:
   ``lms.settings.production`` over plain HTTP, Redis cache in db 2, ``DEBUG`` off) and
   the benchmark-only bare view ``/bench/bare`` (one ``SELECT 1`` through the same
   middleware).
   With ``--language ug`` (issue 16) each lesson the users read gets a live Uyghur
   translation (made once, Wagtail's ``copy_for_translation``, the same block ids with
   Uyghur text) and every request carries a Uyghur interface (the language cookie), so
   the lesson page is served in Uyghur in place of the original.
3. Logs in ``--users`` scale trainees (sessions made directly in the database) and runs
   that many threads, each a user, against three pages in turn: the bare view, a
   lesson page of one of the user's courses, and My learning. Prints requests per
   second, p50 and p95 latency for each, and the ratio of each page to the bare view.

A plain threaded HTTP client (http.client), new connection per request (gunicorn's
sync workers close connections). Nothing is asserted: the figures go to
docs/performance.md.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "lms_bench_courses"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/2"
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"
LANGUAGE_COOKIE = ""  # "django_language=ug" with --language ug
UYGHUR_PARAGRAPH = (
    "بالىلار ھېسسىياتىنى ھەر خىل ئۇسۇلدا ئىپادىلەيدۇ. يېتەكچى ئۇلارنى ئاڭلاپ، ھەر بىر"
    " بالىنىڭ ئۆز سۆزى بىلەن ئېيتىپ بېرىشىگە پۇرسەت بېرىدۇ. "
)


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


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        DJANGO_SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CERT_SIGNING_KEY=signing_key_pem(),
        PRACTICUM_PRIVATE_ROOT=str(ROOT / "var" / "bench-private"),
        SITE_URL="http://127.0.0.1",
        CELERY_BROKER_URL=REDIS_URL,
        CACHE_URL=REDIS_URL,
        EMAIL_URL="consolemail://",
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    return env


def prepare_database(args) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and args.fresh:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = {**environment(), "DJANGO_SETTINGS_MODULE": "lms.settings.dev", "DJANGO_DEBUG": "0"}
    manage = [sys.executable, "manage.py"]
    migrated = subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
    if migrated.returncode != 0:
        if not exists:
            raise SystemExit("migrate failed on a new database")
        print("warning: migrate failed on the existing database; use --fresh to rebuild it")
    sizes = []
    for name in ("trainees", "courses", "lessons", "progress"):
        sizes += [f"--{name}", str(getattr(args, name))]
    started = time.perf_counter()
    subprocess.run(
        [*manage, "seed_scale", "--only", "courses", "--skip-index", *sizes],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"seed_scale: {time.perf_counter() - started:.1f} s")


def sessions_and_urls(count: int) -> list[tuple[str, str]]:
    """(session cookie, lesson URL) for ``count`` scale trainees with an open lesson."""
    os.environ.update(environment())
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.dev"
    os.environ["DJANGO_DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from courses.models import Enrolment

    enrolments = (
        Enrolment.objects.filter(
            user__username__startswith="scale_trainee_",
            last_lesson__isnull=False,
            completed_at__isnull=True,
        )
        .select_related("user", "last_lesson")
        .order_by("user__username")
    )
    result, seen = [], set()
    for enrolment in enrolments:
        if enrolment.user_id in seen:
            continue
        seen.add(enrolment.user_id)
        session = SessionStore()
        session[SESSION_KEY] = str(enrolment.user_id)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = enrolment.user.get_session_auth_hash()
        session.create()
        result.append((session.session_key, enrolment.last_lesson.url))
        if len(result) == count:
            break
    if len(result) < count:
        raise SystemExit(f"Only {len(result)} scale trainees with an open lesson; need {count}.")
    return result


def translate_lessons(urls: list[str], language: str) -> int:
    """A live translation into ``language`` of each lesson at ``urls`` (made once): the
    original's blocks, with Uyghur text of about the original's length in each rich text
    block. Returns how many were made now."""
    from wagtail.models import Locale

    from courses.models import Lesson

    locale = Locale.objects.get(language_code=language)
    made = 0
    for lesson in Lesson.objects.filter(url_path__in=_url_paths(urls)).order_by("pk"):
        if lesson.get_translation_or_none(locale) is not None:
            continue
        translation = lesson.copy_for_translation(locale, copy_parents=True)
        blocks = []
        for block in lesson.body.raw_data:
            block = dict(block)
            if block.get("type") == "rich_text":
                times = max(1, len(block["value"]) // len(UYGHUR_PARAGRAPH))
                block["value"] = f"<p>{UYGHUR_PARAGRAPH * times}</p>"
            blocks.append(block)
        translation.title = f"دەرس {lesson.pk}"
        translation.body = blocks
        translation.save_revision().publish()
        made += 1
    return made


def _url_paths(urls: list[str]) -> list[str]:
    """Wagtail url_paths of lesson URLs (the default site's root page is /home/)."""
    from wagtail.models import Site

    root = Site.objects.get(is_default_site=True).root_page.url_path.rstrip("/")
    return [f"{root}{url}" for url in urls]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = {
        **environment(),
        "DJANGO_SETTINGS_MODULE": "courses_settings",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
    }
    # Production settings serve hashed static files: they need their manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "lms.wsgi",
            "--pythonpath",
            f"{ROOT},{ROOT / 'bench'}",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            status, _ = get(port, "/bench/bare", None)
            if status == 200:
                time.sleep(5)  # let every worker finish booting
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not start")


def get(port: int, path: str, session_key: str | None) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1", "Accept-Encoding": "identity"}
    cookies = [f"sessionid={session_key}"] if session_key else []
    if LANGUAGE_COOKIE:
        cookies.append(LANGUAGE_COOKIE)
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body)


def run_load(port: int, name: str, targets: list[tuple[str, str]], seconds: float) -> dict:
    """Each thread requests its own (session, path) as fast as it can for ``seconds``."""
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    sizes = set()

    def worker(session_key: str, path: str):
        local, local_errors = [], []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, size = get(port, path, session_key)
            except OSError as exc:
                local_errors.append(str(exc))
                continue
            local.append(time.perf_counter() - started)
            if status != 200:
                local_errors.append(f"{status} {path}")
            sizes.add(size)
        with lock:
            latencies.extend(local)
            errors.extend(local_errors)

    for session_key, path in targets:  # warm caches and connections
        get(port, path, session_key)
    threads = [threading.Thread(target=worker, args=target) for target in targets]
    began = time.perf_counter()
    stop = began + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "name": name,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "bytes": max(sizes) if sizes else 0,
    }


def in_process_cost(
    users: list[tuple[str, str]], repeat: int = 100
) -> list[tuple[str, float, float]]:
    """Django's own cost per request, without gunicorn or the network: wall and CPU ms
    in this process (PostgreSQL's time is outside the CPU figure). Query counts are
    pinned by the tests (courses/tests/test_views.py)."""
    from django.test import Client, override_settings

    sys.path.insert(0, str(ROOT / "bench"))
    session_key, lesson_url = users[0]
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key
    if LANGUAGE_COOKIE:
        name, value = LANGUAGE_COOKIE.split("=")
        client.cookies[name] = value
    rows = []
    with override_settings(ROOT_URLCONF="courses_urls", ALLOWED_HOSTS=["127.0.0.1"]):
        for name, path in [
            ("bare view", "/bench/bare"),
            ("lesson page", lesson_url),
            ("My learning", "/learn/my/"),
        ]:
            assert client.get(path).status_code == 200
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(repeat):
                client.get(path)
            wall = (time.perf_counter() - wall) / repeat * 1000
            cpu = (time.process_time() - cpu) / repeat * 1000
            rows.append((name, wall, cpu))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--trainees", type=int, default=10_000)
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--lessons", type=int, default=2_000)
    parser.add_argument("--progress", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="Drop and rebuild the database.")
    parser.add_argument(
        "--language",
        default="",
        help="Interface language of the requests (ug: with live Uyghur translations).",
    )
    args = parser.parse_args()

    prepare_database(args)
    users = sessions_and_urls(args.users)
    if args.language:
        from django.conf import settings

        global LANGUAGE_COOKIE
        LANGUAGE_COOKIE = f"{settings.LANGUAGE_COOKIE_NAME}={args.language}"
        if args.language != settings.LANGUAGE_CODE.lower():
            made = translate_lessons([url for _s, url in users], args.language)
            print(f"{args.language} translations made now: {made}")
    subprocess.run(["redis-cli", "-n", "2", "FLUSHDB"], check=False, capture_output=True)
    port = free_port()
    server = start_server(port, args.workers)
    try:
        results = [
            run_load(
                port,
                "bare view (/bench/bare)",
                [(s, "/bench/bare") for s, _ in users],
                args.seconds,
            ),
            run_load(port, "lesson page", users, args.seconds),
            run_load(
                port,
                "My learning (/learn/my/)",
                [(s, "/learn/my/") for s, _ in users],
                args.seconds,
            ),
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    costs = in_process_cost(users)
    bare = results[0]["rps"] or 1
    print(
        f"\n{args.users} concurrent users, {args.seconds:.0f} s per page, "
        f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs"
        + (f", interface language {args.language}" if args.language else "")
    )
    print(f"{'page':28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7} {'bytes':>7} errors")
    for row in results:
        print(
            f"{row['name']:28} {row['rps']:8.1f} {row['p50']:8.1f} {row['p95']:8.1f} "
            f"{row['rps'] / bare:7.0%} {row['bytes']:7d} {row['errors']} {row['first_error']}"
        )
    print("\nIn-process cost per request (Django test client, same database and cache):")
    print(f"{'page':28} {'wall ms':>8} {'CPU ms':>8}")
    for name, wall, cpu in costs:
        print(f"{name:28} {wall:8.1f} {cpu:8.1f}")


if __name__ == "__main__":
    main()
