"""Periodic data-protection work."""

from celery import shared_task


@shared_task(time_limit=600, soft_time_limit=540)
def delete_expired_evidence() -> dict:
    """Delete evidence files past ``EVIDENCE_RETENTION_DAYS`` (idempotent: expired files
    that are already gone are simply not found again); returns the counts.

    Acknowledged on start, not late: it may run longer than the broker's visibility
    timeout (330 s), after which a late-acknowledged message would be handed to a second
    worker while the first still deletes. A run cut short is caught up the next day."""
    from .services import delete_expired_evidence as expire

    return expire()
