"""What a phone downloads for a lesson page: HTML and every stylesheet and script it loads.

Run ``.venv/bin/python bench/lesson_weight.py``. It builds the demo site in an in-memory
SQLite database (test settings, so English), signs in as the demo trainee, opens the
first lesson of each course they are enrolled in and prints, per lesson, the bytes of
the HTML and of each ``/static/`` CSS or JS file the page names, raw and gzip-compressed
(what gunicorn behind nginx or WhiteNoise's compressed files send). Images are left
out: they load lazily and depend on the lesson.

Files fetched after the page has loaded (the service worker, the web app manifest and its
icon, scripts loaded only when needed) are listed separately: they are not part of the
first load of the page, and most are fetched once per installation, not per page.
Figures go in docs/performance.md ("Lesson page weight").
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ASSET = re.compile(r'(?:href|src|data-[a-z-]+)="/static/([^"]+\.(?:css|js))"')
FIRST_LOAD = re.compile(r'<(?:link rel="stylesheet"|script)[^>]*(?:href|src)="/static/([^"]+)"')


def sizes(data: bytes) -> tuple[int, int]:
    return len(data), len(gzip.compress(data, compresslevel=9))


def static_bytes(name: str) -> bytes:
    path = finders.find(name)
    if not path:
        raise SystemExit(f"static file not found: {name}")
    return Path(path).read_bytes()


# What issue 20 (the installable, offline-capable site) adds to every page's HTML.
OFFLINE_MARKUP = [
    re.compile(rb'\n  <link rel="manifest" href="[^"]*">'),
    re.compile(rb'\n  <link rel="apple-touch-icon" href="[^"]*">'),
    re.compile(rb'\n  <meta name="theme-color" content="[^"]*">'),
    re.compile(rb'\n  <script src="[^"]*offline/register[^"]*"[^>]*></script>'),
    re.compile(rb' data-offline-complete="\d+"'),
    re.compile(rb" data-offline-logout"),
]


def strip_offline(html: bytes) -> bytes:
    for pattern in OFFLINE_MARKUP:
        html = pattern.sub(b"", html)
    return html


def report_without(html: bytes) -> None:
    """The same page without issue 20's markup and script: the figure before it."""
    raw, packed = sizes(html)
    for name in sorted(set(FIRST_LOAD.findall(html.decode()))):
        r, p = sizes(static_bytes(name))
        raw += r
        packed += p
    print(f"  {'without the offline markup and script':<46} {raw:>8} {packed:>8}")


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    from courses.models import Enrolment
    from courses.selectors import course_outline

    client = Client()
    from accounts.models import User

    trainee = User.objects.get(username="trainee")
    client.force_login(trainee)
    enrolments = Enrolment.objects.filter(user=trainee, withdrawn_at=None).select_related("course")
    print(f"{'page':<48} {'raw B':>8} {'gzip B':>8}")
    for enrolment in enrolments:
        outline = course_outline(enrolment.course)
        lessons = outline["lessons"] if isinstance(outline, dict) else []
        if not lessons:
            continue
        url = lessons[0]["url"]
        response = client.get(url)
        if response.status_code != 200:
            print(f"{url}: {response.status_code}")
            continue
        html = response.content
        raw, packed = sizes(html)
        total_raw, total_packed = raw, packed
        print(f"{url[:48]:<48} {raw:>8} {packed:>8}")
        text = html.decode()
        first = set(FIRST_LOAD.findall(text))
        for name in sorted(first):
            r, p = sizes(static_bytes(name))
            total_raw += r
            total_packed += p
            print(f"  {name:<46} {r:>8} {p:>8}")
        print(f"  {'first load total':<46} {total_raw:>8} {total_packed:>8}")
        report_without(strip_offline(html))
        later = sorted(set(ASSET.findall(text)) - first)
        for name in later:
            r, p = sizes(static_bytes(name))
            print(f"  later: {name:<39} {r:>8} {p:>8}")
        for path in ("/sw.js", "/manifest.webmanifest"):
            extra = client.get(path)
            if extra.status_code == 200:
                r, p = sizes(extra.content)
                print(f"  later: {path:<39} {r:>8} {p:>8}")
        print()


if __name__ == "__main__":
    main()
