"""Periodic tasks of the lecturer corps (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    "lecturer-corps-expire-proposals": {
        "task": "lecturer_corps.tasks.expire_overdue_proposals",
        "schedule": crontab(minute="*/15"),
    },
    "lecturer-corps-check-certificates": {
        "task": "lecturer_corps.tasks.check_certificates",
        "schedule": crontab(hour=6, minute=30),
    },
}
