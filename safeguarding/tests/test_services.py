"""Raising a concern, where it goes at once, and its steps (acknowledge, refer, close)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import roles
from audit.models import AuditLog
from outbox.models import OutboxMessage
from safeguarding import services
from safeguarding.models import AlertReason, Concern, ConcernState, StepKind
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _alerted(concern):
    return {(a.user.username, a.reason) for a in concern.alerts.select_related("user")}


def test_a_trainee_with_a_placement_reaches_their_supervisor_and_the_districts_coordinators(
    trainee,
    placement,
    supervisor,
    district_coordinator,
    other_district_coordinator,
    arrangement,
    raise_one,
    clock,
):
    concern = raise_one(trainee)
    assert _alerted(concern) == {
        (supervisor.username, AlertReason.SUPERVISOR),
        (district_coordinator.username, AlertReason.COORDINATOR),
    }
    assert concern.state == ConcernState.RAISED
    assert concern.district_id == concern.venue.district_id
    assert concern.next_escalation_at == clock.now + arrangement.wait_for("urgent")
    assert [s.kind for s in concern.steps.all()] == [StepKind.RAISED]


def test_without_a_placement_it_goes_to_the_districts_duty_expert(
    lecturer, duty_expert, arrangement, district_coordinator, raise_one
):
    concern = raise_one(lecturer)
    assert _alerted(concern) == {
        (duty_expert.username, AlertReason.DUTY_EXPERT),
        (district_coordinator.username, AlertReason.COORDINATOR),
    }


def test_a_district_without_coordinators_reaches_the_city_wide_ones(
    lecturer, coordinator, other_district_coordinator, raise_one
):
    concern = raise_one(lecturer)
    assert _alerted(concern) == {(coordinator.username, AlertReason.COORDINATOR)}


def test_the_reporter_is_never_sent_their_own_concern(district, venue, raise_one):
    both = make_user(roles.LECTURER, roles.COORDINATOR, coordinator_district=district)
    concern = raise_one(both)
    assert both.pk not in set(concern.alerts.values_list("user_id", flat=True))


def test_each_recipient_is_emailed_once_without_the_contents(
    trainee,
    placement,
    supervisor,
    district_coordinator,
    raise_one,
    django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_one(trainee)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [supervisor.email, district_coordinator.email]
    )
    for message in mail.outbox:
        assert "URGENT" in message.subject
        assert f"/concerns/{concern.pk}/" in message.body
        assert "淤青" not in message.body and "淤青" not in message.subject
    assert all(alert.emailed_at for alert in concern.alerts.all())
    # The e-mails went through the outbox, keyed by alert.
    assert OutboxMessage.objects.filter(task="safeguarding.tasks.send_alert_email").count() == 2


def test_raising_is_audited_with_codes_and_counts_only(trainee, placement, raise_one):
    concern = raise_one(trainee)
    row = AuditLog.objects.get(action="safeguarding.concern.raise")
    assert row.actor == trainee and row.object_id == str(concern.pk)
    assert row.changes == {
        "category": "abuse_neglect",
        "urgency": "urgent",
        "district": concern.district_id,
        "recipients": 1,
    }
    assert "淤青" not in str(row.changes) + row.object_repr


@pytest.mark.parametrize(
    "text",
    ["女孩叫李浩然，手臂有淤青。", "家长电话13899123456，孩子说不想回家。"],
)
def test_the_childrens_data_guard_refuses_names_and_numbers_and_nothing_is_stored(
    trainee, raise_one, text
):
    with pytest.raises(ValidationError) as caught:
        raise_one(trainee, what_seen=text)
    assert "what_seen" in caught.value.message_dict
    assert not Concern.objects.exists() and not AuditLog.objects.exists()


def test_the_guard_also_reads_what_was_done(trainee, raise_one):
    with pytest.raises(ValidationError) as caught:
        raise_one(trainee, what_done="已联系孩子母亲13899123456。")
    assert set(caught.value.message_dict) == {"what_done"}


def test_unknown_codes_are_refused(trainee, raise_one):
    with pytest.raises(ValidationError) as caught:
        raise_one(trainee, category="gossip", urgency="now")
    assert set(caught.value.message_dict) == {"category", "urgency"}


@pytest.mark.parametrize("fixture", ["supervisor", "district_coordinator", "administrator"])
def test_only_trainees_and_lecturers_raise(request, raise_one, fixture):
    with pytest.raises(PermissionDenied):
        raise_one(request.getfixturevalue(fixture))


def test_acknowledge_refer_close_each_with_a_note_and_an_audit_row(
    trainee, placement, supervisor, raise_one, clock, django_capture_on_commit_callbacks
):
    concern = raise_one(trainee)
    clock.advance(minutes=35)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.acknowledge(actor=supervisor, concern=concern, note="已电话联系学校。")
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED
    assert concern.acknowledged_by == supervisor and concern.next_escalation_at is None
    assert [m.to for m in mail.outbox] == [[trainee.email]]  # the reporter hears
    clock.advance(hours=2)
    services.refer(actor=supervisor, concern=concern, referred_to="civil_affairs", note="转民政")
    services.refer(actor=supervisor, concern=concern, referred_to="school", note="同时告知学校")
    services.close(actor=supervisor, concern=concern, note="民政已接手。")
    concern.refresh_from_db()
    assert concern.state == ConcernState.CLOSED and concern.referred_to == "school"
    steps = [(s.kind, s.note, s.referred_to) for s in concern.steps.all()]
    assert steps == [
        ("raised", "", ""),
        ("acknowledged", "已电话联系学校。", ""),
        ("referred", "转民政", "civil_affairs"),
        ("referred", "同时告知学校", "school"),
        ("closed", "民政已接手。", ""),
    ]
    actions = list(
        AuditLog.objects.filter(action__startswith="safeguarding.concern.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "safeguarding.concern.raise",
        "safeguarding.concern.acknowledge",
        "safeguarding.concern.refer",
        "safeguarding.concern.refer",
        "safeguarding.concern.close",
    ]
    ack = AuditLog.objects.get(action="safeguarding.concern.acknowledge")
    assert ack.changes == {"minutes_to_acknowledge": 35, "escalations": 0}


def test_steps_out_of_order_are_refused(trainee, placement, supervisor, raise_one):
    concern = raise_one(trainee)
    for step in (
        lambda: services.refer(actor=supervisor, concern=concern, referred_to="police", note="x"),
        lambda: services.close(actor=supervisor, concern=concern, note="x"),
    ):
        with pytest.raises(ValidationError) as caught:
            step()
        assert caught.value.code == "invalid_state"
    services.acknowledge(actor=supervisor, concern=concern)
    with pytest.raises(ValidationError) as caught:
        services.acknowledge(actor=supervisor, concern=concern)
    assert caught.value.code == "invalid_state"
    assert concern.steps.filter(kind="acknowledged").count() == 1


def test_referral_and_closing_need_a_note_and_a_known_agency(
    trainee, placement, supervisor, raise_one
):
    concern = raise_one(trainee)
    services.acknowledge(actor=supervisor, concern=concern)
    with pytest.raises(ValidationError):
        services.refer(actor=supervisor, concern=concern, referred_to="police", note="  ")
    with pytest.raises(ValidationError):
        services.refer(actor=supervisor, concern=concern, referred_to="neighbour", note="已转")
    with pytest.raises(ValidationError):
        services.close(actor=supervisor, concern=concern, note="孩子叫李浩然，已转走。")
    assert Concern.objects.get().state == ConcernState.ACKNOWLEDGED


def test_the_reporter_and_outsiders_cannot_take_steps(
    trainee, placement, other_supervisor, other_district_coordinator, other_trainee, raise_one
):
    concern = raise_one(trainee)
    for actor in (trainee, other_supervisor, other_district_coordinator, other_trainee):
        with pytest.raises(PermissionDenied):
            services.acknowledge(actor=actor, concern=concern)
    assert Concern.objects.get().state == ConcernState.RAISED
    assert not AuditLog.objects.filter(action="safeguarding.concern.acknowledge").exists()


def test_a_supervisor_without_two_factor_cannot_act(trainee, raise_one):
    from practicum.tests.factories import PlacementFactory

    no_2fa = make_user(roles.SUPERVISOR, two_factor=False)
    PlacementFactory(trainee=trainee, supervisor=no_2fa)
    concern = raise_one(trainee)
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=no_2fa, concern=concern)
