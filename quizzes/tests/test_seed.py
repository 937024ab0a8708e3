"""The demo seed: bank, course quizzes placed in lessons, final exams; idempotent."""

import pytest

from courses.models import Lesson
from courses.tests import factories as course_factories
from quizzes import seed
from quizzes.models import Attempt, Question, Quiz
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def counts():
    return (
        Question.objects.count(),
        Quiz.objects.count(),
        Lesson.objects.count(),
        Attempt.objects.count(),
    )


def test_seed_without_courses_gives_bank_and_final_exams():
    seed.seed()
    assert Question.objects.filter(case=None).count() == 33  # 30 from GIFT + 3 case analyses
    assert Question.objects.filter(qtype="case").count() == 3
    titles = set(Quiz.objects.values_list("title", flat=True))
    assert {"公共基础课程结业考试", "心理咨询师结业考试", "家庭教育指导师结业考试"} <= titles


def test_seed_places_a_quiz_in_each_course_and_is_idempotent():
    programme = course_factories.programme(slug="counsellor")
    course = course_factories.course(programme, modules=(1,))
    make_user("trainee", username="trainee")
    seed.seed()
    first = counts()
    quiz = Quiz.objects.get(title=f"小测：{course.title}")
    assert quiz.page_id == course.pk
    lesson = Lesson.objects.get(slug=seed.QUIZ_LESSON_SLUG)
    assert lesson.is_optional and lesson.requires_quiz_pass
    assert lesson.body[1].value["quiz"].pk == quiz.pk
    exam = Quiz.objects.get(title="心理咨询师结业考试")
    assert exam.page_id == programme.pk
    attempt = Attempt.objects.get(quiz=exam)
    assert attempt.needs_grading  # the case analysis waits for an expert
    seed.seed()
    assert counts() == first


def test_final_exam_draws_from_each_category(trainee):
    from quizzes.services import start_attempt

    seed.seed()
    exam = Quiz.objects.get(title="心理咨询师结业考试")
    attempt = start_attempt(user=trainee, quiz=exam)
    kinds = [slot.question_data["qtype"] for slot in attempt.slots.all()]
    assert len(kinds) == 13
    assert kinds.count("case") == 1
