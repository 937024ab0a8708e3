"""Supervision hours credited without the trainee logging them: once per source, counted at
once toward the supervision requirement, withdrawn on a dispute, never editable."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditLog
from practicum import services
from practicum.models import EntryState, PracticumEntry
from practicum.selectors import requirement_status

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _credit(placement, actor, source="supervision-attendance:1", minutes=90, **extra):
    return services.credit_supervision(
        actor=actor,
        placement=placement,
        date=extra.pop("date", timezone.localdate() - DAY),
        minutes=minutes,
        source=source,
        description=extra.pop("description", "团体督导：讨论如何回应儿童的情绪。"),
    )


def test_a_credit_counts_toward_supervision_at_once(placement, supervisor, trainee):
    entry, created = _credit(placement, supervisor)
    assert created and entry.state == EntryState.APPROVED and entry.is_credit
    status = requirement_status(trainee, "counsellor")
    assert status.line("supervision").approved_minutes == 90
    assert status.line("total").approved_minutes == 90
    assert AuditLog.objects.filter(action="practicum.entry.credit").count() == 1


def test_crediting_the_same_source_twice_credits_once(placement, supervisor, trainee):
    first, _ = _credit(placement, supervisor)
    again, created = _credit(placement, supervisor, minutes=120)
    assert not created and again.pk == first.pk
    assert PracticumEntry.objects.count() == 1
    assert requirement_status(trainee, "counsellor").line("supervision").approved_minutes == 90


def test_withdrawing_stops_the_hours_counting_and_is_idempotent(placement, supervisor, trainee):
    _credit(placement, supervisor)
    entry = services.withdraw_supervision_credit(
        actor=trainee, source="supervision-attendance:1", reason="我没有参加这次督导。"
    )
    assert entry.state == EntryState.REJECTED and entry.review_comment == "我没有参加这次督导。"
    assert requirement_status(trainee, "counsellor").line("supervision").approved_minutes == 0
    services.withdraw_supervision_credit(
        actor=trainee, source="supervision-attendance:1", reason="再次"
    )
    assert AuditLog.objects.filter(action="practicum.entry.withdraw_credit").count() == 1
    # A withdrawn credit does not come back under the same source.
    _entry, created = _credit(placement, supervisor)
    assert not created
    assert requirement_status(trainee, "counsellor").line("supervision").approved_minutes == 0


def test_only_the_placements_supervisor_credits(placement, other_supervisor, trainee):
    for actor in (other_supervisor, trainee):
        with pytest.raises(PermissionDenied):
            _credit(placement, actor)
    assert not PracticumEntry.objects.exists()


def test_only_the_trainee_or_their_supervisor_withdraws(placement, supervisor, other_trainee):
    _credit(placement, supervisor)
    with pytest.raises(PermissionDenied):
        services.withdraw_supervision_credit(
            actor=other_trainee, source="supervision-attendance:1", reason="不是我"
        )


def test_a_future_date_or_a_named_child_is_refused(placement, supervisor):
    with pytest.raises(ValidationError) as caught:
        _credit(placement, supervisor, date=timezone.localdate() + DAY)
    assert "date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _credit(placement, supervisor, description="讨论了王小明的情况，电话13899123456。")
    assert "description" in caught.value.message_dict
    assert not PracticumEntry.objects.exists()


def test_a_credit_cannot_be_edited_or_sent_back(placement, supervisor, trainee, administrator):
    entry, _ = _credit(placement, supervisor)
    assert not entry.is_editable
    with pytest.raises(PermissionDenied):
        services.update_entry(entry=entry, actor=trainee, data={"minutes": 600})
    with pytest.raises(ValidationError):
        services.reverse_approval(entry=entry, actor=administrator, reason="错误")
