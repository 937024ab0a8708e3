"""Keeping quizzes linked to the course whose lessons place them."""

from __future__ import annotations

from .lessons import quiz_ids_in_page


def link_quizzes_to_course(sender, instance, **kwargs):
    """On publishing a lesson, link its unlinked quizzes to the lesson's course (for gradebooks)."""
    from courses.models import Course, Lesson

    if not isinstance(instance.specific, Lesson):
        return
    ids = quiz_ids_in_page(instance)
    if not ids:
        return
    course = Course.objects.ancestor_of(instance).first()
    if course is None:
        return
    from .models import Quiz

    Quiz.objects.filter(pk__in=ids, page__isnull=True).update(page=course)
