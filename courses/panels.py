"""The dashboard's learning panels (``lms.dashboard``).

Trainee: where to continue, progress per course and their deadlines. Supervising expert:
reflections their trainees shared. Each reads through ``courses.selectors`` in a fixed
number of queries (pinned in tests/test_dashboard.py).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from lms.dashboard import register_panel

from . import selectors

DEADLINE_SOON_DAYS = 7
REFLECTIONS_RECENT_DAYS = 14


def _deadline(enrolment, today) -> dict | None:
    if enrolment.deadline is None or enrolment.completed_at is not None:
        return None
    days = (enrolment.deadline - today).days
    return {
        "date": enrolment.deadline,
        "days": days,
        "overdue": days < 0,
        "soon": 0 <= days <= DEADLINE_SOON_DAYS,
    }


def learning_panel(user) -> dict:
    """Continue where you left off (the course last worked in), then each course in progress
    with its bar and deadline. Four queries at most (two on a warm outline cache)."""
    today = timezone.localdate()
    rows = selectors.my_learning(user)
    in_progress = []
    completed = 0
    for row in rows:
        enrolment = row["enrolment"]
        if enrolment.completed_at is not None:
            completed += 1
            continue
        in_progress.append({**row, "deadline": _deadline(enrolment, today)})
    # Courses with a deadline first, the soonest on top (the same on every database).
    in_progress.sort(
        key=lambda row: (row["enrolment"].deadline is None, row["enrolment"].deadline or today)
    )
    resumable = [row for row in in_progress if row["next_lesson"] is not None]
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    resume = max(
        resumable,
        key=lambda row: row["enrolment"].last_activity_at or never,
        default=None,
    )
    due = [row for row in in_progress if row["deadline"]]
    due.sort(key=lambda row: row["deadline"]["date"])
    return {
        "title": _("Continue learning"),
        "resume": resume,
        "courses": in_progress,
        "completed_count": completed,
        "deadlines": due,
        "count": len(in_progress),
        "urgent": any(row["deadline"]["overdue"] or row["deadline"]["soon"] for row in due),
    }


def shared_reflections_panel(user) -> dict | None:
    """Reflections the expert's own trainees shared: how many, how many recent, the newest
    three. Two queries."""
    answers = selectors.shared_reflections_for(user)
    since = timezone.now() - datetime.timedelta(days=REFLECTIONS_RECENT_DAYS)
    newest = list(answers[:3])
    if not newest:
        return None
    recent = answers.filter(updated_at__gte=since).count()
    return {
        "title": _("Reflections shared with you"),
        "newest": newest,
        "recent": recent,
        "recent_days": REFLECTIONS_RECENT_DAYS,
        "count": recent,
    }


def register() -> None:
    """Called from ``CoursesConfig.ready``."""
    register_panel(
        "courses.learning", role=roles.TRAINEE, template="courses/panels/learning.html", order=10
    )(learning_panel)
    register_panel(
        "courses.shared_reflections",
        role=roles.SUPERVISOR,
        template="courses/panels/shared_reflections.html",
        order=40,
    )(shared_reflections_panel)
