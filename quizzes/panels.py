"""The dashboard's quiz panels (``lms.dashboard``).

Trainee: attempts to finish, quizzes waiting for marking or not passed yet, and quizzes
of their courses that close soon. Supervising expert: answers to mark and how long the
oldest has waited. Fixed query counts (tests/test_dashboard.py).
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from accounts import roles
from lms.dashboard import register_panel

from . import permissions, selectors
from .models import Attempt, AttemptState, Quiz, QuizGrade

CLOSING_SOON_DAYS = 30


def _closing_soon(user, now) -> list[Quiz]:
    """Quizzes placed on the person's courses (or those courses' programmes) that close
    within ``CLOSING_SOON_DAYS`` and that they have not passed (two queries)."""
    from courses.models import Enrolment

    paths = list(
        Enrolment.objects.active()
        .filter(user=user, completed_at__isnull=True)
        .values_list("course__path", flat=True)
    )
    if not paths:
        return []
    # The programme is the course's parent: its tree path is one step shorter.
    pages = set(paths) | {path[: -Page.steplen] for path in paths}
    passed = QuizGrade.objects.filter(quiz=OuterRef("pk"), user=user, passed=True)
    return list(
        Quiz.objects.available()
        .filter(
            page__path__in=sorted(pages),
            close_at__gt=now,
            close_at__lte=now + datetime.timedelta(days=CLOSING_SOON_DAYS),
        )
        .exclude(Exists(passed))
        .order_by("close_at", "pk")[:5]
    )


def trainee_quizzes_panel(user) -> dict | None:
    now = timezone.now()
    open_attempts = list(
        Attempt.objects.filter(user=user, state=AttemptState.IN_PROGRESS)
        .select_related("quiz")
        .order_by("deadline", "started_at")
    )
    grades = list(
        QuizGrade.objects.filter(user=user)
        .filter(Q(pending=True) | Q(passed=False, attempt_count__gt=0))
        .select_related("quiz")
        .order_by("quiz__title")
    )
    closing = _closing_soon(user, now)
    if not (open_attempts or grades or closing):
        return None
    for attempt in open_attempts:
        attempt.left = attempt.seconds_left(now)
    return {
        "title": _("Quizzes"),
        "open_attempts": open_attempts,
        "waiting": [grade for grade in grades if grade.pending],
        "not_passed": [grade for grade in grades if not grade.pending and not grade.passed],
        "closing": closing,
        "count": len(open_attempts) + len(closing),
        "urgent": bool(open_attempts and any(a.deadline for a in open_attempts)),
    }


def marking_panel(user) -> dict | None:
    """Answers waiting for this expert's mark (their scope only), and the oldest's age.
    Two queries."""
    queue = selectors.grading_queue(permissions.markable_slots(user))
    waiting = queue.count()
    if not waiting:
        return None
    oldest = queue.values_list("attempt__submitted_at", flat=True).first()
    days = (timezone.now() - oldest).days if oldest else 0
    return {
        "title": _("Answers to mark"),
        "waiting": waiting,
        "oldest_days": days,
        "count": waiting,
        "urgent": days >= 7,
    }


def register() -> None:
    """Called from ``QuizzesConfig.ready``."""
    register_panel(
        "quizzes.trainee", role=roles.TRAINEE, template="quizzes/panels/trainee.html", order=30
    )(trainee_quizzes_panel)
    register_panel(
        "quizzes.marking", role=roles.SUPERVISOR, template="quizzes/panels/marking.html", order=20
    )(marking_panel)
