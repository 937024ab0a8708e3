"""Heavy reads: gradebook, item analysis, marking queue, a trainee's results.

Each runs a fixed number of queries whatever the number of trainees, quizzes or
attempts (pinned in the tests).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from accounts import roles

from .models import Attempt, AttemptSlot, AttemptState, Quiz, QuizGrade

# Moodle's item-analysis thresholds for questions that look broken.
FACILITY_LOW = 0.2
FACILITY_HIGH = 0.95
DISCRIMINATION_LOW = 0.2


# --- gradebook -----------------------------------------------------------------


class GradebookCell(NamedTuple):
    best_grade: float | None
    passed: bool
    pending: bool
    attempts: int


EMPTY_CELL = GradebookCell(None, False, False, 0)


@dataclass
class GradebookRow:
    user_id: int
    username: str
    name: str
    district: str
    cells: list[GradebookCell] = field(default_factory=list)

    @property
    def passed_all(self) -> bool:
        return all(cell.passed for cell in self.cells)


@dataclass
class Gradebook:
    quizzes: list[Quiz]
    rows: list[GradebookRow]


def quizzes_for_page(page: Page | None):
    """Quizzes linked to a course/programme page or to any page below it."""
    quizzes = Quiz.objects.all()
    if page is not None:
        quizzes = quizzes.filter(Q(page=page) | Q(page__path__startswith=page.path))
    return quizzes.order_by("title")


def trainees_in_scope(scope):
    """Trainees a staff member sees: one district (a coordinator's) or everyone (None)."""
    users = get_user_model().objects.filter(groups__name=roles.TRAINEE, is_active=True)
    if scope is not None:
        users = users.filter(district=scope)
    return users


def gradebook(*, quizzes, users) -> Gradebook:
    """Trainees × quizzes with each trainee's best grade and pass/fail. Two queries.

    Built from plain tuples (``values_list``): at 1,000 × 20 this is the difference
    between milliseconds and a second.
    """
    quizzes = list(quizzes)
    people = list(
        users.order_by("district__sort_order", "real_name", "username")
        .distinct()
        .values_list(
            "pk",
            "username",
            "real_name",
            "first_name",
            "last_name",
            "district__name",
            "district__sort_order",
        )
    )
    by_user: dict[int, dict[int, tuple]] = defaultdict(dict)
    if quizzes and people:
        grades = QuizGrade.objects.filter(
            quiz_id__in=[q.pk for q in quizzes], user_id__in=[p[0] for p in people]
        ).values_list("user_id", "quiz_id", "best_grade", "pending", "attempt_count")
        # Plain cursor rows: the ORM's per-row conversion is most of the time at 20,000 rows.
        sql, params = grades.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for user_id, quiz_id, best, pending, count in cursor.fetchall():
                by_user[user_id][quiz_id] = (best, bool(pending), count)
    marks = [(quiz.pk, quiz.pass_mark - 1e-6) for quiz in quizzes]
    out = []
    for pk, username, real_name, first, last, district, _order in people:
        grades = by_user.get(pk)
        if grades is None:
            cells = [EMPTY_CELL] * len(marks)
        else:
            cells = []
            for quiz_id, threshold in marks:
                found = grades.get(quiz_id)
                if found is None:
                    cells.append(EMPTY_CELL)
                else:
                    best, pending, count = found
                    cells.append(
                        GradebookCell(best, best is not None and best >= threshold, pending, count)
                    )
        name = real_name or f"{first} {last}".strip() or username
        out.append(GradebookRow(pk, username, name, district or "", cells))
    return Gradebook(quizzes=quizzes, rows=out)


def gradebook_table(book: Gradebook) -> list[list]:
    """The gradebook as rows of plain values (header first), for CSV and XLSX."""
    header = [str(_("Username")), str(_("Name")), str(_("District"))]
    best, result = str(_("best grade (%)")), str(_("result"))
    for quiz in book.quizzes:
        header += [f"{quiz.title} — {best}", f"{quiz.title} — {result}"]
    passed, failed, waiting = str(_("pass")), str(_("fail")), str(_("awaiting marking"))
    rows = [header]
    for row in book.rows:
        line = [row.username, row.name, row.district]
        for cell in row.cells:
            if cell.best_grade is None:
                line += [None, waiting if cell.pending else ""]
            else:
                line += [round(cell.best_grade, 2), passed if cell.passed else failed]
        rows.append(line)
    return rows


# --- item analysis ---------------------------------------------------------------


@dataclass
class ItemStatistics:
    question_id: int | None
    name: str
    qtype: str
    count: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    flags: list[str] = field(default_factory=list)


@dataclass
class QuizStatistics:
    attempts: int
    mean_grade: float | None
    median_grade: float | None
    sd_grade: float | None
    items: list[ItemStatistics]


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def item_analysis(quiz: Quiz) -> QuizStatistics:
    """Moodle's quiz statistics for graded attempts (two queries).

    - facility index: the mean mark on the question as a fraction of its maximum;
    - standard deviation of those fractions (sample SD);
    - discrimination index: the correlation between the mark on the question and
      the mark on the rest of the quiz (Moodle's definition);
    - flags: facility below 20% or above 95%, discrimination below 0.2 (negative:
      the key may be wrong).
    """
    attempts = list(
        Attempt.objects.filter(
            quiz=quiz, state=AttemptState.FINISHED, grade__isnull=False
        ).values_list("pk", "score", "grade")
    )
    totals = {pk: score or 0.0 for pk, score, _grade in attempts}
    grades = [grade for _pk, _score, grade in attempts]
    per_question: dict[int | None, list[tuple[float, float]]] = defaultdict(list)
    names: dict[int | None, tuple[str, str]] = {}
    if attempts:
        slots = AttemptSlot.objects.filter(attempt_id__in=list(totals)).values_list(
            "attempt_id",
            "question_id",
            "mark",
            "max_mark",
            "question_data__name",
            "question_data__qtype",
        )
        for attempt_id, question_id, mark, max_mark, name, qtype in slots:
            fraction = (mark or 0.0) / max_mark if max_mark else 0.0
            rest = totals[attempt_id] - (mark or 0.0)
            per_question[question_id].append((fraction, rest))
            names.setdefault(question_id, (name or "", qtype or ""))
    items = []
    for question_id, values in per_question.items():
        fractions = [f for f, _r in values]
        rests = [r for _f, r in values]
        n = len(values)
        facility = sum(fractions) / n if n else None
        sd = statistics.stdev(fractions) if n >= 2 else None
        discrimination = _pearson(fractions, rests)
        flags = []
        if facility is not None and n >= 2:
            if facility < FACILITY_LOW:
                flags.append(str(_("very hard (facility below 20%)")))
            elif facility > FACILITY_HIGH:
                flags.append(str(_("very easy (facility above 95%)")))
        if discrimination is not None:
            if discrimination < 0:
                flags.append(str(_("negative discrimination: check the right answer")))
            elif discrimination < DISCRIMINATION_LOW:
                flags.append(str(_("weak discrimination (below 0.2)")))
        name, qtype = names[question_id]
        items.append(
            ItemStatistics(
                question_id=question_id,
                name=name,
                qtype=qtype,
                count=n,
                facility=facility,
                sd=sd,
                discrimination=discrimination,
                flags=flags,
            )
        )
    items.sort(key=lambda item: (not item.flags, item.name))
    return QuizStatistics(
        attempts=len(attempts),
        mean_grade=statistics.fmean(grades) if grades else None,
        median_grade=statistics.median(grades) if grades else None,
        sd_grade=statistics.stdev(grades) if len(grades) >= 2 else None,
        items=items,
    )


# --- marking queue and results ------------------------------------------------------


def grading_queue(slots=None, *, quiz_id: int | None = None):
    """Answers waiting for a person's mark, oldest submission first.

    ``slots`` is the grader's scope (``quizzes.permissions.markable_slots``); None = all.
    """
    slots = AttemptSlot.objects.all() if slots is None else slots
    slots = slots.filter(needs_manual=True, attempt__state=AttemptState.FINISHED).select_related(
        "attempt__quiz", "attempt__user"
    )
    if quiz_id:
        slots = slots.filter(attempt__quiz_id=quiz_id)
    return slots.order_by("attempt__submitted_at", "number")


def results_for(user):
    """A trainee's final grades (one per quiz) and every attempt, newest first."""
    grades = list(
        QuizGrade.objects.filter(user=user).select_related("quiz").order_by("quiz__title")
    )
    attempts = list(
        Attempt.objects.filter(user=user).select_related("quiz").order_by("-started_at")
    )
    return grades, attempts
