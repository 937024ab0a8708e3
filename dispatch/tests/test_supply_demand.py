"""Supply against demand for a month: who counts as available and qualified, gaps, and a
fixed number of queries whatever the number of lecturers and requests."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dispatch import selectors
from dispatch.models import next_month
from dispatch.tests.factories import make_prior
from lecturer_corps.models import LecturerProfile, UnavailablePeriod
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
from tests.factories import VenueFactory

pytestmark = pytest.mark.django_db


def _month(months_ahead=2) -> datetime.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(months_ahead):
        month = next_month(month)
    return month


def _tuesday_of_week(month, week):
    """The Tuesday of the month's ``week`` (0-based, Monday-to-Sunday weeks)."""
    first_monday = month - datetime.timedelta(days=month.weekday())
    day = first_monday + datetime.timedelta(weeks=week, days=1)
    assert day.month == month.month
    return day


@pytest.fixture
def month():
    month = _month()
    # Week 0 may not hold a Tuesday of the month: start from the first full week.
    return month


def test_who_counts_as_available_and_qualified(venue, district, other_district, month):
    week = 1
    day = _tuesday_of_week(month, week)
    later = _tuesday_of_week(month, week + 2)
    qualified = make_lecturer(topics=["child_01"], district=district, username="s_ok").user
    no_course = make_lecturer(
        topics=["child_01"], district=district, completed=[], username="s_nocourse"
    ).user
    from_elsewhere = make_lecturer(
        topics=["child_01"], district=district, certificates=(), completed=[], username="s_prior"
    ).user
    make_prior(from_elsewhere, topics=["child_01", "child_02"])
    uyghur_only = make_lecturer(
        topics=["child_01"], district=district, languages=["ug"], username="s_ug"
    ).user
    on_leave = make_lecturer(topics=["child_01"], district=district, username="s_leave")
    UnavailablePeriod.objects.create(profile=on_leave, starts_on=day, ends_on=later)
    make_lecturer(topics=["child_01"], district=other_district, username="s_elsewhere")
    full = make_lecturer(topics=["child_01"], district=district, monthly_cap=1, username="s_full")
    paused = make_lecturer(topics=["child_01"], district=district, username="s_paused")
    LecturerProfile.objects.filter(pk=paused.pk).update(is_active=False)

    a = make_request(venue=venue, date=day, lecturers_needed=2)
    b = make_request(venue=venue, date=day, start=datetime.time(14, 0), end=datetime.time(16, 0))
    c = make_request(venue=venue, date=later, lecturers_needed=3)
    # The full lecturer's one session this month (on another venue's request).
    make_session(
        make_request(venue=VenueFactory(district=district), date=later, topic="child_02"),
        full.user,
    )
    make_session(a, qualified, status="proposed")  # one seat of ``a`` is taken

    sheet = selectors.supply_and_demand(district, month)
    row = next(r for r in sheet.rows if (r.language, r.topic) == ("zh", "child_01"))
    first, second = row.weeks[week], row.weeks[week + 2]
    assert (first.seats, first.taken, first.open_seats, first.requests) == (3, 1, 2, 2)
    # Available: the qualified lecturer and the one with a qualification from elsewhere.
    assert first.available == 2 and not first.short
    assert (second.seats, second.open_seats, second.available) == (3, 3, 2)
    assert second.short and second.gap == 1
    assert sorted(first.request_ids) == sorted([a.pk, b.pk]) and second.request_ids == [c.pk]
    assert (row.month.seats, row.month.open_seats, row.month.available) == (6, 5, 2)
    assert row.month.short
    assert all(cell is None for n, cell in enumerate(row.weeks) if n not in (week, week + 2))
    assert sheet.short_cells == 1
    del no_course, uyghur_only  # counted nowhere: no course; does not speak Mandarin


def test_a_qualification_from_elsewhere_counts_only_until_it_expires(venue, district, month):
    day = _tuesday_of_week(month, 1)
    later = _tuesday_of_week(month, 3)
    expert = make_lecturer(
        topics=["child_01"], district=district, certificates=(), completed=[], username="s_exp"
    ).user
    make_prior(expert, topics=["child_01"], expires_on=day + datetime.timedelta(days=1))
    make_request(venue=venue, date=day)
    make_request(venue=venue, date=later)
    row = selectors.supply_and_demand(district, month).rows[0]
    assert row.weeks[1].available == 1
    assert row.weeks[3].available == 0 and row.weeks[3].short


def test_cancelled_requests_ask_for_nothing_and_scope_is_kept(
    venue, other_venue, district, other_district, month
):
    day = _tuesday_of_week(month, 1)
    make_request(venue=venue, date=day, status="cancelled")
    make_request(venue=other_venue, date=day)
    mine = selectors.supply_and_demand(district, month)
    assert mine.rows == []
    city = selectors.supply_and_demand(None, month)
    assert [r.district for r in city.rows] == [other_district]


def test_the_weeks_cover_the_month():
    weeks = selectors.month_weeks(datetime.date(2031, 3, 1))  # a Saturday
    assert weeks[0] == (datetime.date(2031, 3, 1), datetime.date(2031, 3, 2))
    assert weeks[-1][1] == datetime.date(2031, 3, 31)
    assert all(selectors.week_of(start) == n for n, (start, _end) in enumerate(weeks))


def _fill(district, venue, month, lecturers, requests, prefix):
    for n in range(lecturers):
        make_lecturer(
            topics=["child_01", "caregiver_01"], district=district, username=f"{prefix}{n}"
        )
    for n in range(requests):
        day = _tuesday_of_week(month, 1 + n % 3) + datetime.timedelta(days=n % 2)
        make_request(
            venue=venue, date=day, topic="child_01" if n % 2 else "caregiver_01", language="zh"
        )


def test_supply_and_demand_runs_a_fixed_number_of_queries(
    venue, district, month, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(district, venue, month, 2, 2, "q_a")
    make_prior(make_lecturer(district=district, username="q_prior").user)
    with CaptureQueriesContext(connection) as few:
        selectors.supply_and_demand(None, month)
    _fill(district, venue, month, 6, 12, "q_b")
    with django_assert_num_queries(len(few.captured_queries)):
        sheet = selectors.supply_and_demand(None, month)
    assert sheet.seats == 14
    assert len(few.captured_queries) <= 9


def test_the_month_plan_page(
    client, venue, district, district_coordinator, month, django_assert_max_num_queries
):
    _fill(district, venue, month, 2, 6, "p_")
    client.force_login(district_coordinator)
    url = reverse("dispatch:month_plan")
    client.get(url, {"month": f"{month:%Y-%m}"})
    with django_assert_max_num_queries(18):
        response = client.get(url, {"month": f"{month:%Y-%m}"})
    page = response.content.decode()
    assert f'data-testid="sd-{district.pk}-zh-child_01"' in page
    assert 'data-testid="auto-assign-preview"' in page
    assert reverse("lecturer_corps:auto_assign") in page


def test_the_auto_assign_preview_is_one_click_from_the_plan(
    client, venue, district, district_coordinator, month
):
    make_lecturer(topics=["child_01"], district=district, username="one_click")
    make_request(venue=venue, date=_tuesday_of_week(month, 1))
    client.force_login(district_coordinator)
    first, last = month, next_month(month) - datetime.timedelta(days=1)
    response = client.post(
        reverse("lecturer_corps:auto_assign"),
        {"step": "preview", "first_day": first.isoformat(), "last_day": last.isoformat()},
    )
    assert response.status_code == 200
    assert 'name="item"' in response.content.decode()


def test_api_supply_demand_and_refusals(
    api_client, venue, district, district_coordinator, trainee, month
):
    _fill(district, venue, month, 1, 2, "api_")
    client = api_client.as_user(district_coordinator)
    response = client.get(
        "/api/v1/dispatch/supply-demand", {"year": month.year, "month": month.month}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["seats"] == 2 and {row["topic"] for row in body["rows"]} == {
        "child_01",
        "caregiver_01",
    }
    response = api_client.as_user(trainee).get(
        "/api/v1/dispatch/supply-demand", {"year": month.year, "month": month.month}
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = client.get("/api/v1/dispatch/supply-demand", {"year": month.year, "month": 13})
    assert response.status_code == 422


def test_completed_topic_bits_say_what_completed_topics_say(district):
    from lecturer_corps import eligibility
    from lecturer_corps.topics import TOPICS_BY_CODE

    one = make_lecturer(topics=["child_01", "caregiver_01"], district=district, username="b_1")
    two = make_lecturer(topics=["child_02"], district=district, username="b_2")
    bits: dict[int, int] = {}
    for user_id, bit in eligibility.completed_topic_bits(None):
        bits[user_id] = bits.get(user_id, 0) | bit
    expected = {
        user_id: sum(1 << TOPICS_BY_CODE[code].bit for code in codes)
        for user_id, codes in eligibility.completed_topics(None).items()
    }
    assert bits == expected and set(bits) == {one.user_id, two.user_id}
    assert eligibility.completed_topic_bits([two.user_id], topics={"child_01"}) == []
