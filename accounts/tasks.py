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
    """Queue a rendered ``EmailMessage`` for sending once the current transaction commits."""
    html = None
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = content
    send_email.delay_on_commit(
        subject=message.subject,
        body=message.body,
        to=list(message.to),
        from_email=message.from_email,
        html=html,
        headers=dict(message.extra_headers or {}),
    )
