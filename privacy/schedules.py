"""Beat schedule for data protection (gathered by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    "privacy-delete-expired-evidence": {
        "task": "privacy.tasks.delete_expired_evidence",
        "schedule": crontab(hour=3, minute=40),
    },
}
