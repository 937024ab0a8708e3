"""The attempt lifecycle: start, autosave, submit, timing, attempts allowed, grades."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditLog
from quizzes import services
from quizzes.models import Attempt, AttemptState, QuizGrade
from quizzes.tasks import finish_expired_attempts
from quizzes.tests import factories as f

pytestmark = pytest.mark.django_db


def right_choice(slot):
    """The key of the best answer of a choice slot (tests may look behind the curtain)."""
    answers = slot.question_data["answers"]
    best = max(range(len(answers)), key=lambda i: answers[i]["fraction"])
    return slot.layout["keys"][slot.layout["order"].index(best)]


def test_start_creates_slots_with_a_snapshot_of_each_question(trainee):
    question = f.single()
    attempt = services.start_attempt(user=trainee, quiz=f.quiz([question, f.truefalse()]))
    slots = list(attempt.slots.all())
    assert [s.number for s in slots] == [1, 2]
    assert slots[0].question_data["stem"] == question.stem
    assert slots[0].question_version == question.version
    assert attempt.max_score == 2.0
    assert AuditLog.objects.filter(action="quizzes.attempt.start").count() == 1


def test_start_again_resumes_the_attempt_in_progress(trainee):
    quiz = f.quiz([f.single()])
    first = services.start_attempt(user=trainee, quiz=quiz)
    assert services.start_attempt(user=trainee, quiz=quiz).pk == first.pk


def test_only_trainees_take_quizzes(coordinator):
    with pytest.raises(PermissionDenied):
        services.start_attempt(user=coordinator, quiz=f.quiz([f.single()]))


def test_unavailable_quiz_cannot_be_started(trainee):
    with pytest.raises(PermissionDenied):
        services.start_attempt(user=trainee, quiz=f.quiz([f.single()], is_available=False))


def test_quiz_not_open_yet_or_closed_is_refused(trainee):
    now = timezone.now()
    with pytest.raises(services.QuizNotOpen):
        services.start_attempt(
            user=trainee, quiz=f.quiz([f.single()], open_at=now + timedelta(days=1))
        )
    with pytest.raises(services.QuizNotOpen):
        services.start_attempt(
            user=trainee, quiz=f.quiz([f.single()], close_at=now - timedelta(days=1))
        )


def test_attempts_allowed_is_enforced(trainee):
    quiz = f.quiz([f.single()], attempts_allowed=1)
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    services.submit_attempt(user=trainee, attempt=attempt)
    with pytest.raises(services.NoAttemptsLeft):
        services.start_attempt(user=trainee, quiz=quiz)


def test_save_and_submit_grades_the_attempt(trainee):
    quiz = f.quiz([f.single(), f.truefalse(value=False)], pass_mark=50)
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    first, second = attempt.slots.all()
    services.save_answers(
        user=trainee, attempt=attempt, answers={"1": {"choice": right_choice(first)}}
    )
    result = services.submit_attempt(user=trainee, attempt=attempt, answers={"2": {"value": True}})
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert (attempt.score, attempt.grade, attempt.passed) == (1.0, 50.0, True)
    assert not result.already_submitted
    grade = QuizGrade.objects.get(quiz=quiz, user=trainee)
    assert (grade.grade, grade.passed, grade.attempt_count) == (50.0, True, 1)


def test_submitting_twice_grades_once(trainee):
    attempt = services.start_attempt(user=trainee, quiz=f.quiz([f.single()]))
    services.submit_attempt(user=trainee, attempt=attempt)
    again = services.submit_attempt(user=trainee, attempt=attempt, answers={"1": {}})
    assert again.already_submitted
    assert AuditLog.objects.filter(action="quizzes.attempt.submit").count() == 1


def test_answers_after_submission_are_refused(trainee):
    attempt = services.start_attempt(user=trainee, quiz=f.quiz([f.single()]))
    services.submit_attempt(user=trainee, attempt=attempt)
    with pytest.raises(services.AttemptClosed):
        services.save_answers(user=trainee, attempt=attempt, answers={"1": None})


def test_answer_for_a_question_not_in_the_attempt_is_refused(trainee):
    attempt = services.start_attempt(user=trainee, quiz=f.quiz([f.single()]))
    with pytest.raises(services.QuizError, match="Question 7 is not part of this attempt"):
        services.save_answers(user=trainee, attempt=attempt, answers={"7": {"choice": "x"}})


def test_one_bad_answer_saves_none_of_the_batch(trainee):
    attempt = services.start_attempt(user=trainee, quiz=f.quiz([f.single(), f.numerical()]))
    slot = attempt.slots.get(number=1)
    with pytest.raises(services.QuizError, match="Question 2"):
        services.save_answers(
            user=trainee,
            attempt=attempt,
            answers={"1": {"choice": right_choice(slot)}, "2": {"value": "soon"}},
        )
    slot.refresh_from_db()
    assert slot.response is None


def test_another_trainee_cannot_answer(trainee, other_trainee):
    attempt = services.start_attempt(user=trainee, quiz=f.quiz([f.single()]))
    with pytest.raises(PermissionDenied):
        services.save_answers(user=other_trainee, attempt=attempt, answers={})
    with pytest.raises(PermissionDenied):
        services.submit_attempt(user=other_trainee, attempt=attempt)


# --- timing ---------------------------------------------------------------------


def timed_attempt(trainee, minutes=10, grace=30):
    quiz = f.quiz([f.single(), f.truefalse()], time_limit_minutes=minutes, grace_seconds=grace)
    start = timezone.now()
    return services.start_attempt(user=trainee, quiz=quiz, now=start), start


def test_deadline_is_the_time_limit_or_the_close_time(trainee):
    attempt, start = timed_attempt(trainee)
    assert attempt.deadline == start + timedelta(minutes=10)
    closing = timezone.now() + timedelta(minutes=3)
    quiz = f.quiz([f.single()], time_limit_minutes=10, close_at=closing)
    assert services.start_attempt(user=trainee, quiz=quiz).deadline == closing


def test_answers_within_the_grace_period_are_saved(trainee):
    attempt, start = timed_attempt(trainee)
    slot = attempt.slots.get(number=1)
    late = start + timedelta(minutes=10, seconds=20)
    services.save_answers(
        user=trainee, attempt=attempt, answers={"1": {"choice": right_choice(slot)}}, now=late
    )
    slot.refresh_from_db()
    assert slot.response is not None


def test_save_after_the_grace_is_refused_and_submits_with_what_was_saved(trainee):
    attempt, start = timed_attempt(trainee)
    slot = attempt.slots.get(number=1)
    services.save_answers(
        user=trainee,
        attempt=attempt,
        answers={"1": {"choice": right_choice(slot)}},
        now=start + timedelta(minutes=1),
    )
    with pytest.raises(services.TimeUp):
        services.save_answers(
            user=trainee,
            attempt=attempt,
            answers={"2": {"value": True}},
            now=start + timedelta(minutes=11),
        )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.auto_submitted
    assert attempt.submitted_at == attempt.deadline
    assert attempt.score == 1.0  # the late answer to question 2 did not count
    assert attempt.slots.get(number=2).response is None


def test_late_submit_ignores_the_answers_it_carries(trainee):
    attempt, start = timed_attempt(trainee)
    slot = attempt.slots.get(number=1)
    result = services.submit_attempt(
        user=trainee,
        attempt=attempt,
        answers={"1": {"choice": right_choice(slot)}},
        now=start + timedelta(minutes=12),
    )
    assert result.late
    assert result.attempt.score == 0.0


def test_expired_attempt_is_submitted_on_next_access(trainee):
    attempt, start = timed_attempt(trainee)
    assert not services.finish_if_expired(attempt, now=start + timedelta(minutes=5))
    assert services.finish_if_expired(attempt, now=start + timedelta(minutes=11))
    attempt.refresh_from_db()
    assert attempt.auto_submitted and attempt.state == AttemptState.FINISHED


def test_starting_again_after_expiry_finishes_the_old_attempt_first(trainee):
    attempt, start = timed_attempt(trainee)
    second = services.start_attempt(
        user=trainee, quiz=attempt.quiz, now=start + timedelta(minutes=20)
    )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert second.number == 2


def test_periodic_task_submits_expired_attempts(trainee, other_trainee):
    expired, _start = timed_attempt(trainee)
    Attempt.objects.filter(pk=expired.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    running, _start = timed_attempt(other_trainee)
    assert finish_expired_attempts.delay().get() == 1
    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.state == AttemptState.FINISHED and expired.auto_submitted
    assert running.state == AttemptState.IN_PROGRESS
    assert finish_expired_attempts() == 0  # idempotent


def test_periodic_task_is_in_the_beat_schedule():
    from lms.celery import gather_beat_schedule

    assert (
        gather_beat_schedule()["quizzes-finish-expired-attempts"]["task"]
        == "quizzes.tasks.finish_expired_attempts"
    )


# --- grades -----------------------------------------------------------------------


def finish_with(trainee, quiz, right: bool):
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    slot = attempt.slots.get()
    answers = {"1": {"choice": right_choice(slot)}} if right else {}
    services.submit_attempt(user=trainee, attempt=attempt, answers=answers)


@pytest.mark.parametrize(
    ("method", "expected"), [("highest", 100.0), ("last", 0.0), ("first", 0.0), ("average", 50.0)]
)
def test_grading_methods(trainee, method, expected):
    quiz = f.quiz([f.single()], grading_method=method, pass_mark=60)
    finish_with(trainee, quiz, right=False)
    finish_with(trainee, quiz, right=True)
    if method == "last":
        finish_with(trainee, quiz, right=False)
    grade = QuizGrade.objects.get(quiz=quiz, user=trainee)
    assert grade.grade == expected
    assert grade.best_grade == 100.0
    assert grade.passed is (expected >= 60)


def test_editing_a_question_does_not_change_past_attempts(trainee):
    question = f.single()
    quiz = f.quiz([question])
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    services.submit_attempt(user=trainee, attempt=attempt)
    question.stem = "A rewritten stem"
    question.save()
    right = question.answers.get(text="Right")
    right.fraction = 0.0
    right.save()
    assert question.refresh_version()
    assert question.version == 2
    slot = attempt.slots.get()
    assert slot.question_version == 1
    assert slot.question_data["stem"] != "A rewritten stem"
    assert [a["fraction"] for a in slot.question_data["answers"]] == [1.0, 0.5, 0.0]
    new_attempt = services.start_attempt(user=trainee, quiz=quiz)
    assert new_attempt.slots.get().question_version == 2


def test_unchanged_save_keeps_the_version():
    question = f.single()
    question.save()
    assert not question.refresh_version()
    assert question.version == 1


def test_random_draws_pick_distinct_questions_from_the_category(trainee):
    bank = f.category("Ethics")
    pool = [f.single(cat=bank, name=f"q{i}") for i in range(6)]
    quiz = f.quiz(draws=[(bank, 5)])
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    drawn = [s.question_id for s in attempt.slots.all()]
    assert len(set(drawn)) == 5
    assert set(drawn) <= {q.pk for q in pool}


def test_draw_from_a_category_too_small_is_refused(trainee):
    bank = f.category("Tiny")
    f.single(cat=bank)
    with pytest.raises(services.QuizError, match="draws 3"):
        services.start_attempt(user=trainee, quiz=f.quiz(draws=[(bank, 3)]))


def test_case_parts_are_not_drawn_on_their_own(trainee):
    bank = f.category("Cases")
    f.case_analysis(cat=bank)
    attempt = services.start_attempt(user=trainee, quiz=f.quiz(draws=[(bank, 1)]))
    assert attempt.slots.get().question_data["qtype"] == "case"


def test_questions_per_page(trainee):
    quiz = f.quiz([f.single(), f.truefalse(), f.numerical()], questions_per_page=2)
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    assert [s.page for s in attempt.slots.all()] == [0, 0, 1]


def test_shuffle_questions_changes_the_order_for_some_attempt(trainee, other_trainee, lecturer):
    questions = [f.single(name=f"s{i}") for i in range(8)]
    quiz = f.quiz(questions, shuffle_questions=True)
    orders = set()
    for user in (trainee, other_trainee, lecturer):
        attempt = services.start_attempt(user=user, quiz=quiz)
        orders.add(tuple(s.question_id for s in attempt.slots.all()))
    assert len(orders) > 1
