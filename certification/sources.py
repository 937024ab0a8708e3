"""Adapters between the eligibility evaluators and the apps that own the data.

Each method asks the owning app (courses, quizzes, practicum, lecturer corps) through
its models or selectors and returns plain data keyed by user id. Every method runs a
fixed number of queries whatever the number of users (``users`` is a queryset used
as a subquery). A method returns ``None`` when its app does not offer the data, and
the evaluator then shows the requirement as "not available" instead of failing.

Tests pass a fake object with the same methods to ``selectors.evaluate(..., sources=…)``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CourseInfo:
    id: int
    title: str
    class_hours: Decimal | float | None = None
    url: str = ""  # the course page, where the checklist sends a trainee to take it


@dataclass(frozen=True)
class QuizInfo:
    id: int
    title: str
    pass_mark: Decimal | float | None = None
    url: str = ""  # the quiz page, where the checklist sends a trainee to take it


@dataclass(frozen=True)
class PracticumLine:
    code: str
    label: str
    done: Decimal | float
    needed: Decimal | float
    met: bool
    pending: Decimal | float = 0


class AppSources:
    """The real data sources (the other apps)."""

    def user_ids(self, users) -> list[int]:
        return list(users.order_by("pk").values_list("pk", flat=True))

    # --- courses ------------------------------------------------------------

    def required_courses(self, certification, targets) -> list[CourseInfo] | None:
        from . import integrations

        return integrations.required_courses(certification.code, targets)

    def course_completions(self, users, course_ids) -> dict[int, dict[int, datetime.date]]:
        from . import integrations

        return integrations.course_completions(users, course_ids)

    def continuing_education_hours(self, users, windows) -> dict[int, Decimal] | None:
        from . import integrations

        return integrations.continuing_education_hours(users, windows)

    # --- quizzes --------------------------------------------------------------

    def required_quizzes(self, certification, targets) -> list[QuizInfo] | None:
        from . import integrations

        return integrations.required_quizzes(certification.code, targets)

    def quiz_grades(self, users, quiz_ids) -> dict[int, dict[int, tuple]]:
        from . import integrations

        return integrations.quiz_grades(users, quiz_ids)

    # --- face-to-face classes -------------------------------------------------

    def class_hours(self, users, *, requirement_id, course_ids, windows):
        """Hours attended per user in classes linked to the requirement or the courses
        (the classes app's counter), or None when it is not installed."""
        from .signals import attended_class_hours

        return attended_class_hours(
            users, requirement_id=requirement_id, course_ids=course_ids, windows=windows
        )

    # --- practicum ------------------------------------------------------------

    def practicum_lines(self, users, qualification) -> dict[int, list[PracticumLine]] | None:
        from . import integrations

        return integrations.practicum_lines(users, qualification)

    def final_evaluations(self, users, qualification) -> dict[int, str] | None:
        from . import integrations

        return integrations.final_evaluations(users, qualification)
