"""Periodic tasks of the quizzes app (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    "quizzes-finish-expired-attempts": {
        "task": "quizzes.tasks.finish_expired_attempts",
        "schedule": crontab(minute="*"),
    },
}
