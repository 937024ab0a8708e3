"""Signals: what learning tells other apps, and how it notices content changes.

``course_completed`` is sent (after commit) once per enrolment, when all required
lessons of the course are complete; certification listens to it.

When an editor publishes, unpublishes, moves or deletes a module or lesson, the
course's ``outline_changed_at`` is bumped (the cached outline is keyed by it) and the
stored progress of its enrolments is recomputed by a task.

A course catalogue created after the migrations (a new site) gets the "Course approval"
workflow at once, so course pages are never without moderation (``courses.moderation``).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished, post_page_move

course_completed = Signal()  # kwargs: enrolment


def _course_path_for(page) -> str | None:
    """The path of the course a module or lesson (or the course itself) belongs to."""
    from .models import Course, Lesson, Module

    step = page.steplen
    specific_class = getattr(page, "specific_class", None) or type(page)
    if issubclass(specific_class, Lesson):
        return page.path[: step * (page.depth - 2)]
    if issubclass(specific_class, Module):
        return page.path[: step * (page.depth - 1)]
    if issubclass(specific_class, Course):
        return page.path
    return None


def outline_changed(course_path: str) -> None:
    from outbox.services import enqueue

    from .models import Course
    from .tasks import refresh_course_progress

    course_ids = list(Course.objects.filter(path=course_path).values_list("pk", flat=True))
    if not course_ids:
        return
    Course.objects.filter(pk__in=course_ids).update(outline_changed_at=timezone.now())
    for course_id in course_ids:
        enqueue(refresh_course_progress, course_id)


def _on_publish_change(sender, instance, **kwargs):
    from .models import Lesson, Module

    if isinstance(instance, Lesson | Module):
        path = _course_path_for(instance)
        if path:
            outline_changed(path)


def _on_delete(sender, instance, **kwargs):
    path = _course_path_for(instance)
    if path and instance.live:
        outline_changed(path)


def _on_move(sender, instance, parent_page_before=None, parent_page_after=None, **kwargs):
    from .models import Lesson, Module

    if not isinstance(instance.specific, Lesson | Module):
        return
    for parent in (parent_page_before, parent_page_after):
        if parent is None:
            continue
        path = _course_path_for(parent.specific)
        if path:
            outline_changed(path)


def _on_catalogue_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .moderation import ensure_course_workflow

        ensure_course_workflow(instance)


def connect() -> None:
    from .models import CourseCatalogue, Lesson, Module

    page_published.connect(_on_publish_change, dispatch_uid="courses.outline.published")
    page_unpublished.connect(_on_publish_change, dispatch_uid="courses.outline.unpublished")
    post_page_move.connect(_on_move, dispatch_uid="courses.outline.moved")
    for model in (Lesson, Module):
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"courses.outline.{model}")
    post_save.connect(
        _on_catalogue_created, sender=CourseCatalogue, dispatch_uid="courses.catalogue.workflow"
    )
