"""A course whose required lesson holds a quiz completes only when the quiz is passed
(issue 17): the quiz lesson has no "mark as done", and the service refuses it by hand."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from courses import services as course_services
from courses.models import Enrolment, Lesson, LessonProgress, LessonStatus
from courses.permissions import LearningDenied
from courses.tests import factories as course_factories
from quizzes import services
from quizzes.tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_with_quiz(trainee):
    """Two lessons; the second holds the course's quiz. Nobody ticked "requires quiz pass"."""
    course = course_factories.course(modules=(2,), navigation="free")
    first, second = course_factories.lessons_of(course)
    quiz = f.quiz([f.single()], title="课程小测", pass_mark=60)
    second.body = [
        {"type": "rich_text", "value": "<p>学完本课程后检验一下。</p>"},
        {"type": "quiz", "value": {"quiz": quiz.pk, "intro": "通过小测即完成本课。"}},
    ]
    assert not second.requires_quiz_pass
    course_factories.publish(second)
    enrolment, _created = course_services.enrol(user=trainee, course=course)
    return course, quiz, first, Lesson.objects.get(pk=second.pk), enrolment


def _answer(attempt, *, right: bool) -> dict:
    slot = attempt.slots.get()
    index = 0 if right else 2
    return {"1": {"choice": slot.layout["keys"][slot.layout["order"].index(index)]}}


def test_saving_a_lesson_with_a_quiz_makes_it_completed_by_the_quiz(course_with_quiz):
    _course, _quiz, first, second, _enrolment = course_with_quiz
    assert second.requires_quiz_pass and second.completed_by_quiz
    assert not first.holds_quiz and not first.completed_by_quiz


def test_the_course_is_not_complete_before_the_quiz_is_passed(trainee, course_with_quiz):
    _course, _quiz, first, second, enrolment = course_with_quiz
    course_services.complete_lesson(user=trainee, lesson=first)
    with pytest.raises(LearningDenied) as refusal:
        course_services.complete_lesson(user=trainee, lesson=second)
    assert refusal.value.code == "quiz_required"
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None and enrolment.progress_percent == 50


def test_even_a_stored_flag_left_off_does_not_let_the_button_complete_it(trainee, course_with_quiz):
    _course, _quiz, _first, second, _enrolment = course_with_quiz
    Lesson.objects.filter(pk=second.pk).update(requires_quiz_pass=False)  # an old row
    second.refresh_from_db()
    with pytest.raises(LearningDenied) as refusal:
        course_services.complete_lesson(user=trainee, lesson=second)
    assert refusal.value.code == "quiz_required"


def test_the_quiz_lesson_page_has_no_mark_as_done_and_the_post_is_refused(
    client, trainee, course_with_quiz
):
    _course, _quiz, _first, second, _enrolment = course_with_quiz
    client.login(username=trainee.username, password=PASSWORD)
    html = client.get(second.url).content.decode()
    assert reverse("courses:complete_lesson", args=[second.pk]) not in html
    assert "Pass this lesson's quiz to complete it." in html
    response = client.post(reverse("courses:complete_lesson", args=[second.pk]))
    assert response.status_code == 403
    assert not LessonProgress.objects.filter(
        user=trainee, lesson=second, status=LessonStatus.COMPLETE
    ).exists()


def test_failing_leaves_the_course_open_and_passing_completes_it(
    trainee, course_with_quiz, django_capture_on_commit_callbacks
):
    _course, quiz, first, second, enrolment = course_with_quiz
    course_services.complete_lesson(user=trainee, lesson=first)
    attempt = services.start_attempt(user=trainee, quiz=quiz, lesson=second)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_attempt(
            user=trainee, attempt=attempt, answers=_answer(attempt, right=False)
        )
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None

    attempt = services.start_attempt(user=trainee, quiz=quiz, lesson=second)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_attempt(user=trainee, attempt=attempt, answers=_answer(attempt, right=True))
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    assert enrolment.completed_at is not None and enrolment.progress_percent == 100


def test_the_migration_sets_the_flag_on_stored_lessons_with_a_quiz(course_with_quiz):
    _course, _quiz, first, second, _enrolment = course_with_quiz
    Lesson.objects.filter(pk__in=[first.pk, second.pk]).update(requires_quiz_pass=False)
    migration = importlib.import_module(
        "courses.migrations.0005_lesson_with_quiz_completed_by_quiz"
    )
    migration.lessons_with_a_quiz_need_it_passed(apps, None)
    assert Lesson.objects.get(pk=second.pk).requires_quiz_pass
    assert not Lesson.objects.get(pk=first.pk).requires_quiz_pass
