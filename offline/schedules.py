"""Periodic tasks of the offline app (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    "offline-purge-idempotency-keys": {
        "task": "offline.tasks.purge_idempotency_keys",
        "schedule": crontab(hour=4, minute=35),
    },
}
