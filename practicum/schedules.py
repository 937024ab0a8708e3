"""Periodic tasks of the practicum (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    # Every morning: supervisors with entries waiting > 7 days, coordinators > 14 days.
    "practicum-review-reminders": {
        "task": "practicum.tasks.send_review_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
}
