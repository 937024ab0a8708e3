"""One lecturer's schedule as an iCalendar feed (RFC 5545) for a phone calendar.

The feed is reached by a secret, revocable link (``CalendarToken``) and holds that
lecturer's own sessions only: proposed ones as TENTATIVE, accepted and later ones as
CONFIRMED, cancelled ones as CANCELLED (so a subscribed calendar removes them).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

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
    return (
        Session.objects.filter(lecturer=user, ends_at__gte=since, status__in=list(STATUS))
        .select_related("request", "request__venue")
        .order_by("starts_at", "pk")
    )


def build_feed(user) -> bytes:
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Talent Pool LMS//Lecturer corps//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{user.display_name} · 讲师团")
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
        event.add(
            "description",
            f"{request.get_audience_display()} · {request.expected_size} · "
            f"{request.class_hours} 课时 · {request.get_language_display()}",
        )
        event.add("sequence", 1 if session.status == SessionStatus.CANCELLED else 0)
        calendar.add_component(event)
    return calendar.to_ical()
