"""Practicum figures against a fixture counted by hand (October 2026; measured at 1 November 00:00).

| entry | trainee  | date  | activity   | minutes | state (submitted / reviewed)          |
| E1    | Gaochang | 10-03 | group      | 120     | approved (10-05)                      |
| E2    | Gaochang | 10-10 | one-on-one | 60      | approved (10-12)                      |
| E3    | Gaochang | 10-20 | one-on-one | 60      | submitted 10-29 → waiting 2 days      |
| E4    | Gaochang | 10-02 | group      | 90      | draft (not logged)                    |
| E5    | Shanshan | 10-05 | group      | 180     | submitted 10-10 → waiting 21 days     |
| E6    | Shanshan | 10-08 | group      | 30      | returned 10-15                        |
| E7    | Gaochang | 09-28 | group      | 60      | submitted 10-20, approved 11-05 → waiting 11 days at the end of October |
| E8    | Shanshan | 11-02 | group      | 60      | approved (November)                   |
"""

import datetime as dt

import pytest

from accounts import roles
from courses.tests import factories as course_factories
from practicum.models import (
    ActivityMinimum,
    CompetencyEvaluation,
    EntryState,
    EvaluationStage,
    PracticumRequirement,
)
from practicum.tests.factories import EntryFactory, PlacementFactory, activity
from reports import selectors
from reports.periods import Scope
from tests.factories import make_user

from .conftest import at

D = dt.date
APPROVED, SUBMITTED, RETURNED, DRAFT = (
    EntryState.APPROVED,
    EntryState.SUBMITTED,
    EntryState.RETURNED,
    EntryState.DRAFT,
)


def _entry(placement, day, code, minutes, state, submitted=None, reviewed=None, **counts):
    return EntryFactory(
        placement=placement,
        date=day,
        activity_type=activity(code),
        minutes=minutes,
        state=state,
        submitted_at=submitted,
        reviewed_at=reviewed,
        children_6_11=counts.get("children", 0),
    )


@pytest.fixture
def entries(district, other_district):
    local = PlacementFactory(trainee=make_user(roles.TRAINEE, district=district))
    remote = PlacementFactory(trainee=make_user(roles.TRAINEE, district=other_district))
    g, one = "group_counselling", "individual_counselling"
    _entry(local, D(2026, 10, 3), g, 120, APPROVED, at(2026, 10, 4), at(2026, 10, 5), children=10)
    _entry(
        local, D(2026, 10, 10), one, 60, APPROVED, at(2026, 10, 11), at(2026, 10, 12), children=1
    )
    _entry(local, D(2026, 10, 20), one, 60, SUBMITTED, at(2026, 10, 29))
    _entry(local, D(2026, 10, 2), g, 90, DRAFT)
    _entry(remote, D(2026, 10, 5), g, 180, SUBMITTED, at(2026, 10, 10))
    _entry(remote, D(2026, 10, 8), g, 30, RETURNED, at(2026, 10, 9), at(2026, 10, 15))
    _entry(local, D(2026, 9, 28), g, 60, APPROVED, at(2026, 10, 20), at(2026, 11, 5))
    _entry(remote, D(2026, 11, 2), g, 60, APPROVED, at(2026, 11, 3), at(2026, 11, 4))


def _table(group, key):
    return next(t for t in group.tables if t.key == key)


def _rows(table):
    label = table.columns[0].key
    return {row[label]: row for row in table.rows}


KEYS = ("entries", "logged", "approved", "direct", "waiting", "waiting_7", "waiting_14", "oldest")


def _values(row):
    return tuple(float(row[k]) if row[k] is not None else None for k in KEYS)


def test_hours_and_reviews_by_district(entries, period):
    group = selectors.practicum(Scope(period))
    rows = _rows(_table(group, "practicum_by_district"))
    assert _values(rows["高昌区"]) == (3, 4.0, 3.0, 3.0, 2, 1, 0, 11)
    assert _values(rows["鄯善县"]) == (2, 3.5, 0.0, 0.0, 1, 1, 1, 21)
    assert _values(_table(group, "practicum_by_district").total) == (5, 7.5, 3.0, 3.0, 3, 2, 1, 21)


def test_headlines_count_one_on_one_counselling(entries, period):
    headlines = {h.key: h.value for h in selectors.practicum(Scope(period)).headlines}
    assert float(headlines["approved_hours"]) == 3.0
    assert float(headlines["logged_hours"]) == 7.5
    assert headlines["one_on_one"] == 1
    assert headlines["waiting"] == 3 and headlines["oldest"] == 21


def test_hours_by_activity_type(entries, period):
    with_label = _rows(_table(selectors.practicum(Scope(period)), "practicum_by_activity"))
    group, one = with_label["Group counselling"], with_label["One-on-one counselling"]
    assert (group["entries"], float(group["logged"]), group["approved_entries"]) == (3, 5.5, 1)
    assert (float(group["approved"]), group["served"]) == (2.0, 10)
    assert (one["entries"], float(one["logged"]), float(one["approved"]), one["served"]) == (
        2,
        2.0,
        1.0,
        1,
    )


def test_waiting_by_age(entries, period):
    rows = _table(selectors.practicum(Scope(period)), "practicum_waiting_age").rows
    assert [row["entries"] for row in rows] == [1, 1, 1]


def test_practicum_in_one_district(entries, period, district):
    group = selectors.practicum(Scope(period, district))
    assert list(_rows(_table(group, "practicum_by_district"))) == ["高昌区"]
    assert {h.key: h.value for h in group.headlines}["waiting"] == 2


@pytest.fixture
def small_requirement(db):
    """Counsellor practicum shrunk to 3 h (2 direct, 1 supervision, 1 one-on-one)."""
    requirement = PracticumRequirement.objects.get(qualification="counsellor")
    requirement.total_hours, requirement.min_direct_hours, requirement.min_supervision_hours = (
        3,
        2,
        1,
    )
    requirement.save()
    ActivityMinimum.objects.filter(requirement=requirement).delete()
    ActivityMinimum.objects.create(
        requirement=requirement, activity_type=activity("individual_counselling"), min_hours=1
    )


def _complete_hours(placement, reviewed):
    for code in ("individual_counselling", "group_counselling", "supervision"):
        _entry(placement, D(2026, 9, 1), code, 60, APPROVED, reviewed, reviewed)


def _final(placement, signed, passed=True):
    CompetencyEvaluation.objects.create(
        placement=placement,
        trainee=placement.trainee,
        supervisor=placement.supervisor,
        qualification=placement.qualification,
        stage=EvaluationStage.FINAL,
        signed_at=signed,
        signed_name="督导",
        passed=passed,
    )


def test_funnel_counts_practicum_complete_only_with_hours_and_final_evaluation(
    small_requirement, district, period
):
    course = course_factories.course(modules=())  # a counsellor course to enrol in
    placements = []
    for _ in range(4):
        trainee = make_user(roles.TRAINEE, district=district, date_joined=at(2026, 1, 1))
        from courses.models import Enrolment

        Enrolment.objects.create(user=trainee, course=course, enrolled_at=at(2026, 2, 1))
        placements.append(PlacementFactory(trainee=trainee))
    complete, late_evaluation, short_hours, failed = placements
    _complete_hours(complete, at(2026, 9, 10))
    _final(complete, at(2026, 10, 25))
    _complete_hours(late_evaluation, at(2026, 9, 10))
    _final(late_evaluation, at(2026, 11, 2))  # after October
    _entry(
        short_hours,
        D(2026, 9, 1),
        "group_counselling",
        120,
        APPROVED,
        at(2026, 9, 2),
        at(2026, 9, 2),
    )
    _final(short_hours, at(2026, 10, 25))
    _complete_hours(failed, at(2026, 9, 10))
    _final(failed, at(2026, 10, 25), passed=False)
    rows = _rows(_table(selectors.training_funnel(Scope(period)), "funnel_by_programme"))
    assert rows["Enrolled"]["counsellor"] == 4
    assert rows["Practicum complete"]["counsellor"] == 1
