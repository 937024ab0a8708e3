"""Quiz API: start an attempt, read it (without answers), save answers, submit, results.

Questions come out through the same presenter as the pages (``quizzes.review``), so
nothing reveals right answers, weights or feedback before the review options allow.
Errors are ``{"detail", "code"}`` with a 4xx status.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from lms.api import ApiError
from lms.api_errors import error_responses
from lms.api_types import Id

from . import lessons, permissions, selectors, services
from .models import Attempt, Quiz
from .review import present_attempt, review_flags

router = Router(tags=["quizzes"])

# A page of an attempt (0 is the first); a quiz never has this many pages.
QuizPage = Annotated[int, Field(ge=0, le=10_000, description="Page of the attempt, from 0.")]


class AnswersIn(Schema):
    answers: dict[str, Any]
    page: QuizPage | None = None


def _json_body(request) -> dict:
    """An optional JSON object body (empty is fine); anything else is a 400."""
    if not request.body or not request.content_type.startswith("application/json"):
        return {}
    try:
        body = json.loads(request.body)
    except ValueError:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", "The body must be a JSON object.")
    return body


def _error(exc: services.QuizError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message)


def _attempt(request, attempt_id: int) -> Attempt:
    attempt = Attempt.objects.select_related("quiz", "user").filter(pk=attempt_id).first()
    if attempt is None or not permissions.can_see_attempt(request.auth, attempt):
        raise Http404
    return attempt


def _own_attempt(request, attempt_id: int) -> Attempt:
    attempt = _attempt(request, attempt_id)
    if attempt.user_id != request.auth.pk:
        raise ApiError(
            403, "not_your_attempt", "Only the trainee who started an attempt may change it."
        )
    return attempt


@router.post(
    "/quizzes/{quiz_id}/attempts",
    response={201: dict, 200: dict},
    openapi_extra=error_responses(409),
)
def start_attempt(request, quiz_id: Id):
    """Start an attempt (or get back the one in progress). 201 when a new one starts.

    Optional body: ``{"lesson": <lesson page id>}`` when started from a lesson.
    """
    quiz = Quiz.objects.filter(pk=quiz_id).first()
    if quiz is None:
        raise Http404
    lesson = lessons.lesson_for_attempt(_json_body(request).get("lesson"), quiz)
    before = set(Attempt.objects.filter(quiz=quiz, user=request.auth).values_list("pk", flat=True))
    try:
        attempt = services.start_attempt(user=request.auth, quiz=quiz, lesson=lesson)
    except services.QuizError as exc:
        raise _error(exc) from None
    attempt = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    status = 200 if attempt.pk in before else 201
    return Status(status, present_attempt(attempt, viewer=request.auth))


@router.get("/attempts/{attempt_id}", response=dict)
def get_attempt(request, attempt_id: Id, page: QuizPage | None = None):
    """An attempt's questions with the trainee's saved answers; no right answers."""
    attempt = _attempt(request, attempt_id)
    if attempt.user_id == request.auth.pk and services.finish_if_expired(attempt):
        attempt = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    return present_attempt(attempt, viewer=request.auth, page=page)


@router.put("/attempts/{attempt_id}/answers", response=dict, openapi_extra=error_responses(409))
def save_answers(request, attempt_id: Id, payload: AnswersIn):
    """Save answers keyed by question number, e.g. ``{"answers": {"1": {"choice": "ab12cd34"}}}``."""
    attempt = _own_attempt(request, attempt_id)
    try:
        services.save_answers(
            user=request.auth, attempt=attempt, answers=payload.answers, page=payload.page
        )
    except services.QuizError as exc:
        raise _error(exc) from None
    attempt.refresh_from_db()
    return {
        "saved": sorted(int(k) for k in payload.answers),
        "seconds_left": attempt.seconds_left(),
        "state": attempt.state,
    }


@router.post("/attempts/{attempt_id}/submit", response=dict, openapi_extra=error_responses(409))
def submit(request, attempt_id: Id):
    """Submit and grade (once). Optional body ``{"answers": {...}}`` saved first.

    Late submissions keep only what was saved in time.
    """
    attempt = _own_attempt(request, attempt_id)
    answers = _json_body(request).get("answers")
    try:
        result = services.submit_attempt(user=request.auth, attempt=attempt, answers=answers)
    except services.QuizError as exc:
        raise _error(exc) from None
    attempt = Attempt.objects.select_related("quiz").get(pk=result.attempt.pk)
    data = present_attempt(attempt, viewer=request.auth)
    data["already_submitted"] = result.already_submitted
    data["late"] = result.late
    return data


@router.get("/me/quiz-results", response=dict)
def my_results(request):
    """The caller's final grade per quiz and attempt history (grades as review options allow)."""
    grades, attempts = selectors.results_for(request.auth)
    now = timezone.now()
    visible_quizzes = set()
    history = []
    for attempt in attempts:
        show = attempt.is_finished and "marks" in review_flags(attempt, now=now)
        if show:
            visible_quizzes.add(attempt.quiz_id)
        history.append(
            {
                "id": attempt.pk,
                "quiz": {"id": attempt.quiz_id, "title": attempt.quiz.title},
                "number": attempt.number,
                "state": attempt.state,
                "started_at": attempt.started_at.isoformat(),
                "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
                "grade": attempt.grade if show else None,
                "passed": attempt.passed if show else None,
                "needs_grading": attempt.needs_grading if attempt.is_finished else None,
            }
        )
    return {
        "grades": [
            {
                "quiz": {"id": g.quiz_id, "title": g.quiz.title},
                "grade": g.grade if g.quiz_id in visible_quizzes else None,
                "passed": g.passed if g.quiz_id in visible_quizzes else None,
                "pending": g.pending,
                "attempts": g.attempt_count,
            }
            for g in grades
        ],
        "attempts": history,
    }
