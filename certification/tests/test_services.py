"""Issuing, serials, revocation, reissue, renewal, reminders, bulk issue, audit."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import roles
from audit.models import AuditLog
from certification import services
from certification.models import (
    BulkIssueItemState,
    Certificate,
    CertificateStatus,
    ExpiryReminder,
    IssueMode,
    IssueRequest,
    IssueRequestStatus,
    RequirementKind,
    RequirementStage,
    SerialCounter,
)
from certification.tests.factories import (
    ALL_INITIAL,
    CertificationTypeFactory,
    add_requirements,
    family_educator_type,
    make_certificate,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsellor(db):
    return add_requirements(CertificationTypeFactory(), *ALL_INITIAL)


@pytest.fixture
def eligible(trainee, sources):
    sources.make_eligible(trainee)
    return trainee


def test_issue_gives_serial_per_type_and_year(eligible, counsellor, coordinator):
    certificate = services.issue_certificate(
        trainee=eligible, certification=counsellor, issued_by=coordinator
    )
    year = timezone.localdate().year
    assert certificate.serial == f"PC-{year}-000001"
    assert certificate.created
    assert certificate.expires_on == counsellor.expiry_for(certificate.valid_from)


def test_serials_count_up_without_gaps_and_per_prefix(sources, counsellor, coordinator):
    family = add_requirements(family_educator_type(), *ALL_INITIAL)
    people = [make_user(roles.TRAINEE, username=f"p{i}") for i in range(3)]
    for person in people:
        sources.make_eligible(person)
    serials = [
        services.issue_certificate(
            trainee=p, certification=counsellor, issued_by=coordinator
        ).serial
        for p in people
    ]
    family_serial = services.issue_certificate(
        trainee=people[0], certification=family, issued_by=coordinator
    ).serial
    assert [s[-6:] for s in serials] == ["000001", "000002", "000003"]
    assert family_serial.startswith("FE-") and family_serial.endswith("-000001")


def test_failed_issue_leaves_no_gap(sources, counsellor, coordinator):
    first, second = (make_user(roles.TRAINEE, username=f"g{i}") for i in range(2))
    sources.make_eligible(first)
    sources.make_eligible(second)
    with (
        mock.patch.object(services, "record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        services.issue_certificate(trainee=first, certification=counsellor, issued_by=coordinator)
    assert not Certificate.objects.exists()
    assert not SerialCounter.objects.filter(last_number__gt=0).exists()
    certificate = services.issue_certificate(
        trainee=second, certification=counsellor, issued_by=coordinator
    )
    assert certificate.serial.endswith("-000001")


def test_issue_twice_returns_the_same_certificate(eligible, counsellor, coordinator):
    first = services.issue_certificate(
        trainee=eligible, certification=counsellor, issued_by=coordinator
    )
    second = services.issue_certificate(
        trainee=eligible, certification=counsellor, issued_by=coordinator
    )
    assert second.pk == first.pk and not second.created
    assert Certificate.objects.count() == 1
    assert SerialCounter.objects.get().last_number == 1


def test_verification_codes_are_long_random_and_distinct(sources, counsellor, coordinator):
    codes = set()
    for i in range(5):
        person = make_user(roles.TRAINEE, username=f"v{i}")
        sources.make_eligible(person)
        codes.add(
            services.issue_certificate(
                trainee=person, certification=counsellor, issued_by=coordinator
            ).verification_code
        )
    assert len(codes) == 5
    assert all(len(code) >= 22 for code in codes)


def test_issue_refused_when_requirements_missing(trainee, counsellor, coordinator, sources):
    with pytest.raises(services.CertificationError) as excinfo:
        services.issue_certificate(trainee=trainee, certification=counsellor, issued_by=coordinator)
    assert "0 of 3 required courses" in " ".join(excinfo.value.messages)
    assert not Certificate.objects.exists()


def test_snapshot_freezes_achievement_at_issue(eligible, counsellor, coordinator, sources):
    certificate = services.issue_certificate(
        trainee=eligible, certification=counsellor, issued_by=coordinator
    )
    sources.completed[eligible.pk] = {}
    certificate.refresh_from_db()
    assert certificate.snapshot["class_hours"] == 9
    assert certificate.snapshot["exam_score"] == 86.0
    assert certificate.snapshot["practicum"]["direct_hours"] == 42.5
    assert certificate.snapshot["final_evaluation"] == "passed"
    assert certificate.holder_name == eligible.display_name


def test_issue_is_audited_with_the_issuer(eligible, counsellor, coordinator):
    with mock.patch("certification.tasks.render_certificate.delay"):
        certificate = services.issue_certificate(
            trainee=eligible, certification=counsellor, issued_by=coordinator
        )
    record = AuditLog.objects.get(action="certification.certificate.issue")
    assert record.object_id == str(certificate.pk) and record.actor == coordinator


def test_issue_sends_email_after_commit(
    eligible, counsellor, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.issue_certificate(
            trainee=eligible, certification=counsellor, issued_by=coordinator
        )
    assert len(mail.outbox) == 1
    assert certificate.serial in mail.outbox[0].subject
    assert certificate.verification_url() in mail.outbox[0].body


def test_a_broker_outage_neither_undoes_the_issue_nor_loses_its_follow_ups(
    eligible, counsellor, coordinator, django_capture_on_commit_callbacks
):
    from outbox.models import OutboxMessage
    from tests.celery_broker import UNREACHABLE, celery_publishing_to

    with celery_publishing_to(UNREACHABLE), django_capture_on_commit_callbacks(execute=True):
        certificate = services.issue_certificate(
            trainee=eligible, certification=counsellor, issued_by=coordinator
        )
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    waiting = OutboxMessage.objects.filter(sent_at=None)
    assert sorted(waiting.values_list("task", "args")) == [
        ("certification.tasks.email_holder", [certificate.pk, "issued"]),
        ("certification.tasks.render_certificate", [certificate.pk]),
    ]


def test_trainee_may_claim_an_automatic_type(eligible, counsellor):
    certificate = services.claim_certificate(trainee=eligible, certification=counsellor)
    assert certificate.holder == eligible and certificate.issued_by == eligible


def test_claim_of_an_approval_type_creates_one_pending_request(eligible, counsellor):
    counsellor.issue_mode = IssueMode.APPROVAL
    counsellor.save()
    first = services.claim_certificate(trainee=eligible, certification=counsellor)
    second = services.claim_certificate(trainee=eligible, certification=counsellor)
    assert isinstance(first, IssueRequest) and first.pk == second.pk
    assert not Certificate.objects.exists()


def test_trainee_cannot_issue_an_approval_type_directly(eligible, counsellor):
    counsellor.issue_mode = IssueMode.APPROVAL
    counsellor.save()
    with pytest.raises(PermissionDenied):
        services.issue_certificate(trainee=eligible, certification=counsellor, issued_by=eligible)


def test_trainee_cannot_issue_to_someone_else(eligible, counsellor, other_trainee):
    with pytest.raises(PermissionDenied):
        services.issue_certificate(
            trainee=eligible, certification=counsellor, issued_by=other_trainee
        )


def test_other_district_coordinator_cannot_issue(eligible, counsellor, other_district_coordinator):
    with pytest.raises(PermissionDenied):
        services.issue_certificate(
            trainee=eligible, certification=counsellor, issued_by=other_district_coordinator
        )


def test_coordinator_approves_pending_request(eligible, counsellor, district_coordinator):
    counsellor.issue_mode = IssueMode.APPROVAL
    counsellor.save()
    issue_request = services.claim_certificate(trainee=eligible, certification=counsellor)
    certificate = services.approve_request(
        issue_request=issue_request, approved_by=district_coordinator
    )
    issue_request.refresh_from_db()
    assert issue_request.status == IssueRequestStatus.APPROVED
    assert issue_request.certificate == certificate


def test_reject_needs_a_note_and_is_final(eligible, counsellor, coordinator):
    counsellor.issue_mode = IssueMode.APPROVAL
    counsellor.save()
    issue_request = services.claim_certificate(trainee=eligible, certification=counsellor)
    with pytest.raises(services.CertificationError):
        services.reject_request(issue_request=issue_request, rejected_by=coordinator, note=" ")
    services.reject_request(issue_request=issue_request, rejected_by=coordinator, note="资料不全")
    with pytest.raises(services.CertificationError):
        services.approve_request(issue_request=issue_request, approved_by=coordinator)


def test_revoke_records_reason_who_and_when(trainee, coordinator):
    certificate = make_certificate(trainee)
    services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="伪造材料")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_by == coordinator and certificate.revoked_at
    assert certificate.state == "revoked"
    assert AuditLog.objects.filter(action="certification.certificate.revoke").count() == 1


def test_revoke_refuses_empty_reason_and_double_revoke(trainee, coordinator):
    certificate = make_certificate(trainee)
    with pytest.raises(services.CertificationError):
        services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="")
    services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="x")
    with pytest.raises(services.CertificationError):
        services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="y")


def test_trainee_and_other_district_cannot_revoke(trainee, other_district_coordinator):
    certificate = make_certificate(trainee)
    for person in (trainee, other_district_coordinator):
        with pytest.raises(PermissionDenied):
            services.revoke_certificate(certificate=certificate, revoked_by=person, reason="x")


def test_reissue_keeps_serial_with_version_and_supersedes_old(trainee, coordinator):
    old = make_certificate(trainee)
    new = services.reissue_certificate(
        certificate=old, reissued_by=coordinator, reason="姓名更正", holder_name="李娜娜"
    )
    old.refresh_from_db()
    assert new.serial == old.serial and new.version == 2
    assert new.display_serial == f"{old.serial}-v2"
    assert new.holder_name == "李娜娜"
    assert new.valid_from == old.valid_from and new.expires_on == old.expires_on
    assert new.verification_code != old.verification_code
    assert old.status == CertificateStatus.SUPERSEDED and old.state == "revoked"
    assert new.previous_version == old
    with pytest.raises(services.CertificationError):
        services.reissue_certificate(certificate=old, reissued_by=coordinator, reason="again")


def test_reissue_of_a_revoked_certificate_makes_it_valid_again(trainee, coordinator):
    old = make_certificate(trainee)
    services.revoke_certificate(certificate=old, revoked_by=coordinator, reason="误撤销")
    old.refresh_from_db()
    new = services.reissue_certificate(certificate=old, reissued_by=coordinator, reason="恢复")
    assert new.state == "valid"


def test_state_expired_after_expiry_date(trainee):
    certificate = make_certificate(trainee, valid_from=datetime.date(2020, 1, 1))
    assert certificate.expires_on == datetime.date(2022, 12, 31)
    assert certificate.state == "expired"


def test_record_expiries_audits_once(trainee):
    make_certificate(trainee, valid_from=datetime.date(2020, 1, 1))
    assert services.record_expiries() == 1
    assert services.record_expiries() == 0
    assert AuditLog.objects.filter(action="certification.certificate.expire").count() == 1


@pytest.fixture
def renewable(trainee, sources):
    certification = add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    add_requirements(
        certification,
        RequirementKind.CONTINUING_EDUCATION,
        stage=RequirementStage.RENEWAL,
        minimum=Decimal("20"),
    )
    today = timezone.localdate()
    valid_from = today.replace(year=today.year - 3) + datetime.timedelta(days=30)
    return make_certificate(trainee, certification, valid_from=valid_from)


def test_renewal_refused_until_requirements_met(renewable, trainee, sources):
    sources.ce_hours[trainee.pk] = Decimal("8")
    with pytest.raises(services.CertificationError) as excinfo:
        services.renew_certificate(certificate=renewable, renewed_by=trainee)
    assert "8 of 20 continuing-education hours" in " ".join(excinfo.value.messages)


def test_renewal_gives_a_new_period_and_serial(renewable, trainee, sources):
    sources.ce_hours[trainee.pk] = Decimal("24")
    new = services.renew_certificate(certificate=renewable, renewed_by=trainee)
    assert new.cycle == 1 and new.renews == renewable
    assert new.serial != renewable.serial
    assert new.valid_from == renewable.expires_on + datetime.timedelta(days=1)
    again = services.renew_certificate(certificate=renewable, renewed_by=trainee)
    assert again.pk == new.pk


def test_renewal_refused_before_the_window_opens(trainee, sources):
    certification = add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    certificate = make_certificate(trainee, certification)
    with pytest.raises(services.CertificationError) as excinfo:
        services.renew_certificate(certificate=certificate, renewed_by=trainee)
    assert "Renewal opens on" in " ".join(excinfo.value.messages)


@pytest.mark.parametrize(
    ("days_left", "threshold"), [(61, None), (60, 60), (45, 60), (30, 30), (8, 30), (7, 7), (0, 7)]
)
def test_reminder_threshold(days_left, threshold):
    assert services.reminder_threshold(days_left) == threshold


def test_expiry_reminders_sent_once_per_threshold(trainee, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    certificate = make_certificate(trainee)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=today + datetime.timedelta(days=59)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_reminders(today) == 1
        assert services.send_expiry_reminders(today) == 0
        assert services.send_expiry_reminders(today + datetime.timedelta(days=10)) == 0
        assert services.send_expiry_reminders(today + datetime.timedelta(days=29)) == 1
        assert services.send_expiry_reminders(today + datetime.timedelta(days=53)) == 1
    assert sorted(ExpiryReminder.objects.values_list("days_before", flat=True)) == [7, 30, 60]
    assert len(mail.outbox) == 3
    assert "59" in mail.outbox[0].subject or "expires" in mail.outbox[0].subject


def test_missed_reminders_catch_up_with_the_nearest_threshold_only(trainee):
    today = timezone.localdate()
    certificate = make_certificate(trainee)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=today + datetime.timedelta(days=5)
    )
    assert services.send_expiry_reminders(today) == 1
    assert list(ExpiryReminder.objects.values_list("days_before", flat=True)) == [7]


def test_no_reminder_for_revoked_or_renewed(trainee, coordinator):
    today = timezone.localdate()
    certificate = make_certificate(trainee)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=today + datetime.timedelta(days=20)
    )
    certificate.refresh_from_db()
    services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="x")
    assert services.send_expiry_reminders(today) == 0


def test_bulk_issue_issues_eligible_and_reports_the_rest(
    sources, counsellor, coordinator, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    people = [make_user(roles.TRAINEE, username=f"b{i}") for i in range(4)]
    for person in people[:3]:
        sources.make_eligible(person)
    make_certificate(people[0], counsellor)
    users = get_user_model().objects.filter(username__startswith="b")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_bulk_issue(
            certification=counsellor, users=users, started_by=coordinator
        )
    progress = services.bulk_progress(job)
    assert progress["total"] == 4 and progress["finished"]
    assert progress["counts"][BulkIssueItemState.ISSUED] == 2
    assert progress["counts"][BulkIssueItemState.ALREADY] == 1
    assert progress["counts"][BulkIssueItemState.NOT_ELIGIBLE] == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = services.start_bulk_issue(
            certification=counsellor, users=users, started_by=coordinator
        )
    assert services.bulk_progress(again)["counts"][BulkIssueItemState.ALREADY] == 3
    assert Certificate.objects.count() == 3


def test_bulk_issue_only_within_the_coordinators_district(
    sources, counsellor, district_coordinator, other_district
):
    from django.contrib.auth import get_user_model

    outside = make_user(roles.TRAINEE, username="outside", district=other_district)
    sources.make_eligible(outside)
    with pytest.raises(services.CertificationError):
        services.start_bulk_issue(
            certification=counsellor,
            users=get_user_model().objects.filter(pk=outside.pk),
            started_by=district_coordinator,
        )


def test_trainee_cannot_start_bulk_issue(counsellor, trainee):
    from django.contrib.auth import get_user_model

    with pytest.raises(PermissionDenied):
        services.start_bulk_issue(
            certification=counsellor, users=get_user_model().objects.all(), started_by=trainee
        )
