"""Honest coverage against a fixture counted by hand: never above 100%, never more than the
register holds nor more than the verified sessions counted (docs/metrics.md, "Coverage").

2026, October. Gaochang has townships T1 and T2; Shanshan's register is uncategorised.

Register 2026 (children in difficulty)    | verified person-times 2026 (by category)
  G/T1 left-behind 40, G/T1 orphans 10     |  V1 (G/T1): left-behind 50, orphans 4
  G/T2 left-behind 30                      |  V2 (G/T1): left-behind 20
  G (no township) disability 20            |  V3 (G/T2): left-behind 10, disability 12
  S (no township, no category) 50          |  V4 (S):    poor family 30
                                           |  (+ V3 left-behind 100 filed, not verified;
                                           |   + V1 left-behind 40 in 2025)

Yearly returns 2026 (distinct children; new)      counted
  V1 left-behind 35 (35), V2 left-behind 15 (5)   G/T1 LB: min(40, 35 + 15) = 40
  V1 orphans 6 (6)                                G/T1 O:  min(10, min(6, 4)) = 4
  V3 left-behind 25 (20)                          G/T2 LB: min(30, min(25, 10)) = 10
  V3 disability 8 (8) → the district's count      G DIS:   min(20, 8) = 8
  V4 poor family 60 (60) → S uncategorised        S:       min(50, min(60, 30)) = 30

Gaochang 62 / 100 = 62.0%; Shanshan 30 / 50 = 60.0%; city 92 / 150 = 61.3%.
Returns named 89 + 60 = 149 children; 92 are counted. New children counted: 40 + 4 + 10 +
8 + 30 = 92.
"""

import datetime as dt
from decimal import Decimal

import pytest

from lecturer_corps.models import ChildAttendance, DeliveryReport, RequestStatus, SessionStatus
from lecturer_corps.tests.factories import make_request, make_session
from reports import selectors
from reports.coverage import programme_progress, year_coverage
from reports.models import ChildrenServed, CoverageTarget, RegisterCount
from reports.periods import Scope
from tests.factories import TownshipFactory, VenueFactory, make_user

from .conftest import at

D = dt.date


def _verified(venue, day, *counts, verified=True):
    """A session at ``venue`` on ``day`` whose report counts (group, band, n) children."""
    lecturer = make_user("lecturer", "trainee")
    service_request = make_request(venue=venue, date=day)
    service_request.status = RequestStatus.VERIFIED if verified else RequestStatus.DELIVERED
    service_request.save(update_fields=["status"])
    session = make_session(
        service_request,
        lecturer,
        status=SessionStatus.VERIFIED if verified else SessionStatus.DELIVERED,
    )
    total = sum(n for _group, _band, n in counts)
    report = DeliveryReport.objects.create(
        session=session,
        filed_by=lecturer,
        actual_minutes=90,
        children_count=total,
        children_in_difficulty_count=total,
        verified_at=at(2026, 11, 1) if verified else None,
    )
    for group, band, n in counts:
        ChildAttendance.objects.create(report=report, group=group, age_band=band, count=n)


def _served(venue, category, children, new, year=2026):
    ChildrenServed.objects.create(
        year=year, venue=venue, category=category, children=children, new_children=new
    )


def _register(district, category, children, township=None, year=2026):
    RegisterCount.objects.create(
        year=year, district=district, township=township, category=category, children=children
    )


@pytest.fixture
def world(district, other_district):
    t1 = TownshipFactory(district=district, name="亚尔镇")
    t2 = TownshipFactory(district=district, name="葡萄镇")
    st = TownshipFactory(district=other_district, name="鄯善镇")
    v1 = VenueFactory(district=district, township=t1, name="V1")
    v2 = VenueFactory(district=district, township=t1, name="V2")
    v3 = VenueFactory(district=district, township=t2, name="V3")
    v4 = VenueFactory(district=other_district, township=st, name="V4")
    _register(district, "left_behind", 40, t1)
    _register(district, "orphan", 10, t1)
    _register(district, "left_behind", 30, t2)
    _register(district, "disability", 20)
    _register(other_district, "", 50)
    _verified(v1, D(2026, 3, 2), ("left_behind", "6-11", 50), ("orphan", "0-5", 4))
    _verified(v2, D(2026, 5, 6), ("left_behind", "12-17", 20))
    _verified(v3, D(2026, 6, 9), ("left_behind", "6-11", 10), ("disability", "6-11", 12))
    _verified(v4, D(2026, 9, 1), ("poor_family", "6-11", 30))
    _verified(v3, D(2026, 9, 8), ("left_behind", "6-11", 100), verified=False)
    _verified(v1, D(2025, 9, 8), ("left_behind", "6-11", 40))
    _served(v1, "left_behind", 35, 35)
    _served(v2, "left_behind", 15, 5)
    _served(v1, "orphan", 6, 6)
    _served(v3, "left_behind", 25, 20)
    _served(v3, "disability", 8, 8)
    _served(v4, "poor_family", 60, 60)
    return {"venues": (v1, v2, v3, v4), "townships": (t1, t2)}


def _rows(group, key):
    """The table's rows by their first column; districts under both their name and their
    name in the active language (the table shows one of them)."""
    from places.models import District

    table = next(t for t in group.tables if t.key == key)
    rows = {row[table.columns[0].key]: row for row in table.rows}
    for district in District.objects.all():
        for one, other in ((district.name, district.label), (district.label, district.name)):
            if one in rows:
                rows.setdefault(other, rows[one])
    return rows, table


def _headlines(group):
    return {h.key: h.value for h in group.headlines}


def test_the_arithmetic_by_bucket(world, district, other_district):
    result = year_coverage(2026, [district.pk, other_district.pk], until=D(2026, 11, 1))
    assert result.by_district("register") == {district.pk: 100, other_district.pk: 50}
    assert result.by_district("counted") == {district.pk: 62, other_district.pk: 30}
    assert result.by_district("returned") == {district.pk: 89, other_district.pk: 60}
    assert result.coverage == Decimal("61.3")


def test_the_figure_group_by_district_and_category(world, period):
    group = selectors.coverage(Scope(period))
    rows, table = _rows(group, "coverage_by_district")
    gaochang, shanshan = rows["Gaochang District"], rows["Shanshan County"]
    assert (gaochang["register"], gaochang["returned"], gaochang["counted"]) == (100, 89, 62)
    assert gaochang["coverage"] == Decimal("62.0") and shanshan["coverage"] == Decimal("60.0")
    assert table.total["coverage"] == Decimal("61.3") and table.total["returned"] == 149
    headlines = _headlines(group)
    assert headlines["coverage"] == Decimal("61.3")
    assert (headlines["children_reached"], headlines["children_known"]) == (92, 150)
    assert headlines["target_progress"] == 92
    by_category, _table = _rows(group, "coverage_by_category")
    assert by_category["Left-behind children"]["counted"] == 50  # 40 + 10
    assert by_category["Category not given"]["register"] == 50
    # The returns beyond the caps are said, not hidden.
    assert any(
        "Gaochang District" in line and "89" in line and "62" in line for line in group.highlights
    )


def test_coverage_never_reads_above_100_percent(world, period, district):
    v1 = world["venues"][0]
    ChildrenServed.objects.filter(venue=v1, category="left_behind").update(
        children=5000, new_children=5000
    )
    _verified(v1, D(2026, 10, 2), ("left_behind", "6-11", 9000))
    group = selectors.coverage(Scope(period, district))
    (row,) = group.tables[0].rows
    # G/T1 left-behind is capped at its register (40): still 62 of 100.
    assert row["counted"] == 62 and row["coverage"] == Decimal("62.0")
    assert row["returned"] == 5000 + 15 + 6 + 25 + 8


def test_a_district_scope_counts_its_own(world, period, other_district):
    group = selectors.coverage(Scope(period, other_district))
    assert len(group.tables[0].rows) == 1
    assert "Shanshan County" in _rows(group, "coverage_by_district")[0]
    assert _headlines(group)["coverage"] == Decimal("60.0")


def test_sessions_after_the_month_do_not_count_yet(world, district, other_district):
    # Until 1 June: V3's June session is not yet held, so its returns count nothing yet.
    result = year_coverage(2026, [district.pk], until=D(2026, 6, 1))
    assert result.by_district("counted") == {district.pk: 40 + 4 + 0 + 0}


def test_a_district_uses_its_latest_register(world, other_district, district):
    RegisterCount.objects.filter(district=other_district).update(year=2025)
    result = year_coverage(2026, [other_district.pk], until=D(2026, 11, 1))
    assert result.register_year == {other_district.pk: 2025}
    assert result.by_district("counted") == {other_district.pk: 30}


def test_a_return_without_a_register_is_reported_not_counted(world, period, other_district):
    RegisterCount.objects.filter(district=other_district).delete()
    group = selectors.coverage(Scope(period, other_district))
    (row,) = group.tables[0].rows
    assert (row["register"], row["counted"], row["returned"], row["coverage"]) == (
        None,
        0,
        60,
        None,
    )
    assert row["status"] == "No register entered"


def test_progress_toward_the_target_adds_each_years_new_children(world, district, other_district):
    ids = [district.pk, other_district.pk]
    progress = programme_progress(2026, ids, until=D(2026, 11, 1))
    assert (progress.target.children, progress.target.first_year, progress.reached) == (
        4000,
        2026,
        92,
    )
    assert progress.percent == Decimal("2.3")
    v1 = world["venues"][0]
    CoverageTarget.objects.create(first_year=2025, years=5, children=100, coverage_percent=60)
    _register(district, "left_behind", 40, world["townships"][0], year=2025)
    _served(v1, "left_behind", 30, 30, year=2025)
    progress = programme_progress(2026, ids, until=D(2026, 11, 1))
    assert progress.reached == 30 + 92 and progress.percent == Decimal(100)


def test_the_configured_target_decides_met(world, period):
    CoverageTarget.objects.create(first_year=2026, years=5, children=4000, coverage_percent=60)
    group = selectors.coverage(Scope(period))
    rows, _table = _rows(group, "coverage_by_district")
    assert (
        rows["Gaochang District"]["status"] == "Target met"
        and rows["Shanshan County"]["status"] == "Target met"
    )
    assert _headlines(group)["districts_on_target"] == 2


def test_the_group_reads_in_a_fixed_number_of_queries(world, period, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        selectors.coverage(Scope(period))
