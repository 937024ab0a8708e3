"""A quiz placed in a lesson: shown in the lesson, and passing it completes the lesson."""

import pytest
from django.urls import reverse

from courses import services as course_services
from courses.models import LessonProgress, LessonStatus
from courses.tests import factories as course_factories
from quizzes import services
from quizzes.lessons import lesson_for_attempt
from quizzes.tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(trainee):
    course = course_factories.course(modules=(2,), navigation="free")
    first, second = course_factories.lessons_of(course)
    quiz = f.quiz([f.single()], title="第一课小测", pass_mark=60)
    second.body = [
        {"type": "rich_text", "value": "<p>学完了吗？</p>"},
        {"type": "quiz", "value": {"quiz": quiz.pk, "intro": "检验一下"}},
    ]
    second.requires_quiz_pass = True
    course_factories.publish(second)
    course_services.enrol(user=trainee, course=course)
    return quiz, first, second


def answer(attempt, right: bool):
    slot = attempt.slots.get()
    index = 0 if right else 2
    return {"1": {"choice": slot.layout["keys"][slot.layout["order"].index(index)]}}


def test_lesson_page_shows_the_quiz_block_with_the_lesson(client, trainee, setup):
    quiz, _first, second = setup
    client.login(username=trainee.username, password=PASSWORD)
    html = client.get(second.url).content.decode()
    assert "第一课小测" in html
    assert f"{reverse('quizzes:quiz_detail', args=[quiz.pk])}?lesson={second.pk}" in html


def test_passing_the_quiz_completes_the_lesson(
    client, trainee, setup, django_capture_on_commit_callbacks
):
    quiz, _first, second = setup
    client.login(username=trainee.username, password=PASSWORD)
    response = client.post(reverse("quizzes:start", args=[quiz.pk]), {"lesson": second.pk})
    attempt = quiz.attempts.get()
    assert response.url == reverse("quizzes:attempt", args=[attempt.pk])
    assert attempt.lesson_id == second.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_attempt(user=trainee, attempt=attempt, answers=answer(attempt, right=True))
    progress = LessonProgress.objects.get(user=trainee, lesson=second)
    assert progress.status == LessonStatus.COMPLETE
    assert progress.completed_via == "quiz"


def test_failing_the_quiz_leaves_the_lesson_open(
    trainee, setup, django_capture_on_commit_callbacks
):
    quiz, _first, second = setup
    attempt = services.start_attempt(user=trainee, quiz=quiz, lesson=second)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.submit_attempt(user=trainee, attempt=attempt, answers=answer(attempt, right=False))
    assert callbacks == []
    assert not LessonProgress.objects.filter(
        user=trainee, lesson=second, status=LessonStatus.COMPLETE
    ).exists()


def test_a_lesson_without_the_quiz_is_ignored(setup):
    quiz, first, second = setup
    assert lesson_for_attempt(first.pk, quiz) is None
    assert lesson_for_attempt("not a number", quiz) is None
    assert lesson_for_attempt(second.pk, quiz).pk == second.pk


def test_publishing_a_lesson_links_the_quiz_to_its_course(setup):
    quiz, _first, second = setup
    quiz.refresh_from_db()
    assert quiz.page_id == second.get_parent().get_parent().pk
