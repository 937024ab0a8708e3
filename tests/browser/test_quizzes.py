"""A trainee answers a quiz on a phone, submits it and sees the result."""

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_quiz(transactional_db):
    from accounts import roles
    from quizzes.tests import factories as f
    from tests.factories import make_user

    make_user(roles.TRAINEE, username="phone_trainee")
    questions = [
        f.question(
            "single",
            [
                {"text": "建立信任关系", "fraction": 1.0, "feedback": "对，先建立关系。"},
                {"text": "马上批评", "fraction": 0.0},
            ],
            name="第一步",
            stem="与孩子第一次见面，首先要做什么？",
        ),
        f.question(
            "truefalse",
            [{"text": "True", "fraction": 0.0}, {"text": "False", "fraction": 1.0}],
            name="记录",
            stem="工作记录中可以写儿童的真实姓名。",
        ),
        f.question(
            "shortanswer",
            [{"text": "命名", "fraction": 1.0}],
            name="情绪",
            stem="管理情绪的第一步是给情绪____。",
        ),
    ]
    return f.quiz(
        questions, title="手机小测", questions_per_page=2, time_limit_minutes=10, pass_mark=60
    )


def test_trainee_answers_a_quiz_on_a_phone_and_sees_the_result(phone, live_server, phone_quiz):
    from tests.factories import PASSWORD

    log_in(phone, live_server, "phone_trainee", PASSWORD)
    phone.goto(f"{live_server.url}/quizzes/{phone_quiz.pk}/")
    phone.locator("form[action$='/start/'] button[type=submit]").click()
    phone.wait_for_url("**/attempts/**")
    assert phone.locator(".quiz-timer-value").is_visible()
    # The autosave after the second answer carries both (multipart: the true/false value).
    with phone.expect_response(
        lambda response: (
            response.request.method == "POST"
            and "\r\n\r\nfalse\r\n" in (response.request.post_data or "")
        )
    ) as autosave:
        phone.get_by_label("建立信任关系").check()
        phone.locator("input[type=radio][value=false]").check()
    assert autosave.value.ok
    phone.locator("button[name=action][value=next]").click()
    phone.wait_for_load_state()
    phone.locator("input[name=q3]").fill("命名")
    phone.locator("button[name=action][value=finish]").click()
    phone.wait_for_url("**/finish/")
    assert phone.locator("[data-testid=all-answered]").is_visible()
    phone.locator("[data-testid=confirm-submit]").click()
    phone.wait_for_url("**/review/")
    grade = phone.locator(".quiz-grade")
    assert "100.0%" in grade.inner_text()
    assert phone.get_by_text("对，先建立关系。").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
