"""Escalation: due-times stored on the concern, found by the beat task, with a frozen clock."""

import datetime

import pytest

from accounts import roles
from audit.models import AuditLog
from lms.celery import gather_beat_schedule
from safeguarding import services, tasks
from safeguarding.models import AlertReason, ConcernState, SafeguardingArrangement
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _recipients(concern, level=None):
    alerts = concern.alerts.all() if level is None else concern.alerts.filter(level=level)
    return set(alerts.values_list("user__username", flat=True))


def test_the_beat_schedule_checks_deadlines_every_five_minutes():
    entry = gather_beat_schedule()["safeguarding-escalate-overdue-concerns"]
    assert entry["task"] == "safeguarding.tasks.escalate_overdue_concerns"
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_an_urgent_concern_climbs_the_chain_hour_by_hour(
    trainee,
    placement,
    supervisor,
    duty_expert,
    arrangement,
    district_coordinator,
    leading_group,
    raise_one,
    clock,
):
    concern = raise_one(trainee, urgency="urgent")
    raised = clock.now
    assert concern.next_escalation_at == raised + datetime.timedelta(hours=4)

    clock.advance(hours=3, minutes=59)
    assert tasks.escalate_overdue_concerns() == 0
    assert _recipients(concern) == {supervisor.username, district_coordinator.username}

    clock.advance(minutes=1)  # four hours: the duty expert
    assert tasks.escalate_overdue_concerns() == 1
    concern.refresh_from_db()
    assert _recipients(concern, level=1) == {duty_expert.username}
    assert concern.escalation_level == 1
    assert concern.next_escalation_at == clock.now + datetime.timedelta(hours=4)
    assert tasks.escalate_overdue_concerns() == 0  # the same run again does nothing

    # Eight hours: the coordinators already have it, so the leading group is next.
    clock.advance(hours=4)
    assert tasks.escalate_overdue_concerns() == 1
    concern.refresh_from_db()
    assert _recipients(concern, level=3) == {leading_group.username}
    assert concern.alerts.get(user=leading_group).reason == AlertReason.ESCALATED
    assert concern.next_escalation_at is None  # the chain is spent
    clock.advance(days=3)
    assert tasks.escalate_overdue_concerns() == 0
    assert [
        row.changes
        for row in AuditLog.objects.filter(action="safeguarding.concern.escalate").order_by("pk")
    ] == [
        {"level": 1, "step": "duty_expert", "recipients": 1},
        {"level": 3, "step": "leading_group", "recipients": 1},
    ]


def test_a_concern_that_is_not_urgent_waits_a_day(
    lecturer, arrangement, duty_expert, raise_one, clock
):
    concern = raise_one(lecturer, urgency="not_urgent")
    assert concern.next_escalation_at == clock.now + datetime.timedelta(hours=24)
    clock.advance(hours=23)
    assert services.escalate_due() == 0


def test_an_acknowledged_concern_never_escalates(
    trainee, placement, supervisor, arrangement, raise_one, clock
):
    concern = raise_one(trainee)
    clock.advance(hours=3)
    services.acknowledge(actor=supervisor, concern=concern)
    clock.advance(hours=10)
    assert services.escalate_due() == 0
    assert services.escalate(concern.pk) is False
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.escalation_level == 0


def test_an_administrator_sets_the_hours_and_the_chain(
    district, trainee, placement, supervisor, administrator, raise_one, clock
):
    SafeguardingArrangement.objects.create(
        district=district,
        urgent_hours=1,
        other_hours=2,
        step_1="administrators",
        step_2="",
        step_3="",
    )
    concern = raise_one(trainee, urgency="not_urgent")
    assert concern.next_escalation_at == clock.now + datetime.timedelta(hours=2)
    clock.advance(hours=2)
    assert services.escalate_due() == 1
    concern.refresh_from_db()
    assert _recipients(concern, level=1) == {administrator.username}
    assert concern.next_escalation_at is None


def test_a_chain_that_reaches_nobody_new_stops_without_an_alert(
    district, lecturer, duty_expert, district_coordinator, raise_one, clock
):
    SafeguardingArrangement.objects.create(
        district=district,
        duty_expert=duty_expert,
        step_1="duty_expert",
        step_2="coordinators",
        step_3="",
    )
    concern = raise_one(lecturer)  # duty expert and coordinator have it already
    clock.advance(hours=4)
    assert services.escalate_due() == 0
    concern.refresh_from_db()
    assert concern.escalation_level == 2 and concern.next_escalation_at is None
    assert concern.alerts.count() == 2


def test_inactive_people_are_passed_over(
    trainee, placement, arrangement, duty_expert, raise_one, clock
):
    duty_expert.is_active = False
    duty_expert.save()
    active_member = make_user(roles.LEADING_GROUP)
    concern = raise_one(trainee)
    clock.advance(hours=4)
    assert services.escalate_due() == 1
    assert _recipients(concern, level=3) == {active_member.username}
