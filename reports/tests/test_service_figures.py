"""Person-times, sessions and the lecturer corps against a fixture counted by hand (coverage:
test_coverage_figures.py).

October 2026, Gaochang (高昌区) and Shanshan (鄯善县):

| request | venue (district, type) | topic        | date  | state     | verified reports (counts)            |
| R1      | school G               | child_01     | 10-10 | verified  | L1: children 30, teachers 2, others 1 |
| R2      | community G            | caregiver_01 | 10-15 | verified  | L1: caregivers 20; L2: caregivers 15  |
| R3      | farm S                 | child_02     | 10-20 | delivered | (L2 filed 40 children, not verified)  |
| R4      | school G               | child_03     | 10-25 | confirmed | —                                     |
| R5      | farm S                 | child_01     | 10-05 | cancelled | —                                     |
| R6      | school G               | child_01     | 09-12 | verified  | L1: children 25 (September)           |
| R7      | farm S                 | child_01     | 11-03 | verified  | L2: children 10 (November)            |
| R8      | community G            | caregiver_01 | 10-28 | requested | —                                     |

October person-times: Gaochang children 30 + caregivers 35 + teachers 2 + others 1 = 68
(2 sessions: R1, R2); Shanshan 0. Year to date 68 + 25 = 93.
"""

import datetime as dt

import pytest

from accounts import roles
from lecturer_corps.models import (
    DeliveryReport,
    LecturerProfile,
    RequestStatus,
    SessionStatus,
)
from lecturer_corps.tests.factories import give_certificate, make_request, make_session
from reports import selectors
from reports.periods import Scope
from tests.factories import VenueFactory, make_user

from .conftest import at

D = dt.date
FAR_FUTURE = D(2099, 12, 31)


def _lecturer(district, languages, *, certificate_expires=FAR_FUTURE, active=True):
    user = make_user(roles.LECTURER, roles.TRAINEE, district=district)
    LecturerProfile.objects.create(
        user=user, district=district, languages=languages, topics=["child_01"], is_active=active
    )
    give_certificate(user, "counsellor", expires_on=certificate_expires)
    return user


def _request(venue, topic, day, status, audience=None):
    fields = {"audience": audience} if audience else {}
    service_request = make_request(venue=venue, topic=topic, date=day, **fields)
    service_request.status = status
    service_request.save(update_fields=["status"])
    return service_request


def _report(service_request, lecturer, *, verified=True, **counts):
    session = make_session(
        service_request,
        lecturer,
        status=SessionStatus.VERIFIED if verified else SessionStatus.DELIVERED,
    )
    return DeliveryReport.objects.create(
        session=session,
        filed_by=lecturer,
        actual_minutes=90,
        verified_at=at(2026, 11, 1) if verified else None,
        **counts,
    )


@pytest.fixture
def corps(district, other_district):
    school = VenueFactory(district=district, venue_type="school", capacity=200)
    community = VenueFactory(district=district, venue_type="community", capacity=200)
    farm = VenueFactory(district=other_district, venue_type="farm", capacity=200)
    l1 = _lecturer(district, ["zh", "ug"])
    l2 = _lecturer(other_district, ["zh"])
    _lecturer(district, ["ug"], certificate_expires=D(2026, 9, 30))  # L3: lapsed
    _lecturer(district, ["zh"], active=False)  # L4: paused
    _lecturer(other_district, ["ug"])  # L5: certified, no session
    r1 = _request(school, "child_01", D(2026, 10, 10), RequestStatus.VERIFIED)
    _report(r1, l1, children_count=30, teachers_count=2, others_count=1)
    r2 = _request(community, "caregiver_01", D(2026, 10, 15), RequestStatus.VERIFIED)
    _report(r2, l1, caregivers_count=20)
    _report(r2, l2, caregivers_count=15)
    r3 = _request(farm, "child_02", D(2026, 10, 20), RequestStatus.DELIVERED)
    _report(r3, l2, verified=False, children_count=40)
    r4 = _request(school, "child_03", D(2026, 10, 25), RequestStatus.CONFIRMED)
    make_session(r4, l1, status=SessionStatus.CONFIRMED)
    _request(farm, "child_01", D(2026, 10, 5), RequestStatus.CANCELLED)
    r6 = _request(school, "child_01", D(2026, 9, 12), RequestStatus.VERIFIED)
    _report(r6, l1, children_count=25)
    r7 = _request(farm, "child_01", D(2026, 11, 3), RequestStatus.VERIFIED)
    _report(r7, l2, children_count=10)
    _request(community, "caregiver_01", D(2026, 10, 28), RequestStatus.REQUESTED)


def _table(group, key):
    return next(t for t in group.tables if t.key == key)


def _rows(table):
    label = table.columns[0].key
    return {row[label]: row for row in table.rows}


def _headlines(group):
    return {h.key: h.value for h in group.headlines}


def test_person_times_by_audience_and_district(corps, period):
    group = selectors.person_times(Scope(period))
    rows = _rows(_table(group, "person_times_by_district"))
    gaochang = rows["高昌区"]
    assert (
        gaochang["children"],
        gaochang["caregivers"],
        gaochang["teachers"],
        gaochang["others"],
    ) == (
        30,
        35,
        2,
        1,
    )
    assert (gaochang["total"], gaochang["sessions"]) == (68, 2)
    assert rows["鄯善县"]["total"] == 0
    assert _headlines(group) == {
        "person_times": 68,
        "children": 30,
        "sessions": 2,
        "year_to_date": 93,
    }


def test_person_times_by_venue_type_and_topic(corps, period):
    group = selectors.person_times(Scope(period))
    by_type = _rows(_table(group, "person_times_by_venue_type"))
    assert (by_type["School"]["total"], by_type["School"]["children"]) == (33, 30)
    assert (by_type["Community"]["total"], by_type["Community"]["sessions"]) == (35, 1)
    assert by_type["Farm"]["total"] == by_type["Township"]["total"] == 0
    by_topic = _rows(_table(group, "person_times_by_topic"))
    assert {title: row["total"] for title, row in by_topic.items()} == {
        "我是有能力的小公民": 33,
        "把爱带回家，了解你的孩子": 35,
    }


def test_person_times_trend_by_month(corps, period):
    months = _rows(_table(selectors.person_times(Scope(period)), "person_times_by_month"))
    assert (months["2026-10"]["total"], months["2026-10"]["children"]) == (68, 30)
    assert months["2026-09"]["total"] == 25
    assert sum(row["total"] for row in months.values()) == 93
    assert "2026-11" not in months


def test_person_times_for_shanshan_only(corps, period, other_district):
    group = selectors.person_times(Scope(period, other_district))
    assert _headlines(group)["person_times"] == 0
    assert list(_rows(_table(group, "person_times_by_district"))) == ["鄯善县"]


def test_sessions_by_stage_and_district(corps, period):
    group = selectors.sessions(Scope(period))
    rows = _rows(_table(group, "sessions_by_district"))
    assert {
        k: rows["高昌区"][k]
        for k in ("requested", "assigned", "delivered", "verified", "cancelled")
    } == {
        "requested": 4,
        "assigned": 3,
        "delivered": 2,
        "verified": 2,
        "cancelled": 0,
    }
    assert {
        k: rows["鄯善县"][k]
        for k in ("requested", "assigned", "delivered", "verified", "cancelled")
    } == {
        "requested": 1,
        "assigned": 1,
        "delivered": 1,
        "verified": 0,
        "cancelled": 1,
    }
    assert _headlines(group) == {"requested": 5, "delivered": 3, "verified": 2}


def test_lecturer_corps_by_district_and_language(corps, period):
    group = selectors.lecturer_corps(Scope(period))
    rows = _rows(_table(group, "lecturers_by_district"))
    assert {k: rows["高昌区"][k] for k in ("members", "mandarin", "uyghur", "both", "active")} == {
        "members": 1,
        "mandarin": 1,
        "uyghur": 1,
        "both": 1,
        "active": 1,
    }
    assert {k: rows["鄯善县"][k] for k in ("members", "mandarin", "uyghur", "both", "active")} == {
        "members": 2,
        "mandarin": 1,
        "uyghur": 1,
        "both": 0,
        "active": 1,
    }


def test_district_coordinator_scope_hides_other_districts(corps, period, district):
    for build in (selectors.sessions, selectors.lecturer_corps, selectors.coverage):
        group = build(Scope(period, district))
        for table in group.tables:
            labels = [row[table.columns[0].key] for row in table.rows]
            assert "鄯善县" not in labels
