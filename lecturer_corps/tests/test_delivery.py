"""Delivery reports: who, when, counts by group and age band (no names, no photo);
verification feeds renewal and person-times."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lecturer_corps import delivery, selectors
from lecturer_corps.models import (
    ChildAttendance,
    DeliveryReport,
    ReportState,
    RequestStatus,
    SessionStatus,
)
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session

pytestmark = pytest.mark.django_db

# 18 children: 5 left behind and 3 orphans aged 6–11, 2 with disabilities aged 12–17,
# 8 other children aged 6–11.
CHILDREN = {
    ("left_behind", "6-11"): 5,
    ("orphan", "6-11"): 3,
    ("disability", "12-17"): 2,
    ("other", "6-11"): 8,
}


@pytest.fixture
def ended(venue):
    """A confirmed session that ended yesterday, and its lecturer."""
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    request = make_request(venue=venue, date=yesterday, status=RequestStatus.CONFIRMED)
    return make_session(request, profile.user)


def _file(session, actor=None, children=None, **counts):
    values = {"caregivers_count": 2, "teachers_count": 1, "others_count": 0, "actual_minutes": 95}
    values.update(counts)
    return delivery.file_delivery_report(
        actor=actor or session.lecturer,
        session=session,
        child_counts=CHILDREN if children is None else children,
        notes="活动顺利",
        **values,
    )


def test_the_lecturer_files_a_report_after_the_session(ended, coordinator):
    report = _file(ended)
    ended.refresh_from_db()
    ended.request.refresh_from_db()
    assert report.children_count == 18
    assert report.children_in_difficulty_count == 10
    assert report.other_children_count == 8
    assert report.person_times == 21
    assert report.state == ReportState.FILED
    assert ended.status == SessionStatus.DELIVERED
    assert ended.request.status == RequestStatus.DELIVERED


def test_children_are_stored_by_group_and_age_band_only_where_counted(ended):
    report = _file(ended, children={**CHILDREN, ("illness", "0-5"): 0})
    stored = {(r.group, r.age_band): r.count for r in ChildAttendance.objects.filter(report=report)}
    assert stored == CHILDREN
    table = report.child_count_table()
    assert [row["group"] for row in table] == ["orphan", "disability", "left_behind", "other"]
    assert table[0]["cells"] == [0, 3, 0] and table[0]["total"] == 3


def test_no_photo_is_asked_for_or_kept(ended):
    report = _file(ended)
    assert not report.sign_in_sheet


def test_an_unknown_group_or_age_band_is_refused(ended):
    with pytest.raises(ValidationError, match="Unknown group or age band"):
        _file(ended, children={("orphan", "7-10"): 3})
    with pytest.raises(ValidationError, match="Unknown group or age band"):
        _file(ended, children={("named_child", "6-11"): 3})
    assert not DeliveryReport.objects.exists()


def test_a_report_before_the_session_ends_is_refused(venue):
    profile = make_lecturer()
    session = make_session(make_request(venue=venue), profile.user)
    with pytest.raises(ValidationError, match="file the report after it"):
        _file(session)
    assert not DeliveryReport.objects.exists()


def test_someone_else_cannot_file_the_report(ended, lecturer):
    with pytest.raises(PermissionDenied):
        _file(ended, actor=lecturer)


def test_negative_counts_are_refused(ended):
    with pytest.raises(ValidationError) as error:
        _file(ended, caregivers_count=-1)
    assert "caregivers_count" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _file(ended, children={("orphan", "0-5"): -2})
    assert "children_orphan_0_5" in error.value.message_dict


def test_counts_beyond_the_venue_capacity_are_refused_with_a_clear_message(ended):
    with pytest.raises(ValidationError, match="holds at most 60"):
        _file(ended, children={("other", "6-11"): 70})


def test_a_report_with_nobody_counted_is_refused(ended):
    with pytest.raises(ValidationError, match="at least one participant"):
        _file(ended, children={}, caregivers_count=0, teachers_count=0)


def test_a_report_cannot_be_filed_twice(ended):
    _file(ended)
    with pytest.raises(ValidationError, match="already been filed"):
        _file(ended)


def test_verification_counts_toward_renewal_and_person_times(ended, coordinator):
    from django.contrib.auth import get_user_model

    from certification.selectors import verified_sessions_delivered

    report = _file(ended)
    lecturer = ended.lecturer
    since = timezone.localdate() - datetime.timedelta(days=30)
    assert selectors.verified_sessions_count([lecturer.pk], since) == {}
    delivery.verify_delivery_report(actor=coordinator, report=report)
    ended.refresh_from_db()
    ended.request.refresh_from_db()
    report.refresh_from_db()
    assert report.state == ReportState.VERIFIED
    assert ended.status == SessionStatus.VERIFIED
    assert ended.request.status == RequestStatus.VERIFIED
    assert selectors.verified_sessions_count([lecturer.pk], since) == {lecturer.pk: 1}
    assert selectors.verified_sessions_count([lecturer.pk], timezone.localdate()) == {}
    users = get_user_model().objects.filter(pk=lecturer.pk)
    window = {lecturer.pk: (since, timezone.localdate())}
    # A children's activity (child_01) counts toward the counsellor's renewal only.
    assert verified_sessions_delivered(users, window, "counsellor") == {lecturer.pk: 1}
    assert verified_sessions_delivered(users, window, "family_educator") == {}
    assert selectors.person_times()["total"] == 21
    assert selectors.person_times()["children"] == 18


def test_an_unverified_report_does_not_count(ended):
    _file(ended)
    assert selectors.person_times()["total"] == 0
    assert selectors.verified_sessions_count([ended.lecturer_id]) == {}


def test_a_coordinator_of_another_district_cannot_verify(ended, other_district_coordinator):
    report = _file(ended)
    with pytest.raises(PermissionDenied):
        delivery.verify_delivery_report(actor=other_district_coordinator, report=report)


def test_a_report_is_verified_once(ended, coordinator):
    report = _file(ended)
    delivery.verify_delivery_report(actor=coordinator, report=report)
    with pytest.raises(ValidationError, match="already verified"):
        delivery.verify_delivery_report(actor=coordinator, report=report)
