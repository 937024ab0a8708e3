"""One lecturer's schedule as an iCalendar feed (RFC 5545) for a phone calendar.

The feed is reached by a secret, revocable link (``CalendarToken``) and holds that
lecturer's own sessions only: proposed ones as TENTATIVE, accepted and later ones as
CONFIRMED, cancelled ones as CANCELLED (so a subscribed calendar removes them).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event

from . import selectors
from .models import Session, SessionStatus

HISTORY_DAYS = 90

STATUS = {
    SessionStatus.PROPOSED: "TENTATIVE",
    SessionStatus.ACCEPTED: "CONFIRMED",
    SessionStatus.CONFIRMED: "CONFIRMED",
    SessionStatus.DELIVERED: "CONFIRMED",
    SessionStatus.VERIFIED: "CONFIRMED",
    SessionStatus.CANCELLED: "CANCELLED",
}


def feed_sessions(user):
    since = timezone.now() - datetime.timedelta(days=HISTORY_DAYS)
    return selectors.with_venue_contacts(
        Session.objects.filter(lecturer=user, ends_at__gte=since, status__in=list(STATUS))
        .select_related("request", "request__venue")
        .order_by("starts_at", "pk")
    )


def event_description(session) -> str:
    """What the lecturer needs on the way, in the calendar's note: the audience, the
    coordinator's notes, the materials, whom to call at the venue and the session page."""
    request = session.request
    lines = [
        f"{request.get_audience_display()} · {request.expected_size} · "
        + ngettext("%(n)d class hour", "%(n)d class hours", request.class_hours)
        % {"n": request.class_hours}
        + f" · {request.get_language_display()}"
    ]
    if request.venue.address:
        lines.append(_("Address: %(address)s") % {"address": request.venue.address})
    for person in selectors.contact_people(session):
        reach = " ".join(part for part in (person.phone, person.email) if part)
        lines.append(_("Contact: %(name)s %(reach)s") % {"name": person.name, "reach": reach})
    if request.notes:
        lines.append(_("Coordinator's notes: %(notes)s") % {"notes": request.notes})
    if request.materials:
        lines.append(_("Materials: %(materials)s") % {"materials": request.materials})
    lines.append(settings.SITE_URL + reverse("lecturer_corps:session_detail", args=[session.pk]))
    return "\n".join(lines)


def build_feed(user) -> bytes:
    """The feed in the lecturer's own language (labels only; content stays as written)."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        return _build_feed(user)


def _build_feed(user) -> bytes:
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Talent Pool LMS//Lecturer corps//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    corps = _("Lecturer corps")
    calendar.add("x-wr-calname", f"{user.display_name} · {corps}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    now = timezone.now()
    for session in feed_sessions(user):
        request = session.request
        venue = request.venue
        event = Event()
        event.add("uid", f"corps-session-{session.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at.astimezone(datetime.UTC))
        event.add("dtend", session.ends_at.astimezone(datetime.UTC))
        event.add("summary", f"{request.topic_title} · {venue.name}")
        event.add("location", " ".join(part for part in (venue.name, venue.address) if part))
        if venue.latitude is not None and venue.longitude is not None:
            event.add("geo", (float(venue.latitude), float(venue.longitude)))
        event.add("status", STATUS[session.status])
        event.add("description", event_description(session))
        event.add(
            "url", settings.SITE_URL + reverse("lecturer_corps:session_detail", args=[session.pk])
        )
        event.add("sequence", 1 if session.status == SessionStatus.CANCELLED else 0)
        calendar.add_component(event)
    return calendar.to_ical()
