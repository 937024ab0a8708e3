"""The dashboard's lecturer-corps panels (``lms.dashboard``).

Lecturer: offers waiting for their answer with the reply deadline (flagged when it is
near), the next sessions with place, notes, materials and whom to call, and reports to
file. Coordinator: requests without a lecturer, offers waiting for lecturers' answers,
delivery reports to verify. Fixed query counts (tests/test_dashboard.py).
"""

from __future__ import annotations

import datetime
import math

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.permissions import coordinator_scope
from lms.dashboard import register_panel

from . import selectors
from .models import RequestStatus, ServiceRequest, Session, SessionStatus

# Offers are answered within 48 hours; one with less than this left is flagged.
REPLY_SOON_HOURS = 12
NEXT_SESSIONS = 3
RUNNING = (SessionStatus.ACCEPTED, SessionStatus.CONFIRMED)


def _lecturer_sessions(user):
    return selectors.with_venue_contacts(
        Session.objects.filter(lecturer=user).select_related(
            "request", "request__venue", "request__venue__township"
        )
    )


def offers_panel(user) -> dict | None:
    """Offers this lecturer has not answered yet, soonest deadline first (two queries)."""
    now = timezone.now()
    offers = list(
        _lecturer_sessions(user)
        .filter(status=SessionStatus.PROPOSED, response_deadline__gt=now)
        .order_by("response_deadline", "pk")
    )
    if not offers:
        return None
    soon = datetime.timedelta(hours=REPLY_SOON_HOURS)
    for offer in offers:
        left = offer.response_deadline - now
        offer.hours_left = math.ceil(left.total_seconds() / 3600)  # "less than N hours"
        offer.reply_soon = left <= soon
        offer.contacts = selectors.contact_people(offer)
    return {
        "title": _("Offers waiting for your answer"),
        "offers": offers,
        "soon_hours": REPLY_SOON_HOURS,
        "count": len(offers),
        "urgent": any(offer.reply_soon for offer in offers),
    }


def sessions_panel(user) -> dict | None:
    """The next sessions with where, notes and whom to call (with the venues' contacts);
    sessions held whose report is still due (three queries)."""
    now = timezone.now()
    upcoming = list(
        _lecturer_sessions(user)
        .filter(status__in=RUNNING, ends_at__gt=now)
        .order_by("starts_at", "pk")[:NEXT_SESSIONS]
    )
    to_report = Session.objects.filter(lecturer=user, status__in=RUNNING, ends_at__lte=now).count()
    if not upcoming and not to_report:
        return None
    for session in upcoming:
        session.contacts = selectors.contact_people(session)
    return {
        "title": _("Your next sessions"),
        "sessions": upcoming,
        "to_report": to_report,
        "count": to_report,
        "urgent": bool(to_report),
    }


def coordinator_panel(user) -> dict | None:
    """Requests without a lecturer, offers waiting for an answer, reports to verify, in
    the coordinator's scope (four queries)."""
    district = coordinator_scope(user)
    now = timezone.now()
    unassigned = (
        ServiceRequest.objects.in_scope(district)
        .filter(status=RequestStatus.REQUESTED, date__gte=timezone.localdate())
        .select_related("venue")
        .order_by("starts_at", "pk")
    )
    soonest = list(unassigned[:3])
    unassigned_count = unassigned.count()
    offers = (
        Session.objects.in_scope(district)
        .filter(status=SessionStatus.PROPOSED, response_deadline__gt=now)
        .aggregate(waiting=Count("pk"), next_deadline=Min("response_deadline"))
    )
    reports = (
        selectors.reports_waiting_for_verification(district)
        .order_by()
        .aggregate(waiting=Count("pk"), oldest=Min("filed_at"))
    )
    if not (soonest or offers["waiting"] or reports["waiting"]):
        return None
    return {
        "title": _("Service requests and sessions"),
        "unassigned": soonest,
        "unassigned_count": unassigned_count,
        "offers_waiting": offers["waiting"],
        "next_offer_deadline": offers["next_deadline"],
        "reports_count": reports["waiting"],
        "oldest_report_days": (now - reports["oldest"]).days if reports["oldest"] else 0,
        "count": unassigned_count + reports["waiting"],
        "urgent": any(r.date <= timezone.localdate() + datetime.timedelta(days=7) for r in soonest),
    }


def register() -> None:
    """Called from ``LecturerCorpsConfig.ready``."""
    register_panel(
        "lecturer_corps.offers",
        role=roles.LECTURER,
        template="lecturer_corps/panels/offers.html",
        order=10,
    )(offers_panel)
    register_panel(
        "lecturer_corps.sessions",
        role=roles.LECTURER,
        template="lecturer_corps/panels/sessions.html",
        order=20,
    )(sessions_panel)
    register_panel(
        "lecturer_corps.coordinator",
        role=roles.COORDINATOR,
        template="lecturer_corps/panels/coordinator.html",
        order=10,
    )(coordinator_panel)
