"""A trainee's week on a phone (390×844), in Chinese and in Uyghur (right to left): the
dashboard says where to continue, the lesson opens, is marked done, and the dashboard
shows the progress; the checklist names what is missing; withdrawing asks first. No page
scrolls sideways (issue 17).

Screenshots: /tmp/lms-dashboard-<language>-<step>.png (look at them).
"""

import datetime

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def trainee_week(transactional_db):
    """A trainee two courses in (a deadline in three days), one lesson done, a practicum
    placement with hours approved and waiting, and a qualification to work towards."""
    from django.utils import timezone

    from accounts import roles
    from certification.tests.factories import (
        ALL_INITIAL,
        CertificationTypeFactory,
        add_requirements,
    )
    from courses import services as course_services
    from courses.models import Enrolment
    from courses.tests import factories as course_factories
    from practicum.defaults import install_defaults
    from practicum.models import EntryState, Placement
    from practicum.tests.factories import EntryFactory
    from tests.factories import make_user

    install_defaults()
    trainee = make_user(roles.TRAINEE, username="week_trainee", real_name="阿依古丽·买买提")
    supervisor = make_user(roles.SUPERVISOR, username="week_supervisor", real_name="陈静")
    programme = course_factories.programme(title="心理咨询师")
    first = course_factories.course(
        programme, title="儿童情绪的识别与表达：从游戏到对话", modules=(2, 1)
    )
    second = course_factories.course(programme, title="团体活动的组织与带领", modules=(1,))
    for course in (first, second):
        course_services.enrol(user=trainee, course=course)
    lessons = course_factories.lessons_of(first)
    course_services.complete_lesson(user=trainee, lesson=lessons[0])
    Enrolment.objects.filter(user=trainee, course=first).update(
        deadline=timezone.localdate() + datetime.timedelta(days=3),
        last_activity_at=timezone.now(),
    )
    placement = Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=60),
    )
    for state in (EntryState.APPROVED, EntryState.APPROVED, EntryState.SUBMITTED):
        EntryFactory(placement=placement, state=state, submitted_at=timezone.now())
    add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    return trainee, lessons


def _no_sideways_scroll(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{where} scrolls sideways: {width} px"


def _shot(page, language: str, step: str) -> None:
    page.screenshot(path=f"/tmp/lms-dashboard-{language}-{step}.png", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_trainee_continues_from_the_dashboard_and_comes_back(
    phone, live_server, trainee_week, language, settings, project_translations
):
    from tests.factories import PASSWORD

    trainee, lessons = trainee_week
    phone.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    log_in(phone, live_server, trainee.username, PASSWORD)

    phone.goto(f"{live_server.url}/dashboard/")
    assert phone.locator("html").get_attribute("lang") == language
    assert phone.locator("html").get_attribute("dir") == ("rtl" if language == "ug" else "ltr")
    learning = phone.locator("[data-testid=panel-courses-learning]")
    assert learning.locator("[data-testid=course-row]").count() == 2
    progress = learning.locator("[data-testid=course-progress]").first
    assert progress.get_attribute("aria-valuenow") == "33"
    assert phone.locator("[data-testid=panel-practicum-hours] [data-testid=hours-line]").count()
    assert phone.locator("[data-testid=panel-certification-next-steps] a").count()
    assert phone.locator("[data-testid=raise-concern]").is_visible()
    _no_sideways_scroll(phone, "the dashboard")
    _shot(phone, language, "1-dashboard")

    # Continue where she left off: the second lesson of the first course.
    phone.locator("[data-testid=continue-lesson]").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == lessons[1].title
    _no_sideways_scroll(phone, "the lesson")
    _shot(phone, language, "2-lesson")
    phone.locator("form[action*='/complete/'] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == lessons[2].title  # on to the next one
    _no_sideways_scroll(phone, "the next lesson")

    # Back to the dashboard from the main navigation: the progress moved on.
    phone.locator(".site-nav a[href='/dashboard/']").click()
    phone.wait_for_load_state()
    learning = phone.locator("[data-testid=panel-courses-learning]")
    progress = learning.locator("[data-testid=course-progress]").first
    assert progress.get_attribute("aria-valuenow") == "66"
    assert lessons[2].title in learning.locator("[data-testid=continue-lesson]").inner_text()
    _no_sideways_scroll(phone, "the dashboard, coming back")
    _shot(phone, language, "3-back")

    # What is missing for the certificate: the whole plan, one step a row.
    phone.locator("[data-testid=panel-certification-next-steps] .next-step a").click()
    phone.wait_for_load_state()
    plan = phone.locator("[data-testid=checklist-counsellor]")
    assert plan.locator("[data-kind=practicum_hours] [data-testid=step]").count() >= 3
    _no_sideways_scroll(phone, "the checklist")
    _shot(phone, language, "4-checklist")

    # Withdrawing asks first and says what happens; staying changes nothing.
    phone.goto(f"{live_server.url}{lessons[0].get_parent().get_parent().url}")
    phone.locator("[data-testid=withdraw-link]").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-testid=withdraw-deadline]").is_visible()
    _no_sideways_scroll(phone, "the withdrawal confirmation")
    _shot(phone, language, "5-withdraw")
    phone.locator("[data-testid=withdraw-confirm] a.button").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-testid=withdraw-link]").is_visible()
