"""Learning data at scale for ``manage.py seed_scale``, written in bulk.

Defaults: 10,000 trainees, 200 courses (in two modules each) holding 2,000 lessons,
and 100,000 lesson-progress rows spread over the trainees' enrolments. Options
(from the command): ``trainees``, ``courses``, ``lessons``, ``progress``, or a
``scale`` factor shrinking all four.

Pages are inserted with ``bulk_create`` (the page table, then each type's own table)
instead of being published one by one; they are live, without revisions. Re-running
adds only what is missing: pages and people by their slugs and usernames; enrolments
and progress are made once for people who have none.
"""

from __future__ import annotations

import random
import uuid

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from accounts import roles
from accounts.models import System, User
from places.models import District

from .models import (
    Course,
    Enrolment,
    EnrolmentSource,
    Lesson,
    LessonProgress,
    LessonStatus,
    Module,
    Programme,
)
from .seed import ensure_catalogue

PROGRAMME_SLUG = "scale"
TRAINEE_PREFIX = "scale_trainee_"
MODULES_PER_COURSE = 2
BATCH = 2000
DEFAULTS = {"trainees": 10_000, "courses": 200, "lessons": 2_000, "progress": 100_000}


def _option(options, name) -> int:
    value = (options or {}).get(name)
    if value:
        return int(value)
    factor = float((options or {}).get("scale") or 1)
    return max(1, int(DEFAULTS[name] * factor))


def _body(number: int) -> list[dict]:
    return [
        {
            "type": "rich_text",
            "value": (
                f"<h3>第{number}课 要点</h3><p>本课介绍儿童情绪的识别与回应："
                "先觉察，再命名，最后一起寻找平静下来的方法。</p>"
                "<ul><li>观察身体信号</li><li>用简单的词说出感受</li><li>练习深呼吸</li></ul>"
            ),
            "id": str(uuid.uuid4()),
        },
        {
            "type": "callout",
            "value": {"kind": "tip", "text": "活动前先和孩子一起约定规则。"},
            "id": str(uuid.uuid4()),
        },
        {
            "type": "case_study",
            "value": {
                "title": "不愿开口的小A",
                "vignette": "小A，9岁，和祖母生活。团体活动中总是低头不说话。",
                "questions": ["你会如何邀请小A参与？", "需要和照料人沟通什么？"],
            },
            "id": str(uuid.uuid4()),
        },
    ]


class PageBuilder:
    """Inserts pages of one type under known parents without the per-page tree calls."""

    def __init__(self):
        self.locale_id = Locale.get_default().pk
        self.now = timezone.now()

    def make(self, model, parent_fields: dict, position: int, slug: str, title: str, **fields):
        path = Page._get_path(parent_fields["path"], parent_fields["depth"] + 1, position)
        return model(
            title=title,
            draft_title=title,
            slug=slug,
            path=path,
            depth=parent_fields["depth"] + 1,
            numchild=0,
            url_path=f"{parent_fields['url_path']}{slug}/",
            content_type=ContentType.objects.get_for_model(model),
            locale_id=self.locale_id,
            translation_key=uuid.uuid4(),
            live=True,
            has_unpublished_changes=False,
            first_published_at=self.now,
            last_published_at=self.now,
            **fields,
        )

    @staticmethod
    def insert(model, pages: list) -> None:
        """Insert the page rows, then the rows of the page type's own table."""
        base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
        for start in range(0, len(pages), BATCH):
            batch = pages[start : start + BATCH]
            rows = [Page(**{f.attname: getattr(p, f.attname) for f in base_fields}) for p in batch]
            Page.objects.bulk_create(rows)
            for page, row in zip(batch, rows, strict=True):
                page.pk = page.id = page.page_ptr_id = row.pk
            model._base_manager._insert(batch, fields=model._meta.local_concrete_fields)


def _courses(programme: Programme, course_count: int, lessons_per_course: int) -> list[Course]:
    existing = list(Course.objects.child_of(programme).order_by("path"))
    if len(existing) >= course_count:
        return existing[:course_count]
    builder = PageBuilder()
    parent = {"path": programme.path, "depth": programme.depth, "url_path": programme.url_path}
    new_courses = []
    for index in range(len(existing), course_count):
        number = index + 1
        new_courses.append(_course(builder, parent, programme, len(new_courses), number))
    PageBuilder.insert(Course, new_courses)
    modules, lessons = [], []
    per_module = [
        lessons_per_course // MODULES_PER_COURSE
        + (1 if i < lessons_per_course % MODULES_PER_COURSE else 0)
        for i in range(MODULES_PER_COURSE)
    ]
    for course in new_courses:
        course_fields = {"path": course.path, "depth": course.depth, "url_path": course.url_path}
        for module_index in range(MODULES_PER_COURSE):
            module = builder.make(
                Module,
                course_fields,
                module_index + 1,
                f"module-{module_index + 1}",
                f"单元{module_index + 1}",
                summary="",
            )
            module.numchild = per_module[module_index]
            modules.append(module)
            module_fields = {
                "path": module.path,
                "depth": module.depth,
                "url_path": module.url_path,
            }
            for lesson_index in range(per_module[module_index]):
                lessons.append(
                    builder.make(
                        Lesson,
                        module_fields,
                        lesson_index + 1,
                        f"lesson-{lesson_index + 1}",
                        f"第{module_index + 1}.{lesson_index + 1}课 情绪与沟通",
                        body=_body(lesson_index + 1),
                        estimated_minutes=10 + lesson_index % 3 * 5,
                        requires_quiz_pass=False,
                        is_optional=False,
                    )
                )
    PageBuilder.insert(Module, modules)
    PageBuilder.insert(Lesson, lessons)
    Page.objects.filter(pk=programme.pk).update(numchild=len(existing) + len(new_courses))
    Page.objects.filter(pk__in=[c.pk for c in new_courses]).update(numchild=MODULES_PER_COURSE)
    return existing + new_courses


def _course(builder, parent, programme, offset, number) -> Course:
    course = builder.make(
        Course,
        parent,
        programme.numchild + offset + 1,
        f"scale-course-{number:04d}",
        f"规模测试课程 {number:04d}",
        summary="用于性能测试的课程：情绪识别、沟通与团体活动。",
        objectives="识别常见情绪\n学会一种回应方法",
        class_hours=2 + number % 3,
        qualifications=["counsellor"],
        navigation="sequential" if number % 2 else "free",
        self_enrol=True,
    )
    course.outline_changed_at = builder.now
    return course


def _trainees(count: int) -> list[User]:
    from accounts.seed import DEMO_PASSWORD

    existing = set(
        User.objects.filter(username__startswith=TRAINEE_PREFIX).values_list("username", flat=True)
    )
    districts = list(District.objects.order_by("sort_order", "pk"))
    password = make_password(DEMO_PASSWORD)
    systems = [System.CIVIL_AFFAIRS, System.EDUCATION]
    missing = [
        User(
            username=f"{TRAINEE_PREFIX}{i:05d}",
            real_name=f"测试学员{i:05d}",
            email=f"{TRAINEE_PREFIX}{i:05d}@scale.talentpool.local",
            password=password,
            district=districts[i % len(districts)] if districts else None,
            system=systems[i % 2],
            languages=["zh"],
        )
        for i in range(count)
        if f"{TRAINEE_PREFIX}{i:05d}" not in existing
    ]
    User.objects.bulk_create(missing, batch_size=BATCH)
    people = list(
        User.objects.filter(username__startswith=TRAINEE_PREFIX).order_by("username")[:count]
    )
    group = Group.objects.get_or_create(name=roles.TRAINEE)[0]
    Through = User.groups.through
    members = set(
        Through.objects.filter(group=group, user__in=people).values_list("user_id", flat=True)
    )
    Through.objects.bulk_create(
        [Through(user_id=p.pk, group_id=group.pk) for p in people if p.pk not in members],
        batch_size=BATCH,
    )
    _verified_addresses(people)
    return people


def _verified_addresses(people: list[User]) -> None:
    """Scale trainees log in under production settings too, which require a verified
    e-mail address (``ACCOUNT_EMAIL_VERIFICATION = "mandatory"``): one each, verified."""
    from allauth.account.models import EmailAddress

    mine = EmailAddress.objects.filter(user__username__startswith=TRAINEE_PREFIX)
    mine.filter(verified=False).update(verified=True)
    have = set(mine.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=p.pk, email=p.email, primary=True, verified=True)
            for p in people
            if p.pk not in have
        ],
        batch_size=BATCH,
    )


def _enrolments_and_progress(trainees, courses, progress_target: int) -> tuple[int, int]:
    """Enrol each trainee without enrolments in a few courses and complete lessons in order."""
    already = set(
        Enrolment.objects.filter(user__in=trainees).values_list("user_id", flat=True).distinct()
    )
    trainees = [t for t in trainees if t.pk not in already]
    if not trainees or not courses:
        return 0, 0
    lessons_by_course: dict[int, list[int]] = {c.pk: [] for c in courses}
    steplen = Page.steplen
    course_by_path = {c.path: c.pk for c in courses}
    for pk, path in (
        Lesson.objects.filter(path__startswith=courses[0].path[:-steplen])
        .order_by("path")
        .values_list("pk", "path")
    ):
        course_id = course_by_path.get(path[: -2 * steplen])
        if course_id is not None:
            lessons_by_course[course_id].append(pk)
    per_course = max(1, max(len(v) for v in lessons_by_course.values()))
    per_trainee = max(
        1, min(len(courses), round(progress_target / (len(trainees) * per_course * 0.5)))
    )
    pairs = [
        (trainee, courses[(index * per_trainee + k) % len(courses)])
        for index, trainee in enumerate(trainees)
        for k in range(per_trainee)
    ]
    rng = random.Random(42)
    now = timezone.now()
    remaining = progress_target
    enrolments, progress = [], []
    for position, (trainee, course) in enumerate(pairs):
        lesson_ids = lessons_by_course[course.pk]
        left = len(pairs) - position
        wanted = min(len(lesson_ids), max(0, round(remaining / left * rng.uniform(0.5, 1.5))))
        remaining -= wanted
        done = wanted - 1 if 0 < wanted < len(lesson_ids) else wanted  # last one in progress
        for order, lesson_id in enumerate(lesson_ids[:wanted]):
            complete = order < done
            progress.append(
                LessonProgress(
                    user_id=trainee.pk,
                    lesson_id=lesson_id,
                    course_id=course.pk,
                    status=LessonStatus.COMPLETE if complete else LessonStatus.IN_PROGRESS,
                    started_at=now,
                    completed_at=now if complete else None,
                    completed_via="manual" if complete else "",
                )
            )
        enrolments.append(
            Enrolment(
                user_id=trainee.pk,
                course_id=course.pk,
                source=EnrolmentSource.SELF,
                enrolled_at=now,
                enrolled_by_id=trainee.pk,
                completed_lessons=done,
                progress_percent=done * 100 // len(lesson_ids) if lesson_ids else 0,
                completed_at=now if lesson_ids and done == len(lesson_ids) else None,
                last_lesson_id=lesson_ids[wanted - 1] if wanted else None,
                last_activity_at=now if wanted else None,
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    LessonProgress.objects.bulk_create(progress, batch_size=BATCH)
    return len(enrolments), len(progress)


def seed_scale(options=None, stdout=None) -> dict[str, int]:
    """Create (or complete) the learning part of the scale data set."""
    course_count = _option(options, "courses")
    lessons_per_course = max(1, _option(options, "lessons") // course_count)
    catalogue = ensure_catalogue()
    with transaction.atomic():
        programme = Programme.objects.child_of(catalogue).filter(slug=PROGRAMME_SLUG).first()
        if programme is None:
            programme = Programme(
                title="规模测试课程",
                slug=PROGRAMME_SLUG,
                summary="性能测试用的大量课程。",
                qualifications=["counsellor"],
            )
            catalogue.add_child(instance=programme)
            programme.refresh_from_db()
        courses = _courses(programme, course_count, lessons_per_course)
        trainees = _trainees(_option(options, "trainees"))
        enrolment_count, progress_count = _enrolments_and_progress(
            trainees, courses, _option(options, "progress")
        )
    if not (options or {}).get("skip_index"):
        from wagtail.search.backends import get_search_backend

        backend = get_search_backend()
        backend.add_bulk(Course, list(Course.objects.child_of(programme)))
        backend.add_bulk(Lesson, list(Lesson.objects.descendant_of(programme)))
    result = {
        "courses": len(courses),
        "lessons": Lesson.objects.descendant_of(programme).count(),
        "trainees": len(trainees),
        "enrolments_created": enrolment_count,
        "progress_created": progress_count,
    }
    if stdout:
        stdout.write(
            "  courses: {courses} courses, {lessons} lessons, {trainees} trainees; "
            "{enrolments_created} enrolments and {progress_created} progress rows created".format(
                **result
            )
        )
    return result
