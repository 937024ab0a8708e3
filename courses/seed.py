"""Demo data for learning: the catalogue built from ``courses.curriculum``, the
authoring set-up (page permissions and the "Course approval" workflow), demo
enrolments with some progress, and a cohort.

Idempotent: pages are found by slug and updated in place (a new revision is
published only when something changed); enrolments, progress and the cohort are
created once.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
)

from accounts import roles

from . import moderation, services
from .models import (
    Cohort,
    CohortMembership,
    Course,
    CourseCatalogue,
    EnrolmentSource,
    Lesson,
    Module,
    Programme,
)
from .seed_translations import seed_translations
from .translation import ensure_translators

CATALOGUE_SLUG = "learn"  # lesson URLs are /learn/<programme>/<course>/<module>/<lesson>/
CATALOGUE_TITLE = "课程目录"
CATALOGUE_INTRO = (
    "<p>心理咨询师与家庭教育指导师两个方向的培训课程，以及两者共用的公共基础课程。"
    "选课后即可在手机上学习，进度自动保存。</p>"
)
COHORT_NAME = "2027 吐鲁番心理咨询师培训一班"
BLOCK_ID_NAMESPACE = uuid.UUID("6f1c1a52-3f4e-4c55-9a53-1d2f0c7b8e10")


# --- Pages ------------------------------------------------------------------


def ensure_catalogue() -> CourseCatalogue:
    """The catalogue page under the default site's home page.

    The home page is the home seed's (``seed_demo`` runs it first); courses finds it
    through Wagtail's default site rather than importing the app above it.
    """
    catalogue = CourseCatalogue.objects.first()
    if catalogue is not None:
        if catalogue.slug != CATALOGUE_SLUG:  # lessons are routed fast under /learn/
            catalogue.slug = CATALOGUE_SLUG
            catalogue.save_revision().publish()
        return catalogue
    home = _site_home_page()
    catalogue = CourseCatalogue(title=CATALOGUE_TITLE, slug=CATALOGUE_SLUG, intro=CATALOGUE_INTRO)
    home.add_child(instance=catalogue)
    catalogue.save_revision().publish()
    return catalogue


def _site_home_page():
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    page = site.root_page.specific if site else None
    if page is None or not CourseCatalogue.can_create_at(page):
        raise RuntimeError(
            "The site has no home page for the course catalogue yet: seed the home page "
            "first (manage.py seed_demo does it in order)."
        )
    return page


def _comparable(value):
    """Stream data without the ids Wagtail gives list items, for comparing content."""
    if isinstance(value, dict):
        if set(value) >= {"type", "value"} and value.get("type") == "item":
            return _comparable(value["value"])
        return {k: _comparable(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


def _current(page, name):
    value = getattr(page, name)
    if name == "body":
        return _comparable(value.get_prep_value())
    return value


def _wanted(page, name, value):
    if name == "body":
        field = page._meta.get_field("body")
        return _comparable(field.stream_block.get_prep_value(field.to_python(value)))
    return value


def upsert_page(parent: Page, model, slug: str, values: dict):
    """The child of ``parent`` with ``slug``, created or updated to ``values`` and live.

    A revision is published only when the page is new or something differs.
    Returns (page, changed).
    """
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **values)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page, True
    changed = [
        name for name, value in values.items() if _current(page, name) != _wanted(page, name, value)
    ]
    if changed or not page.live or page.has_unpublished_changes:
        for name, value in values.items():
            setattr(page, name, value)
        page.save_revision().publish()
        return page, True
    return page, False


def lesson_body(course_slug: str, module_index: int, lesson_index: int, blocks) -> list[dict]:
    """Stream data with stable block ids, so reflection answers survive a re-seed."""
    return [
        {
            "type": block_type,
            "value": value,
            "id": str(
                uuid.uuid5(
                    BLOCK_ID_NAMESPACE, f"{course_slug}/{module_index}/{lesson_index}/{position}"
                )
            ),
        }
        for position, (block_type, value) in enumerate(blocks)
    ]


def build_curriculum(catalogue: CourseCatalogue, programmes: list[dict]) -> dict[str, Course]:
    """Create or update programmes, courses, modules and lessons; returns courses by slug."""
    courses: dict[str, Course] = {}
    for programme_data in programmes:
        programme, _changed = upsert_page(
            catalogue,
            Programme,
            programme_data["slug"],
            {
                "title": programme_data["title"],
                "title_en": programme_data.get("title_en", ""),
                "summary": programme_data.get("summary", ""),
                "qualifications": list(programme_data.get("qualifications", [])),
            },
        )
        for course_data in programme_data["courses"]:
            course, _changed = upsert_page(
                programme,
                Course,
                course_data["slug"],
                {
                    "title": course_data["title"],
                    "summary": course_data["summary"],
                    "objectives": "\n".join(course_data.get("objectives", [])),
                    "class_hours": course_data["class_hours"],
                    "qualifications": list(
                        course_data.get("qualifications", programme_data.get("qualifications", []))
                    ),
                    "navigation": course_data.get("navigation", "sequential"),
                    "self_enrol": course_data.get("self_enrol", True),
                },
            )
            courses[course_data["slug"]] = course
            for module_index, module_data in enumerate(course_data["modules"], start=1):
                module, _changed = upsert_page(
                    course,
                    Module,
                    f"module-{module_index}",
                    {"title": module_data["title"], "summary": module_data.get("summary", "")},
                )
                for lesson_index, lesson_data in enumerate(module_data["lessons"], start=1):
                    upsert_page(
                        module,
                        Lesson,
                        f"lesson-{lesson_index}",
                        {
                            "title": lesson_data["title"],
                            "estimated_minutes": lesson_data.get("estimated_minutes", 15),
                            "requires_quiz_pass": lesson_data.get("requires_quiz_pass", False),
                            "body": lesson_body(
                                course_data["slug"],
                                module_index,
                                lesson_index,
                                lesson_data["body"],
                            ),
                        },
                    )
    for programme_data in programmes:
        for course_data in programme_data["courses"]:
            course = Course.objects.get(pk=courses[course_data["slug"]].pk)
            wanted = {courses[slug].pk for slug in course_data.get("prerequisites", [])}
            if set(course.prerequisites.values_list("pk", flat=True)) != wanted:
                course.prerequisites.set(
                    [courses[pk_slug] for pk_slug in course_data["prerequisites"]]
                )
                course.save_revision().publish()
    return courses


# --- Authoring --------------------------------------------------------------


def ensure_authoring_setup(catalogue: CourseCatalogue) -> Workflow:
    """Supervising experts author under the catalogue; another one approves.

    Gives the supervisor group add/change page permissions on the catalogue (never
    publish: pages go live only through the workflow, see ``courses.moderation``),
    image and document permissions on the root collection, and assigns the
    "Course approval" workflow (one independent review by supervisors) to it.
    """
    group, _created = Group.objects.get_or_create(name=roles.SUPERVISOR)
    for permission_type in ("add", "change"):
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=f"{permission_type}_page"
        )
        GroupPagePermission.objects.get_or_create(
            group=group, page=catalogue, permission=permission
        )
    GroupPagePermission.objects.filter(group=group, permission__codename="publish_page").delete()
    root_collection = Collection.get_first_root_node()
    for app_label, codenames in {
        "wagtailimages": ["add_image", "change_image", "choose_image"],
        "wagtaildocs": ["add_document", "change_document", "choose_document"],
    }.items():
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
    ensure_translators(catalogue)
    return moderation.ensure_course_workflow(catalogue)


# --- Learners ---------------------------------------------------------------

# username → [(course slug, lessons to complete (None = all), waive prerequisites)]
DEMO_PROGRESS = {
    "trainee": [("child-development-basics", 2, False), ("leading-group-sessions", 1, False)],
    "trainee2": [("child-development-basics", 1, False)],
    "lecturer": [
        ("child-development-basics", None, False),
        ("ethics-confidentiality-child-protection", None, False),
        ("leading-group-sessions", None, False),
        ("beat-the-emotion-monster", 1, False),
    ],
}


def seed_learners(courses: dict[str, Course]) -> None:
    User = get_user_model()
    people = {user.username: user for user in User.objects.filter(username__in=DEMO_PROGRESS)}
    for username, plan in DEMO_PROGRESS.items():
        user = people.get(username)
        if user is None:
            continue
        for slug, lesson_count, waive in plan:
            course = courses.get(slug)
            if course is None:
                continue
            enrolment, _created = services.record_enrolment(
                user=user,
                course=course,
                actor=user,
                source=EnrolmentSource.SELF,
                waive_prerequisites=waive,
            )
            if enrolment.withdrawn_at is not None:
                continue
            lessons = list(Lesson.objects.live().descendant_of(course).order_by("path"))
            for lesson in lessons[:lesson_count] if lesson_count is not None else lessons:
                if lesson.completed_by_quiz:
                    # Completed only by passing its quiz; the demo never fakes an attempt.
                    break
                services.complete_lesson(user=user, lesson=lesson)


def seed_cohort(courses: dict[str, Course]) -> Cohort | None:
    """The demo cohort, managed by the city-wide coordinator, with three members enrolled
    in two counsellor courses (prerequisites waived: the class takes them together)."""
    User = get_user_model()
    coordinator = User.objects.filter(username="coordinator").first()
    programme = Programme.objects.filter(slug="counsellor").first()
    if coordinator is None:
        return None
    cohort, _created = Cohort.objects.get_or_create(
        name=COHORT_NAME,
        defaults={
            "starts_on": datetime.date(2027, 3, 1),
            "ends_on": datetime.date(2027, 6, 30),
            "programme": programme,
            "coordinator": coordinator,
        },
    )
    members = User.objects.filter(username__in=["trainee", "trainee2", "lecturer"])
    cohort_courses = [
        courses[slug]
        for slug in ("capable-little-citizen", "beat-the-emotion-monster")
        if slug in courses
    ]
    for member in members:
        CohortMembership.objects.get_or_create(
            cohort=cohort, user=member, defaults={"added_by": coordinator}
        )
        for course in cohort_courses:
            services.record_enrolment(
                user=member,
                course=course,
                actor=coordinator,
                source=EnrolmentSource.COHORT,
                cohort=cohort,
                deadline=cohort.ends_on,
                waive_prerequisites=True,
            )
    return cohort


def seed(stdout=None) -> None:
    from .curriculum import PROGRAMMES

    catalogue = ensure_catalogue()
    courses = build_curriculum(catalogue, PROGRAMMES)
    # Uyghur drafts awaiting a native speaker's review (before the authoring set-up, which
    # gives translators and the review workflow every locale's catalogue).
    seed_translations(courses)
    ensure_authoring_setup(catalogue)
    seed_learners(courses)
    seed_cohort(courses)
    if stdout:
        lessons = Lesson.objects.descendant_of(catalogue).count()
        stdout.write(
            f"  courses: {len(PROGRAMMES)} programmes, {len(courses)} courses, "
            f"{lessons} lessons; cohort “{COHORT_NAME}”"
        )


# --- Completed courses, for the demo's certificate holders ---------------------------------


def complete_courses_for_demo(*, user, courses, finished_at) -> int:
    """Enrol ``user`` in each course and complete every required lesson, the course's
    completion recorded by the progress service (its audit record and the
    ``course_completed`` news included), dated in the past: one course after another,
    ten days apart, the last one completed at ``finished_at``. Returns how many courses it
    completed. Demo data only (``seed_demo`` refuses production).

    Idempotent: a course already completed is left as it is. A required lesson that only
    passing a quiz completes is refused (the demo's course quizzes are optional).
    """
    import datetime

    from django.utils import timezone

    from .models import CompletionSource, Enrolment, LessonProgress, LessonStatus
    from .selectors import course_outline

    if finished_at > timezone.now():
        raise ValueError("the demo's history is in the past")
    made = 0
    courses = list(courses)
    for index, course in enumerate(courses):
        done_at = finished_at - datetime.timedelta(days=10 * (len(courses) - 1 - index))
        started_at = done_at - datetime.timedelta(days=12)
        enrolment, _created = services.record_enrolment(
            user=user,
            course=course,
            actor=user,
            source=EnrolmentSource.SELF,
            waive_prerequisites=True,
        )
        if enrolment.completed_at is not None:
            continue
        required = [
            row["id"] for row in course_outline(course)["lessons"] if not row["is_optional"]
        ]
        by_quiz = [
            lesson.title
            for lesson in Lesson.objects.filter(pk__in=required)
            if lesson.completed_by_quiz
        ]
        if by_quiz:
            raise RuntimeError(f"a demo course needs a quiz passed: {course.title} {by_quiz}")
        step = (done_at - started_at) / max(1, len(required))
        LessonProgress.objects.filter(user=user, lesson_id__in=required).exclude(
            status=LessonStatus.COMPLETE
        ).update(
            status=LessonStatus.COMPLETE,
            completed_at=done_at - step,
            completed_via=CompletionSource.MANUAL,
        )
        have = set(
            LessonProgress.objects.filter(user=user, lesson_id__in=required).values_list(
                "lesson_id", flat=True
            )
        )
        LessonProgress.objects.bulk_create(
            [
                LessonProgress(
                    user=user,
                    lesson_id=lesson_id,
                    course=course,
                    status=LessonStatus.COMPLETE,
                    started_at=started_at + step * position,
                    completed_at=started_at + step * (position + 1),
                    completed_via=CompletionSource.MANUAL,
                )
                for position, lesson_id in enumerate(required)
                if lesson_id not in have
            ],
            ignore_conflicts=True,
        )
        services._refresh_enrolment(enrolment, course)
        if enrolment.completed_at is None:
            raise RuntimeError(f"demo course not completed: {course.title}")
        Enrolment.objects.filter(pk=enrolment.pk).update(
            enrolled_at=min(enrolment.enrolled_at, started_at),
            completed_at=done_at,
            last_activity_at=done_at,
        )
        made += 1
    return made
