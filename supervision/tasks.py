"""Background work of supervision: its e-mails and the corrective actions' reminders.

Arguments are primary keys and codes; every task re-reads its rows and does nothing when
what it would say is no longer true (an action verified meanwhile is not "overdue").
E-mails name the unit or district, dates and hours and link to the page; they never carry
what was written (findings, notes, topics), which stays in the site.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)

OWNER_KINDS = ("assigned", "reminder", "overdue", "returned", "verified")
INSPECTOR_KINDS = ("evidence",)


def _send(user, template: str, context: dict) -> bool:
    """Render ``template`` in the recipient's language (first line: the subject) and queue
    the e-mail in the outbox. False for an inactive recipient or one without an address."""
    from accounts.tasks import send_email
    from outbox.services import enqueue

    if user is None or not user.is_active or not user.email:
        return False
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        text = render_to_string(template, {"user": user, **context})
    subject, _blank, body = text.strip().partition("\n")
    enqueue(send_email, subject=subject.strip(), body=body.strip() + "\n", to=[user.email])
    return True


@shared_task(time_limit=60, soft_time_limit=50)
def send_action_email(action_id: int, kind: str, user_id: int | None = None) -> bool:
    """One e-mail about a corrective action: to its owner when it is ``assigned``, as a
    ``reminder`` before the deadline, when ``overdue``, ``returned`` or ``verified``; to the
    inspector ``user_id`` when ``evidence`` waits for them. Skipped when it no longer holds
    (a reminder or overdue notice for an action no longer open, evidence already decided)."""
    from accounts.models import User

    from .models import ActionState, CorrectiveAction

    action = (
        CorrectiveAction.objects.select_related(
            "owner", "finding__inspection__district", "finding__inspection__unit"
        )
        .filter(pk=action_id)
        .first()
    )
    if action is None or kind not in OWNER_KINDS + INSPECTOR_KINDS:
        return False
    still_true = {
        "reminder": action.state == ActionState.OPEN,
        "overdue": action.state != ActionState.VERIFIED and action.is_overdue(),
        "evidence": action.state == ActionState.SUBMITTED,
    }
    if not still_true.get(kind, True):
        return False
    recipient = action.owner if kind in OWNER_KINDS else User.objects.filter(pk=user_id).first()
    return _send(
        recipient,
        "supervision/email/action.txt",
        {
            "action": action,
            "kind": kind,
            "inspection": action.finding.inspection,
            "url": settings.SITE_URL + reverse("supervision:action", args=[action.pk]),
        },
    )


@shared_task(time_limit=60, soft_time_limit=50)
def send_attendance_email(attendance_id: int, kind: str) -> bool:
    """Tell the trainee that supervision was ``recorded`` for them (its hours credited;
    confirm or dispute), or the supervising expert that the trainee ``disputed`` it."""
    from .models import AttendanceResponse, SupervisionAttendance

    attendance = (
        SupervisionAttendance.objects.select_related("session", "session__expert", "trainee")
        .filter(pk=attendance_id)
        .first()
    )
    if attendance is None or kind not in ("recorded", "disputed"):
        return False
    if kind == "disputed" and attendance.response != AttendanceResponse.DISPUTED:
        return False
    recipient = attendance.trainee if kind == "recorded" else attendance.session.expert
    return _send(
        recipient,
        "supervision/email/attendance.txt",
        {
            "attendance": attendance,
            "session": attendance.session,
            "kind": kind,
            "hours": attendance.session.minutes / 60,
            "url": settings.SITE_URL + reverse("supervision:session", args=[attendance.session_id]),
        },
    )


@shared_task(time_limit=240, soft_time_limit=220)
def send_action_notices() -> int:
    """Reminders and overdue notices whose time has come (beat, every 15 minutes; the times
    are ``CorrectiveAction.next_notice_at`` in the database)."""
    from . import services

    count = services.send_due_notices()
    logger.info("supervision.action_notices", extra={"count": count})
    return count
