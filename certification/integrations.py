"""How certification reads the other apps: courses, quizzes, practicum.

Every function takes a queryset of users (used as a subquery) and runs a fixed number
of queries. ``certification.sources.AppSources`` calls these; the evaluators in
``certification.requirements`` turn their plain data into checklist lines.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models.functions import TruncDate
from django.urls import reverse

from .sources import CourseInfo, PracticumLine, QuizInfo

# --- courses ----------------------------------------------------------------------


def _live_pages_for(model, code: str):
    """Live pages of ``model`` whose target qualifications include ``code`` (one query)."""
    pages = model.objects.live().only("pk", "title", "qualifications")
    return [page for page in pages if code in (page.qualifications or [])]


def required_courses(code: str, targets) -> list[CourseInfo]:
    """The targets if given, else every live course whose target qualifications include ``code``."""
    from courses.models import Course

    fields = ("pk", "title", "class_hours", "qualifications", "path", "url_path", "live")
    if targets:
        courses = Course.objects.filter(pk__in=targets).only(*fields)
        by_id = {course.pk: course for course in courses}
        chosen = [by_id[int(pk)] for pk in targets if int(pk) in by_id]
    else:
        chosen = sorted(
            (
                c
                for c in Course.objects.live().originals().only(*fields)
                if code in (c.qualifications or [])
            ),
            key=lambda course: course.path,
        )
    return [
        CourseInfo(
            id=c.pk,
            title=c.title,
            class_hours=c.class_hours,
            url=(c.get_url() or "") if c.live else "",
        )
        for c in chosen
    ]


def course_completions(users, course_ids) -> dict[int, dict[int, datetime.date]]:
    from courses.models import Enrolment

    completions: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    # The database turns the time into a local date: no per-row time-zone work in Python.
    rows = (
        Enrolment.objects.filter(
            user__in=users, course_id__in=list(course_ids), completed_at__isnull=False
        )
        .annotate(day=TruncDate("completed_at"))
        .values_list("user_id", "course_id", "day")
    )
    for user_id, course_id, day in rows:
        completions[user_id][course_id] = day
    return completions


def continuing_education_hours(users, windows) -> dict[int, Decimal]:
    """Class hours of every course completed inside each user's window (one query)."""
    from courses.models import Enrolment

    if not windows:
        return {}
    earliest = min(since for since, _until in windows.values())
    rows = (
        Enrolment.objects.filter(
            user__in=users,
            completed_at__isnull=False,
            completed_at__date__gte=earliest,
        )
        .annotate(day=TruncDate("completed_at"))
        .values_list("user_id", "day", "course__class_hours")
    )
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for user_id, day, class_hours in rows:
        window = windows.get(user_id)
        if window is None:
            continue
        if window[0] <= day <= window[1]:
            hours[user_id] += Decimal(class_hours or 0)
    return hours


# --- quizzes ----------------------------------------------------------------------


def required_quizzes(code: str, targets) -> list[QuizInfo]:
    """The targets if given, else the final exams: quizzes placed on the qualification's programme."""
    from courses.models import Programme
    from quizzes.models import Quiz

    if targets:
        quizzes = list(Quiz.objects.filter(pk__in=targets))
    else:
        programme_ids = [page.pk for page in _live_pages_for(Programme, code)]
        quizzes = list(
            Quiz.objects.filter(page_id__in=programme_ids, is_available=True).order_by("pk")
        )
    return [
        QuizInfo(
            id=q.pk,
            title=q.title,
            pass_mark=q.pass_mark,
            url=reverse("quizzes:quiz_detail", args=[q.pk]) if q.is_available else "",
        )
        for q in quizzes
    ]


def quiz_grades(users, quiz_ids) -> dict[int, dict[int, tuple]]:
    """``{user: {quiz: (best grade %, passed)}}`` from the quizzes app's kept-current grades."""
    from quizzes.models import QuizGrade

    grades: dict[int, dict[int, tuple]] = defaultdict(dict)
    rows = QuizGrade.objects.filter(user__in=users, quiz_id__in=list(quiz_ids)).values_list(
        "user_id", "quiz_id", "best_grade", "grade", "passed"
    )
    for user_id, quiz_id, best, grade, passed in rows:
        grades[user_id][quiz_id] = (best if best is not None else grade, bool(passed))
    return grades


# --- practicum ----------------------------------------------------------------------


def practicum_lines(users, qualification) -> dict[int, list[PracticumLine]]:
    """The practicum app's requirement lines (approved hours only count) per user: 9 queries."""
    from django.utils import translation

    from practicum.selectors import requirement_status_bulk

    ids = list(users.order_by().values_list("pk", flat=True))
    # The practicum selector translates its line labels for every trainee; for a cohort
    # that is tens of thousands of gettext calls. Run it untranslated, then take the
    # labels (which depend on the line alone) from one trainee in the active language.
    with translation.override(None):
        statuses = requirement_status_bulk(ids, qualification)
    labels = {}
    if ids:
        sample = requirement_status_bulk(ids[:1], qualification)[ids[0]]
        labels = {line.code: str(line.label) for line in sample.lines}
    return {
        user_id: [
            PracticumLine(
                code=line.code,
                label=labels.get(line.code) or str(line.label),
                done=line.approved_minutes / 60,
                needed=line.required_minutes / 60,
                met=line.met,
                pending=line.pending_minutes / 60,
            )
            for line in status.requirements
        ]
        for user_id, status in statuses.items()
    }


def final_evaluations(users, qualification) -> dict[int, str]:
    """``passed`` / ``failed`` / ``pending`` per user, from the signed final evaluations (2 queries)."""
    from practicum.models import CompetencyEvaluation, EvaluationStage
    from practicum.selectors import final_evaluation_passed_bulk

    ids = list(users.order_by().values_list("pk", flat=True))
    passed = final_evaluation_passed_bulk(ids, qualification)
    evaluated = set(
        CompetencyEvaluation.objects.effective()
        .filter(trainee_id__in=ids, qualification=qualification, stage=EvaluationStage.FINAL)
        .values_list("trainee_id", flat=True)
    )
    return {
        user_id: "passed"
        if passed.get(user_id)
        else ("failed" if user_id in evaluated else "pending")
        for user_id in ids
    }


# --- cohorts (courses) ------------------------------------------------------------------


def cohorts_in_scope(district) -> list:
    """The cohorts a coordinator scoped to ``district`` manages (None = whole city)."""
    from courses.models import Cohort

    return list(Cohort.objects.in_scope(district).order_by("-starts_on", "name"))


def cohort_members(cohort_id):
    """A queryset of the cohort's members."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(cohort_memberships__cohort_id=cohort_id)
