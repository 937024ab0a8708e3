"""Periodic tasks of certification (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    "certification-expiry-reminders": {
        "task": "certification.tasks.send_expiry_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "certification-record-expiries": {
        "task": "certification.tasks.record_expiries",
        "schedule": crontab(hour=0, minute=15),
    },
    "certification-issue-eligible": {
        "task": "certification.tasks.issue_eligible",
        "schedule": crontab(hour=2, minute=30),
    },
}
