"""Inspections and corrective actions: the leading group records them, owners submit
evidence, inspectors verify; deadlines read against a clock set by hand; who sees what."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from audit.models import AuditLog
from supervision import selectors, services
from supervision.models import ActionState, CorrectiveAction, Inspection

from .conftest import TODAY

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


# --- recording ------------------------------------------------------------------------------


def test_the_leading_group_records_an_inspection_of_a_unit(inspection, leading_group, unit):
    assert inspection.district_id == unit.district_id and inspection.unit == unit
    assert list(inspection.inspectors.all()) == [leading_group]
    assert AuditLog.objects.filter(action="supervision.inspection.record").count() == 1


@pytest.mark.parametrize("who", ["supervisor", "district_coordinator", "administrator"])
def test_only_the_leading_group_records(request, who, district):
    with pytest.raises(PermissionDenied):
        services.record_inspection(
            actor=request.getfixturevalue(who), date=TODAY, district=district
        )
    assert not Inspection.objects.exists()


def test_an_action_owner_must_be_a_coordinator_or_a_reporter(
    inspection, leading_group, trainee, reporter, other_district_coordinator
):
    for outsider in (trainee, other_district_coordinator):
        with pytest.raises(ValidationError) as caught:
            services.add_finding(
                actor=leading_group,
                inspection=inspection,
                text="台账缺页。",
                required="补齐台账。",
                owner=outsider,
                deadline=TODAY + DAY,
            )
        assert "owner" in caught.value.message_dict
    finding = services.add_finding(
        actor=leading_group,
        inspection=inspection,
        text="台账缺页。",
        required="补齐台账。",
        owner=reporter,
        deadline=TODAY + DAY,
    )
    assert finding.corrective_action.owner == reporter


def test_a_finding_without_an_action_and_half_an_action_refused(inspection, leading_group):
    finding = services.add_finding(actor=leading_group, inspection=inspection, text="总体良好。")
    assert not CorrectiveAction.objects.filter(finding=finding).exists()
    with pytest.raises(ValidationError) as caught:
        services.add_finding(
            actor=leading_group, inspection=inspection, text="缺记录。", required="补记录。"
        )
    assert {"owner", "deadline"} <= set(caught.value.message_dict)


# --- deadlines (the clock set by hand) ---------------------------------------------------------


def test_an_action_is_overdue_the_day_after_its_deadline_until_verified(
    action, clock, district_coordinator, leading_group
):
    deadline = action.deadline  # TODAY + 7
    assert not action.is_overdue()
    clock.advance(days=7)  # the deadline itself: not yet overdue
    assert not CorrectiveAction.objects.overdue().exists()
    clock.advance(days=1)
    assert list(CorrectiveAction.objects.overdue()) == [action]
    assert selectors.overdue_count(district_coordinator) == 1
    # Evidence waiting for the inspector does not stop the clock…
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐记录。")
    assert CorrectiveAction.objects.overdue().count() == 1
    # …the verification does.
    services.verify_action(actor=leading_group, action=action, accept=True)
    assert not CorrectiveAction.objects.overdue().exists()
    action.refresh_from_db()
    assert action.deadline == deadline and action.state == ActionState.VERIFIED
    late = AuditLog.objects.get(action="supervision.action.evidence")
    assert late.changes["late"] is True


def test_the_report_counts_overdue_as_of_the_months_end(
    action, clock, district_coordinator, leading_group, district
):
    from reports.periods import Period

    march = Period.parse("2026-03")
    counts = selectors.action_counts(march.start_at, march.end_at)
    # 10 March, the month running: set and open, not yet overdue (due 17 March).
    assert (counts.set_in_period, counts.open, counts.overdue) == (1, 1, 0)
    clock.now = datetime.datetime(2026, 4, 3, 2, 0, tzinfo=datetime.UTC)
    assert selectors.action_counts(march.start_at, march.end_at).overdue == 1
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐。")
    services.verify_action(actor=leading_group, action=action, accept=True)
    # March still reads the same afterwards; April has it verified.
    assert selectors.action_counts(march.start_at, march.end_at).overdue == 1
    april = Period.parse("2026-04")
    later = selectors.action_counts(april.start_at, april.end_at)
    assert (later.overdue, later.verified_in_period, later.by_district[district.pk]["open"]) == (
        0,
        1,
        0,
    )


def test_a_deadline_before_the_inspection_is_refused(
    inspection, leading_group, district_coordinator
):
    with pytest.raises(ValidationError) as caught:
        services.add_finding(
            actor=leading_group,
            inspection=inspection,
            text="缺记录。",
            required="补记录。",
            owner=district_coordinator,
            deadline=TODAY - DAY,
        )
    assert "deadline" in caught.value.message_dict


# --- evidence and verification ------------------------------------------------------------------


def test_evidence_then_a_return_then_verification(action, district_coordinator, leading_group):
    services.submit_evidence(
        actor=district_coordinator, action=action, note="已整理记录。", upload=_png()
    )
    action.refresh_from_db()
    assert action.state == ActionState.SUBMITTED and action.evidence_content_type == "image/png"
    with pytest.raises(ValidationError):
        services.verify_action(actor=leading_group, action=action, accept=False, note="")
    services.verify_action(actor=leading_group, action=action, accept=False, note="缺少签到目录。")
    action.refresh_from_db()
    assert action.state == ActionState.OPEN and action.returned_at is not None
    services.submit_evidence(actor=district_coordinator, action=action, note="已补签到目录。")
    services.verify_action(actor=leading_group, action=action, accept=True, note="")
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED and action.verified_by == leading_group


def test_only_an_inspector_verifies_and_only_the_owner_side_submits(
    action, district_coordinator, other_leader, other_district_coordinator, trainee
):
    for someone in (other_district_coordinator, trainee):
        with pytest.raises(PermissionDenied):
            services.submit_evidence(actor=someone, action=action, note="完成")
    services.submit_evidence(actor=district_coordinator, action=action, note="完成")
    for someone in (other_leader, district_coordinator):
        with pytest.raises(PermissionDenied):
            services.verify_action(actor=someone, action=action, accept=True)


def test_evidence_that_is_not_a_photo_or_pdf_is_refused(action, district_coordinator):
    upload = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        services.submit_evidence(
            actor=district_coordinator, action=action, note="完成", upload=upload
        )
    assert "file" in caught.value.message_dict
    action.refresh_from_db()
    assert action.state == ActionState.OPEN


# --- who sees what: pages and API ---------------------------------------------------------------


def test_the_coordinators_overdue_list_shows_their_district_only(
    action, clock, district_coordinator, other_district_coordinator
):
    clock.advance(days=8)
    mine = _client(district_coordinator).get("/supervision/actions/?overdue=1")
    assert mine.status_code == 200 and f"/supervision/actions/{action.pk}/" in mine.content.decode()
    theirs = _client(other_district_coordinator).get("/supervision/actions/?overdue=1")
    assert f"/supervision/actions/{action.pk}/" not in theirs.content.decode()
    assert (
        _client(other_district_coordinator).get(f"/supervision/actions/{action.pk}/").status_code
        == 404
    )
    hub = _client(district_coordinator).get("/supervision/").content.decode()
    assert 'data-testid="overdue-count"' in hub


def test_the_evidence_file_is_served_only_to_those_who_see_the_action(
    action, district_coordinator, other_district_coordinator, trainee
):
    services.submit_evidence(actor=district_coordinator, action=action, note="完成", upload=_png())
    ok = _client(district_coordinator).get(f"/supervision/actions/{action.pk}/file/")
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    assert ok["X-Content-Type-Options"] == "nosniff"
    for someone in (other_district_coordinator, trainee):
        assert _client(someone).get(f"/supervision/actions/{action.pk}/file/").status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "district_coordinator", "trainee"])
def test_others_cannot_open_the_inspection_form(request, who):
    assert (
        _client(request.getfixturevalue(who)).get("/supervision/inspections/new/").status_code
        == 403
    )


def test_the_inspection_form_keeps_what_was_typed(leading_group):
    typed = "访谈了张伟同学的家长。"
    response = _client(leading_group).post(
        "/supervision/inspections/new/", {"date": "2026-03-10", "summary": typed}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert typed in page and "district" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_findings_through_the_page_and_a_refusal_for_a_coordinator(
    inspection, leading_group, district_coordinator
):
    data = {
        "text": "宣传材料未归档。",
        "required": "建立宣传台账。",
        "owner": district_coordinator.pk,
        "deadline": "2026-03-20",
    }
    assert (
        _client(district_coordinator)
        .post(f"/supervision/inspections/{inspection.pk}/findings/", data)
        .status_code
        == 403
    )
    response = _client(leading_group).post(
        f"/supervision/inspections/{inspection.pk}/findings/", data
    )
    assert response.status_code == 302
    assert CorrectiveAction.objects.get().deadline == datetime.date(2026, 3, 20)


def test_the_api_lists_overdue_and_refuses_a_coordinators_verification(
    api_client, action, clock, district_coordinator, leading_group
):
    clock.advance(days=8)
    listed = api_client.as_user(district_coordinator).get(
        "/api/v1/supervision/actions?overdue=true"
    )
    assert listed.status_code == 200 and [a["id"] for a in listed.json()] == [action.pk]
    assert listed.json()[0]["overdue"] is True
    services.submit_evidence(actor=district_coordinator, action=action, note="完成")
    refused = api_client.as_user(district_coordinator).post(
        f"/api/v1/supervision/actions/{action.pk}/verify",
        {"accept": True},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_the_api_records_an_inspection_for_the_leading_group_only(
    api_client, leading_group, district_coordinator, district
):
    body = {"date": "2026-03-10", "district_id": district.pk}
    assert (
        api_client.as_user(district_coordinator)
        .post("/api/v1/supervision/inspections", body, content_type="application/json")
        .status_code
        == 403
    )
    created = api_client.as_user(leading_group).post(
        "/api/v1/supervision/inspections", body, content_type="application/json"
    )
    assert created.status_code == 201, created.content


def test_the_action_list_reads_in_a_fixed_number_of_queries(
    inspection, leading_group, district_coordinator, django_assert_max_num_queries
):
    for n in range(6):
        services.add_finding(
            actor=leading_group,
            inspection=inspection,
            text=f"问题{n}。",
            required="整改。",
            owner=district_coordinator,
            deadline=TODAY + DAY * n,
        )
    client = _client(district_coordinator)
    client.get("/supervision/actions/")
    with django_assert_max_num_queries(10):
        response = client.get("/supervision/actions/")
    assert response.content.decode().count('data-testid="action-state"') == 6


def test_the_coordinators_dashboard_shows_the_overdue_panel(
    action, clock, district_coordinator, other_district_coordinator
):
    assert (
        'data-testid="overdue-action"'
        not in _client(district_coordinator).get("/dashboard/").content.decode()
    )
    clock.advance(days=9)
    page = _client(district_coordinator).get("/dashboard/").content.decode()
    assert 'data-testid="overdue-action"' in page and f"/supervision/actions/{action.pk}/" in page
    assert "2 days late" in page
    other = _client(other_district_coordinator).get("/dashboard/").content.decode()
    assert 'data-testid="overdue-action"' not in other
