"""E-mail goes out through Celery so that a slow SMTP server never slows a request."""

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
    time_limit=60,
    soft_time_limit=50,
)
def send_email(
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
    headers: dict | None = None,
) -> int:
    """Send one e-mail. Arguments are plain strings, so the task is JSON-serialisable.

    Retries on SMTP and connection failures; returns the number of messages sent.
    """
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    sent = message.send()
    logger.info("email.sent", extra={"recipients": len(to), "sent": sent})
    return sent


def queue_email_message(message) -> None:
    """Queue a rendered ``EmailMessage`` in the outbox: written in the current transaction,
    sent by the worker after the commit, kept and retried while the broker is down."""
    from outbox.services import enqueue

    html = None
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = content
    enqueue(
        send_email,
        subject=message.subject,
        body=message.body,
        to=list(message.to),
        from_email=message.from_email,
        html=html,
        headers=dict(message.extra_headers or {}),
    )


@shared_task(time_limit=120, soft_time_limit=100)
def send_invitations(user_ids: list[int]) -> int:
    """Invite people created by an import to choose a password; returns how many were invited.

    Idempotent in effect: skips anyone unknown, inactive, without an e-mail
    address, or who already has a password or has logged in, so running it again
    never invites a person who has already accepted. Each mail goes out through
    the outbox and ``send_email`` (with its retries).
    """
    from outbox.services import enqueue

    from .invitations import render_invitation
    from .models import User

    invited = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True, last_login__isnull=True):
        if not user.email or user.has_usable_password():
            continue
        subject, body = render_invitation(user)
        enqueue(send_email, subject=subject, body=body, to=[user.email])
        invited += 1
    logger.info("accounts.invitations.queued", extra={"invited": invited})
    return invited
