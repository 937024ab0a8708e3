"""Building learning pages for tests (plain Wagtail page creation)."""

from __future__ import annotations

import itertools

from courses.models import Course, CourseCatalogue, Lesson, Module, Programme
from courses.seed import ensure_catalogue

_counter = itertools.count(1)

REFLECTION_BLOCK_ID = "11111111-2222-3333-4444-555555555555"


def ensure_wagtail_root() -> None:
    """Recreate what Wagtail's migrations made, after a transactional test flushed it."""
    from django.conf import settings
    from wagtail.models import Locale, Page

    if not Locale.objects.exists():
        Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))


def catalogue() -> CourseCatalogue:
    ensure_wagtail_root()
    from home.models import HomePage

    if not HomePage.objects.exists():
        from home.seed import seed as seed_home

        seed_home()
    return ensure_catalogue()


def publish(page):
    """Publish a revision (signals fire, the outline version moves)."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def add(parent, page, *, with_revision=False):
    """Add a live page; without a revision unless asked (much faster in tests)."""
    parent.add_child(instance=page)
    return publish(page) if with_revision else page


def programme(parent=None, *, slug=None, title="心理咨询师", **fields) -> Programme:
    parent = parent or catalogue()
    slug = slug or f"programme-{next(_counter)}"
    page = Programme(
        title=title, slug=slug, summary="培训方向", qualifications=["counsellor"], **fields
    )
    return add(parent, page)


def lesson_body(text="<p>儿童情绪的表达方式。</p>", reflection_limit=None) -> list[dict]:
    body = [{"type": "rich_text", "value": text}]
    if reflection_limit:
        body.append(
            {
                "type": "reflection_prompt",
                "value": {"prompt": "写下你的体会。", "max_length": reflection_limit},
                "id": REFLECTION_BLOCK_ID,
            }
        )
    return body


def course(
    parent=None,
    *,
    slug=None,
    title=None,
    modules=(2,),
    navigation="sequential",
    self_enrol=True,
    reflection_limit=None,
    **fields,
) -> Course:
    """A published course with ``modules`` (lessons per module) of published lessons."""
    parent = parent or programme()
    number = next(_counter)
    fields = {
        "summary": "一门测试课程。",
        "objectives": "目标一\n目标二",
        "class_hours": 2,
        "qualifications": ["counsellor"],
        **fields,
    }
    page = Course(
        title=title or f"课程{number}",
        slug=slug or f"course-{number}",
        navigation=navigation,
        self_enrol=self_enrol,
        **fields,
    )
    add(parent, page)
    for module_number, lesson_count in enumerate(modules, start=1):
        module_page = Module(title=f"单元{module_number}", slug=f"module-{module_number}")
        add(page, module_page)
        for lesson_number in range(1, lesson_count + 1):
            lesson(
                module_page,
                title=f"第{module_number}.{lesson_number}课",
                slug=f"lesson-{lesson_number}",
                reflection_limit=reflection_limit if lesson_number == 1 else None,
            )
    page.refresh_from_db()
    return page


def lesson(
    module_page, *, title="一课", slug=None, reflection_limit=None, with_revision=False, **fields
) -> Lesson:
    page = Lesson(
        title=title,
        slug=slug or f"lesson-{next(_counter)}",
        body=lesson_body(f"<p>{title}的内容：情绪与沟通。</p>", reflection_limit),
        estimated_minutes=10,
        **fields,
    )
    return add(module_page, page, with_revision=with_revision)


def lessons_of(course_page) -> list[Lesson]:
    return list(Lesson.objects.live().descendant_of(course_page).order_by("path"))
