"""Periodic tasks of supervision (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    # Reminders and overdue notices: due-times are CorrectiveAction.next_notice_at in the
    # database; this only looks for them.
    "supervision-corrective-action-notices": {
        "task": "supervision.tasks.send_action_notices",
        "schedule": crontab(minute="*/15"),
    },
}
