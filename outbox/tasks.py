"""Beat tasks of the outbox: the relay that sends what the after-commit publish could not."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="outbox.tasks.relay", time_limit=120, soft_time_limit=100)
def relay() -> int:
    """Send every due, unsent outbox message; returns how many went.

    Idempotent and safe beside other relays and after-commit publishes (rows are locked
    with SKIP LOCKED). Runs every ``OUTBOX_RELAY_SECONDS``; a relay message that waited
    longer than that in the broker expires unrun (the next one does the work).
    """
    from .services import backlog, relay_due

    sent = relay_due()
    if sent:
        logger.info("outbox.relayed", extra={"sent": sent, **backlog()})
    return sent


@shared_task(name="outbox.tasks.purge_sent", time_limit=300, soft_time_limit=270)
def purge_sent() -> int:
    """Daily: forget messages sent more than ``OUTBOX_KEEP_SENT_DAYS`` ago."""
    from .services import purge_sent as purge

    deleted = purge()
    logger.info("outbox.purged", extra={"deleted": deleted})
    return deleted
