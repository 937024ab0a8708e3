"""The request and session state machine, its refusals and its notifications."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditLog
from lecturer_corps import notifications as kinds
from lecturer_corps import services
from lecturer_corps.models import Notification, RequestStatus, ServiceRequest, SessionStatus
from lecturer_corps.tests.factories import make_lecturer, make_request, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit work (e-mails through eager Celery) as the request would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def _assign(coordinator, service_request, lecturer, **kwargs):
    return services.assign_lecturer(
        actor=coordinator, service_request=service_request, lecturer=lecturer, **kwargs
    )


def test_assign_proposes_and_notifies_the_lecturer_in_their_language(
    venue, district_coordinator, on_commit
):
    profile = make_lecturer()
    profile.user.preferred_language = "en"
    profile.user.save()
    request = make_request(venue=venue, created_by=district_coordinator)
    session = on_commit(_assign, district_coordinator, request, profile.user)
    request.refresh_from_db()
    assert session.status == SessionStatus.PROPOSED
    assert request.status == RequestStatus.PROPOSED
    assert session.response_deadline <= request.starts_at
    assert session.match_reasons and "certificate" in session.match_reasons[0]
    notification = Notification.objects.get(user=profile.user)
    assert notification.kind == kinds.SESSION_PROPOSED
    assert notification.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[profile.user.email]]
    assert mail.outbox[0].subject == "New assignment: 我是有能力的小公民"
    assert "Please accept or decline by" in mail.outbox[0].body
    assert AuditLog.objects.filter(action="lecturer_corps.session.propose").count() == 1


def test_email_follows_the_recipients_language_not_the_actors(
    venue, coordinator, on_commit, monkeypatch
):
    from django.utils import translation

    from lecturer_corps import notifications

    languages = []
    real_render = notifications.render

    def spy(kind, params):
        languages.append(translation.get_language())
        return real_render(kind, params)

    monkeypatch.setattr(notifications, "render", spy)
    profile = make_lecturer()
    profile.user.preferred_language = "ug"
    profile.user.save()
    with translation.override("en"):
        on_commit(_assign, coordinator, make_request(venue=venue), profile.user)
    assert languages == ["ug"]
    assert len(mail.outbox) == 1


def test_accepting_confirms_a_request_needing_one_lecturer(venue, coordinator, on_commit):
    profile = make_lecturer()
    request = make_request(venue=venue, created_by=coordinator)
    session = _assign(coordinator, request, profile.user)
    session = on_commit(
        services.respond_to_session, actor=profile.user, session=session, accept=True
    )
    request.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED
    assert request.status == RequestStatus.CONFIRMED
    assert Notification.objects.filter(user=coordinator, kind=kinds.SESSION_ACCEPTED).exists()
    assert Notification.objects.filter(user=profile.user, kind=kinds.REQUEST_CONFIRMED).exists()


def test_a_request_for_two_lecturers_waits_for_both(venue, coordinator):
    first, second = make_lecturer(), make_lecturer()
    request = make_request(venue=venue, lecturers_needed=2)
    a = _assign(coordinator, request, first.user)
    b = _assign(coordinator, request, second.user)
    services.respond_to_session(actor=first.user, session=a, accept=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.PROPOSED
    services.respond_to_session(actor=second.user, session=b, accept=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.CONFIRMED
    a.refresh_from_db()
    assert a.status == SessionStatus.CONFIRMED


def test_a_third_lecturer_is_refused_when_the_request_is_full(venue, coordinator):
    first, second = make_lecturer(), make_lecturer()
    request = make_request(venue=venue)
    _assign(coordinator, request, first.user)
    with pytest.raises(ValidationError, match="already has all the lecturers"):
        _assign(coordinator, request, second.user)


def test_declining_needs_a_reason(venue, coordinator):
    profile = make_lecturer()
    session = _assign(coordinator, make_request(venue=venue), profile.user)
    with pytest.raises(ValidationError):
        services.respond_to_session(actor=profile.user, session=session, accept=False, reason=" ")


def test_declining_reopens_and_proposes_the_next_candidate(venue, coordinator, on_commit):
    first = make_lecturer()
    second = make_lecturer(latitude=42.99, longitude=89.30)
    request = make_request(venue=venue, created_by=coordinator)
    session = _assign(coordinator, request, first.user)
    on_commit(
        services.respond_to_session,
        actor=first.user,
        session=session,
        accept=False,
        reason="家中有事",
    )
    session.refresh_from_db()
    request.refresh_from_db()
    assert session.status == SessionStatus.DECLINED
    assert session.decline_reason == "家中有事"
    live = request.sessions.filter(status=SessionStatus.PROPOSED).get()
    assert live.lecturer == second.user
    assert request.status == RequestStatus.PROPOSED
    declined = Notification.objects.get(user=coordinator, kind=kinds.SESSION_DECLINED)
    assert declined.params["reason"] == "家中有事"
    assert Notification.objects.filter(user=second.user, kind=kinds.SESSION_PROPOSED).exists()


def test_declining_with_nobody_left_tells_the_coordinator(venue, coordinator):
    profile = make_lecturer()
    request = make_request(venue=venue, created_by=coordinator)
    session = _assign(coordinator, request, profile.user)
    services.respond_to_session(actor=profile.user, session=session, accept=False, reason="病了")
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED
    assert Notification.objects.filter(user=coordinator, kind=kinds.REQUEST_UNFILLED).exists()


def test_answering_after_the_deadline_is_refused(venue, coordinator):
    profile = make_lecturer()
    session = _assign(coordinator, make_request(venue=venue), profile.user)
    session.response_deadline = timezone.now() - datetime.timedelta(minutes=1)
    session.save()
    with pytest.raises(ValidationError, match="time to answer"):
        services.respond_to_session(actor=profile.user, session=session, accept=True)


def test_answering_twice_is_refused(venue, coordinator):
    profile = make_lecturer()
    session = _assign(coordinator, make_request(venue=venue), profile.user)
    services.respond_to_session(actor=profile.user, session=session, accept=True)
    with pytest.raises(ValidationError, match="already been answered"):
        services.respond_to_session(actor=profile.user, session=session, accept=False, reason="x")


def test_someone_else_cannot_answer(venue, coordinator, trainee):
    profile = make_lecturer()
    session = _assign(coordinator, make_request(venue=venue), profile.user)
    with pytest.raises(PermissionDenied):
        services.respond_to_session(actor=trainee, session=session, accept=True)


def test_no_answer_by_the_deadline_expires_and_proposes_the_next(venue, coordinator):
    first = make_lecturer()
    second = make_lecturer(latitude=42.99, longitude=89.30)
    request = make_request(venue=venue, created_by=coordinator)
    session = _assign(coordinator, request, first.user)
    session.response_deadline = timezone.now() - datetime.timedelta(minutes=1)
    session.save()
    assert services.expire_overdue_proposals() == 1
    assert services.expire_overdue_proposals() == 0  # idempotent
    session.refresh_from_db()
    assert session.status == SessionStatus.EXPIRED
    assert request.sessions.get(status=SessionStatus.PROPOSED).lecturer == second.user
    assert Notification.objects.filter(user=coordinator, kind=kinds.SESSION_EXPIRED).exists()
    assert Notification.objects.filter(user=first.user, kind=kinds.SESSION_EXPIRED).exists()


def test_the_periodic_task_expires_overdue_proposals(venue, coordinator):
    from lecturer_corps.schedules import SCHEDULE
    from lecturer_corps.tasks import expire_overdue_proposals

    profile = make_lecturer()
    session = _assign(coordinator, make_request(venue=venue), profile.user)
    session.response_deadline = timezone.now() - datetime.timedelta(minutes=1)
    session.save()
    assert expire_overdue_proposals.delay().get() == 1
    tasks = {entry["task"] for entry in SCHEDULE.values()}
    assert "lecturer_corps.tasks.expire_overdue_proposals" in tasks
    assert "lecturer_corps.tasks.check_certificates" in tasks


def test_assigning_a_lecturer_who_fails_a_constraint_is_refused(venue, coordinator):
    profile = make_lecturer(languages=["zh"])
    with pytest.raises(ValidationError, match="does not speak Uyghur"):
        _assign(coordinator, make_request(venue=venue, language="ug"), profile.user)


def test_the_service_refuses_a_double_booking(venue, coordinator):
    profile = make_lecturer()
    day = next_weekday()
    _assign(coordinator, make_request(venue=venue, date=day), profile.user)
    overlapping = make_request(
        venue=venue, date=day, start=datetime.time(10, 0), end=datetime.time(12, 0)
    )
    with pytest.raises(ValidationError, match="already booked 09:00–11:00"):
        _assign(coordinator, overlapping, profile.user)


def test_a_district_coordinator_cannot_assign_outside_their_district(
    other_venue, district_coordinator
):
    profile = make_lecturer()
    with pytest.raises(PermissionDenied):
        _assign(district_coordinator, make_request(venue=other_venue), profile.user)


def test_a_trainee_cannot_assign(venue, trainee):
    profile = make_lecturer()
    with pytest.raises(PermissionDenied):
        _assign(trainee, make_request(venue=venue), profile.user)


def test_a_series_keeps_its_lecturer(venue, coordinator):
    make_lecturer(latitude=42.99, longitude=89.30)
    chosen = make_lecturer()
    created = services.create_service_request(
        actor=coordinator,
        venue=venue,
        topic="caregiver_01",
        audience="caregivers",
        expected_size=20,
        language="zh",
        date=next_weekday(),
        start_time=datetime.time(15, 0),
        end_time=datetime.time(17, 0),
        repeat_weekly=6,
    )
    assert len({r.series for r in created}) == 1
    _assign(coordinator, created[0], chosen.user)
    lecturers = {
        s.lecturer_id for r in created for s in r.sessions.filter(status=SessionStatus.PROPOSED)
    }
    assert lecturers == {chosen.user_id}
    assert all(r.sessions.count() == 1 for r in created)


def test_cancelling_tells_the_lecturer(venue, coordinator):
    profile = make_lecturer()
    request = make_request(venue=venue)
    session = _assign(coordinator, request, profile.user)
    services.cancel_request(actor=coordinator, service_request=request, reason="学校停课")
    session.refresh_from_db()
    request.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert request.status == RequestStatus.CANCELLED
    assert Notification.objects.filter(user=profile.user, kind=kinds.SESSION_CANCELLED).exists()


def test_cancelling_needs_a_reason(venue, coordinator):
    with pytest.raises(ValidationError):
        services.cancel_request(
            actor=coordinator, service_request=make_request(venue=venue), reason=""
        )


def test_rescheduling_moves_the_request_and_keeps_the_lecturer(venue, coordinator):
    profile = make_lecturer()
    request = make_request(venue=venue)
    session = _assign(coordinator, request, profile.user)
    services.respond_to_session(actor=profile.user, session=session, accept=True)
    new_day = request.date + datetime.timedelta(days=7)
    new = services.reschedule_request(
        actor=coordinator,
        service_request=request,
        date=new_day,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(11, 0),
        reason="考试周",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.RESCHEDULED
    assert request.rescheduled_to == new
    assert new.date == new_day
    assert new.sessions.get().lecturer == profile.user
    assert new.status == RequestStatus.PROPOSED
    assert Notification.objects.filter(user=profile.user, kind=kinds.SESSION_RESCHEDULED).exists()


def test_create_request_refuses_more_people_than_the_venue_holds(venue, coordinator):
    with pytest.raises(ValidationError, match="holds 60 people"):
        services.create_service_request(
            actor=coordinator,
            venue=venue,
            topic="child_01",
            audience="children",
            age_band="6-11",
            expected_size=80,
            language="zh",
            date=next_weekday(),
            start_time=datetime.time(9, 0),
            end_time=datetime.time(11, 0),
        )


def test_create_request_refuses_a_topic_for_another_audience(venue, coordinator):
    with pytest.raises(ValidationError) as error:
        services.create_service_request(
            actor=coordinator,
            venue=venue,
            topic="child_01",
            audience="caregivers",
            expected_size=20,
            language="zh",
            date=next_weekday(),
            start_time=datetime.time(9, 0),
            end_time=datetime.time(11, 0),
        )
    assert "audience" in error.value.message_dict


def test_create_request_refuses_a_window_shorter_than_the_class_hours(venue, coordinator):
    with pytest.raises(ValidationError, match="at least 180 minutes"):
        services.create_service_request(
            actor=coordinator,
            venue=venue,
            topic="child_01",
            audience="children",
            age_band="6-11",
            expected_size=20,
            language="zh",
            class_hours=4,
            date=next_weekday(),
            start_time=datetime.time(9, 0),
            end_time=datetime.time(11, 0),
        )


def test_create_request_refuses_a_venue_outside_the_scope(other_venue, district_coordinator):
    with pytest.raises(PermissionDenied):
        services.create_service_request(
            actor=district_coordinator,
            venue=other_venue,
            topic="child_01",
            audience="children",
            age_band="6-11",
            expected_size=20,
            language="zh",
            date=next_weekday(),
            start_time=datetime.time(9, 0),
            end_time=datetime.time(11, 0),
        )
    assert not ServiceRequest.objects.exists()


def test_a_past_session_cannot_be_assigned(venue, coordinator):
    profile = make_lecturer()
    past = make_request(venue=venue, date=timezone.localdate() - datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="already started"):
        _assign(coordinator, past, profile.user)


def test_notifications_are_rendered_in_the_readers_language(venue, coordinator):
    from django.utils import translation

    from lecturer_corps.notifications import render

    params = kinds.session_params(make_request(venue=venue), deadline="2030-01-01 09:00")
    with translation.override("en"):
        title, body = render(kinds.SESSION_PROPOSED, params)
    assert title == "New assignment: 我是有能力的小公民"
    assert "葡萄镇中心小学" in body


def test_mark_notifications_read(venue, coordinator):
    profile = make_lecturer()
    _assign(coordinator, make_request(venue=venue), profile.user)
    assert services.mark_notifications_read(actor=profile.user) == 1
    assert not Notification.objects.filter(user=profile.user, read_at__isnull=True).exists()
