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

DEMO_STAFF = frozenset({"lecturer", "supervisor", "coordinator", "admin", "leader"})
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


def test_an_option_or_chart_label_in_another_script_carries_its_language():
    """Where no element can be wrapped around a name (a select's options, an SVG chart's
    labels), the element itself is marked; a name in the interface's own script is not."""
    from django import forms
    from django.utils import translation

    from lms.widgets import ContentSelect
    from reports.charts import render_chart
    from reports.figures import Chart, Column, Table

    select = ContentSelect(choices=[("", "—"), ("1", "高昌区第三中学"), ("2", "مەكتەپ")])
    chart = Table(
        key="t",
        title="T",
        columns=[Column("name", "Name", "text"), Column("value", "Value", "int")],
        rows=[{"name": "高昌区", "value": 3}, {"name": "تۇرپان", "value": 1}],
        chart=Chart("bar", "name", ("value",)),
    )
    with translation.override("ug"):
        html = select.render("venue", "1") + str(render_chart(chart))
        assert untranslated(f"<body>{html}</body>") == []
        assert 'value="1" selected lang="zh-Hans" dir="ltr" data-content' in html
        assert '<option value="2">' in html  # Uyghur in the Uyghur interface: not content
        assert 'direction="ltr"' in html  # the bars grow from the left in every interface
    with translation.override("zh-hans"):
        html = select.render("venue", "1")
        assert '<option value="1" selected>' in html
        assert 'value="2" lang="ug" dir="rtl" data-content' in html
    assert isinstance(select, forms.Select)


def test_the_practicum_form_names_venues_by_kind_and_activity_types_in_uyghur(
    db, project_translations
):
    """The entry form's venue list: one group per kind (interface text), each venue's own
    name as content; the activity types under their Uyghur names."""
    from django.utils import translation

    from practicum.defaults import install_defaults
    from practicum.forms import EntryForm
    from practicum.tests.factories import PlacementFactory
    from tests.factories import VenueFactory

    install_defaults()
    placement = PlacementFactory()
    school = VenueFactory(name="葡萄镇中心小学")
    VenueFactory(name="幸福社区", venue_type="community", district=school.district)
    with translation.override("ug"):
        form = EntryForm(trainee=placement.trainee)
        html = str(form["venue"]) + str(form["activity_type"])
    assert '<optgroup label="مەكتەپ">' in html
    assert f'value="{school.pk}" lang="zh-Hans" dir="ltr" data-content>葡萄镇中心小学<' in html
    assert "گۇرۇپپا پىسخىك مەسلىھەت · بىۋاسىتە مۇلازىمەت" in html
    assert untranslated(f"<body>{html}</body>") == []


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo site, built once for the module inside a transaction rolled back at the end."""
    from lecturer_corps.models import DeliveryReport, Session
    from places.models import Venue
    from practicum.models import PracticumEntry

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        from courses.models import Course

        course = Course.objects.live().order_by("path").first()
        session = Session.objects.filter(lecturer__username="lecturer").order_by("pk").first()
        venue = Venue.objects.order_by("pk").first()
        report = DeliveryReport.objects.order_by("pk").first()
        entry = (
            PracticumEntry.objects.filter(placement__supervisor__username="supervisor")
            .order_by("pk")
            .first()
        )
        yield {
            "course": course,
            "session": session,
            "venue": venue,
            "report": report,
            "entry": entry,
        }
        transaction.set_rollback(True)


WAGTAIL_ADMIN = ("/admin/", "/cms/")

# The demo's log-ins, one or more per role (``accounts.seed``, ``reports.seed``).
DEMO_USERS = ["trainee", "lecturer", "supervisor", "coordinator", "leader"]


def pages(world) -> dict[str, list[str]]:
    """The main pages of each role (user name → paths): every page the role's dashboard
    links to (``home.selectors``: a page added there is covered here), and the pages a
    role's week goes through from there."""
    from django.contrib.auth import get_user_model

    from home.selectors import destinations_by_role

    course, session, report, entry = (
        world["course"], world["session"], world["report"], world["entry"]
    )  # fmt: skip
    deeper = {
        "": [
            "/",
            reverse("account_login"),
            reverse("certification:verify_lookup"),
        ],
        "trainee": [
            reverse("home:dashboard"),
            reverse("courses:search") + "?q=情绪",
            course.url,
            reverse("practicum:my_ledger"),
        ],
        "lecturer": [
            reverse("home:dashboard"),
            reverse("lecturer_corps:session_detail", args=[session.pk]),
            reverse("lecturer_corps:calendar_link"),
            reverse("lecturer_corps:profile"),
        ],
        "supervisor": [
            reverse("home:dashboard"),
            reverse("practicum:my_trainees"),
            reverse("practicum:trainee_review", args=[entry.trainee_id]),
            reverse("practicum:entry_detail", args=[entry.pk]),
        ],
        "coordinator": [
            reverse("home:dashboard"),
            reverse("lecturer_corps:auto_assign"),
            reverse("lecturer_corps:report_queue"),
            reverse("lecturer_corps:report_detail", args=[report.pk]),
            reverse("lecturer_corps:calendar"),
            reverse("reports:monthly_list"),
            reverse("reports:coverage"),
        ],
        "leader": [reverse("home:dashboard")],
    }
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_USERS)}
    found = {}
    for username, paths in deeper.items():
        linked = []
        if username:
            for destinations in destinations_by_role(users[username]).values():
                # The Wagtail admin (the site's and the CMS's) speaks Wagtail's own catalogue.
                linked += [d.url for d in destinations if not d.url.startswith(WAGTAIL_ADMIN)]
        found[username] = list(dict.fromkeys(paths + linked))
    return found


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
            response = client.get(path, follow=True)  # a page may send on (the ledger)
            if response.status_code != 200:  # reported with the rest, not alone
                found[f"{username or 'anonymous'} {path}"] = [f"HTTP {response.status_code}"]
                continue
            texts = untranslated(response.content.decode())
            if texts:
                found[f"{username or 'anonymous'} {path}"] = texts
    return found


def test_every_role_and_its_main_pages_are_walked(world, db):
    """The walk reaches each role (a demo log-in gone would silently shrink it)."""
    walked = pages(world)
    assert set(walked) == {"", *DEMO_USERS}
    assert all(len(paths) >= 3 for username, paths in walked.items() if username != "leader")
    assert reverse("reports:dashboard") in walked["leader"]


@pytest.mark.parametrize("language", ["ug", "en"])
def test_main_pages_have_no_untranslated_interface_text(world, settings, language, db):
    found = _findings(world, settings, language)
    report = "\n".join(f"{page}: {texts[:6]}" for page, texts in found.items())
    assert not found, f"Han characters outside marked content ({language}):\n{report}"
