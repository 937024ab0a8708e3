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


@shared_task(time_limit=60, soft_time_limit=50)
def send_venue_confirmation(confirmation_id: int) -> bool:
    """E-mail one venue contact the link to confirm a delivery report's counts.

    The link's signed token is made here and never stored. Idempotent: a confirmation
    already answered, withdrawn or expired is skipped, and the e-mail carries a dedupe
    key, so a message delivered twice sends one e-mail."""
    from accounts.tasks import send_email
    from outbox.services import enqueue

    from .delivery import confirmation_days, confirmation_link
    from .models import VenueConfirmation

    confirmation = (
        VenueConfirmation.objects.select_related(
            "contact", "report__session__request__venue", "report__session__lecturer"
        )
        .filter(
            pk=confirmation_id,
            used_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if confirmation is None or not confirmation.contact.email:
        return False
    report = confirmation.report
    service_request = report.session.request
    with translation.override(settings.LANGUAGE_CODE):
        subject = translation.gettext("Please confirm a session at %(venue)s") % {
            "venue": service_request.venue.name
        }
        text = render_to_string(
            "lecturer_corps/email/venue_confirmation.txt",
            {
                "contact": confirmation.contact,
                "report": report,
                "service_request": service_request,
                "lecturer": report.session.lecturer,
                "link": confirmation_link(confirmation),
                "days": confirmation_days(),
            },
        )
    with transaction.atomic():
        enqueue(
            send_email,
            subject=subject,
            body=text,
            to=[confirmation.contact.email],
            dedupe_key=f"venue-confirmation:{confirmation.pk}",
        )
    return True
