"""Lighthouse 12.2.3 on the pages a phone uses offline, against the site under production settings.

Run ``.venv/bin/python bench/lighthouse.py [RUNS] [--keep-site]`` (default 3 runs per page;
the median run by performance score is reported; ``--keep-site`` reuses the demo site the
last run built instead of building it again, which takes minutes). Needs node/npm and Debian's Chromium
(``/usr/bin/chromium``, or ``CHROME_PATH``). Lighthouse is installed on first use from
npm into ``bench/results/lighthouse/node`` (``LIGHTHOUSE`` names another binary), pinned
to 12.2.3 as issue 20 asks (Lighthouse 12 has no PWA category; installability is checked
by ``tests/browser/test_offline.py`` through the DevTools protocol).

What it does, all under ``bench/results/lighthouse/`` (git-ignored):

1. builds the demo site in a fresh SQLite file (dev settings: ``migrate``, ``seed_demo``);
2. collects the static files as production does (hashed, compressed names: WhiteNoise);
3. starts gunicorn with ``lms.settings.production`` (DEBUG off; SQLite, an in-memory
   broker and cache, console e-mail; plain HTTP on 127.0.0.1, so no SSL redirect);
4. signs the demo trainee and lecturer in (a session made on the server, passed to
   Lighthouse as a ``Cookie`` header with ``--extra-headers``);
5. runs Lighthouse (mobile emulation: Moto G Power screen, simulated slow 4G and 4× CPU
   slowdown, Lighthouse's defaults) on the lesson page, My learning, the practicum form,
   the lecturer's sessions and the offline page; prints one markdown row per page:
   performance, accessibility, best practices, the page's weight (Lighthouse's
   ``total-byte-weight``: every byte transferred, compressed as sent), and the metrics.

Scores under simulated throttling still move with the machine's load (Lighthouse measures
the CPU it gets); the load average is printed. Figures go in docs/performance.md.
Nothing is asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "results" / "lighthouse"
PYTHON = sys.executable
LIGHTHOUSE_VERSION = "12.2.3"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)

# What each page is, who opens it, and how its address is found (run on the server).
PAGES_SCRIPT = """
import json
from django.conf import settings
from django.test import Client
from accounts.models import User
from courses.models import Enrolment
from courses.selectors import course_outline

def session(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value

trainee = User.objects.get(username="trainee")
lesson = None
for enrolment in Enrolment.objects.filter(user=trainee, withdrawn_at=None).select_related("course"):
    outline = course_outline(enrolment.course)
    if outline and outline["lessons"]:
        lesson = outline["lessons"][0]["url"]
        break
trainee_session, lecturer_session = session("trainee"), session("lecturer")
print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "pages": [
        ["lesson page", lesson, trainee_session],
        ["My learning", "/learn/my/", trainee_session],
        ["practicum form", "/practicum/", trainee_session],
        ["lecturer's sessions", "/corps/my-sessions/", lecturer_session],
        ["offline page", "/offline/zh-hans/", None],
    ],
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(port: int) -> dict[str, str]:
    private = WORK / "private"
    private.mkdir(mode=0o700, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{WORK / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "consolemail://",
        "MEDIA_ROOT": str(WORK / "media"),
        "PRACTICUM_PRIVATE_ROOT": str(private),
        "CERT_SIGNING_KEY_FILE": str(WORK / "cert-signing-key.pem"),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


def build_site(env_production: dict[str, str], keep: bool) -> None:
    if keep and (WORK / "db.sqlite3").exists():
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env_production)
        return
    if WORK.exists():
        shutil.rmtree(WORK / "media", ignore_errors=True)
        (WORK / "db.sqlite3").unlink(missing_ok=True)
    key = WORK / "cert-signing-key.pem"
    if not key.exists():
        run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)], os.environ)
        key.chmod(0o600)
    dev = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DATABASE_URL": env_production["DATABASE_URL"],
        "MEDIA_ROOT": env_production["MEDIA_ROOT"],
        "CERT_SIGNING_KEY_FILE": str(key),
        "SITE_URL": env_production["SITE_URL"],
    }
    print("building the demo site …", file=sys.stderr)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], dev)
    run([PYTHON, "manage.py", "seed_demo"], dev, stdout=subprocess.DEVNULL)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env_production)


def lighthouse_binary() -> str:
    if os.environ.get("LIGHTHOUSE"):
        return os.environ["LIGHTHOUSE"]
    prefix = WORK / "node"
    binary = prefix / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print(f"installing lighthouse {LIGHTHOUSE_VERSION} from npm …", file=sys.stderr)
        run(
            ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
             f"lighthouse@{LIGHTHOUSE_VERSION}"],
            os.environ,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return str(binary)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def lighthouse(binary: str, url: str, headers: dict[str, str], out: Path) -> dict:
    args = [
        binary,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if headers:
        args.append(f"--extra-headers={json.dumps(headers)}")
    run(args, {**os.environ, "CHROME_PATH": CHROME})
    return json.loads(out.read_text())


def summary(report: dict) -> dict:
    audits = report["audits"]
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "bytes": audits["total-byte-weight"]["numericValue"],
        "requests": len(audits["network-requests"]["details"]["items"]),
        "metrics": {m: audits[m]["displayValue"] for m in METRICS},
        "failing": sorted(
            f"{category}:{ref['id']}"
            for category in CATEGORIES
            for ref in report["categories"][category]["auditRefs"]
            if ref["weight"] and (audits[ref["id"]]["score"] or 0) < 0.9
            and audits[ref["id"]]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
        ),
        "version": report["lighthouseVersion"],
    }  # fmt: skip


def main() -> None:
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    runs = int(numbers[0]) if numbers else 3
    WORK.mkdir(parents=True, exist_ok=True)
    binary = lighthouse_binary()
    port = free_port()
    env = production_env(port)
    build_site(env, keep="--keep-site" in sys.argv)
    setup = run(
        [PYTHON, "-c", "import django; django.setup()\n" + PAGES_SCRIPT],
        env,
        capture_output=True,
        text=True,
    )
    plan = json.loads(setup.stdout.strip().splitlines()[-1])
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "lms.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/offline/zh-hans/")
        load_before = os.getloadavg()[0]
        rows = []
        for name, path, session in plan["pages"]:
            headers = {"Cookie": f"{plan['cookie']}={session}"} if session else {}
            results = []
            for index in range(runs):
                out = WORK / f"{name.replace(' ', '-').replace(chr(39), '')}-{index}.json"
                results.append(summary(lighthouse(binary, base + path, headers, out)))
            results.sort(key=lambda r: r["scores"]["performance"])
            middle = results[len(results) // 2]
            performance = [r["scores"]["performance"] for r in results]
            rows.append((name, path, middle, performance))
            print(f"{name}: {json.dumps(middle, ensure_ascii=False)}", file=sys.stderr)
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"Lighthouse {rows[0][2]['version']}, mobile emulation, {runs} runs per page "
          f"(the median by performance); load average {load_before:.1f} → {load_after:.1f}")  # fmt: skip
    print()
    print("| page | performance (runs) | accessibility | best practices | weight | requests "
          "| FCP | LCP | TBT | CLS | SI |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, path, middle, performance in rows:
        s, m = middle["scores"], middle["metrics"]
        print(
            f"| {name} (`{path}`) | {s['performance']} ({', '.join(map(str, performance))}) "
            f"| {s['accessibility']} | {s['best-practices']} | {middle['bytes'] / 1024:.1f} KiB "
            f"| {middle['requests']} | {m['first-contentful-paint']} "
            f"| {m['largest-contentful-paint']} | {m['total-blocking-time']} "
            f"| {m['cumulative-layout-shift']} | {m['speed-index']} |"
        )
    failing = sorted({audit for _n, _p, middle, _s in rows for audit in middle["failing"]})
    print()
    print("Audits below 0.9 in a median run:", ", ".join(failing) or "none")
    print(f"Reports: {WORK}/*.json", file=sys.stderr)


if __name__ == "__main__":
    main()
