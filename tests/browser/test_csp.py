"""Real Chromium enforces our Content-Security-Policy and reports no violation on key pages.

Violations are caught two ways: the browser's console errors ("Refused to …
Content Security Policy") and the ``securitypolicyviolation`` event, recorded by a
script Playwright injects before each page's own scripts.
"""

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
