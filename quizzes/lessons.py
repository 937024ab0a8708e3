"""Quizzes placed in lessons: finding them, and completing the lesson when one is passed.

The courses app owns lessons and progress; this module only asks it, through
``courses.services.complete_lesson(user=…, lesson=…, via="quiz")``.
"""

from __future__ import annotations

import logging

from wagtail.fields import StreamField
from wagtail.models import Page

logger = logging.getLogger(__name__)

QUIZ_BLOCK_NAME = "quiz"


def quiz_ids_in_page(page) -> set[int]:
    """Ids of the quizzes placed with the quiz block anywhere in a page's StreamFields."""
    specific = page.specific
    found: set[int] = set()
    for field in specific._meta.get_fields():
        if isinstance(field, StreamField):
            for block in getattr(specific, field.name) or []:
                _collect(block, found)
    return found


def _collect(block, found: set[int]) -> None:
    if block.block_type == QUIZ_BLOCK_NAME:
        quiz = block.value.get("quiz") if hasattr(block.value, "get") else None
        if quiz is not None:
            found.add(quiz.pk if hasattr(quiz, "pk") else int(quiz))


def lesson_for_attempt(lesson_id, quiz) -> Page | None:
    """The live lesson page with this quiz in it, or None (an arbitrary id is ignored)."""
    if not lesson_id:
        return None
    try:
        page = Page.objects.live().get(pk=int(lesson_id))
    except (Page.DoesNotExist, TypeError, ValueError):
        return None
    return page if quiz.pk in quiz_ids_in_page(page) else None


def complete_lesson_for(attempt) -> bool:
    """Tell the courses app the lesson is complete (the attempt passed). Idempotent there."""
    try:
        from courses.services import complete_lesson
    except ImportError:
        logger.warning("quizzes.no_courses_service")
        return False
    lesson = Page.objects.filter(pk=attempt.lesson_id).first()
    if lesson is None:
        return False
    complete_lesson(user=attempt.user, lesson=lesson.specific, via="quiz")
    return True


def way_back(attempt) -> dict:
    """Where the trainee came from, for the review page's links back: the lesson the
    attempt was started from (if still live) and the quiz's course or programme page.
    Two queries at most."""
    lesson = None
    if attempt.lesson_id:
        lesson = Page.objects.live().filter(pk=attempt.lesson_id).first()
    home = None
    if attempt.quiz.page_id:
        home = Page.objects.live().filter(pk=attempt.quiz.page_id).first()
    return {
        "back_lesson": lesson,
        "back_lesson_url": lesson.get_url() if lesson else None,
        "back_page": home,
        "back_page_url": home.get_url() if home else None,
    }
