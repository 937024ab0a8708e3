"""The lecturer's iCalendar feed: RFC 5545, secret and revocable, one lecturer only."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from lecturer_corps import services
from lecturer_corps.models import SessionStatus
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session, next_weekday

pytestmark = pytest.mark.django_db


def _feed_url(secret):
    return reverse("lecturer_corps:calendar_feed", args=[secret])


def test_the_feed_parses_back_with_icalendar(client, venue):
    profile = make_lecturer()
    day = next_weekday()
    confirmed = make_session(make_request(venue=venue, date=day), profile.user)
    proposed = make_session(
        make_request(venue=venue, date=day + datetime.timedelta(days=1), topic="caregiver_01"),
        profile.user,
        status=SessionStatus.PROPOSED,
    )
    _token, secret = services.create_calendar_token(actor=profile.user)
    response = client.get(_feed_url(secret))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 2
    first = next(e for uid, e in events.items() if uid.startswith(f"corps-session-{confirmed.pk}@"))
    assert first.decoded("DTSTART") == confirmed.starts_at
    assert first.decoded("DTEND") == confirmed.ends_at
    assert str(first["SUMMARY"]) == "我是有能力的小公民 · 葡萄镇中心小学"
    assert str(first["STATUS"]) == "CONFIRMED"
    second = next(e for uid, e in events.items() if uid.startswith(f"corps-session-{proposed.pk}@"))
    assert str(second["STATUS"]) == "TENTATIVE"


def test_the_feed_holds_only_its_lecturers_sessions(client, venue):
    mine, other = make_lecturer(), make_lecturer()
    make_session(make_request(venue=venue), mine.user)
    make_session(make_request(venue=venue, topic="child_02"), other.user)
    _token, secret = services.create_calendar_token(actor=mine.user)
    calendar = Calendar.from_ical(client.get(_feed_url(secret)).content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries == ["我是有能力的小公民 · 葡萄镇中心小学"]


def test_a_cancelled_session_is_published_as_cancelled(client, venue):
    profile = make_lecturer()
    make_session(make_request(venue=venue), profile.user, status=SessionStatus.CANCELLED)
    _token, secret = services.create_calendar_token(actor=profile.user)
    calendar = Calendar.from_ical(client.get(_feed_url(secret)).content)
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]


def test_a_wrong_secret_is_not_found(client, venue):
    profile = make_lecturer()
    services.create_calendar_token(actor=profile.user)
    assert client.get(_feed_url("not-the-secret")).status_code == 404


def test_a_new_link_revokes_the_old_one(client):
    profile = make_lecturer()
    _token, old = services.create_calendar_token(actor=profile.user)
    _token, new = services.create_calendar_token(actor=profile.user)
    assert client.get(_feed_url(old)).status_code == 404
    assert client.get(_feed_url(new)).status_code == 200


def test_revoking_stops_the_feed(client):
    profile = make_lecturer()
    _token, secret = services.create_calendar_token(actor=profile.user)
    services.revoke_calendar_tokens(actor=profile.user)
    assert client.get(_feed_url(secret)).status_code == 404


def test_only_the_digest_of_the_secret_is_stored():
    profile = make_lecturer()
    token, secret = services.create_calendar_token(actor=profile.user)
    assert secret not in token.digest
    assert token.digest == services.calendar_digest(secret)


def test_the_link_page_shows_a_new_link_once(client):
    profile = make_lecturer()
    client.force_login(profile.user)
    response = client.post(reverse("lecturer_corps:calendar_link"), {"action": "create"})
    assert response.status_code == 200
    link = response.context["link"]
    assert "/corps/calendar/" in link and link.endswith(".ics")
    again = client.get(reverse("lecturer_corps:calendar_link"))
    assert again.context["link"] is None
    assert again.context["active"] is not None
