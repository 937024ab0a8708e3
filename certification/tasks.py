"""Celery tasks of certification. Arguments are primary keys; every task is idempotent."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, OSError),
    retry_backoff=5,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def render_certificate(certificate_id: int, force: bool = False) -> str | None:
    """Render a certificate's PDF and store it atomically (temp file, then rename).

    Idempotent and safe to run twice: an existing PDF is kept unless ``force``. With
    ``acks_late`` and ``reject_on_worker_lost`` a worker killed mid-render leaves the
    message on the queue, another worker renders it again, and readers never see a
    partial file (the final name appears only after the whole file is written).
    """
    from .models import Certificate
    from .services import ensure_certificate_pdf

    certificate = (
        Certificate.objects.select_related("certification", "holder")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        return None
    return ensure_certificate_pdf(certificate, force=force)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def issue_bulk_item(item_id: int) -> str:
    """One certificate of a cohort's bulk issue: issue (idempotent), then render the PDF."""
    from .models import BulkIssueItem, BulkIssueItemState
    from .services import process_bulk_item

    state = process_bulk_item(item_id)
    if state in (BulkIssueItemState.ISSUED, BulkIssueItemState.ALREADY):
        item = BulkIssueItem.objects.filter(pk=item_id).values_list("certificate_id", flat=True)
        certificate_id = item.first()
        if certificate_id:
            render_certificate(certificate_id)
    return state


@shared_task(time_limit=600, soft_time_limit=540)
def send_expiry_reminders() -> int:
    """Daily: reminders 60, 30 and 7 days before expiry (once per certificate and threshold)."""
    from .services import send_expiry_reminders as send

    return send()


@shared_task(time_limit=600, soft_time_limit=540)
def record_expiries() -> int:
    """Daily: one audit record for each certificate that has just expired."""
    from .services import record_expiries as run

    return run()


@shared_task(time_limit=1800, soft_time_limit=1700)
def issue_eligible() -> int:
    """Daily: issue automatic types to eligible trainees, queue approvals for the others."""
    from .services import issue_eligible_automatically

    return issue_eligible_automatically()


@shared_task(time_limit=120, soft_time_limit=100, acks_late=True)
def issue_eligible_for(user_id: int) -> int:
    """One trainee, after they completed a course: issue or request what they now earn.

    Idempotent (a current certificate or an open request is not made twice).
    """
    from .services import issue_eligible_automatically

    return issue_eligible_automatically(user_ids=[user_id])


@shared_task(time_limit=60, soft_time_limit=50)
def email_holder(certificate_id: int, kind: str, days_before: int | None = None) -> bool:
    """E-mail a certificate's holder: ``issued``, or ``expiry_reminder`` ``days_before``.

    Idempotent: the e-mail is queued in the outbox under a key made of the certificate
    (and the threshold), so running the task again queues nothing more.
    """
    from .models import Certificate
    from .services import _send_issued_email, _send_reminder_email

    if not Certificate.objects.filter(pk=certificate_id).exists():
        return False
    if kind == "issued":
        _send_issued_email(certificate_id)
    elif kind == "expiry_reminder" and days_before is not None:
        _send_reminder_email(certificate_id, days_before)
    else:
        raise ValueError(f"Unknown certificate e-mail {kind!r}.")
    return True
