"""Periodic data-protection work."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def delete_expired_evidence() -> dict:
    """Delete evidence files past ``EVIDENCE_RETENTION_DAYS`` (idempotent: expired files
    that are already gone are simply not found again); returns the counts."""
    from .services import delete_expired_evidence as expire

    return expire()
