"""Review options decide what a trainee sees; before they allow it, nothing leaks."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import DEFAULT_REVIEW_OPTIONS, Answer
from quizzes.review import review_flags
from quizzes.tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SECRETS = ["SECRET-FB-RIGHT", "SECRET-FB-WRONG", "SECRET-GENERAL", "1822", "SECRET-SHORT"]


def leaky_quiz(**fields):
    single = f.question(
        "single",
        [
            {"text": "Option one", "fraction": 1.0, "feedback": "SECRET-FB-RIGHT"},
            {"text": "Option two", "fraction": 0.0, "feedback": "SECRET-FB-WRONG"},
            {"text": "Option three", "fraction": 0.5},
        ],
        general_feedback="SECRET-GENERAL",
    )
    multi = f.question(
        "multiple",
        [
            {"text": "M1", "fraction": 0.5},
            {"text": "M2", "fraction": 0.5},
            {"text": "M3", "fraction": -1.0},
        ],
    )
    short = f.question("shortanswer", [{"text": "SECRET-SHORT", "fraction": 1.0}])
    numerical = f.question("numerical", [{"text": "1822", "fraction": 1.0, "tolerance": 2}])
    tf = f.truefalse(value=False)
    case = f.case_analysis()
    quiz = f.quiz([single, multi, short, numerical, tf, f.matching(), f.essay(), case], **fields)
    return quiz, single


def right_answer_ids(quiz):
    return list(
        Answer.objects.filter(
            question__in=[s.question for s in quiz.slots.all()], fraction__gt=0
        ).values_list("pk", flat=True)
    )


TOKEN = re.compile(r"^[0-9a-f]{8}$")


def assert_no_leak(text, quiz, *, html=False):
    """No right answer, weight, feedback, or answer id in what was sent."""
    for secret in SECRETS:
        assert secret not in text, secret
    for word in (
        "fraction",
        "right_answer",
        "tolerance",
        '"correct"',
        '"partial"',
        "feedback",
        "weight",
    ):
        assert word not in text, word
    answer_ids = {str(pk) for pk in right_answer_ids(quiz)}
    if html:
        text = text[text.index("<main") : text.index("</main>")]
        values = re.findall(r'name="q[^"]*" value="([^"]*)"', text)
        values += re.findall(r'<option value="([^"]*)"', text)
    else:
        values = [k for k in re.findall(r'"key": "([^"]*)"', text) if not k.startswith("p")]
    for value in values:
        assert value not in answer_ids
        assert value in ("", "true", "false") or TOKEN.match(value), value


def log_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_attempt_page_html_reveals_no_answers(client, trainee):
    quiz, _single = leaky_quiz()
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    log_in(client, trainee)
    response = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Option one" in html  # the options are there…
    assert_no_leak(html, quiz, html=True)  # …but nothing says which is right
    script = (settings.BASE_DIR / "static" / "js" / "quiz.js").read_text(encoding="utf-8")
    assert_no_leak(script, quiz)


def test_api_attempt_json_reveals_no_answers(api_client, trainee):
    quiz, _single = leaky_quiz()
    client = api_client.as_user(trainee)
    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json")
    assert started.status_code == 201
    assert_no_leak(started.content.decode(), quiz)
    attempt_id = started.json()["id"]
    fetched = client.get(f"/api/v1/attempts/{attempt_id}")
    assert_no_leak(fetched.content.decode(), quiz)
    options = fetched.json()["questions"][0]["options"]
    assert {o["text"] for o in options} == {"Option one", "Option two", "Option three"}
    assert set(options[0]) == {"key", "text"}


def test_saved_answers_reveal_nothing_during_the_attempt(api_client, trainee):
    quiz, _single = leaky_quiz()
    client = api_client.as_user(trainee)
    data = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json"
    ).json()
    key = data["questions"][0]["options"][0]["key"]
    saved = client.put(
        f"/api/v1/attempts/{data['id']}/answers",
        {"answers": {"1": {"choice": key}, "4": {"value": "1800"}}},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert_no_leak(saved.content.decode(), quiz)
    assert_no_leak(client.get(f"/api/v1/attempts/{data['id']}").content.decode(), quiz)


def test_review_with_no_options_shows_no_grade_or_feedback(client, trainee):
    quiz, _single = leaky_quiz(review_options=[])
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    services.submit_attempt(user=trainee, attempt=attempt)
    log_in(client, trainee)
    html = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert_no_leak(html, quiz, html=True)
    assert "quiz-grade" not in html
    assert "Waiting for an expert" not in html


def test_review_shows_what_the_options_allow(client, trainee):
    quiz, single = leaky_quiz(review_options=["immediately:marks", "immediately:feedback"])
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    slot = attempt.slots.get(number=1)
    wrong = slot.layout["keys"][slot.layout["order"].index(1)]
    services.submit_attempt(user=trainee, attempt=attempt, answers={"1": {"choice": wrong}})
    log_in(client, trainee)
    html = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "Waiting for an expert to mark" in html  # marks allowed; the essay is not marked yet
    assert "SECRET-FB-WRONG" in html  # the feedback of the chosen answer
    assert "SECRET-FB-RIGHT" not in html  # not the others'
    assert "SECRET-GENERAL" in html
    assert "quiz-right-answer" not in html  # right answers not allowed
    assert "quiz-state-" not in html  # nor correctness


def test_default_options_show_everything_after_the_attempt(api_client, trainee):
    quiz, _single = leaky_quiz(review_options=list(DEFAULT_REVIEW_OPTIONS))
    client = api_client.as_user(trainee)
    data = client.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json"
    ).json()
    result = client.post(
        f"/api/v1/attempts/{data['id']}/submit", content_type="application/json"
    ).json()
    first = result["questions"][0]
    assert first["right_answer"] == "Option one"
    assert first["state"] == "incorrect"
    assert result["needs_grading"] is True and result["grade"] is None
    assert result["questions"][6]["state"] == "needs_grading"


@pytest.mark.parametrize(
    ("offset", "closed", "timing"),
    [
        (timedelta(seconds=30), False, "immediately"),
        (timedelta(hours=1), False, "later"),
        (timedelta(hours=1), True, "closed"),
    ],
)
def test_review_timings(trainee, offset, closed, timing):
    now = timezone.now()
    quiz = f.quiz([f.single()], review_options=[f"{timing}:marks"])
    attempt = services.start_attempt(user=trainee, quiz=quiz, now=now - offset)
    services.submit_attempt(user=trainee, attempt=attempt, now=now - offset)
    if closed:
        quiz.close_at = now - timedelta(minutes=1)
        quiz.save()
    attempt.refresh_from_db()
    assert review_flags(attempt, now=now) == {"marks"}


def test_during_options_show_correctness_while_answering(trainee):
    quiz = f.quiz([f.single()], review_options=["during:correctness"])
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    assert review_flags(attempt) == {"correctness"}


def test_trainee_cannot_see_another_trainees_attempt(client, api_client, trainee, other_trainee):
    quiz, _single = leaky_quiz()
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    log_in(client, other_trainee)
    # Not found, as in the API: someone else's attempt is outside the scope (not revealed).
    assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("quizzes:review", args=[attempt.pk])).status_code == 404
    response = api_client.as_user(other_trainee).get(f"/api/v1/attempts/{attempt.pk}")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"
