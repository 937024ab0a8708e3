"""Background work of the practicum: review reminders and notices to trainees."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def _send(user, template: str, context: dict, dedupe_key: str | None = None) -> None:
    """Render ``practicum/email/<template>_{subject,body}.txt`` in the user's language and
    queue it in the outbox (in the current transaction; once per ``dedupe_key``)."""
    from accounts.tasks import send_email
    from outbox.services import enqueue

    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"practicum/email/{template}_subject.txt", context)
        body = render_to_string(f"practicum/email/{template}_body.txt", context)
    enqueue(
        send_email,
        subject=" ".join(subject.split()),
        body=body,
        to=[user.email],
        dedupe_key=dedupe_key,
    )


@shared_task(name="practicum.tasks.notify_entry_reviewed", time_limit=60, soft_time_limit=50)
def notify_entry_reviewed(entry_id: int) -> bool:
    """Tell a trainee that an entry came back (returned or rejected).

    Does nothing if the entry has moved on since (resubmitted, deleted) or the trainee
    has no e-mail address. The message carries the date and the comment only. Idempotent:
    one e-mail per review (the outbox keys it by the entry and the review time), however
    often the task runs.
    """
    from .models import EntryState, PracticumEntry

    entry = (
        PracticumEntry.objects.select_related("trainee", "activity_type")
        .filter(pk=entry_id, state__in=[EntryState.RETURNED, EntryState.REJECTED])
        .first()
    )
    if entry is None or not entry.trainee.email:
        return False
    _send(
        entry.trainee,
        "entry_reviewed",
        {
            "entry": entry,
            "url": settings.SITE_URL + reverse("practicum:entry_detail", args=[entry.pk]),
        },
        dedupe_key=f"practicum.entry_reviewed:{entry.pk}:{entry.reviewed_at or ''}",
    )
    return True


@shared_task(name="practicum.tasks.send_review_reminders", time_limit=300, soft_time_limit=270)
def send_review_reminders(today: str | None = None) -> dict[str, int]:
    """Remind supervisors of entries waiting > N days and tell coordinators of those > M days.

    N and M come from the practicum settings (7 and 14 by default). Idempotent per day:
    a recipient reminded today (``ReviewReminder``) is not reminded again.
    """
    from accounts import roles
    from accounts.models import User

    from .models import EntryState, PracticumEntry, ReviewReminder
    from .services import practicum_settings

    config = practicum_settings()
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    now = timezone.now()
    waiting = PracticumEntry.objects.filter(state=EntryState.SUBMITTED)
    sent = {"supervisors": 0, "coordinators": 0}

    supervisor_rows = (
        waiting.filter(
            submitted_at__lte=now - datetime.timedelta(days=config.supervisor_reminder_days)
        )
        .values("supervisor_id")
        .annotate(n=Count("pk"), oldest=Min("submitted_at"))
        .order_by()
    )
    by_supervisor = {row["supervisor_id"]: row for row in supervisor_rows}
    for supervisor in User.objects.filter(pk__in=by_supervisor, is_active=True):
        row = by_supervisor[supervisor.pk]
        if _remind_once(
            supervisor,
            ReviewReminder.Kind.SUPERVISOR,
            day,
            row["n"],
            "reminder_supervisor",
            {
                "count": row["n"],
                "days": config.supervisor_reminder_days,
                "oldest_days": (now - row["oldest"]).days,
                "url": settings.SITE_URL + reverse("practicum:review_queue"),
            },
        ):
            sent["supervisors"] += 1

    district_rows = (
        waiting.filter(
            submitted_at__lte=now - datetime.timedelta(days=config.coordinator_alert_days)
        )
        .values("trainee__district_id")
        .annotate(n=Count("pk"), supervisors=Count("supervisor", distinct=True))
        .order_by()
    )
    by_district = {row["trainee__district_id"]: row for row in district_rows}
    if by_district:
        coordinators = User.objects.filter(
            groups__name=roles.COORDINATOR, is_active=True
        ).distinct()
        for coordinator in coordinators:
            scope = coordinator.coordinator_district_id
            rows = [row for key, row in by_district.items() if scope is None or key == scope]
            count = sum(row["n"] for row in rows)
            if count and _remind_once(
                coordinator,
                ReviewReminder.Kind.COORDINATOR,
                day,
                count,
                "reminder_coordinator",
                {
                    "count": count,
                    "days": config.coordinator_alert_days,
                    "url": settings.SITE_URL + reverse("practicum:overview"),
                },
            ):
                sent["coordinators"] += 1
    logger.info("practicum.review_reminders", extra=sent)
    return sent


def _remind_once(user, kind, day, count, template, context) -> bool:
    from .models import ReviewReminder

    if not user.email:
        return False
    try:
        with transaction.atomic():
            ReviewReminder.objects.create(recipient=user, kind=kind, sent_on=day, entry_count=count)
            _send(user, template, context)
    except IntegrityError:
        return False
    return True
