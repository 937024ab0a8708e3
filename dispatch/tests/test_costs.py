"""Costs on hand-computed fixtures: lecture fee per class hour, travel subsidy by road
distance or travel time, per district against the budget and per lecturer; the finance
export; the tariff and budget services (the admin's doors)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from dispatch import costs
from dispatch.models import Budget, Tariff, TravelBand, next_month
from dispatch.tests.factories import make_tariff
from lecturer_corps.models import LecturerProfile
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session

pytestmark = pytest.mark.django_db

VENUE_AT = (42.95, 89.18)


def _month() -> datetime.date:
    return next_month(next_month(timezone.localdate().replace(day=1)))


def _day(month, n) -> datetime.date:
    return month + datetime.timedelta(days=n)


@pytest.fixture
def month():
    return _month()


@pytest.fixture
def sessions(venue, district, month):
    """Four costed sessions, one proposal and one cancelled session (not costed).

    Homes (road km = straight line × 1.3, minutes = km / 50 km/h + 15):
      at the venue        0.0 km,  band ≤ 10 →  0;  2 class hours → fee 200
      0.14° north        20.2 km,  band ≤ 30 → 30;  3 class hours → fee 300
      0.50° north        72.3 km,  open band → 80;  2 class hours → fee 200
      unknown               —      unknown   → 20;  2 class hours → fee 200
    """

    def lecturer(name, lat, lon):
        profile = make_lecturer(district=district, username=name)
        LecturerProfile.objects.filter(pk=profile.pk).update(latitude=lat, longitude=lon)
        return profile.user

    near = lecturer("c_near", *VENUE_AT)
    mid = lecturer("c_mid", VENUE_AT[0] + 0.14, VENUE_AT[1])
    far = lecturer("c_far", VENUE_AT[0] + 0.5, VENUE_AT[1])
    nowhere = lecturer("c_nowhere", None, None)
    made = {
        "near": make_session(make_request(venue=venue, date=_day(month, 2)), near),
        "mid": make_session(
            make_request(
                venue=venue,
                date=_day(month, 3),
                class_hours=3,
                start=datetime.time(9, 0),
                end=datetime.time(11, 30),
            ),
            mid,
            status="delivered",
        ),
        "far": make_session(make_request(venue=venue, date=_day(month, 4)), far, status="accepted"),
        "nowhere": make_session(
            make_request(venue=venue, date=_day(month, 5)), nowhere, status="verified"
        ),
    }
    make_session(make_request(venue=venue, date=_day(month, 6)), near, status="proposed")
    make_session(make_request(venue=venue, date=_day(month, 7)), mid, status="cancelled")
    return made


def test_each_session_costs_its_fee_and_its_bands_subsidy(sessions, district, month):
    make_tariff()  # 100 per class hour; ≤10 km 0, ≤30 km 30, beyond 80; unknown 20
    sheet = costs.month_costs(district, month)
    by_session = {line.session_id: line for line in sheet.lines}
    assert set(by_session) == {s.pk for s in sessions.values()}  # no proposal, no cancelled
    expected = {
        "near": (Decimal("200.00"), Decimal("0.00"), 0.0),
        "mid": (Decimal("300.00"), Decimal("30.00"), 20.2),
        "far": (Decimal("200.00"), Decimal("80.00"), 72.3),
        "nowhere": (Decimal("200.00"), Decimal("20.00"), None),
    }
    for key, (fee, subsidy, km) in expected.items():
        line = by_session[sessions[key].pk]
        assert (line.fee, line.subsidy, line.km) == (fee, subsidy, km), key
    assert by_session[sessions["mid"].pk].minutes == 39  # 20.24 km at 50 km/h + 15
    assert (sheet.total.fee, sheet.total.subsidy, sheet.total.total) == (
        Decimal("900.00"),
        Decimal("130.00"),
        Decimal("1030.00"),
    )
    assert sheet.total.sessions == 4 and sheet.without_tariff == 0
    lecturers = {s.label: s.total for s in sheet.lecturers}
    assert sorted(lecturers.values()) == [
        Decimal("200.00"),
        Decimal("220.00"),
        Decimal("280.00"),
        Decimal("330.00"),
    ]


def test_the_district_total_is_set_against_its_budget(sessions, district, other_district, month):
    make_tariff()
    Budget.objects.create(district=district, month=month, amount=Decimal("1000.00"))
    Budget.objects.create(district=other_district, month=month, amount=Decimal("500.00"))
    sheet = costs.month_costs(None, month)
    mine = next(d for d in sheet.districts if d.key == district.pk)
    theirs = next(d for d in sheet.districts if d.key == other_district.pk)
    assert (mine.total, mine.budget, mine.remaining, mine.over_budget) == (
        Decimal("1030.00"),
        Decimal("1000.00"),
        Decimal("-30.00"),
        True,
    )
    assert (theirs.total, theirs.remaining, theirs.over_budget) == (
        Decimal("0.00"),
        Decimal("500.00"),
        False,
    )
    assert sheet.total.budget == Decimal("1500.00")


def test_the_tariff_in_force_on_the_date_applies_by_travel_time(sessions, district, month):
    make_tariff()
    # From the 4th day of the month: 120 per class hour, subsidy by travel minutes.
    make_tariff(
        effective_from=_day(month, 4),
        fee="120.00",
        basis="time",
        bands=((60, "10"), (None, "50")),
        unknown="5",
    )
    sheet = costs.month_costs(district, month)
    by_session = {line.session_id: line for line in sheet.lines}
    near, mid = by_session[sessions["near"].pk], by_session[sessions["mid"].pk]
    far, nowhere = by_session[sessions["far"].pk], by_session[sessions["nowhere"].pk]
    assert (near.fee, near.subsidy) == (Decimal("200.00"), Decimal("0.00"))  # the old tariff
    assert (mid.fee, mid.subsidy) == (Decimal("300.00"), Decimal("30.00"))
    assert (far.fee, far.subsidy, far.minutes) == (Decimal("240.00"), Decimal("50.00"), 102)
    assert (nowhere.fee, nowhere.subsidy) == (Decimal("240.00"), Decimal("5.00"))
    assert sheet.total.total == Decimal("1065.00")


def test_sessions_before_any_tariff_are_counted_and_flagged(sessions, district, month):
    sheet = costs.month_costs(district, month)
    assert sheet.without_tariff == 4 and sheet.total.total == Decimal("0.00")


def test_the_month_costs_in_a_fixed_number_of_queries(
    sessions, district, month, django_assert_num_queries
):
    make_tariff()
    with django_assert_num_queries(5):
        costs.month_costs(None, month)


def test_the_cost_page_and_the_finance_export(
    client, sessions, district, month, district_coordinator, other_district_coordinator
):
    make_tariff()
    client.force_login(district_coordinator)
    page = client.get(reverse("dispatch:costs"), {"month": f"{month:%Y-%m}"}).content.decode()
    assert 'data-testid="cost-total">1030.00' in page
    response = client.get(
        reverse("dispatch:cost_export", args=["csv"]), {"month": f"{month:%Y-%m}"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 5 and len(rows[0]) == 14  # the header and four sessions
    assert sorted(float(row[12]) for row in rows[1:]) == [200.0, 220.0, 280.0, 330.0]
    xlsx = client.get(reverse("dispatch:cost_export", args=["xlsx"]), {"month": f"{month:%Y-%m}"})
    assert xlsx.content.startswith(b"PK")
    assert client.get(reverse("dispatch:cost_export", args=["pdf"])).status_code == 404
    # Another district's coordinator sees none of these sessions.
    client.force_login(other_district_coordinator)
    response = client.get(
        reverse("dispatch:cost_export", args=["csv"]), {"month": f"{month:%Y-%m}"}
    )
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 1


def test_api_costs(api_client, sessions, district, month, district_coordinator, lecturer):
    make_tariff()
    body = (
        api_client.as_user(district_coordinator)
        .get("/api/v1/dispatch/costs", {"year": month.year, "month": month.month})
        .json()
    )
    assert body["total"]["total"] in ("1030.00", 1030.0, "1030")
    response = api_client.as_user(lecturer).get(
        "/api/v1/dispatch/costs", {"year": month.year, "month": month.month}
    )
    assert response.status_code == 403


# --- tariffs and budgets: the services behind the admin's doors -------------------------------


def _tariff(bands, **fields):
    tariff = Tariff(
        name="2031",
        effective_from=fields.pop("effective_from", datetime.date(2031, 1, 1)),
        fee_per_class_hour=Decimal("90"),
        basis="distance",
        **fields,
    )
    tariff.bands = [TravelBand(up_to=up_to, subsidy=Decimal(s)) for up_to, s in bands]
    return tariff


def test_a_tariff_needs_exactly_one_open_band(coordinator):
    for bands in ([], [(10, "0")], [(None, "0"), (None, "5")], [(10, "0"), (10, "5"), (None, "9")]):
        with pytest.raises(ValidationError):
            costs.save_tariff(actor=coordinator, tariff=_tariff(bands))
    tariff = costs.save_tariff(actor=coordinator, tariff=_tariff([(10, "0"), (None, "50")]))
    assert tariff.bands.count() == 2
    assert AuditLog.objects.filter(action="dispatch.tariff.create", actor=coordinator).exists()


def test_only_city_wide_coordinators_set_rates_and_budgets(
    district_coordinator, district, administrator
):
    with pytest.raises(PermissionDenied):
        costs.save_tariff(actor=district_coordinator, tariff=_tariff([(None, "50")]))
    budget = Budget(district=district, month=datetime.date(2031, 5, 17), amount=Decimal("100"))
    with pytest.raises(PermissionDenied):
        costs.save_budget(actor=district_coordinator, budget=budget)
    saved = costs.save_budget(actor=administrator, budget=budget)
    assert saved.month == datetime.date(2031, 5, 1)


def test_a_tariff_in_force_cannot_be_deleted(coordinator):
    in_force = make_tariff(effective_from=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        costs.delete_tariff(actor=coordinator, tariff=in_force)
    coming = make_tariff(effective_from=timezone.localdate() + datetime.timedelta(days=30))
    costs.delete_tariff(actor=coordinator, tariff=coming)
    assert not Tariff.objects.filter(pk=coming.pk).exists()
