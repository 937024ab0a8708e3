"""Periodic tasks of learning (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    # Scheduled publishing of course pages (Wagtail's go-live / expiry times).
    "courses-publish-scheduled-pages": {
        "task": "courses.tasks.publish_scheduled_pages",
        "schedule": crontab(minute="*/5"),
    },
}
