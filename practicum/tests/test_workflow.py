"""Review workflow: draft → submitted → approved / returned / rejected, with the audit trail."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditLog
from practicum import services
from practicum.models import EntryState

from .factories import EntryFactory, entry_data


@pytest.fixture
def submitted(trainee, placement):
    entry = services.create_entry(trainee=trainee, placement=placement, data=entry_data())
    return services.submit_entry(entry=entry, actor=trainee)


def transitions(entry):
    return list(
        AuditLog.objects.for_object(entry)
        .filter(changes__has_key="from")
        .order_by("created_at", "id")
        .values_list("action", "actor__username", "changes")
    )


def test_submit_records_from_and_to(submitted, trainee):
    assert submitted.state == EntryState.SUBMITTED and submitted.submitted_at
    action, actor, changes = transitions(submitted)[-1]
    assert (action, actor) == ("practicum.entry.submit", trainee.username)
    assert changes == {"from": "draft", "to": "submitted"}


def test_approve_records_the_reviewer(submitted, supervisor):
    entry = services.review_entry(entry=submitted, reviewer=supervisor, action="approve")
    assert entry.state == EntryState.APPROVED and entry.reviewed_by == supervisor
    action, actor, changes = transitions(entry)[-1]
    assert action == "practicum.entry.approve" and actor == supervisor.username
    assert changes["from"] == "submitted" and changes["to"] == "approved"


def test_return_needs_a_comment_and_records_it(submitted, supervisor):
    with pytest.raises(ValidationError):
        services.review_entry(entry=submitted, reviewer=supervisor, action="return", comment=" ")
    entry = services.review_entry(
        entry=submitted, reviewer=supervisor, action="return", comment="请补充复盘讨论的时长"
    )
    assert entry.state == EntryState.RETURNED
    assert transitions(entry)[-1][2]["comment"] == "请补充复盘讨论的时长"


def test_reject_needs_a_reason(submitted, supervisor):
    with pytest.raises(ValidationError):
        services.review_entry(entry=submitted, reviewer=supervisor, action="reject")
    entry = services.review_entry(
        entry=submitted, reviewer=supervisor, action="reject", comment="观摩不能记为直接服务"
    )
    assert entry.state == EntryState.REJECTED


def test_review_comment_passes_the_privacy_guard(submitted, supervisor):
    with pytest.raises(ValidationError) as caught:
        services.review_entry(
            entry=submitted, reviewer=supervisor, action="return", comment="学生王小明的情况写清楚"
        )
    assert "comment" in caught.value.message_dict


def test_returned_entry_is_resubmitted_and_approved(submitted, trainee, supervisor):
    services.review_entry(entry=submitted, reviewer=supervisor, action="return", comment="补充时长")
    services.update_entry(entry=submitted, actor=trainee, data={"reflection": "复盘20分钟。"})
    services.submit_entry(entry=submitted, actor=trainee)
    entry = services.review_entry(entry=submitted, reviewer=supervisor, action="approve")
    states = [(c["from"], c["to"]) for _, _, c in transitions(entry)]
    assert states == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]


def test_trainee_is_emailed_when_an_entry_comes_back(
    submitted, supervisor, trainee, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_entry(
            entry=submitted, reviewer=supervisor, action="return", comment="补充时长"
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [trainee.email]
    assert "补充时长" in mail.outbox[0].body


def test_trainee_cannot_review(submitted, trainee):
    with pytest.raises(PermissionDenied):
        services.review_entry(entry=submitted, reviewer=trainee, action="approve")


def test_another_supervisor_cannot_review(submitted, other_supervisor):
    with pytest.raises(PermissionDenied):
        services.review_entry(entry=submitted, reviewer=other_supervisor, action="approve")


def test_supervisor_without_two_factor_cannot_review(submitted, supervisor):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=supervisor).delete()
    supervisor.__dict__.pop("_has_two_factor", None)
    with pytest.raises(PermissionDenied):
        services.review_entry(entry=submitted, reviewer=supervisor, action="approve")


def test_a_draft_cannot_be_reviewed(trainee, placement, supervisor):
    entry = services.create_entry(trainee=trainee, placement=placement, data=entry_data())
    with pytest.raises(ValidationError) as caught:
        services.review_entry(entry=entry, reviewer=supervisor, action="approve")
    assert caught.value.code == "invalid_state"


def test_an_approved_entry_cannot_be_reviewed_again(submitted, supervisor):
    services.review_entry(entry=submitted, reviewer=supervisor, action="approve")
    with pytest.raises(ValidationError):
        services.review_entry(entry=submitted, reviewer=supervisor, action="reject", comment="x")


def test_bulk_approve_only_touches_own_waiting_entries(placement, supervisor, other_supervisor):
    mine = EntryFactory.create_batch(3, placement=placement, state=EntryState.SUBMITTED)
    draft = EntryFactory(placement=placement, state=EntryState.DRAFT)
    other_placement = EntryFactory(
        state=EntryState.SUBMITTED, placement__supervisor=other_supervisor
    )
    approved, skipped = services.bulk_approve(
        entry_ids=[e.pk for e in mine] + [draft.pk, other_placement.pk], reviewer=supervisor
    )
    assert (approved, skipped) == (3, 2)
    draft.refresh_from_db()
    other_placement.refresh_from_db()
    assert draft.state == EntryState.DRAFT and other_placement.state == EntryState.SUBMITTED
    assert AuditLog.objects.filter(action="practicum.entry.approve").count() == 3


def test_bulk_approve_refuses_trainees(placement, trainee):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.bulk_approve(entry_ids=[entry.pk], reviewer=trainee)


def test_administrator_reversal_is_recorded(submitted, supervisor, administrator):
    services.review_entry(entry=submitted, reviewer=supervisor, action="approve")
    entry = services.reverse_approval(
        entry=submitted, actor=administrator, reason="日期记录错误，退回更正"
    )
    assert entry.state == EntryState.RETURNED
    action, actor, changes = transitions(entry)[-1]
    assert action == "practicum.entry.reverse" and actor == administrator.username
    assert changes == {"from": "approved", "to": "returned", "comment": "日期记录错误，退回更正"}


def test_only_administrators_reverse(submitted, supervisor, coordinator):
    services.review_entry(entry=submitted, reviewer=supervisor, action="approve")
    for user in (supervisor, coordinator):
        with pytest.raises(PermissionDenied):
            services.reverse_approval(entry=submitted, actor=user, reason="x")
