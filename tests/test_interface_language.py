"""No untranslated interface text: the main pages of each role, rendered in Uyghur and in
English, hold Chinese characters only inside content marked with its own language.

Course titles, venue names, people's names and notes are content (written in Chinese by
their authors) and templates mark them with ``lang="zh-Hans"`` or ``data-content``
(``{% load content %}``, lms/content_text.py). Any other Han character on a Uyghur or
English page is interface text that missed translation — a string without gettext, a
label Django fell back to Chinese for, or a data name shown where the translated name
(``name_ug``/``name_en``) exists. The world is the demo site (``seed_demo``), built once.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from lms.content_text import is_han

DEMO_STAFF = frozenset({"lecturer", "supervisor", "coordinator", "admin"})
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
SKIPPED = {"script", "style", "title", "template"}


class InterfaceText(HTMLParser):
    """Collects the body's text that is not inside marked content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, marked as content or skipped)
        self.texts: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag in VOID:
            return
        attributes = dict(attrs)
        marked = (
            "data-content" in attributes
            or (attributes.get("lang") or "").lower().startswith("zh")
            or tag in SKIPPED
        )
        self.stack.append((tag, marked))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self.in_body or any(marked for _tag, marked in self.stack):
            return
        if any(is_han(char) for char in data):
            self.texts.append(re.sub(r"\s+", " ", data).strip())


def untranslated(html: str) -> list[str]:
    parser = InterfaceText()
    parser.feed(html)
    return parser.texts


def test_the_parser_finds_unmarked_han_and_skips_marked_content():
    html = (
        "<html><head><title>课程</title></head><body><p>登录:</p>"
        '<h1 lang="zh-Hans" dir="ltr">我是有能力的小公民</h1>'
        '<p>Supervisor: <bdi dir="ltr" data-content>陈静</bdi> · 目标 80%</p>'
        "<script>var a = '中文';</script><input value='中'><br></body></html>"
    )
    assert untranslated(html) == ["登录:", "· 目标 80%"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo site, built once for the module inside a transaction rolled back at the end."""
    from lecturer_corps.models import Session
    from places.models import Venue

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        from courses.models import Course

        course = Course.objects.live().order_by("path").first()
        session = Session.objects.filter(lecturer__username="lecturer").order_by("pk").first()
        venue = Venue.objects.order_by("pk").first()
        yield {"course": course, "session": session, "venue": venue}
        transaction.set_rollback(True)


def pages(world) -> dict[str, list[str]]:
    """The main pages of each role (user name → paths)."""
    course = world["course"]
    session = world["session"]
    return {
        "": [
            "/",
            reverse("account_login"),
            reverse("certification:verify_lookup"),
        ],
        "trainee": [
            reverse("home:dashboard"),
            reverse("courses:catalogue"),
            reverse("courses:search") + "?q=情绪",
            reverse("courses:my_learning"),
            course.url,
            reverse("certification:my_certifications"),
            reverse("practicum:my_entries"),
        ],
        "lecturer": [
            reverse("home:dashboard"),
            reverse("lecturer_corps:my_sessions"),
            reverse("lecturer_corps:session_detail", args=[session.pk]),
            reverse("lecturer_corps:calendar_link"),
        ],
        "supervisor": [
            reverse("home:dashboard"),
            reverse("practicum:review_queue"),
            reverse("practicum:my_trainees"),
        ],
        "coordinator": [
            reverse("home:dashboard"),
            reverse("lecturer_corps:request_list"),
            reverse("reports:dashboard"),
            reverse("certification:manage"),
        ],
    }


def _findings(world, settings, language):
    settings.MFA_WAIVED_USERNAMES = DEMO_STAFF
    # The catalogues the site runs with (tests run without them by default): a string
    # missing from the Uyghur catalogue falls back to the Chinese one, as it does live.
    settings.LOCALE_PATHS = settings.PROJECT_LOCALE_PATHS
    from django.contrib.auth import get_user_model

    found: dict[str, list[str]] = {}
    for username, paths in pages(world).items():
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:  # reported with the rest, not alone
                found[f"{username or 'anonymous'} {path}"] = [f"HTTP {response.status_code}"]
                continue
            texts = untranslated(response.content.decode())
            if texts:
                found[f"{username or 'anonymous'} {path}"] = texts
    return found


# Known gaps, to be closed (then removed from here: the test fails on a gap that is gone,
# so this list only shrinks). Each is content shown where it cannot be marked yet.
KNOWN_GAPS = {
    # Venue names inside <option> lists (a select's options carry no markup yet).
    "trainee /practicum/": "venue names in the entry form's venue list",
    # People's names in the queue's trainee filter (<option>s).
    "supervisor /practicum/review/": "trainee names in the queue's filter list",
    # District names in the report's rows and export labels (their translated names would
    # change the export's and the API's labels; to be decided with the report's users).
    "coordinator /reports/": "district names in the report's rows",
}


@pytest.mark.parametrize("language", ["ug", "en"])
def test_main_pages_have_no_untranslated_interface_text(world, settings, language, db):
    found = _findings(world, settings, language)
    new = {page: texts for page, texts in found.items() if page not in KNOWN_GAPS}
    report = "\n".join(f"{page}: {texts[:6]}" for page, texts in new.items())
    assert not new, f"Han characters outside marked content ({language}):\n{report}"
    closed = sorted(set(KNOWN_GAPS) - set(found))
    assert not closed, f"gaps closed: remove them from KNOWN_GAPS: {closed}"
