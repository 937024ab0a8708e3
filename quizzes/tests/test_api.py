"""The quiz API: happy paths, refusals with stable codes, and query counts."""

import pytest

from quizzes.models import Attempt, AttemptState
from quizzes.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    return f.quiz([f.single(), f.truefalse(value=False), f.essay()], attempts_allowed=2)


def start(client, quiz):
    response = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def test_full_flow_start_save_submit_results(api_client, trainee, quiz):
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    assert [q["qtype"] for q in data["questions"]] == ["single", "truefalse", "essay"]
    key = next(o["key"] for o in data["questions"][0]["options"] if o["text"] == "Right")
    saved = client.put(
        f"/api/v1/attempts/{data['id']}/answers",
        {"answers": {"1": {"choice": key}, "2": {"value": False}, "3": {"text": "我的回答"}}},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert saved.json()["saved"] == [1, 2, 3]
    fetched = client.get(f"/api/v1/attempts/{data['id']}").json()
    assert fetched["questions"][2]["response"] == {"text": "我的回答"}
    result = client.post(
        f"/api/v1/attempts/{data['id']}/submit", content_type="application/json"
    ).json()
    assert result["state"] == "finished"
    assert result["needs_grading"] is True
    results = client.get("/api/v1/me/quiz-results").json()
    assert results["grades"][0]["pending"] is True
    assert results["attempts"][0]["id"] == data["id"]


def test_start_returns_the_attempt_in_progress_with_200(api_client, trainee, quiz):
    client = api_client.as_user(trainee)
    first = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json")
    again = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_submit_twice_grades_once(api_client, trainee, quiz):
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    one = client.post(f"/api/v1/attempts/{data['id']}/submit", content_type="application/json")
    two = client.post(f"/api/v1/attempts/{data['id']}/submit", content_type="application/json")
    assert (one.status_code, two.status_code) == (200, 200)
    assert two.json()["already_submitted"] is True


def test_answer_for_unknown_question_is_400(api_client, trainee, quiz):
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    response = client.put(
        f"/api/v1/attempts/{data['id']}/answers",
        {"answers": {"9": {"text": "x"}}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_question"
    assert "Question 9" in response.json()["detail"]


@pytest.mark.parametrize(
    "answers",
    [{"1": {"choice": "nope"}}, {"1": "B"}, {"2": {"value": "maybe"}}, {"x": {}}],
)
def test_malformed_answers_are_400(api_client, trainee, quiz, answers):
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    response = client.put(
        f"/api/v1/attempts/{data['id']}/answers",
        {"answers": answers},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_body_that_is_not_an_object_is_422(api_client, trainee, quiz):
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    response = client.put(
        f"/api/v1/attempts/{data['id']}/answers",
        {"answers": [1, 2]},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_answers_after_submission_are_409(api_client, trainee, quiz):
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    client.post(f"/api/v1/attempts/{data['id']}/submit", content_type="application/json")
    response = client.put(
        f"/api/v1/attempts/{data['id']}/answers",
        {"answers": {"3": {"text": "x"}}},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "attempt_closed"


def test_no_attempts_left_is_403(api_client, trainee):
    quiz = f.quiz([f.single()], attempts_allowed=1)
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    client.post(f"/api/v1/attempts/{data['id']}/submit", content_type="application/json")
    response = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "no_attempts_left"


def test_unknown_quiz_is_404(api_client, trainee):
    assert api_client.as_user(trainee).post("/api/v1/quizzes/999999/attempts").status_code == 404


def test_anonymous_is_401(client, quiz):
    assert client.get("/api/v1/me/quiz-results").status_code == 401


def test_coordinator_cannot_start_a_quiz(api_client, coordinator, quiz):
    response = api_client.as_user(coordinator).post(f"/api/v1/quizzes/{quiz.pk}/attempts")
    assert response.status_code == 403


def test_other_trainee_cannot_answer_or_submit(api_client, trainee, other_trainee, quiz):
    data = start(api_client.as_user(trainee), quiz)
    other = api_client.as_user(other_trainee)
    assert (
        other.put(
            f"/api/v1/attempts/{data['id']}/answers",
            {"answers": {}},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert other.post(f"/api/v1/attempts/{data['id']}/submit").status_code == 404
    assert Attempt.objects.get(pk=data["id"]).state == AttemptState.IN_PROGRESS


def test_supervisor_may_read_but_not_change_an_attempt(api_client, trainee, supervisor, quiz):
    f.assign_for_marking(supervisor, trainee)
    data = start(api_client.as_user(trainee), quiz)
    client = api_client.as_user(supervisor)
    assert client.get(f"/api/v1/attempts/{data['id']}").status_code == 200
    response = client.post(f"/api/v1/attempts/{data['id']}/submit")
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_attempt"


def test_attempt_endpoint_query_count_does_not_grow_with_questions(
    api_client, trainee, django_assert_max_num_queries
):
    quiz = f.quiz([f.single(name=f"q{i}") for i in range(30)])
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/attempts/{data['id']}").status_code == 200
    with django_assert_max_num_queries(14):
        answers = {str(n): {"text": None} for n in range(1, 3)}
        assert (
            client.put(
                f"/api/v1/attempts/{data['id']}/answers",
                {"answers": answers},
                content_type="application/json",
            ).status_code
            == 200
        )


def test_submit_query_count_does_not_grow_with_questions(
    api_client, trainee, django_assert_max_num_queries
):
    quiz = f.quiz([f.single(name=f"q{i}") for i in range(30)])
    client = api_client.as_user(trainee)
    data = start(client, quiz)
    with django_assert_max_num_queries(25):
        assert client.post(f"/api/v1/attempts/{data['id']}/submit").status_code == 200
