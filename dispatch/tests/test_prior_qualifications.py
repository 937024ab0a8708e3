"""Qualifications from elsewhere: recorded with evidence, approved by a coordinator, the
path into matching and the exclusion after expiry or withdrawal, never shown as ours."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditLog
from dispatch import prior_qualifications as pq
from dispatch.models import PriorQualification
from dispatch.tests.factories import make_prior, pdf_upload
from lecturer_corps import selectors as matching
from lecturer_corps import services as corps_services
from lecturer_corps.assignment import plan_auto_assign
from lecturer_corps.models import Notification
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert(db, district):
    """An external expert: a lecturer profile, no certificate of ours, no course done."""
    return make_lecturer(
        topics=["child_01", "child_02"],
        certificates=(),
        completed=[],
        district=district,
        username="t_expert",
    ).user


def _record(actor, holder, **overrides):
    fields = {
        "title": "国家二级心理咨询师",
        "issuer": "人力资源和社会保障部",
        "number": "1511003000200457",
        "issued_on": datetime.date(2019, 6, 1),
        "expires_on": None,
        "topics": ["child_01"],
        "evidence": pdf_upload(),
    }
    fields.update(overrides)
    return pq.record_prior_qualification(actor=actor, holder=holder, **fields)


def _codes(ranking, user_id):
    for exclusion in ranking.exclusions:
        if exclusion.user_id == user_id:
            return exclusion.codes
    return None


# --- recording and deciding --------------------------------------------------------------------


def test_the_expert_records_their_own_and_the_coordinators_hear(expert, district_coordinator):
    record = _record(expert, expert)
    assert (record.status, record.recorded_by, record.evidence_type) == (
        "pending",
        expert,
        "application/pdf",
    )
    assert record.evidence.read().startswith(b"%PDF")
    assert AuditLog.objects.filter(action="dispatch.prior_qualification.record").exists()
    assert Notification.objects.filter(
        user=district_coordinator, kind="dispatch_prior_qualification_recorded"
    ).exists()


def test_recording_refusals(
    expert, trainee, lecturer, district_coordinator, other_district_coordinator
):
    with pytest.raises(PermissionDenied):  # another lecturer for the expert
        _record(lecturer, expert)
    with pytest.raises(PermissionDenied):  # a trainee for themselves: not a lecturer
        _record(trainee, trainee)
    with pytest.raises(PermissionDenied):  # a coordinator of another district
        _record(other_district_coordinator, expert)
    html = SimpleUploadedFile("scan.pdf", b"<html><script>x</script></html>")
    with pytest.raises(ValidationError) as refused:
        _record(expert, expert, evidence=html)
    assert "evidence" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _record(
            expert, expert, expires_on=datetime.date(2019, 1, 1), topics=["child_99"], number=" "
        )
    assert {"expires_on", "topics", "number"} <= set(refused.value.message_dict)
    _record(district_coordinator, expert)
    with pytest.raises(ValidationError) as refused:  # the same certificate twice
        _record(expert, expert)
    assert "number" in refused.value.message_dict
    assert PriorQualification.objects.count() == 1


def test_deciding_refusals(expert, district, district_coordinator, other_district_coordinator):
    record = _record(expert, expert)
    with pytest.raises(PermissionDenied):
        pq.approve_prior_qualification(actor=other_district_coordinator, qualification=record)
    with pytest.raises(PermissionDenied):
        pq.approve_prior_qualification(actor=expert, qualification=record)
    # A coordinator who is the holder never approves their own.
    from dispatch.permissions import check_can_decide_prior

    own = make_prior(district_coordinator, number="OWN-1")
    with pytest.raises(PermissionDenied):
        check_can_decide_prior(district_coordinator, own)
    with pytest.raises(ValidationError):
        pq.reject_prior_qualification(actor=district_coordinator, qualification=record, reason="")
    with pytest.raises(ValidationError):  # only an approved one is withdrawn
        pq.revoke_prior_qualification(
            actor=district_coordinator, qualification=record, reason="作废"
        )
    pq.reject_prior_qualification(
        actor=district_coordinator, qualification=record, reason="扫描件不清楚"
    )
    with pytest.raises(ValidationError):
        pq.approve_prior_qualification(actor=district_coordinator, qualification=record)
    record.refresh_from_db()
    assert (record.status, record.decision_note) == ("rejected", "扫描件不清楚")
    # A rejected record may be recorded again (a better scan).
    assert _record(expert, expert).status == "pending"


# --- into matching, and out of it ----------------------------------------------------------------


def test_an_approved_qualification_makes_the_expert_a_candidate_for_its_topics(
    venue, expert, district_coordinator
):
    request = make_request(venue=venue, topic="child_01", date=next_weekday())
    other_topic = make_request(venue=venue, topic="child_02", date=next_weekday(3))
    record = _record(expert, expert)

    ranking = matching.rank_candidates(request)
    assert _codes(ranking, expert.pk) == [matching.NO_CERTIFICATE, matching.COURSE_NOT_COMPLETED]

    pq.approve_prior_qualification(actor=district_coordinator, qualification=record)
    ranking = matching.rank_candidates(request)
    candidate = next(c for c in ranking.candidates if c.user_id == expert.pk)
    reason = candidate.reasons[0]
    assert reason.code == "prior_qualification"
    assert "from elsewhere" in reason.message and "国家二级心理咨询师" in reason.message
    assert "certificate" not in reason.message.split(":")[0]
    # It covers child_01 only: for child_02 the expert is still excluded.
    assert _codes(matching.rank_candidates(other_topic), expert.pk) == [
        matching.NO_CERTIFICATE,
        matching.COURSE_NOT_COMPLETED,
    ]
    # One click assigns them (every hard constraint is checked again before writing).
    session = corps_services.assign_lecturer(
        actor=district_coordinator, service_request=request, lecturer=expert
    )
    assert session.status == "proposed"
    assert "from elsewhere" in session.match_reasons[0]


def test_after_it_expires_the_expert_is_excluded_again(venue, expert, district_coordinator):
    before = next_weekday(1, weeks_ahead=2)
    after = before + datetime.timedelta(weeks=2)
    make_prior(expert, expires_on=before + datetime.timedelta(days=3))
    assert (
        _codes(matching.rank_candidates(make_request(venue=venue, date=before)), expert.pk) is None
    )
    late = make_request(venue=venue, date=after)
    assert _codes(matching.rank_candidates(late), expert.pk) == [
        matching.NO_CERTIFICATE,
        matching.COURSE_NOT_COMPLETED,
    ]
    with pytest.raises(ValidationError):
        corps_services.assign_lecturer(
            actor=district_coordinator, service_request=late, lecturer=expert
        )
    plan = plan_auto_assign([late])
    assert all(item.user_id != expert.pk for item in plan.items)


def test_auto_assign_plans_an_approved_expert(venue, expert):
    make_prior(expert)
    request = make_request(venue=venue, date=next_weekday())
    plan = plan_auto_assign([request])
    assert [item.user_id for item in plan.items] == [expert.pk]


def test_withdrawing_the_approval_excludes_and_alerts_for_coming_sessions(
    venue, expert, district_coordinator
):
    from outbox.models import OutboxMessage

    record = make_prior(expert)
    request = make_request(venue=venue, date=next_weekday())
    session = make_session(request, expert, status="confirmed")
    assert matching.future_sessions_without_certificate([expert.pk]) == []
    pq.revoke_prior_qualification(
        actor=district_coordinator, qualification=record, reason="证书经核实无效"
    )
    assert _codes(
        matching.rank_candidates(make_request(venue=venue, date=next_weekday(3))), expert.pk
    )
    assert [s.pk for s in matching.future_sessions_without_certificate([expert.pk])] == [session.pk]
    assert OutboxMessage.objects.filter(task__endswith="certificate_changed").exists()
    assert Notification.objects.filter(
        user=expert, kind="dispatch_prior_qualification_decided"
    ).exists()


def test_a_pending_or_rejected_record_counts_for_nothing(venue, expert):
    make_prior(expert, status="pending", number="P-1")
    make_prior(expert, status="rejected", number="P-2")
    request = make_request(venue=venue, date=next_weekday())
    assert _codes(matching.rank_candidates(request), expert.pk) == [
        matching.NO_CERTIFICATE,
        matching.COURSE_NOT_COMPLETED,
    ]


# --- never shown as ours --------------------------------------------------------------------------


def test_the_verification_page_never_shows_a_qualification_from_elsewhere(client, expert):
    from lecturer_corps.tests.factories import give_certificate

    record = make_prior(expert, number="1511003000200457")
    ours = give_certificate(expert, "family_educator")
    page = client.get(reverse("certification:verify", args=[ours.verification_code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert record.number not in text and record.title not in text and record.issuer not in text
    lookup = client.get(reverse("certification:verify_lookup"), {"q": record.number})
    assert lookup.status_code == 404
    assert client.get(reverse("certification:verify", args=[record.number])).status_code == 404


def test_pages_show_it_as_from_elsewhere_and_guard_the_evidence(
    client, expert, lecturer, district_coordinator, other_district_coordinator
):
    record = make_prior(expert, status="pending")
    client.force_login(expert)
    page = client.get(reverse("dispatch:prior_detail", args=[record.pk])).content.decode()
    assert "not a certificate of this programme" in page
    assert 'data-testid="prior-approve"' not in page  # the holder does not decide
    evidence = client.get(reverse("dispatch:prior_evidence", args=[record.pk]))
    assert evidence.status_code == 200 and evidence["X-Content-Type-Options"] == "nosniff"
    assert b"".join(evidence.streaming_content).startswith(b"%PDF")

    for outsider in (lecturer, other_district_coordinator):
        client.force_login(outsider)
        assert client.get(reverse("dispatch:prior_detail", args=[record.pk])).status_code == 404
        assert client.get(reverse("dispatch:prior_evidence", args=[record.pk])).status_code == 404
        assert client.post(reverse("dispatch:prior_approve", args=[record.pk])).status_code == 404

    client.force_login(district_coordinator)
    response = client.post(reverse("dispatch:prior_reject", args=[record.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("dispatch:prior_approve", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "approved"


def test_the_record_page_takes_the_scan(client, expert, district_coordinator):
    client.force_login(expert)
    data = {
        "title": "家庭教育指导师（高级）",
        "issuer": "中国家庭教育学会",
        "number": "FE-2020-88",
        "issued_on": "2020-03-01",
        "expires_on": "2020-01-01",
        "topics": ["caregiver_01", "caregiver_02"],
        "evidence": pdf_upload(),
    }
    response = client.post(reverse("dispatch:prior_new"), data)
    assert response.status_code == 400 and "家庭教育指导师（高级）" in response.content.decode()
    data["expires_on"] = ""
    data["evidence"] = pdf_upload()
    response = client.post(reverse("dispatch:prior_new"), data)
    assert response.status_code == 302
    record = PriorQualification.objects.get()
    assert (record.holder, record.topics, record.expires_on) == (
        expert,
        ["caregiver_01", "caregiver_02"],
        None,
    )


def test_api_lists_and_decides(
    api_client, expert, lecturer, district_coordinator, other_district_coordinator
):
    record = make_prior(expert, status="pending")
    make_prior(lecturer, status="pending", number="L-1")
    mine = api_client.as_user(expert).get("/api/v1/prior-qualifications").json()
    assert [row["id"] for row in mine] == [record.pk] and mine[0]["issued_here"] is False
    other = api_client.__class__().as_user(other_district_coordinator)
    assert other.post(f"/api/v1/prior-qualifications/{record.pk}/approve").status_code == 404
    own = api_client.__class__().as_user(expert)
    response = own.post(f"/api/v1/prior-qualifications/{record.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    coordinator = api_client.__class__().as_user(district_coordinator)
    response = coordinator.post(f"/api/v1/prior-qualifications/{record.pk}/approve")
    assert (response.status_code, response.json()["status"]) == (200, "approved")
    response = coordinator.post(f"/api/v1/prior-qualifications/{record.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")
    response = coordinator.post(
        f"/api/v1/prior-qualifications/{record.pk}/revoke",
        {"reason": "作废"},
        content_type="application/json",
    )
    assert response.json()["status"] == "revoked"
