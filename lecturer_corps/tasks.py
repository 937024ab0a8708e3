"""Background work of the lecturer corps: e-mails and the periodic checks.

Arguments are primary keys; every task re-reads its rows and is safe to run twice.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


@shared_task(time_limit=60, soft_time_limit=50)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification in the recipient's language. Idempotent: a notification
    already e-mailed (or whose recipient has no address) is skipped. Marking it e-mailed
    and queueing the e-mail in the outbox happen in one transaction: both or neither."""
    from accounts.tasks import send_email
    from outbox.services import enqueue

    from .models import Notification
    from .notifications import render

    notification = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.user.email or not notification.user.is_active:
        return False
    user = notification.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        title, body = render(notification.kind, notification.params)
        text = render_to_string(
            "lecturer_corps/email/notification.txt",
            {
                "user": user,
                "title": title,
                "body": body,
                "url": f"{settings.SITE_URL}{notification.url}" if notification.url else "",
            },
        )
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not updated:
            return False
        enqueue(send_email, subject=title, body=text, to=[user.email])
    return True


@shared_task(time_limit=240, soft_time_limit=220)
def expire_overdue_proposals() -> int:
    """Proposals past their deadline expire; the next candidate is proposed."""
    from . import services

    count = services.expire_overdue_proposals()
    logger.info("lecturer_corps.proposals_expired", extra={"count": count})
    return count


@shared_task(time_limit=240, soft_time_limit=220)
def check_certificates() -> int:
    """Coordinators hear about coming sessions whose lecturer lost a valid certificate."""
    from . import services

    count = services.certificate_changed()
    logger.info("lecturer_corps.certificate_check", extra={"sessions": count})
    return count


@shared_task(time_limit=120, soft_time_limit=100)
def certificate_changed(user_id: int) -> int:
    """For the certification app: one holder's certificate was revoked or expired."""
    from . import services

    return services.certificate_changed(user_id=user_id)
