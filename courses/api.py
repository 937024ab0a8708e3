"""Learning API: the catalogue, a course, enrolment, my enrolments, lesson completion.

Refusals carry stable codes: ``not_enrolled``, ``lesson_locked``, ``quiz_required``,
``self_enrol_closed``, ``prerequisites_missing``, ``out_of_scope``, ``not_found``;
where something unlocks the refusal, ``link`` gives its URL.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from accounts.permissions import coordinator_scope
from lms.api import ApiError
from lms.api_types import CodeText, Id, UsernameText
from offline.idempotency import idempotent

from . import permissions, selectors, services
from .models import Course, Enrolment
from .models import Lesson as LessonPage

router = Router(tags=["learning"])


@contextmanager
def learning_errors():
    """Report a LearningDenied as an API error with its code and link."""
    try:
        yield
    except permissions.LearningDenied as denial:
        status = {"not_found": 404, "not_authenticated": 401}.get(denial.code, 403)
        extra = {"link": denial.link_url} if denial.link_url else {}
        raise ApiError(status, denial.code, denial.message, **extra) from denial


# --- Schemas ----------------------------------------------------------------


class LessonRef(Schema):
    id: int
    title: str
    url: str


class CourseOut(Schema):
    id: int
    title: str
    slug: str
    url: str
    programme: str
    summary: str
    class_hours: int
    qualifications: list[str]
    navigation: str
    self_enrol: bool
    lesson_count: int
    enrolled: bool
    progress_percent: int | None


class LessonOut(Schema):
    id: int
    title: str
    url: str | None
    estimated_minutes: int
    requires_quiz_pass: bool
    optional: bool
    status: str
    locked: bool


class ModuleOut(Schema):
    id: int
    title: str
    lessons: list[LessonOut]


class PrerequisiteOut(Schema):
    id: int
    title: str
    completed: bool


class EnrolmentOut(Schema):
    id: int
    course_id: int
    course_title: str
    course_url: str
    username: str
    source: str
    enrolled_at: datetime
    deadline: date | None
    completed_at: datetime | None
    withdrawn_at: datetime | None
    progress_percent: int
    completed_lessons: int
    lesson_count: int | None = None
    next_lesson: LessonRef | None = None


class CourseDetailOut(CourseOut):
    objectives: list[str]
    prerequisites: list[PrerequisiteOut]
    module_count: int
    modules: list[ModuleOut] | None
    enrolment: EnrolmentOut | None


class EnrolIn(Schema):
    username: UsernameText | None = None
    deadline: date | None = None
    waive_prerequisites: bool = False


class CompletionOut(Schema):
    lesson_id: int
    status: str
    completed_at: datetime | None
    completed_via: str
    course_id: int
    progress_percent: int
    course_completed_at: datetime | None
    next_lesson: LessonRef | None


class OfflineLessonOut(Schema):
    id: int
    title: str
    url: str
    revision: str
    locked: bool
    has_quiz: bool


class OfflineFileOut(Schema):
    lesson_id: int
    title: str
    url: str
    size: int | None


class CourseOfflineOut(Schema):
    course_id: int
    title: str
    course_url: str
    lessons: list[OfflineLessonOut]
    documents: list[OfflineFileOut]
    videos: list[OfflineFileOut]


# --- Helpers ----------------------------------------------------------------


def _course_out(course, programme_slug: str, enrolment, lesson_count: int) -> dict:
    return {
        "id": course.pk,
        "title": course.title,
        "slug": course.slug,
        "url": course.get_url(),
        "programme": programme_slug,
        "summary": course.summary,
        "class_hours": course.class_hours,
        "qualifications": list(course.qualifications or []),
        "navigation": course.navigation,
        "self_enrol": course.self_enrol,
        "lesson_count": lesson_count,
        "enrolled": enrolment is not None,
        "progress_percent": enrolment.progress_percent if enrolment else None,
    }


def _lesson_ref(state) -> dict | None:
    if state is None:
        return None
    return {"id": state.id, "title": state.title, "url": state.url}


def _enrolment_out(enrolment, course, user, *, lesson_count=None, next_lesson=None) -> dict:
    return {
        "id": enrolment.pk,
        "course_id": course.pk,
        "course_title": course.title,
        "course_url": course.get_url(),
        "username": user.get_username(),
        "source": enrolment.source,
        "enrolled_at": enrolment.enrolled_at,
        "deadline": enrolment.deadline,
        "completed_at": enrolment.completed_at,
        "withdrawn_at": enrolment.withdrawn_at,
        "progress_percent": enrolment.progress_percent,
        "completed_lessons": enrolment.completed_lessons,
        "lesson_count": lesson_count,
        "next_lesson": _lesson_ref(next_lesson),
    }


# --- Endpoints --------------------------------------------------------------


@router.get("/courses", response=list[CourseOut], summary="The course catalogue")
def list_courses(request, programme: CodeText | None = None):
    """Published courses, optionally of one programme (its slug), with your enrolment."""
    data = selectors.catalogue(request.auth, programme_slug=programme)
    courses = [row["course"] for item in data["programmes"] for row in item["courses"]]
    outlines = selectors.course_outlines(courses)
    return [
        _course_out(
            row["course"],
            item["programme"].slug,
            row["enrolment"],
            len(outlines[row["course"].pk]["lessons"]),
        )
        for item in data["programmes"]
        for row in item["courses"]
    ]


@router.get("/courses/{course_id}", response=CourseDetailOut, summary="One course")
def get_course(request, course_id: Id):
    """A published course. Its lessons are listed only to enrolled people (and authors)."""
    course = get_object_or_404(Course.objects.live(), pk=course_id)
    user = request.auth
    context = selectors.course_page_context(user, course)
    enrolment = context["enrolment"]
    missing = {c.pk for c in context["missing_prerequisites"]}
    prerequisites = list(
        Course.objects.live().originals().filter(required_for=course).order_by("path")
    )
    programme_slug = course.get_parent().slug
    data = _course_out(course, programme_slug, enrolment, context["lesson_count"])
    modules = None
    if context["can_see_lessons"]:
        modules = [
            {
                "id": module["id"],
                "title": module["title"],
                "lessons": [
                    {
                        "id": state.id,
                        "title": state.title,
                        "url": None if state.locked else state.url,
                        "estimated_minutes": state.estimated_minutes,
                        "requires_quiz_pass": state.requires_quiz_pass,
                        "optional": state.is_optional,
                        "status": state.status,
                        "locked": state.locked,
                    }
                    for state in module["lessons"]
                ],
            }
            for module in context["progress"].modules()
        ]
    data.update(
        objectives=course.objective_list,
        prerequisites=[
            {"id": c.pk, "title": c.title, "completed": c.pk not in missing} for c in prerequisites
        ],
        module_count=context["module_count"],
        modules=modules,
        enrolment=(
            _enrolment_out(
                enrolment,
                course,
                user,
                lesson_count=context["lesson_count"],
                next_lesson=context["next_lesson"],
            )
            if enrolment
            else None
        ),
    )
    return data


@router.get(
    "/courses/{course_id}/offline",
    response=CourseOfflineOut,
    summary="What to save of a course for offline use",
)
def course_offline(request, course_id: Id):
    """Your course's lessons to keep on a phone, each with its ``revision`` (a saved copy of
    another revision is out of date), and the documents and video files they offer, with
    sizes. Locked lessons are listed with ``locked: true``: their pages open once earlier
    lessons are done. Refused with ``not_enrolled`` (403) if you are not enrolled.
    """
    course = get_object_or_404(Course.objects.live(), pk=course_id)
    if selectors.active_enrolment(request.auth, course) is None:
        raise ApiError(
            403,
            "not_enrolled",
            _("Enrol in “%(course)s” to save it for offline use.") % {"course": course.title},
        )
    return selectors.offline_plan(request.auth, course)


@router.post(
    "/courses/{course_id}/enrol",
    response={200: EnrolmentOut, 201: EnrolmentOut},
    summary="Enrol in a course",
)
def enrol(request, course_id: Id, payload: EnrolIn | None = None):
    """Enrol yourself, or (coordinators, administrators) someone in your scope by username.

    201 when a new enrolment is made, 200 when the person was already enrolled.
    """
    course = get_object_or_404(Course.objects.live(), pk=course_id)
    payload = payload or EnrolIn()
    actor = request.auth
    user = actor
    if payload.username and payload.username != actor.get_username():
        # Who may enrol others is decided before anyone is looked up, and a person
        # outside the caller's scope is "not found" like one who does not exist: the
        # answer never tells whether an account exists.
        with learning_errors():
            permissions.check_may_enrol_others(actor)
        people = get_user_model().objects.filter(
            Q(username=payload.username) | Q(email__iexact=payload.username)
        )
        scope = coordinator_scope(actor)
        if scope is not None:
            people = people.filter(district=scope)
        user = people.first()
        if user is None:
            raise ApiError(404, "not_found", _("No such person in your scope."))
    with learning_errors():
        enrolment, created = services.enrol(
            user=user,
            course=course,
            actor=actor,
            source=None if user == actor else "coordinator",
            deadline=payload.deadline,
            waive_prerequisites=payload.waive_prerequisites,
        )
    return (201 if created else 200), _enrolment_out(enrolment, course, user)


@router.post(
    "/courses/{course_id}/withdraw", response=EnrolmentOut, summary="Withdraw from a course"
)
def withdraw(request, course_id: Id):
    course = get_object_or_404(Course.objects.live(), pk=course_id)
    enrolment = selectors.active_enrolment(request.auth, course)
    if enrolment is None:
        raise ApiError(404, "not_enrolled", _("You are not enrolled in this course."))
    with learning_errors():
        enrolment = services.withdraw(enrolment=enrolment, actor=request.auth)
    return _enrolment_out(enrolment, course, request.auth)


@router.get("/me/enrolments", response=list[EnrolmentOut], summary="My enrolments")
def my_enrolments(request):
    """Your active enrolments with progress percentages and the next lesson."""
    return [
        _enrolment_out(
            row["enrolment"],
            row["course"],
            request.auth,
            lesson_count=row["lesson_count"],
            next_lesson=row["next_lesson"],
        )
        for row in selectors.my_learning(request.auth)
    ]


@router.post("/lessons/{lesson_id}/complete", response=CompletionOut, summary="Mark a lesson done")
@idempotent("courses.lesson.complete")
def complete_lesson(request, lesson_id: Id):
    """Mark a lesson done. Completing it again changes nothing; with an ``Idempotency-Key``
    a repeated request gets the first answer (a phone sending a completion made offline).

    Refused with ``not_enrolled``, ``lesson_locked`` or ``quiz_required`` (403).
    """
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    with learning_errors():
        row = services.complete_lesson(user=request.auth, lesson=lesson)
    course = Course.objects.get(path=lesson.course_path)
    enrolment = Enrolment.objects.get(user=request.auth, course=course)
    following = selectors.course_progress(request.auth, course).next_lesson()
    return {
        "lesson_id": lesson.pk,
        "status": row.status,
        "completed_at": row.completed_at,
        "completed_via": row.completed_via,
        "course_id": course.pk,
        "progress_percent": enrolment.progress_percent,
        "course_completed_at": enrolment.completed_at,
        "next_lesson": _lesson_ref(following),
    }
