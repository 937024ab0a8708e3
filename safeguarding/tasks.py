"""Background work of safeguarding: the e-mails and the escalation check.

Arguments are primary keys and codes; every task re-reads its rows and is safe to run
twice. An e-mail names the kind of concern, its urgency and district and links to it;
it never carries what the reporter wrote (an inbox is not the place for it).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def _email(user, template: str, context: dict) -> tuple[str, str]:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        text = render_to_string(template, {"user": user, **context})
    subject, _blank, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


@shared_task(time_limit=60, soft_time_limit=50)
def send_alert_email(alert_id: int) -> bool:
    """E-mail one alert in the recipient's language. Idempotent: an alert already e-mailed
    (or whose recipient has no address or is inactive) is skipped; marking it e-mailed and
    queueing the e-mail happen in one transaction."""
    from accounts.tasks import send_email
    from outbox.services import enqueue

    from .models import ConcernAlert

    alert = (
        ConcernAlert.objects.select_related("user", "concern", "concern__district")
        .filter(pk=alert_id, emailed_at__isnull=True)
        .first()
    )
    if alert is None or not alert.user.email or not alert.user.is_active:
        return False
    subject, body = _email(
        alert.user,
        "safeguarding/email/alert.txt",
        {
            "alert": alert,
            "concern": alert.concern,
            "url": settings.SITE_URL + reverse("safeguarding:detail", args=[alert.concern_id]),
        },
    )
    with transaction.atomic():
        updated = ConcernAlert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not updated:
            return False
        enqueue(send_email, subject=subject, body=body, to=[alert.user.email])
    return True


@shared_task(time_limit=60, soft_time_limit=50)
def send_reporter_update(concern_id: int, kind: str) -> bool:
    """Tell the reporter their concern was acknowledged, referred or closed (the outbox's
    dedupe key makes each step one e-mail)."""
    from accounts.tasks import send_email
    from outbox.services import enqueue

    from .models import Concern

    concern = Concern.objects.select_related("reporter", "district").filter(pk=concern_id).first()
    if concern is None or not concern.reporter.email or not concern.reporter.is_active:
        return False
    subject, body = _email(
        concern.reporter,
        "safeguarding/email/reporter_update.txt",
        {
            "concern": concern,
            "kind": kind,
            "url": settings.SITE_URL + reverse("safeguarding:detail", args=[concern.pk]),
        },
    )
    enqueue(send_email, subject=subject, body=body, to=[concern.reporter.email])
    return True


@shared_task(time_limit=240, soft_time_limit=220)
def escalate_overdue_concerns() -> int:
    """Concerns nobody acknowledged in time go to the next step of their district's chain
    (beat, every five minutes; deadlines are ``Concern.next_escalation_at``)."""
    from . import services

    count = services.escalate_due()
    logger.info("safeguarding.escalated", extra={"count": count})
    return count
