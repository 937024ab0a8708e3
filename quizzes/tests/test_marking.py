"""Manual marking of essays and case analyses by supervising experts."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from quizzes import services
from quizzes.models import QuizGrade
from quizzes.tests import factories as f
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def submitted_essay(trainee, **quiz_fields):
    quiz = f.quiz([f.single(), f.essay(mark=3)], pass_mark=60, **quiz_fields)
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    slot = attempt.slots.get(number=1)
    right = slot.layout["keys"][slot.layout["order"].index(0)]
    services.submit_attempt(
        user=trainee,
        attempt=attempt,
        answers={"1": {"choice": right}, "2": {"text": "我会先倾听。"}},
    )
    attempt.refresh_from_db()
    return attempt


def test_essay_waits_for_marking(trainee):
    attempt = submitted_essay(trainee)
    assert attempt.needs_grading and attempt.grade is None
    assert QuizGrade.objects.get(user=trainee).pending


def test_marking_updates_the_attempt_and_the_final_grade(trainee, supervisor):
    f.assign_for_marking(supervisor, trainee)
    attempt = submitted_essay(trainee)
    slot = attempt.slots.get(number=2)
    services.mark_slot(grader=supervisor, slot=slot, marks={"main": 2}, comment="很好")
    attempt.refresh_from_db()
    assert (attempt.score, attempt.grade, attempt.passed, attempt.needs_grading) == (
        3.0,
        75.0,
        True,
        False,
    )
    grade = QuizGrade.objects.get(user=trainee)
    assert (grade.grade, grade.passed, grade.pending) == (75.0, True, False)
    slot.refresh_from_db()
    assert (slot.comment, slot.graded_by) == ("很好", supervisor)


def test_mark_above_the_maximum_is_refused(trainee, supervisor):
    f.assign_for_marking(supervisor, trainee)
    slot = submitted_essay(trainee).slots.get(number=2)
    with pytest.raises(services.QuizError, match="between 0 and 3"):
        services.mark_slot(grader=supervisor, slot=slot, marks={"main": 4})


def test_trainee_and_coordinator_cannot_mark(trainee, coordinator):
    slot = submitted_essay(trainee).slots.get(number=2)
    for user in (trainee, coordinator):
        with pytest.raises(PermissionDenied):
            services.mark_slot(grader=user, slot=slot, marks={"main": 1})


def test_supervisor_without_two_factor_cannot_mark(trainee):
    supervisor = make_user("supervisor", username="no2fa", two_factor=False)
    slot = submitted_essay(trainee).slots.get(number=2)
    with pytest.raises(PermissionDenied):
        services.mark_slot(grader=supervisor, slot=slot, marks={"main": 1})


def test_case_analysis_marks_each_part(trainee, supervisor):
    f.assign_for_marking(supervisor, trainee)
    quiz = f.quiz([f.case_analysis()])
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    slot = attempt.slots.get()
    key = slot.layout["p0"]["keys"][slot.layout["p0"]["order"].index(0)]
    services.submit_attempt(
        user=trainee,
        attempt=attempt,
        answers={"1": {"parts": {"p0": {"choice": key}, "p1": {"text": "计划"}}}},
    )
    slot.refresh_from_db()
    assert slot.marks == {"p0": 2.0, "p1": None}
    assert slot.needs_manual
    services.mark_slot(grader=supervisor, slot=slot, marks={"p1": 1.5})
    attempt.refresh_from_db()
    assert attempt.grade == pytest.approx(87.5)


def test_grading_queue_page_lists_answers_to_mark(
    client, trainee, supervisor, django_assert_max_num_queries
):
    for _ in range(3):
        author = make_user("trainee")
        f.assign_for_marking(supervisor, author)
        submitted_essay(author)
    submitted_essay(make_user("trainee"))  # not in this supervisor's scope: not listed
    client.login(username=supervisor.username, password=PASSWORD)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("quizzes:grading_queue"))
    assert response.status_code == 200
    assert response.content.decode().count(">Mark<") == 3


def test_grading_queue_refuses_trainees(client, trainee):
    client.login(username=trainee.username, password=PASSWORD)
    assert client.get(reverse("quizzes:grading_queue")).status_code == 403


def test_mark_page_saves_and_comment_reaches_the_trainee(client, trainee, supervisor):
    f.assign_for_marking(supervisor, trainee)
    attempt = submitted_essay(trainee)
    slot = attempt.slots.get(number=2)
    client.login(username=supervisor.username, password=PASSWORD)
    page = client.get(reverse("quizzes:mark", args=[slot.pk]))
    assert "我会先倾听。" in page.content.decode()
    response = client.post(
        reverse("quizzes:mark", args=[slot.pk]), {"mark_main": "3", "comment": "结构清楚"}
    )
    assert response.status_code == 302
    client.logout()
    client.login(username=trainee.username, password=PASSWORD)
    html = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "结构清楚" in html
    assert "100.0%" in html


def test_mark_page_refuses_out_of_range_mark(client, trainee, supervisor):
    f.assign_for_marking(supervisor, trainee)
    slot = submitted_essay(trainee).slots.get(number=2)
    client.login(username=supervisor.username, password=PASSWORD)
    response = client.post(reverse("quizzes:mark", args=[slot.pk]), {"mark_main": "9"})
    assert response.status_code == 200
    slot.refresh_from_db()
    assert slot.mark is None
