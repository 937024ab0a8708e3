"""The dashboard's dispatch panels (``lms.dashboard``).

Coordinator: venue requests waiting for triage, with the way to the month's plan (one
query). A venue's contact (an account with no role that answers for a venue): the way
to ask for a session and the requests sent back for changes (two queries, and none for
anyone who holds a role: they are never asked).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.permissions import coordinator_scope
from lms.dashboard import register_panel

from . import permissions
from .models import VenueRequest, VenueRequestStatus


def coordinator_panel(user) -> dict | None:
    waiting = (
        VenueRequest.objects.in_scope(coordinator_scope(user))
        .filter(status=VenueRequestStatus.SUBMITTED)
        .count()
    )
    return {
        "title": _("Venue requests and the month's plan"),
        "waiting": waiting,
        "count": waiting,
        "urgent": False,
    }


def venue_panel(user) -> dict | None:
    if roles.role_codes(user):
        return None
    contact = permissions.venue_contact_of(user)
    if contact is None:
        return None
    sent_back = VenueRequest.objects.filter(
        venue_id=contact.venue_id, status=VenueRequestStatus.CHANGES_REQUESTED
    ).count()
    return {"contact": contact, "sent_back": sent_back}


def register() -> None:
    """Called from ``DispatchConfig.ready``."""
    register_panel(
        "dispatch.coordinator",
        role=roles.COORDINATOR,
        template="dispatch/panels/coordinator.html",
        order=15,
    )(coordinator_panel)
    register_panel("dispatch.venue", role=None, template="dispatch/panels/venue.html", order=5)(
        venue_panel
    )
