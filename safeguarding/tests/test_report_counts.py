"""The monthly report's concern figures: counts by category and district and the median
time to acknowledge, computed from hand-counted fixtures; never what a concern says."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from reports.periods import Period, Scope
from reports.selectors import dashboard_figures, safeguarding_concerns
from safeguarding import services
from safeguarding.selectors import concern_counts

pytestmark = pytest.mark.django_db

MARCH = Period.parse("2026-03")


@pytest.fixture
def month_of_concerns(
    clock,
    trainee,
    lecturer,
    placement,
    supervisor,
    district_coordinator,
    venue,
    other_venue,
    other_district_coordinator,
    raise_one,
):
    """March: 3 in the district (2 abuse/neglect urgent, 1 health), 1 in the other district
    (self-harm, urgent); acknowledged after 30, 90 and 240 minutes; one left waiting. One in April."""
    a = raise_one(trainee)
    b = raise_one(lecturer, category="health", urgency="not_urgent")
    c = raise_one(trainee)
    d = raise_one(lecturer, category="self_harm", venue=other_venue)
    clock.advance(minutes=30)
    services.acknowledge(actor=supervisor, concern=a)
    clock.advance(minutes=60)
    services.acknowledge(actor=district_coordinator, concern=b)
    clock.advance(minutes=150)
    services.acknowledge(actor=other_district_coordinator, concern=d)
    clock.now = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
    raise_one(trainee, category="unsafe_home")
    return a, b, c, d


def test_counts_by_category_and_district_and_the_median(
    month_of_concerns, district, other_district
):
    counts = concern_counts(MARCH.start_at, MARCH.end_at)
    assert counts.raised == 4 and counts.urgent == 3 and counts.acknowledged == 3
    assert counts.by_category == {
        "abuse_neglect": 2,
        "self_harm": 1,
        "unsafe_home": 0,
        "health": 1,
        "other": 0,
    }
    assert counts.by_district[district.pk] == {
        "raised": 3,
        "urgent": 2,
        "waiting": 1,
        "escalated": 0,
    }
    assert counts.by_district[other_district.pk]["raised"] == 1
    assert counts.median_minutes_to_acknowledge == 90  # of 30, 90 and 240


def test_one_districts_scope_counts_its_own(month_of_concerns, district):
    counts = concern_counts(MARCH.start_at, MARCH.end_at, district)
    assert counts.raised == 3 and counts.median_minutes_to_acknowledge == 60  # of 30 and 90


def test_the_figure_group_has_counts_and_no_contents(month_of_concerns, district, other_district):
    group = safeguarding_concerns(Scope(MARCH))
    headlines = {h.key: h.value for h in group.headlines}
    assert headlines == {
        "raised": 4,
        "urgent": 3,
        "median_to_acknowledge": Decimal("1.5"),
        "escalated": 0,
    }
    by_district = {row["district"]: row["raised"] for row in group.tables[1].rows}
    assert by_district == {str(district): 3, str(other_district): 1}
    data = str(group.as_data())
    for concern in month_of_concerns:
        assert concern.what_seen not in data and concern.what_done not in data
        assert concern.venue.name not in data


def test_a_month_without_concerns_has_no_median(db, district):
    group = safeguarding_concerns(Scope(MARCH, district))
    assert {h.key: h.value for h in group.headlines}["median_to_acknowledge"] is None


def test_the_group_is_on_the_dashboard_and_follows_new_concerns(
    month_of_concerns, settings, trainee, raise_one, clock
):
    settings.REPORTS_FIGURES_CACHE = True
    (group,) = dashboard_figures(Scope(MARCH), keys={"safeguarding"})
    assert group.headlines[0].value == 4
    clock.now = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.UTC)
    raise_one(trainee)
    (group,) = dashboard_figures(Scope(MARCH), keys={"safeguarding"})
    assert group.headlines[0].value == 5  # the cache saw the write


def test_the_coordinators_dashboard_shows_the_count_not_the_text(
    month_of_concerns, district_coordinator
):
    client = Client()
    client.force_login(district_coordinator)
    page = client.get("/reports/", {"period": "2026-03"}).content.decode()
    assert "Child-safety concerns" in page
    assert month_of_concerns[0].what_seen not in page


def test_the_counts_take_two_queries_whatever_the_number_of_concerns(
    month_of_concerns, django_assert_num_queries
):
    with django_assert_num_queries(2):
        concern_counts(MARCH.start_at, MARCH.end_at)
