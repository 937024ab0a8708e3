"""Reads for learning pages and the API, each with a fixed number of queries.

Two things are cached because they are the same for everyone and change only when
an editor publishes:

* a course's outline (modules and lessons in order), keyed by the course and the
  time something below it was last published (``Course.outline_version``);
* a lesson's rendered body, keyed by the lesson, its live revision and the language.

Everything personal (enrolment, progress, reflection answers) is read fresh, in a
constant number of queries whatever the length of the course or the number of
enrolments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, Q
from django.utils import translation
from django.utils.safestring import mark_safe
from wagtail.models import Page, PageViewRestriction

from .models import (
    Course,
    CourseCatalogue,
    Enrolment,
    LessonProgress,
    LessonStatus,
    Module,
    Programme,
    ReflectionAnswer,
    spaced_for_search,
)
from .models import Lesson as LessonPage
from .permissions import can_see_all_lessons

OUTLINE_CACHE_PREFIX = "courses:outline:v2:"
BODY_CACHE_PREFIX = "courses:lesson-body:v1:"
CACHE_SECONDS = 60 * 60 * 24


# --- Outlines ---------------------------------------------------------------


def _build_outlines(courses) -> dict[int, dict]:
    """Outlines of several courses in two queries (live modules, then their live lessons)."""
    courses = list(courses)
    if not courses:
        return {}
    by_path = {course.path: course for course in courses}
    steplen = LessonPage.steplen
    path_filter = reduce(or_, (Q(path__startswith=course.path) for course in courses))
    modules = list(
        Module.objects.live()
        .filter(path_filter, depth__in={course.depth + 1 for course in courses})
        .order_by("path")
        .values("id", "title", "path")
    )
    module_by_path = {module["path"]: module for module in modules}
    lessons = list(
        LessonPage.objects.live()
        .filter(path_filter, depth__in={course.depth + 2 for course in courses})
        .order_by("path")
        .only(
            "id",
            "title",
            "path",
            "depth",
            "url_path",
            "estimated_minutes",
            "requires_quiz_pass",
            "is_optional",
        )
    )
    outlines = {
        course.pk: {
            "course_id": course.pk,
            "course_url": course.get_url(),
            "modules": [],
            "lessons": [],
        }
        for course in courses
    }
    module_rows: dict[str, dict] = {}
    for module in modules:
        course = by_path.get(module["path"][: len(module["path"]) - steplen])
        if course is None:
            continue
        row = {"id": module["id"], "title": module["title"], "lesson_ids": []}
        outlines[course.pk]["modules"].append(row)
        module_rows[module["path"]] = row
    for lesson in lessons:
        module_path = lesson.path[: len(lesson.path) - steplen]
        module = module_by_path.get(module_path)
        if module is None:  # its module is not live: the lesson is not reachable
            continue
        course = by_path[module_path[: len(module_path) - steplen]]
        outline = outlines[course.pk]
        module_rows[module_path]["lesson_ids"].append(lesson.pk)
        outline["lessons"].append(
            {
                "id": lesson.pk,
                "title": lesson.title,
                "url": lesson.get_url(),
                "module_id": module["id"],
                "module_title": module["title"],
                "estimated_minutes": lesson.estimated_minutes,
                "requires_quiz_pass": lesson.requires_quiz_pass,
                "is_optional": lesson.is_optional,
                "position": len(outline["lessons"]) + 1,
            }
        )
    for outline in outlines.values():
        outline["required_count"] = sum(1 for row in outline["lessons"] if not row["is_optional"])
        outline["total_minutes"] = sum(row["estimated_minutes"] for row in outline["lessons"])
    return outlines


def course_outlines(courses) -> dict[int, dict]:
    """Outlines of the given courses: from the cache, the missing ones built in two queries."""
    courses = list(courses)
    keys = {course.pk: OUTLINE_CACHE_PREFIX + course.outline_version() for course in courses}
    found = cache.get_many(list(keys.values()))
    outlines = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [course for course in courses if course.pk not in outlines]
    if missing:
        built = _build_outlines(missing)
        cache.set_many({keys[pk]: outline for pk, outline in built.items()}, CACHE_SECONDS)
        outlines.update(built)
    return outlines


def course_outline(course) -> dict:
    return course_outlines([course])[course.pk]


def lesson_for_url(programme: str, course: str, module: str, lesson: str):
    """The live lesson at ``/learn/<programme>/<course>/<module>/<lesson>/`` in two queries.

    Returns (lesson, course, restricted) or None. None when the lesson, its course or
    any ancestor is not live. ``restricted`` is true when a Wagtail view restriction
    applies (the caller then lets Wagtail serve the page, which enforces it).
    """
    from .seed import CATALOGUE_SLUG

    suffix = f"/{CATALOGUE_SLUG}/{programme}/{course}/{module}/{lesson}/"
    # The learning URLs are the Chinese original's; a translation is shown in its place
    # (``lesson_content``), so a translated tree's copy of the same path is not served.
    page = (
        LessonPage.objects.filter(
            slug=lesson,
            url_path__endswith=suffix,
            live=True,
            locale__language_code=settings.LANGUAGE_CODE,
        )
        .order_by("path")
        .first()
    )
    if page is None:
        return None
    step = page.steplen
    ancestors = [page.path[: step * depth] for depth in range(2, page.depth)]
    found = (
        Course.objects.filter(path=page.course_path, live=True)
        .annotate(
            hidden_ancestors=Exists(Page.objects.filter(path__in=ancestors, live=False)),
            restricted=Exists(
                PageViewRestriction.objects.filter(
                    page__path__in=[page.path[:step], *ancestors, page.path]
                )
            ),
        )
        .first()
    )
    if found is None or found.hidden_ancestors:
        return None
    return page, found, found.restricted


# --- Progress and locking ---------------------------------------------------


@dataclass
class LessonState:
    """A lesson of the outline as one person sees it."""

    row: dict
    status: str = LessonStatus.NOT_STARTED
    locked: bool = False
    unlocked_by: dict | None = None  # the lesson to complete first, when locked

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def complete(self) -> bool:
        return self.status == LessonStatus.COMPLETE

    def __getattr__(self, name):
        try:
            return self.row[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass
class CourseProgress:
    outline: dict
    states: list[LessonState] = field(default_factory=list)

    @property
    def by_id(self) -> dict[int, LessonState]:
        return {state.id: state for state in self.states}

    def next_lesson(self, last_lesson_id: int | None = None) -> LessonState | None:
        """Where to resume: the last lesson opened if unfinished, else the first unfinished one."""
        if last_lesson_id is not None:
            for state in self.states:
                if state.id == last_lesson_id and not state.complete and not state.locked:
                    return state
        for state in self.states:
            if not state.complete and not state.locked:
                return state
        return None

    def modules(self) -> list[dict]:
        by_id = self.by_id
        return [
            {**module, "lessons": [by_id[pk] for pk in module["lesson_ids"] if pk in by_id]}
            for module in self.outline["modules"]
        ]


def lesson_states(outline: dict, statuses: dict[int, str], *, sequential: bool) -> CourseProgress:
    """Status and lock of each lesson. In a sequential course a lesson is locked until
    every earlier required lesson is complete; the first incomplete one unlocks it."""
    progress = CourseProgress(outline=outline)
    blocker = None
    for row in outline["lessons"]:
        state = LessonState(row=row, status=statuses.get(row["id"], LessonStatus.NOT_STARTED))
        if sequential and blocker is not None:
            state.locked = True
            state.unlocked_by = blocker
        if blocker is None and not row["is_optional"] and not state.complete:
            blocker = row
        progress.states.append(state)
    return progress


def lesson_statuses(user, course_ids) -> dict[int, dict[int, str]]:
    """course id → {lesson id: status} for one person, in one query."""
    result: dict[int, dict[int, str]] = {pk: {} for pk in course_ids}
    if not getattr(user, "is_authenticated", False) or not result:
        return result
    rows = LessonProgress.objects.filter(user=user, course_id__in=list(result)).values_list(
        "course_id", "lesson_id", "status"
    )
    for course_id, lesson_id, status in rows:
        result[course_id][lesson_id] = status
    return result


def course_progress(user, course, outline=None) -> CourseProgress:
    outline = outline or course_outline(course)
    statuses = lesson_statuses(user, [course.pk])[course.pk]
    return lesson_states(outline, statuses, sequential=course.is_sequential)


def active_enrolment(user, course) -> Enrolment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrolment.objects.active().filter(user=user, course=course).first()


def withdrawn_enrolment(user, course) -> Enrolment | None:
    """The person's enrolment in ``course`` if they withdrew from it (they may rejoin)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(user=user, course=course, withdrawn_at__isnull=False).first()


def missing_prerequisites(user, course) -> list[Course]:
    """Live prerequisite courses the person has not completed yet (two queries)."""
    prerequisites = list(
        Course.objects.live().originals().filter(required_for=course).order_by("path")
    )
    if not prerequisites:
        return []
    done = set()
    if getattr(user, "is_authenticated", False):
        done = set(
            Enrolment.objects.filter(
                user=user, course__in=prerequisites, completed_at__isnull=False
            ).values_list("course_id", flat=True)
        )
    return [course for course in prerequisites if course.pk not in done]


# --- Page contexts ----------------------------------------------------------


def course_page_context(user, course) -> dict:
    """What the course page shows: the summary to everyone; the outline to learners.

    A person who withdrew sees their kept progress and a way back in (never blocked by
    prerequisites: ``services.rejoin``)."""
    enrolment = None
    withdrawn = None
    if getattr(user, "is_authenticated", False):
        found = Enrolment.objects.filter(user=user, course=course).first()
        if found is not None and found.withdrawn_at is None:
            enrolment = found
        elif found is not None and course.live:
            withdrawn = found
    outline = course_outline(course)
    context = {
        "enrolment": enrolment,
        "withdrawn_enrolment": withdrawn,
        "outline": outline,
        "lesson_count": len(outline["lessons"]),
        "module_count": len(outline["modules"]),
        "missing_prerequisites": [] if withdrawn else missing_prerequisites(user, course),
        "can_see_lessons": enrolment is not None or can_see_all_lessons(user),
        "progress": None,
        "next_lesson": None,
    }
    if context["can_see_lessons"]:
        progress = course_progress(user, course, outline)
        if enrolment is None:  # an author: nothing is locked
            for state in progress.states:
                state.locked, state.unlocked_by = False, None
        context["progress"] = progress
        context["next_lesson"] = progress.next_lesson(
            enrolment.last_lesson_id if enrolment else None
        )
    return context


def programme_courses(user, programme) -> list[dict]:
    """The live courses of a programme with the person's enrolment, in two queries."""
    courses = list(Course.objects.live().child_of(programme).order_by("path"))
    enrolments = _enrolments_by_course(user, courses)
    return [{"course": course, "enrolment": enrolments.get(course.pk)} for course in courses]


def _enrolments_by_course(user, courses) -> dict[int, Enrolment]:
    if not getattr(user, "is_authenticated", False) or not courses:
        return {}
    return {
        enrolment.course_id: enrolment
        for enrolment in Enrolment.objects.active().filter(user=user, course__in=courses)
    }


def catalogue(user, programme_slug: str | None = None) -> dict:
    """Live programmes with their live courses and the person's enrolments (four queries)."""
    # The original's tree only: translations are shown in place of their original, and
    # the aliases wagtail-localize makes of untranslated ancestors are not listed.
    original = {"locale__language_code": settings.LANGUAGE_CODE}
    page = CourseCatalogue.objects.live().filter(**original).first()
    programmes = Programme.objects.live().filter(**original).order_by("path")
    if programme_slug:
        programmes = programmes.filter(slug=programme_slug)
    programmes = list(programmes)
    courses = []
    if programmes:
        path_filter = reduce(or_, (Q(path__startswith=p.path) for p in programmes))
        courses = list(
            Course.objects.live()
            .filter(path_filter, depth__in={p.depth + 1 for p in programmes}, **original)
            .order_by("path")
        )
    enrolments = _enrolments_by_course(user, courses)
    by_programme = {programme.path: [] for programme in programmes}
    for course in courses:
        by_programme[course.path[: -course.steplen]].append(
            {"course": course, "enrolment": enrolments.get(course.pk)}
        )
    return {
        "catalogue_page": page,
        "programmes": [
            {"programme": programme, "courses": by_programme[programme.path]}
            for programme in programmes
        ],
    }


def my_learning(user) -> list[dict]:
    """Every active enrolment with progress, next lesson and deadline.

    Four queries whatever the number of enrolments: enrolments with their courses,
    the person's lesson statuses, and (only on a cold cache) two for missing outlines.
    """
    enrolments = list(
        Enrolment.objects.active()
        .filter(user=user, course__live=True)
        .select_related("course")
        .order_by("completed_at", "deadline", "-enrolled_at")
    )
    courses = [enrolment.course for enrolment in enrolments]
    outlines = course_outlines(courses)
    statuses = lesson_statuses(user, [course.pk for course in courses])
    rows = []
    for enrolment in enrolments:
        course = enrolment.course
        progress = lesson_states(
            outlines[course.pk], statuses[course.pk], sequential=course.is_sequential
        )
        rows.append(
            {
                "enrolment": enrolment,
                "course": course,
                "course_url": outlines[course.pk]["course_url"],
                "next_lesson": progress.next_lesson(enrolment.last_lesson_id),
                "lesson_count": len(progress.states),
            }
        )
    return rows


# --- Saving a course for offline use ----------------------------------------


def offline_plan(user, course) -> dict:
    """What a phone saves of ``user``'s course for offline use (``GET /courses/{id}/offline``).

    Every lesson in order, with ``revision`` — its body's cache version and the language —
    so a phone holding another revision (a newer one was published, or the person changed
    language) saves that lesson again; ``locked`` lessons are listed but their pages refuse
    until earlier lessons are done, so they are not saved. The documents and uploaded video
    files the lessons offer, with their sizes (videos are saved only when the person
    chooses). Four queries whatever the length of the course: statuses (the outline is
    cached), the lessons' bodies, their documents, their videos' documents.
    """
    from wagtail.documents import get_document_model

    progress = course_progress(user, course)
    ids = [state.id for state in progress.states]
    pages = {
        page.pk: page
        for page in LessonPage.objects.filter(pk__in=ids).only(
            "id", "body", "live_revision_id", "last_published_at"
        )
    }
    language = translation.get_language()
    wanted: list[tuple[int, str, int, str]] = []  # (lesson, kind, document id, label)
    lessons = []
    for state in progress.states:
        page = pages.get(state.id)
        has_quiz = False
        for block in page.body.raw_data if page is not None else []:
            value = block.get("value") or {}
            if block.get("type") == "quiz":
                has_quiz = True
            elif block.get("type") == "document" and value.get("document"):
                wanted.append((state.id, "document", value["document"], value.get("title") or ""))
            elif block.get("type") == "video" and value.get("file"):
                wanted.append((state.id, "video", value["file"], value.get("caption") or ""))
        lessons.append(
            {
                "id": state.id,
                "title": state.title,
                "url": state.url,
                "revision": f"{page.body_cache_version() if page else state.id}:{language}",
                "locked": state.locked,
                "has_quiz": has_quiz,
            }
        )
    documents = get_document_model().objects.in_bulk({doc_id for _l, _k, doc_id, _t in wanted})
    files: dict[str, list[dict]] = {"document": [], "video": []}
    for lesson_id, kind, doc_id, label in wanted:
        document = documents.get(doc_id)
        if document is not None:
            files[kind].append(
                {
                    "lesson_id": lesson_id,
                    "title": label or document.title,
                    "url": document.url,
                    "size": document.file_size,
                }
            )
    return {
        "course_id": course.pk,
        "title": course.title,
        "course_url": course.get_url(),
        "lessons": lessons,
        "documents": files["document"],
        "videos": files["video"],
    }


# --- Lesson body ------------------------------------------------------------


def lesson_body_segments(lesson) -> list[dict]:
    """The lesson body as rendered HTML segments, cached per revision and language.

    Consecutive blocks that look the same for everyone are rendered together once;
    a block whose ``Meta.render_per_request`` is true is kept as a placeholder
    (``{"block": ..., "value": ..., "id": ...}``) rendered for each request.
    """
    key = f"{BODY_CACHE_PREFIX}{lesson.body_cache_version()}:{translation.get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    segments = build_body_segments(lesson)
    cache.set(key, segments, CACHE_SECONDS)
    return segments


def build_body_segments(lesson) -> list[dict]:
    """Render the body into segments without the cache (previews of drafts use this)."""
    segments: list[dict] = []
    html: list[str] = []
    for child in lesson.body:
        if getattr(child.block.meta, "render_per_request", False):
            if html:
                segments.append({"html": "".join(html)})
                html = []
            segments.append({"type": child.block_type, "id": child.id})
        else:
            html.append(child.render(context={"page": lesson, "block_id": child.id}))
    if html:
        segments.append({"html": "".join(html)})
    return segments


def render_body(lesson, segments, context: dict) -> str:
    """Join the cached HTML with the per-request blocks rendered in ``context``."""
    if all("html" in segment for segment in segments):
        return mark_safe("".join(segment["html"] for segment in segments))  # noqa: S308
    children = {child.id: child for child in lesson.body}
    parts = []
    for segment in segments:
        if "html" in segment:
            parts.append(segment["html"])
            continue
        child = children.get(segment["id"])
        if child is not None:
            parts.append(child.render(context={**context, "block_id": child.id}))
    return mark_safe("".join(parts))  # noqa: S308 - block templates escape their values


def has_per_request_blocks(segments) -> bool:
    return any("html" not in segment for segment in segments)


def reflection_answers(user, lesson) -> dict[str, ReflectionAnswer]:
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        answer.block_id: answer
        for answer in ReflectionAnswer.objects.filter(user=user, lesson=lesson)
    }


def reflection_prompts(lesson) -> dict[str, dict]:
    """block id → value of each reflection prompt in the lesson's live body."""
    return {
        child.id: child.value for child in lesson.body if child.block_type == "reflection_prompt"
    }


# --- Cohorts ----------------------------------------------------------------


def cohort_courses(cohort) -> list[Course]:
    if cohort.programme_id is None:
        return []
    return list(Course.objects.live().child_of(cohort.programme).order_by("path"))


def cohort_progress(cohort) -> dict:
    """Each member's enrolments in the cohort's courses (three queries)."""
    courses = cohort_courses(cohort)
    members = list(cohort.members.select_related("district").order_by("real_name", "username"))
    enrolments = Enrolment.objects.filter(
        user__in=[member.pk for member in members], course__in=courses
    ).values("user_id", "course_id", "progress_percent", "completed_at", "withdrawn_at")
    by_member: dict[int, dict[int, dict]] = {member.pk: {} for member in members}
    for row in enrolments:
        by_member[row["user_id"]][row["course_id"]] = row
    rows = []
    for member in members:
        cells = [by_member[member.pk].get(course.pk) for course in courses]
        active = [cell for cell in cells if cell and cell["withdrawn_at"] is None]
        average = round(sum(c["progress_percent"] for c in active) / len(active)) if active else 0
        rows.append({"member": member, "cells": cells, "average": average})
    return {"courses": courses, "rows": rows}


# --- Search -----------------------------------------------------------------


def search_learning(user, query: str, limit: int = 30) -> list[dict]:
    """Published courses and lessons matching ``query``.

    Everyone sees matching courses (their summary is public to signed-in users); a
    lesson is listed only to people who may open it: enrolled in its course, or an
    author. Pages under an unpublished parent are left out.
    """
    query = (query or "").strip()
    if not query:
        return []
    terms = spaced_for_search(query)
    course_hits = list(Course.objects.live().search(terms, operator="and")[:limit])
    lesson_hits = list(LessonPage.objects.live().search(terms, operator="and")[:limit])
    # A hit in a translation (Uyghur text is searchable) is its original: the page
    # learners open and the one their records are on (issue 16).
    course_hits = _as_originals(Course, course_hits)
    lesson_hits = _as_originals(LessonPage, lesson_hits)
    visible_courses = {course.path: course for course in course_hits}
    if lesson_hits:
        course_paths = {lesson.course_path for lesson in lesson_hits}
        for course in Course.objects.live().filter(path__in=course_paths):
            visible_courses.setdefault(course.path, course)
        if not can_see_all_lessons(user):
            enrolled = set(
                Enrolment.objects.active()
                .filter(user=user, course__path__in=course_paths)
                .values_list("course__path", flat=True)
            )
            lesson_hits = [lesson for lesson in lesson_hits if lesson.course_path in enrolled]
    all_paths = {p for c in visible_courses.values() for p in _ancestor_paths(c)}
    all_paths |= {p for lesson in lesson_hits for p in _ancestor_paths(lesson)}
    hidden = set(
        Programme.objects.filter(path__in=all_paths, live=False).values_list("path", flat=True)
    ) | set(Module.objects.filter(path__in=all_paths, live=False).values_list("path", flat=True))

    def reachable(page) -> bool:
        return not (set(_ancestor_paths(page)) & hidden)

    results = [
        {"kind": "course", "page": course, "course": course}
        for course in course_hits
        if reachable(course)
    ]
    results += [
        {"kind": "lesson", "page": lesson, "course": visible_courses.get(lesson.course_path)}
        for lesson in lesson_hits
        if reachable(lesson) and lesson.course_path in visible_courses
    ]
    return results


def _as_originals(model, hits: list) -> list:
    """``hits`` replaced by their live originals (one query), in order, without repeats;
    aliases and translations whose original is not live drop out."""
    if not hits:
        return []
    originals = {
        page.translation_key: page
        for page in model.objects.live().filter(
            translation_key__in={hit.translation_key for hit in hits},
            locale__language_code=settings.LANGUAGE_CODE,
        )
    }
    seen, result = set(), []
    for hit in hits:
        original = originals.get(hit.translation_key)
        if original is not None and original.pk not in seen:
            seen.add(original.pk)
            result.append(original)
    return result


def _ancestor_paths(page) -> list[str]:
    step = page.steplen
    return [page.path[: step * depth] for depth in range(1, page.depth)]


# --- Reflections shared with supervising experts -----------------------------------


def shared_reflections_for(supervisor):
    """Reflections that the people ``supervisor`` supervises (their trainees by any
    relation the apps above add, ``accounts.permissions.supervised_people_q``) shared
    with their supervising expert, newest first (one query with its page)."""
    from accounts.models import User
    from accounts.permissions import supervised_people_q

    people = User.objects.filter(supervised_people_q(supervisor)).exclude(pk=supervisor.pk)
    return (
        ReflectionAnswer.objects.filter(shared_with_supervisor=True, user__in=people.values("pk"))
        .select_related("user", "lesson")
        .order_by("-updated_at", "-pk")
    )


def supervised_person(supervisor, pk: int):
    """The person ``pk`` if ``supervisor`` supervises them, else None."""
    from accounts.models import User
    from accounts.permissions import supervised_people_q

    return (
        User.objects.filter(supervised_people_q(supervisor))
        .exclude(pk=supervisor.pk)
        .filter(pk=pk)
        .first()
    )


# --- Languages (issue 16) ---------------------------------------------------


def source_page(page):
    """The Chinese original of a page: itself when it is one, else the page of the
    default locale with the same ``translation_key`` (specific). Learning records
    (enrolment, progress, reflections, quiz attempts) always point at the original, so
    a lesson completed in Uyghur is the same lesson completed."""
    known = page.__dict__.get("_source_page")
    if known is not None:  # asked before for this object (e.g. one course, many enrolments)
        return known
    if page.locale.language_code == settings.LANGUAGE_CODE:
        source = page
    else:
        model = page.specific_class or type(page)
        source = model.objects.get(
            translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE
        )
    page.__dict__["_source_page"] = source
    return source


ORIGINAL_SESSION_KEY = "courses:original-language"


def reads_original(request, course) -> bool:
    """Whether the person chose the Chinese original for this course (per course)."""
    return str(course.translation_key) in request.session.get(ORIGINAL_SESSION_KEY, [])


def set_reads_original(request, course, original: bool) -> None:
    chosen = set(request.session.get(ORIGINAL_SESSION_KEY, []))
    key = str(course.translation_key)
    if original:
        chosen.add(key)
    else:
        chosen.discard(key)
    request.session[ORIGINAL_SESSION_KEY] = sorted(chosen)


@dataclass
class LessonContent:
    """What the lesson page shows: the original or its translation, and why."""

    page: object  # the Lesson whose title and body are shown
    language: str  # its language code
    translated: bool = False  # a translation into the reader's language is shown
    missing: bool = False  # the reader's language has no live translation: original shown
    available: bool = False  # a live translation exists (the switch offers it)


def lesson_content(lesson, language: str, *, original: bool = False) -> LessonContent:
    """The live translation of ``lesson`` (the original) into ``language`` where one
    is published, else the original. One query for a reader whose language is not the
    original's, none otherwise. Aliases (copies wagtail-localize makes of untranslated
    ancestors) are not translations and are never shown."""
    return translated_content(lesson, language, original=original)


def translated_content(page, language: str, *, original: bool = False) -> LessonContent:
    """``lesson_content`` for any original page (a course page shows its translated
    title, summary and objectives the same way)."""
    source_language = settings.LANGUAGE_CODE
    if language == source_language:
        return LessonContent(page=page, language=source_language)
    found = (
        type(page)
        .objects.filter(
            translation_key=page.translation_key,
            locale__language_code=language,
            live=True,
            alias_of__isnull=True,
        )
        .exclude(pk=page.pk)
        .first()
    )
    if found is None:
        return LessonContent(page=page, language=source_language, missing=True)
    if original:
        return LessonContent(page=page, language=source_language, available=True)
    return LessonContent(page=found, language=language, translated=True, available=True)
