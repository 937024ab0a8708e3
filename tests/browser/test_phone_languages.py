"""Key pages of the trainee, the lecturer and the coordinator at 390×844 in Chinese, English
and Uyghur: nothing scrolls sideways; the lecturer's session page shows the address, the
coordinator's notes and the contact person; the calendar link copies with one tap.

The demo site is seeded once; screenshots of every page go to $PHONE_SHOTS (if set) so a
person can look at them. Findings are gathered for every page first and reported together.
"""

import io
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["zh-hans", "en", "ug"]
STAFF = frozenset({"lecturer", "coordinator"})
SHOTS = os.environ.get("PHONE_SHOTS", "")


def _paths():
    from courses.models import Course
    from lecturer_corps.models import Session, SessionStatus

    course = Course.objects.live().order_by("path").first()
    session = (
        Session.objects.filter(
            lecturer__username="lecturer",
            status__in=[SessionStatus.PROPOSED, SessionStatus.ACCEPTED, SessionStatus.CONFIRMED],
        )
        .order_by("starts_at")
        .first()
    )
    return session, {
        "trainee": [
            "/dashboard/",
            "/learn/",
            "/learn/search/?q=%E6%83%85%E7%BB%AA",
            "/learn/my/",
            course.url,
            "/certification/",
            "/practicum/",
            "/accounts/profile/",
        ],
        "lecturer": [
            "/dashboard/",
            "/corps/my-sessions/",
            f"/corps/my-sessions/{session.pk}/",
            "/corps/calendar-link/",
        ],
        "coordinator": [
            "/dashboard/",
            "/corps/requests/",
            "/reports/",
            "/certification/manage/",
        ],
        None: ["/", "/accounts/login/", "/verify/"],
    }


def _cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_key_pages_fit_a_phone_in_three_languages(browser, live_server, transactional_db, settings):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    settings.MFA_WAIVED_USERNAMES = STAFF
    settings.LOCALE_PATHS = settings.PROJECT_LOCALE_PATHS
    session, paths = _paths()
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[*STAFF, "trainee"])
    }
    host = live_server.url.split("//", 1)[1].split(":")[0]
    too_wide, failures = [], []
    for language in LANGUAGES:
        for username, role_paths in paths.items():
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
            jar = [{"name": "django_language", "value": language}]
            if username:
                jar.append({"name": "sessionid", "value": _cookie(users[username])})
            context.add_cookies([{**c, "domain": host, "path": "/"} for c in jar])
            page = context.new_page()
            page.set_default_timeout(60_000)
            for index, path in enumerate(role_paths):
                response = page.goto(live_server.url + path)
                if response.status != 200 or page.url != live_server.url + path:
                    failures.append(f"{language} {username} {path}: {response.status} {page.url}")
                    continue
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    too_wide.append(f"{language} {username or 'anonymous'} {path}: {width}px")
                _shot(page, f"{language}-{username or 'anonymous'}-{index}")
            context.close()
    assert not failures and not too_wide, "\n".join(
        ["Pages that did not open:", *failures, "Pages that scroll sideways at 390 px:", *too_wide]
    )


def test_the_lecturers_session_page_and_calendar_link_on_a_phone(
    browser, live_server, transactional_db, settings
):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from lecturer_corps.models import VenueContact

    call_command("seed_demo", stdout=io.StringIO())
    settings.MFA_WAIVED_USERNAMES = STAFF
    settings.LOCALE_PATHS = settings.PROJECT_LOCALE_PATHS
    session, _paths_by_role = _paths()
    venue = session.request.venue
    contact = VenueContact.objects.filter(venue=venue, is_active=True).first()
    lecturer = get_user_model().objects.get(username="lecturer")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    for language in ("ug", "zh-hans"):
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="en-US",
            permissions=["clipboard-read", "clipboard-write"],
        )
        context.add_cookies(
            [
                {"name": "django_language", "value": language, "domain": host, "path": "/"},
                {"name": "sessionid", "value": _cookie(lecturer), "domain": host, "path": "/"},
            ]
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{live_server.url}/corps/my-sessions/{session.pk}/")
        assert venue.address in page.get_by_test_id("session-address").inner_text()
        notes = page.get_by_test_id("session-notes")
        assert session.request.notes[:6] in notes.inner_text()
        assert notes.get_attribute("lang") == "zh-Hans" and notes.get_attribute("dir") == "ltr"
        assert contact.name in page.get_by_test_id("session-contact").inner_text()
        assert session.request.materials in page.get_by_test_id("session-materials").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(page, f"{language}-lecturer-session")

        page.goto(f"{live_server.url}/corps/calendar-link/")
        page.locator("form:has(input[value=create]) button[type=submit]").click()
        page.wait_for_load_state()
        link = page.get_by_test_id("calendar-link")
        value = link.input_value()
        assert value.startswith("webcal://") and value.endswith(".ics")
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        copy = page.locator("button[data-copy=calendar-webcal]")
        assert copy.is_visible()
        copy.click()
        assert page.evaluate("navigator.clipboard.readText()") == value
        _shot(page, f"{language}-lecturer-calendar-link")
        context.close()


@pytest.mark.parametrize("language", ["ug", "en"])
def test_a_refused_form_focuses_its_first_field_in_error(browser, live_server, language):
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies(
        [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/verify/")
    page.fill("input[name=q]", "PC-2099-000001")
    page.locator("form[data-testid=verify-form] button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.get_by_test_id("error-summary")
    assert summary.get_attribute("role") == "alert" and summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "id_q"
    assert page.input_value("input[name=q]") == "PC-2099-000001"
    assert page.get_attribute("input[name=q]", "aria-invalid") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, f"{language}-verify-error")
    context.close()
