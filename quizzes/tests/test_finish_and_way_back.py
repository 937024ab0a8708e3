"""'Submit all and finish' asks first, saying how many questions have no answer (a page,
no JavaScript needed); the review page leads back to the lesson and the course (issue 17)."""

import pytest
from django.urls import reverse

from courses import services as course_services
from courses.tests import factories as course_factories
from quizzes import services
from quizzes.models import AttemptState
from quizzes.tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_questions(trainee):
    return f.quiz(
        [f.single(), f.truefalse(), f.shortanswer()], title="三题小测", questions_per_page=2
    )


def _client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def _right_choice(slot) -> dict:
    return {"choice": slot.layout["keys"][slot.layout["order"].index(0)]}


def test_the_finish_button_saves_the_page_and_asks_instead_of_submitting(
    client, trainee, three_questions
):
    attempt = services.start_attempt(user=trainee, quiz=three_questions)
    last = attempt.slots.get(number=3)
    client = _client(client, trainee)
    response = client.post(
        reverse("quizzes:attempt", args=[attempt.pk]),
        {"page": str(last.page), "action": "finish", "q3": "情绪命名"},
    )
    assert response.status_code == 302
    assert response.url == reverse("quizzes:finish", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    last.refresh_from_db()
    assert last.response  # the page's answer was saved on the way


def test_the_confirmation_counts_the_unanswered_questions_and_links_to_them(
    client, trainee, three_questions
):
    attempt = services.start_attempt(user=trainee, quiz=three_questions)
    services.save_answers(
        user=trainee, attempt=attempt, answers={"3": {"text": "情绪命名"}}, page=1
    )
    response = _client(client, trainee).get(reverse("quizzes:finish", args=[attempt.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 of 3 questions have no answer." in html
    first_page = reverse("quizzes:attempt", args=[attempt.pk]) + "?page=0"
    assert html.count(f'href="{first_page}"') == 2  # questions 1 and 2 are on the first page
    assert f'action="{reverse("quizzes:finish", args=[attempt.pk])}"' in html


def test_with_every_answer_given_it_says_so(client, trainee, three_questions):
    attempt = services.start_attempt(user=trainee, quiz=three_questions)
    slots = {slot.number: slot for slot in attempt.slots.all()}
    services.save_answers(
        user=trainee,
        attempt=attempt,
        answers={"1": _right_choice(slots[1]), "2": {"value": True}, "3": {"text": "命名"}},
        page=0,
    )
    html = _client(client, trainee).get(reverse("quizzes:finish", args=[attempt.pk])).content
    assert "You have answered all 3 questions." in html.decode()


def test_confirming_submits_and_shows_the_review(client, trainee, three_questions):
    attempt = services.start_attempt(user=trainee, quiz=three_questions)
    response = _client(client, trainee).post(reverse("quizzes:finish", args=[attempt.pk]))
    assert response.url == reverse("quizzes:review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED


def test_the_timer_still_submits_at_once_when_time_runs_out(client, trainee, three_questions):
    attempt = services.start_attempt(user=trainee, quiz=three_questions)
    response = _client(client, trainee).post(
        reverse("quizzes:attempt", args=[attempt.pk]), {"page": "1", "action": "submit"}
    )
    assert response.url == reverse("quizzes:review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED


def test_nobody_else_can_finish_my_attempt(client, trainee, other_trainee, three_questions):
    attempt = services.start_attempt(user=trainee, quiz=three_questions)
    response = _client(client, other_trainee).post(reverse("quizzes:finish", args=[attempt.pk]))
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


def test_a_finished_attempt_goes_to_its_review(client, trainee, three_questions):
    attempt = services.start_attempt(user=trainee, quiz=three_questions)
    services.submit_attempt(user=trainee, attempt=attempt)
    response = _client(client, trainee).get(reverse("quizzes:finish", args=[attempt.pk]))
    assert response.url == reverse("quizzes:review", args=[attempt.pk])


def test_the_review_leads_back_to_the_lesson_and_the_course(client, trainee):
    course = course_factories.course(modules=(1,), navigation="free")
    (lesson,) = course_factories.lessons_of(course)
    quiz = f.quiz([f.single()], title="课程小测", page=course)
    lesson.body = [{"type": "quiz", "value": {"quiz": quiz.pk, "intro": ""}}]
    course_factories.publish(lesson)
    course_services.enrol(user=trainee, course=course)
    attempt = services.start_attempt(user=trainee, quiz=quiz, lesson=lesson)
    services.submit_attempt(user=trainee, attempt=attempt)

    html = _client(client, trainee).get(reverse("quizzes:review", args=[attempt.pk])).content
    html = html.decode()
    assert f'href="{lesson.url}"' in html
    assert f'href="{course.url}"' in html
    assert "Back to the course: " in html and f">{course.title}</bdi>" in html
