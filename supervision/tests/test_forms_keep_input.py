"""Every supervision form refused keeps what was typed (the finding, the evidence, the
verification, the dispute, the sign-off); the record is unchanged."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from supervision import services
from supervision.models import ActionState, AttendanceResponse, Finding, Stage, StageCriterion

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_finding_form_keeps_the_text_when_the_owner_is_missing(inspection, leading_group):
    typed = "宣传台账缺少二月的记录。"
    response = _client(leading_group).post(
        f"/supervision/inspections/{inspection.pk}/findings/",
        {"text": typed, "required": "补齐二月台账。", "deadline": "2026-03-20"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert typed in page and "补齐二月台账。" in page and 'value="2026-03-20"' in page
    assert "owner" in response.context["finding_form"].errors
    assert not Finding.objects.exists()


def test_the_evidence_form_keeps_the_note_when_the_file_is_refused(action, district_coordinator):
    typed = "已补齐三月全部活动记录。"
    response = _client(district_coordinator).post(
        f"/supervision/actions/{action.pk}/evidence/",
        {"note": typed, "file": SimpleUploadedFile("a.png", b"not a photo", "image/png")},
    )
    assert response.status_code == 400
    assert typed in response.content.decode()
    action.refresh_from_db()
    assert action.state == ActionState.OPEN


def test_the_verification_form_keeps_the_choice_when_a_return_has_no_note(
    action, district_coordinator, leading_group
):
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐。")
    response = _client(leading_group).post(
        f"/supervision/actions/{action.pk}/verify/", {"decision": "return", "note": ""}
    )
    assert response.status_code == 400
    assert response.context["verify_form"]["decision"].value() == "return"
    action.refresh_from_db()
    assert action.state == ActionState.SUBMITTED


def test_the_dispute_form_keeps_the_reason_the_guard_refuses(record_group, trainee):
    session = record_group()
    attendance = session.attendances.get(trainee=trainee)
    typed = "当天我在陪王小明同学，手机13912345678。"
    response = _client(trainee).post(
        f"/supervision/attendance/{attendance.pk}/dispute/", {"reason": typed}
    )
    assert response.status_code == 400
    assert typed in response.content.decode()
    attendance.refresh_from_db()
    assert attendance.response == AttendanceResponse.PENDING


def test_the_sign_off_form_keeps_the_note_when_a_criterion_is_not_met(leading_group):
    stage = Stage.objects.create(
        name="第一阶段", starts_on=datetime.date(2026, 1, 1), due_on=datetime.date(2026, 6, 30)
    )
    StageCriterion.objects.create(stage=stage, measure="certified", target=50)
    typed = "各项指标基本达到。"
    response = _client(leading_group).post(
        f"/supervision/stages/{stage.pk}/sign-off/", {"note": typed, "confirm": "on"}
    )
    assert response.status_code == 400
    assert typed in response.content.decode()
    stage.refresh_from_db()
    assert not stage.is_signed_off
