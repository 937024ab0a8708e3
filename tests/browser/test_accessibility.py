"""axe-core (the accessibility engine, from npm) finds no serious or critical violation on
the pages each role lives on, in Simplified Chinese and in Uyghur (right to left).

The demo site is seeded once for the module and every page × language is checked in one
browser pass (seeding per test would cost minutes); each page × language is then its own
test, so a failure names the page and lists axe's findings (rule, impact, target).
"""

import io
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "var/axe/node_modules/axe-core/axe.min.js"
BLOCKING = {"serious", "critical"}
LANGUAGES = ["zh-hans", "ug"]
# (page, who looks at it); None is an anonymous visitor.
PAGES = [
    ("home", None),
    ("log-in", None),
    ("catalogue", "trainee"),
    ("lesson", "trainee"),
    ("quiz-attempt", "trainee"),
    ("practicum-entry", "trainee"),
    ("supervisor-queue", "supervisor"),
    ("certificate-checklist", "trainee"),
    ("certificate-verification", None),
    ("coordinator-assignment", "coordinator"),
    ("reports-dashboard", "coordinator"),
]
STAFF = frozenset({"supervisor", "coordinator"})
# Every page on a phone (most trainees have nothing else); staff pages on a desk too.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHECKS = [(name, who, "phone") for name, who in PAGES] + [
    (name, who, "desktop") for name, who in PAGES if who in STAFF
]
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="session")
def axe_source():
    subprocess.run([str(ROOT / "scripts/axe.sh")], check=True)
    return AXE.read_text(encoding="utf-8")


def _page_paths(trainee) -> dict[str, str]:
    """Where each page is on the seeded demo site (objects made here where the seed has none)."""
    from certification.models import Certificate
    from courses.models import Enrolment, Lesson
    from lecturer_corps.models import RequestStatus, ServiceRequest
    from quizzes.models import Quiz
    from quizzes.services import start_attempt

    course = Enrolment.objects.filter(user=trainee).order_by("pk").first().course
    lesson = Lesson.objects.live().descendant_of(course).order_by("path").first()
    quiz = Quiz.objects.order_by("pk").first()
    attempt = start_attempt(user=trainee, quiz=quiz)
    certificate = Certificate.objects.order_by("pk").first()
    service_request = (
        ServiceRequest.objects.filter(status=RequestStatus.REQUESTED).order_by("pk").first()
    )
    return {
        "home": "/",
        "log-in": "/accounts/login/",
        "catalogue": "/learn/",
        "lesson": lesson.url,
        "quiz-attempt": f"/quizzes/attempts/{attempt.pk}/",
        "practicum-entry": "/practicum/",
        "supervisor-queue": "/practicum/review/",
        "certificate-checklist": "/certification/",
        "certificate-verification": f"/verify/{certificate.verification_code}/",
        "coordinator-assignment": f"/corps/requests/{service_request.pk}/",
        "reports-dashboard": "/reports/",
    }


def _session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _axe(page, axe_source) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated over the DevTools protocol: a Content-Security-Policy does not apply.
        page.evaluate(axe_source)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )


def _restore_migrated_rows() -> None:
    """After a serialized transactional test the database is empty until the next such
    test restores it (Django flushes it without post_migrate); this module seeds outside
    a test, so it restores the migrated rows itself, as such a test would."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from conftest import use_canonical_content_types

    if ContentType.objects.exists():
        return
    use_canonical_content_types()  # the ids the restore writes (see conftest.py)
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


@pytest.fixture(scope="module")
def axe_results(browser, live_server, django_db_setup, django_db_blocker, axe_source):
    """{(page, viewport, language): violations, or the exception raised while loading the page}."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import override_settings

    results = {}
    with (
        django_db_blocker.unblock(),
        override_settings(LOCALE_PATHS=settings.PROJECT_LOCALE_PATHS, MFA_WAIVED_USERNAMES=STAFF),
    ):
        try:
            _restore_migrated_rows()
            call_command("seed_demo", stdout=io.StringIO())
            users = {u.username: u for u in get_user_model().objects.filter(
                username__in=["trainee", *STAFF]
            )}  # fmt: skip
            paths = _page_paths(users["trainee"])
            cookies = {name: _session_cookie(user) for name, user in users.items()}
            host = live_server.url.split("//", 1)[1].split(":")[0]
            for language in LANGUAGES:
                contexts = {}
                for name, username, viewport in CHECKS:
                    if (username, viewport) not in contexts:
                        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US")
                        jar = [{"name": "django_language", "value": language}]
                        if username:
                            jar.append({"name": "sessionid", "value": cookies[username]})
                        context.add_cookies([{**c, "domain": host, "path": "/"} for c in jar])
                        contexts[username, viewport] = context.new_page()
                        contexts[username, viewport].set_default_timeout(60_000)
                    page = contexts[username, viewport]
                    try:
                        response = page.goto(live_server.url + paths[name])
                        assert response.status == 200, f"{paths[name]} answered {response.status}"
                        # No redirect (to the log-in or the two-factor set-up page, say).
                        assert page.url == live_server.url + paths[name], page.url
                        assert page.locator("html").get_attribute("lang") == language
                        results[name, viewport, language] = _axe(page, axe_source)
                    except Exception as exc:  # reported by the page's own test
                        results[name, viewport, language] = exc
                for page in contexts.values():
                    page.context.close()
            # Each test below is transactional (it uses the live server): its set-up
            # restores the migrated rows into an empty database, so empty it first.
            call_command(
                "flush",
                interactive=False,
                verbosity=0,
                inhibit_post_migrate=True,
                reset_sequences=False,
            )
            yield results
        finally:
            # Without post_migrate: the next transactional test restores the migrated rows
            # itself, with their saved ids (serialized rollback, see conftest.py).
            call_command(
                "flush",
                interactive=False,
                verbosity=0,
                inhibit_post_migrate=True,
                reset_sequences=False,
            )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("page_name", "viewport"),
    [(name, viewport) for name, _who, viewport in CHECKS],
    ids=[f"{name}-{viewport}" for name, _who, viewport in CHECKS],
)
def test_no_serious_or_critical_violations(axe_results, page_name, viewport, language):
    found = axe_results[page_name, viewport, language]
    if isinstance(found, Exception):
        raise found
    blocking = [v for v in found if v["impact"] in BLOCKING]
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'])}" for v in blocking
    )
    assert not blocking, f"axe on {page_name} [{viewport}, {language}]:\n{report}"
