"""Background work for learning."""

from celery import shared_task


@shared_task(time_limit=300, soft_time_limit=240, acks_late=True)
def refresh_course_progress(course_id: int) -> int:
    """Recompute the stored progress of a course's enrolments after its content changed.

    Idempotent (running it twice gives the same figures); does nothing for a course
    that no longer exists.
    """
    from .models import Course
    from .services import refresh_course_progress as refresh

    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return 0
    return refresh(course)


@shared_task(time_limit=120, soft_time_limit=100)
def publish_scheduled_pages() -> None:
    """Publish pages whose scheduled go-live time has come (and unpublish expired ones).

    Wagtail's ``publish_scheduled`` command, run by beat so that editors' scheduled
    publishing works without a cron job. Idempotent: pages already handled are skipped.
    """
    from django.core.management import call_command

    call_command("publish_scheduled")
