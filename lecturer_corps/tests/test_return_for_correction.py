"""A coordinator returns a delivery report to its lecturer for correction; the lecturer
corrects it and files it again."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from lecturer_corps import delivery, selectors
from lecturer_corps.models import (
    Notification,
    ReportState,
    RequestStatus,
    SessionStatus,
    VenueConfirmation,
    VenueContact,
)
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session

pytestmark = pytest.mark.django_db

NAMED = "辅导对象：刘子涵，女，10岁，电话13899123456"


@pytest.fixture
def report(venue):
    VenueContact.objects.create(venue=venue, name="王校长", email="head@school.example")
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    request = make_request(venue=venue, date=yesterday, status=RequestStatus.CONFIRMED)
    session = make_session(request, profile.user)
    return delivery.file_delivery_report(
        actor=profile.user,
        session=session,
        child_counts={("orphan", "6-11"): 4, ("other", "6-11"): 12},
        caregivers_count=3,
        actual_minutes=90,
        notes="活动顺利",
    )


def _return(report, actor, reason="请核对人数"):
    return delivery.return_delivery_report(actor=actor, report=report, reason=reason)


def test_the_coordinator_returns_a_report_with_a_reason(report, coordinator):
    _return(report, coordinator, "备注里有孩子的名字，请删去")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert report.return_reason == "备注里有孩子的名字，请删去"
    entry = AuditLog.objects.get(action="lecturer_corps.report.return")
    assert entry.changes["from_state"] == "filed"
    lecturer = report.session.lecturer
    notice = Notification.objects.get(user=lecturer, kind="report_returned")
    assert notice.url == reverse("lecturer_corps:report_create", args=[report.session_id])
    # Open links to the venue stop working, and it cannot be verified while returned.
    assert not VenueConfirmation.objects.filter(withdrawn_at__isnull=True).exists()
    with pytest.raises(ValidationError, match="back with its lecturer"):
        delivery.verify_delivery_report(actor=coordinator, report=report)


def test_returning_needs_a_reason_a_scope_and_someone_else(
    report, coordinator, other_district_coordinator
):
    with pytest.raises(ValidationError):
        _return(report, coordinator, "   ")
    with pytest.raises(PermissionDenied):
        _return(report, other_district_coordinator)
    with pytest.raises(PermissionDenied):
        _return(report, report.session.lecturer)
    report.refresh_from_db()
    assert report.state == ReportState.FILED
    assert not AuditLog.objects.filter(action="lecturer_corps.report.return").exists()


def test_a_reason_naming_a_child_is_refused(report, coordinator):
    with pytest.raises(ValidationError):
        _return(report, coordinator, NAMED)


def test_a_verified_report_returned_stops_counting_until_verified_again(report, coordinator):
    delivery.verify_delivery_report(actor=coordinator, report=report)
    assert selectors.person_times()["total"] == 19
    _return(report, coordinator)
    report.refresh_from_db()
    report.session.refresh_from_db()
    assert report.verified_at is None and report.session.status == SessionStatus.DELIVERED
    assert selectors.person_times()["total"] == 0
    with pytest.raises(ValidationError, match="already back"):
        _return(report, coordinator)


def test_the_lecturer_corrects_and_files_again_with_new_links(
    client, report, coordinator, django_capture_on_commit_callbacks
):
    _return(report, coordinator)
    lecturer = report.session.lecturer
    client.force_login(lecturer)
    listed = client.get(reverse("lecturer_corps:my_sessions")).content.decode()
    assert "Correct the delivery report" in listed
    url = reverse("lecturer_corps:report_create", args=[report.session_id])
    form = client.get(url)
    assert form.context["form"]["children_orphan_6_11"].value() == 4  # the stored counts
    assert "请核对人数" in form.content.decode()
    old_link = VenueConfirmation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"children_orphan_6_11": "4", "children_other_6_11": "10", "caregivers_count": "3"}
            | {"actual_minutes": "90", "notes": "活动顺利，人数已核对"},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.FILED and report.revision == 2
    assert report.children_count == 14 and report.return_reason == ""
    old_link.refresh_from_db()
    assert old_link.withdrawn_at is not None
    new_link = VenueConfirmation.objects.exclude(pk=old_link.pk).get()
    assert new_link.revision == 2
    assert AuditLog.objects.get(action="lecturer_corps.report.correct").changes["revision"] == 2
    # The earlier revision's link cannot confirm the corrected counts.
    old_token = delivery.confirmation_tokens().make(c=old_link.pk, n=old_link.nonce)
    with pytest.raises(delivery.ConfirmationRefused) as refused:
        delivery.confirm_by_venue(token=old_token)
    assert refused.value.code == "withdrawn"


def test_the_correction_form_keeps_what_was_typed_when_refused(client, report, coordinator):
    _return(report, coordinator)
    client.force_login(report.session.lecturer)
    url = reverse("lecturer_corps:report_create", args=[report.session_id])
    response = client.post(
        url, {"children_other_6_11": "70", "actual_minutes": "90", "notes": "人数很多"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "holds at most 60" in page
    assert 'value="70"' in page and "人数很多" in page
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED


def test_only_a_returned_report_is_corrected_and_only_by_its_lecturer(report, coordinator):
    counts = {"child_counts": {("other", "6-11"): 5}, "actual_minutes": 60}
    with pytest.raises(ValidationError, match="Only a report returned"):
        delivery.correct_delivery_report(actor=report.session.lecturer, report=report, **counts)
    _return(report, coordinator)
    with pytest.raises(PermissionDenied):
        delivery.correct_delivery_report(actor=make_lecturer().user, report=report, **counts)


def test_the_coordinator_returns_on_the_page(client, report, coordinator):
    client.force_login(coordinator)
    url = reverse("lecturer_corps:report_return", args=[report.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400
    response = client.post(url, {"reason": "请核对人数"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
