"""A trainee on a phone enrols, opens the first lesson, marks it done and sees progress."""

import pytest

from tests.browser.conftest import log_in


@pytest.fixture
def phone_course(transactional_db):
    from accounts import roles
    from courses.tests import factories
    from tests.factories import make_user

    course = factories.course(title="团体活动的组织与带领", modules=(2, 1), navigation="sequential")
    trainee = make_user(roles.TRAINEE, username="phone_trainee")
    return course, trainee


@pytest.mark.browser
def test_trainee_enrols_opens_first_lesson_marks_it_done_and_progress_moves(
    phone, live_server, phone_course
):
    from tests.factories import PASSWORD

    course, trainee = phone_course
    log_in(phone, live_server, trainee.username, PASSWORD)

    phone.goto(f"{live_server.url}/learn/")
    phone.get_by_role("link", name=course.title).click()
    phone.locator("form[action*='/enrol/'] button[type=submit]").click()
    phone.wait_for_load_state()
    bar = phone.locator("[data-testid=course-progress]")
    assert bar.get_attribute("aria-valuenow") == "0"

    phone.locator(".enrol-panel a.button").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "第1.1课"
    assert phone.locator("[data-testid=course-progress]").get_attribute("aria-valuenow") == "0"

    phone.locator("form[action*='/complete/'] button[type=submit]").click()
    phone.wait_for_load_state()

    assert phone.locator("h1").inner_text() == "第1.2课"
    assert phone.locator("[data-testid=course-progress]").get_attribute("aria-valuenow") == "33"
    width = phone.evaluate(
        "document.querySelector('[data-testid=course-progress] > span').getBoundingClientRect().width"
    )
    assert width > 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
