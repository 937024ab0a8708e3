"""Periodic tasks of the outbox (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab
from django.conf import settings

SCHEDULE = {
    "outbox-relay": {
        "task": "outbox.tasks.relay",
        "schedule": settings.OUTBOX_RELAY_SECONDS,
        # A relay that waited in the queue longer than the interval is dropped: the
        # next one does the same work.
        "options": {"expires": settings.OUTBOX_RELAY_SECONDS},
    },
    "outbox-purge-sent": {
        "task": "outbox.tasks.purge_sent",
        "schedule": crontab(hour=4, minute=20),
    },
}
