"""Real Chromium enforces our Content-Security-Policy and reports no violation on key pages.

Violations are caught two ways: the browser's console errors ("Refused to …
Content Security Policy") and the ``securitypolicyviolation`` event, recorded by a
script Playwright injects before each page's own scripts.
"""

import datetime

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class CspWatch:
    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url):
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.assert_clean(url)
        return response

    def violations(self):
        return self.page.evaluate("window.__cspViolations || []")

    def assert_clean(self, where):
        assert self.violations() == [], where
        assert self.console == [], where


@pytest.fixture
def learning(transactional_db, settings):
    from accounts import roles
    from courses.tests import factories as course_factories
    from quizzes.tests import factories as quiz_factories
    from tests.factories import make_user

    course = course_factories.course(title="情绪管理", modules=(2,), navigation="free")
    quiz = quiz_factories.quiz(
        [
            quiz_factories.question(
                "single",
                [{"text": "建立信任关系", "fraction": 1.0}, {"text": "马上批评", "fraction": 0.0}],
                name="第一步",
                stem="与孩子第一次见面，首先要做什么？",
            )
        ],
        title="小测",
        time_limit_minutes=10,
    )
    make_user(roles.TRAINEE, username="csp_trainee")
    make_user(
        roles.ADMINISTRATOR,
        username="csp_admin",
        two_factor=False,
        is_superuser=True,
        is_staff=True,
    )
    settings.MFA_WAIVED_USERNAMES = frozenset({"csp_admin"})
    return course, quiz


def test_key_pages_run_without_csp_violations(desktop, live_server, learning):
    from tests.factories import PASSWORD

    course, quiz = learning
    watch = CspWatch(desktop)
    response = watch.visit(f"{live_server.url}/")
    assert (
        "'unsafe-inline'"
        not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    watch.visit(f"{live_server.url}/accounts/login/")

    log_in(desktop, live_server, "csp_trainee", PASSWORD)
    watch.assert_clean("log-in")
    watch.visit(f"{live_server.url}/dashboard/")

    # A lesson: enrol in the course, open its first lesson.
    watch.visit(f"{live_server.url}{course.url}")
    desktop.locator("form[action*='/enrol/'] button[type=submit]").click()
    desktop.wait_for_load_state("networkidle")
    desktop.locator(".enrol-panel a.button").click()
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("h1").inner_text().startswith("第1.1课")
    watch.assert_clean("lesson")

    # A quiz attempt page, whose script (timer, autosave) must run under the policy.
    watch.visit(f"{live_server.url}/quizzes/{quiz.pk}/")
    desktop.locator("form[action$='/start/'] button[type=submit]").click()
    desktop.wait_for_url("**/attempts/**")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator(".quiz-timer-value").is_visible()  # quiz.js ran
    watch.assert_clean("quiz attempt")


def test_admin_pages_run_without_csp_violations(desktop, live_server, learning):
    from tests.factories import PASSWORD

    course, quiz = learning
    watch = CspWatch(desktop)
    log_in(desktop, live_server, "csp_admin", PASSWORD)
    for path in [
        "/cms/",
        "/cms/pages/",
        f"/cms/pages/{course.pk}/edit/",  # the page editor: inline panels, date pickers
        "/cms/images/",
        "/django-admin/",
        "/django-admin/accounts/user/",
    ]:
        watch.visit(f"{live_server.url}{path}")


def test_the_watch_sees_a_blocked_inline_script(desktop, live_server, learning):
    # The check above can fail: an inline script injected into one of our pages is
    # refused by the browser, and both signals report it.
    watch = CspWatch(desktop)
    watch.visit(f"{live_server.url}/accounts/login/")
    with desktop.expect_console_message(lambda message: "Content Security Policy" in message.text):
        desktop.evaluate(
            """() => { const s = document.createElement("script");
                       s.textContent = "window.__ran = true;"; document.body.append(s); }"""
        )
    desktop.wait_for_function("window.__cspViolations.length > 0")
    assert desktop.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in watch.violations())
    assert watch.console


STAFF_PAGES = {
    "trainee": ["/learn/", "/learn/my/", "/practicum/", "/quizzes/results/", "/certification/"],
    "supervisor": ["/practicum/review/", "/practicum/trainees/"],
    "coordinator": [
        "/reports/",
        "/certification/manage/",
        "/certification/manage/pending/",
        "/corps/requests/",
        "/corps/calendar/",
        "/practicum/overview/",
        "/api/v1/docs",
    ],
}


def test_role_pages_of_the_demo_site_run_without_csp_violations(
    desktop, live_server, seeded_site, settings
):
    settings.MFA_WAIVED_USERNAMES = frozenset({"supervisor", "coordinator"})
    watch = CspWatch(desktop)
    for username, paths in STAFF_PAGES.items():
        desktop.context.clear_cookies()
        log_in(desktop, live_server, username)
        watch.assert_clean(f"log-in as {username}")
        for path in paths:
            response = watch.visit(f"{live_server.url}{path}")
            assert response.status == 200, path
    # The API docs are Swagger UI from our own static files; its scripts ran.
    assert desktop.locator(".swagger-ui .opblock").first.is_visible()


@pytest.fixture
def offline_learner(transactional_db):
    from django.utils import timezone

    from accounts import roles
    from courses import services
    from courses.tests import factories as course_factories
    from practicum.defaults import install_defaults
    from practicum.models import Placement
    from tests.factories import DistrictFactory, VenueFactory, make_user

    install_defaults()
    district = DistrictFactory(code="gaochang", name="高昌区")
    venue = VenueFactory(name="高昌区葡萄镇中心小学", district=district)
    course = course_factories.course(title="情绪管理", modules=(2,), navigation="free")
    trainee = make_user(roles.TRAINEE, username="csp_offline", district=district)
    supervisor = make_user(roles.SUPERVISOR, username="csp_offline_supervisor", two_factor=False)
    Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        venue=venue,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    services.enrol(user=trainee, course=course)
    return course, course_factories.lessons_of(course), trainee


def test_the_offline_client_and_service_worker_run_without_csp_violations(
    phone, live_server, offline_learner
):
    """The worker (and the queue script it imports), the offline client with its stylesheet
    and queue script, saving a course, a draft kept on the phone, the offline page: all
    under the strict policy, with no violation."""
    from tests.factories import PASSWORD

    course, lessons, trainee = offline_learner
    watch = CspWatch(phone)
    log_in(phone, live_server, trainee.username, PASSWORD)
    assert phone.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")
    watch.visit(f"{live_server.url}{course.url}")
    assert phone.evaluate("Boolean(navigator.serviceWorker.controller && window.OfflineQueue)")
    phone.locator("[data-testid=save-offline]").click()
    phone.locator("[data-testid=offline-status]").filter(has_text="Saved on this phone").wait_for()
    watch.assert_clean("saving a course for offline")
    watch.visit(f"{live_server.url}{lessons[0].url}")
    watch.visit(f"{live_server.url}/practicum/")
    phone.locator("[data-testid=entry-form] textarea[name=description]").fill("草稿")
    phone.locator(".offline-keep").click()
    phone.get_by_text("Saved on this phone. It will be sent when you are online.").wait_for()
    watch.assert_clean("a draft kept on the phone")
    for language in ("zh-hans", "en", "ug"):
        watch.visit(f"{live_server.url}/offline/{language}/")
