"""The talent-pool figures against a fixture counted by hand."""

import pytest

from accounts import roles
from accounts.models import System
from reports import selectors
from reports.periods import Scope
from tests.factories import make_user

from .conftest import at


@pytest.fixture
def people(district, other_district):
    # Gaochang: 2 civil affairs (one new in October 2026), 1 education.
    make_user(
        roles.TRAINEE, district=district, system=System.CIVIL_AFFAIRS, date_joined=at(2026, 3, 1)
    )
    make_user(
        roles.TRAINEE, district=district, system=System.CIVIL_AFFAIRS, date_joined=at(2026, 10, 5)
    )
    make_user(
        roles.TRAINEE, district=district, system=System.EDUCATION, date_joined=at(2026, 9, 30)
    )
    # Shanshan: 1 education, 1 other (new in October).
    make_user(
        roles.TRAINEE, district=other_district, system=System.EDUCATION, date_joined=at(2026, 1, 2)
    )
    make_user(
        roles.TRAINEE,
        district=other_district,
        system=System.OTHER,
        date_joined=at(2026, 10, 31, 23),
    )
    # Not counted: joined after the period, inactive, not a trainee.
    make_user(roles.TRAINEE, district=district, date_joined=at(2026, 11, 1, 0))
    make_user(roles.TRAINEE, district=district, date_joined=at(2026, 2, 1), is_active=False)
    make_user(roles.SUPERVISOR, district=district, date_joined=at(2026, 2, 1))


def _table(group, key):
    return next(t for t in group.tables if t.key == key)


def _row(table, label):
    return next(r for r in table.rows if r[table.columns[0].key] == label)


def test_trainees_are_counted_by_district_and_system(people, period, district, other_district):
    group = selectors.talent_pool(Scope(period))
    table = _table(group, "trainees_by_district")
    gaochang, shanshan = _row(table, "高昌区"), _row(table, "鄯善县")
    assert (gaochang["total"], gaochang["new"]) == (3, 1)
    assert (gaochang["civil_affairs"], gaochang["education"], gaochang["other"]) == (2, 1, 0)
    assert (shanshan["total"], shanshan["new"]) == (2, 1)
    assert (shanshan["civil_affairs"], shanshan["education"], shanshan["other"]) == (0, 1, 1)
    assert table.total["total"] == 5
    headlines = {h.key: h.value for h in group.headlines}
    assert headlines == {"trainees": 5, "new_trainees": 2}


def test_district_scope_counts_only_that_district(people, period, district):
    group = selectors.talent_pool(Scope(period, district))
    table = _table(group, "trainees_by_district")
    assert [r["district"] for r in table.rows] == ["高昌区"]
    assert {h.key: h.value for h in group.headlines} == {"trainees": 3, "new_trainees": 1}


def test_new_trainees_by_month_covers_twelve_months(people, period):
    table = _table(selectors.talent_pool(Scope(period)), "trainees_by_month")
    months = {r["month"]: r["new"] for r in table.rows}
    assert list(months)[0] == "2025-11" and list(months)[-1] == "2026-10"
    assert months["2026-10"] == 2
    assert months["2026-09"] == 1
    assert months["2026-03"] == 1
    assert months["2026-01"] == 1
    assert sum(months.values()) == 5


def test_a_district_with_no_trainees_shows_zeros(period, district, other_district):
    make_user(roles.TRAINEE, district=district, date_joined=at(2026, 5, 1))
    table = _table(selectors.talent_pool(Scope(period)), "trainees_by_district")
    assert _row(table, "鄯善县")["total"] == 0
