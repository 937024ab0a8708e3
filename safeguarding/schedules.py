"""Periodic tasks of safeguarding (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    # Deadlines are Concern.next_escalation_at in the database; this only looks for them.
    "safeguarding-escalate-overdue-concerns": {
        "task": "safeguarding.tasks.escalate_overdue_concerns",
        "schedule": crontab(minute="*/5"),
    },
}
