"""Background work of the offline app."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="offline.tasks.purge_idempotency_keys", time_limit=300, soft_time_limit=270)
def purge_idempotency_keys() -> int:
    """Daily: forget stored API answers older than ``IDEMPOTENCY_KEY_DAYS``. Idempotent."""
    from .idempotency import purge_expired

    deleted = purge_expired()
    logger.info("offline.idempotency_keys_purged", extra={"deleted": deleted})
    return deleted
