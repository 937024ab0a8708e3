"""Supervision sessions: the hours are credited once toward each trainee's supervision
requirement, a dispute takes them back, and only the expert's own trainees are recorded;
through the services, the pages and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from wagtail.models import APIToken

from audit.models import AuditLog
from practicum import services as practicum_services
from practicum.models import EntryState, PracticumEntry
from practicum.selectors import requirement_status
from supervision import services
from supervision.models import AttendanceResponse, SupervisionAttendance, SupervisionSession

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _supervision_minutes(user) -> int:
    return requirement_status(user, "counsellor").line("supervision").approved_minutes


def _client(user):
    client = Client()
    client.force_login(user)
    return client


# --- the services -------------------------------------------------------------------------


def test_each_trainee_present_is_credited_the_length_once(record_group, trainee, other_trainee):
    session = record_group()
    assert _supervision_minutes(trainee) == 90 and _supervision_minutes(other_trainee) == 90
    entries = PracticumEntry.objects.filter(credit_source__startswith="supervision-attendance:")
    assert entries.count() == 2 and {e.state for e in entries} == {EntryState.APPROVED}
    assert {a.response for a in session.attendances.all()} == {AttendanceResponse.PENDING}
    row = AuditLog.objects.get(action="supervision.session.record")
    assert row.changes["trainees"] == 2 and row.changes["minutes"] == 90


def test_crediting_an_attendance_again_changes_nothing(record_group, supervisor, trainee):
    session = record_group()
    attendance = session.attendances.get(trainee=trainee)
    entry, created = practicum_services.credit_supervision(
        actor=supervisor,
        placement=attendance.placement,
        date=session.date,
        minutes=session.minutes,
        source=attendance.credit_source,
        description=session.topics,
    )
    assert not created and entry.pk == attendance.credited_entry_id
    assert _supervision_minutes(trainee) == 90


def test_a_dispute_takes_the_hours_back_and_a_confirmation_keeps_them(
    record_group, trainee, other_trainee
):
    session = record_group()
    mine = session.attendances.get(trainee=trainee)
    theirs = session.attendances.get(trainee=other_trainee)
    services.dispute_attendance(actor=trainee, attendance=mine, reason="我那天请假，没有参加。")
    services.confirm_attendance(actor=other_trainee, attendance=theirs)
    assert _supervision_minutes(trainee) == 0
    assert _supervision_minutes(other_trainee) == 90
    mine.refresh_from_db()
    assert mine.response == AttendanceResponse.DISPUTED
    assert mine.credited_entry.state == EntryState.REJECTED
    assert AuditLog.objects.filter(action="practicum.entry.withdraw_credit").count() == 1


def test_an_answer_is_given_once(record_group, trainee):
    attendance = record_group().attendances.get(trainee=trainee)
    services.confirm_attendance(actor=trainee, attendance=attendance)
    with pytest.raises(ValidationError) as caught:
        services.dispute_attendance(actor=trainee, attendance=attendance, reason="改主意")
    assert caught.value.code == "invalid_state"
    assert _supervision_minutes(trainee) == 90


def test_only_the_trainee_present_answers(record_group, trainee, other_trainee, supervisor):
    attendance = record_group().attendances.get(trainee=trainee)
    for someone in (other_trainee, supervisor):
        with pytest.raises(PermissionDenied):
            services.dispute_attendance(actor=someone, attendance=attendance, reason="不对")
    assert _supervision_minutes(trainee) == 90


def test_only_the_experts_own_trainees_are_recorded(record_group, trainee, stranger):
    with pytest.raises(ValidationError) as caught:
        record_group(trainees=[trainee, stranger])
    assert "trainees" in caught.value.message_dict
    assert not SupervisionSession.objects.exists() and not PracticumEntry.objects.exists()


@pytest.mark.parametrize(
    ("kind", "count", "field"),
    [("individual", 2, "trainees"), ("group", 1, "trainees")],
)
def test_individual_has_one_trainee_and_group_two_or_more(
    record_group, trainee, other_trainee, kind, count, field
):
    with pytest.raises(ValidationError) as caught:
        record_group(kind=kind, trainees=[trainee, other_trainee][:count])
    assert field in caught.value.message_dict


def test_only_supervising_experts_record(trainee, district_coordinator, leading_group, placement):
    for someone in (trainee, district_coordinator, leading_group):
        with pytest.raises(PermissionDenied):
            services.record_session(
                actor=someone,
                kind="individual",
                date=TODAY,
                minutes=60,
                topics="个别督导",
                trainees=[trainee],
            )


def test_a_future_date_a_bad_length_and_a_childs_name_are_refused(record_group):
    with pytest.raises(ValidationError) as caught:
        record_group(
            date=TODAY + datetime.timedelta(days=1),
            minutes=5,
            topics="讨论了王小明的情况，他家电话13899123456。",
        )
    assert {"date", "minutes", "topics"} <= set(caught.value.message_dict)
    assert not PracticumEntry.objects.exists()


# --- the pages ---------------------------------------------------------------------------------


def _form(trainee, other_trainee, **extra):
    return {
        "kind": "group",
        "date": "2026-03-09",
        "minutes": "90",
        "trainees": [trainee.pk, other_trainee.pk],
        "topics": "如何结束团体活动。",
        "follow_ups": "",
        **extra,
    }


def test_the_expert_records_through_the_page(
    supervisor, placement, other_placement, trainee, other_trainee
):
    response = _client(supervisor).post("/supervision/sessions/new/", _form(trainee, other_trainee))
    session = SupervisionSession.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/supervision/sessions/{session.pk}/"
    )
    assert _supervision_minutes(trainee) == 90


def test_a_refused_page_keeps_what_was_typed(
    supervisor, placement, other_placement, trainee, other_trainee
):
    typed = "讨论了李浩然同学的情况。"
    response = _client(supervisor).post(
        "/supervision/sessions/new/", _form(trainee, other_trainee, topics=typed)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert typed in page and 'data-testid="error-summary"' in page
    assert not SupervisionSession.objects.exists()


def test_the_page_offers_only_the_experts_own_trainees(supervisor, placement, stranger):
    form = _client(supervisor).get("/supervision/sessions/new/").context["form"]
    assert list(form.fields["trainees"].queryset) == [placement.trainee]


@pytest.mark.parametrize("who", ["trainee", "district_coordinator", "leading_group"])
def test_others_cannot_open_the_record_page(request, who):
    response = _client(request.getfixturevalue(who)).get("/supervision/sessions/new/")
    assert response.status_code == 403


def test_the_trainee_disputes_through_the_page(record_group, trainee):
    session = record_group()
    attendance = session.attendances.get(trainee=trainee)
    client = _client(trainee)
    page = client.get(f"/supervision/sessions/{session.pk}/").content.decode()
    assert 'data-testid="dispute"' in page
    refused = client.post(f"/supervision/attendance/{attendance.pk}/dispute/", {"reason": ""})
    assert refused.status_code == 400
    done = client.post(
        f"/supervision/attendance/{attendance.pk}/dispute/", {"reason": "那天我不在。"}
    )
    assert done.status_code == 302 and _supervision_minutes(trainee) == 0


def test_a_session_is_hidden_from_those_not_in_it(record_group, stranger, district_coordinator):
    session = record_group()
    for someone in (stranger, district_coordinator):
        assert _client(someone).get(f"/supervision/sessions/{session.pk}/").status_code == 404


def test_someone_elses_attendance_cannot_be_answered_by_page(record_group, trainee, other_trainee):
    attendance = record_group().attendances.get(trainee=trainee)
    response = _client(other_trainee).post(
        f"/supervision/attendance/{attendance.pk}/dispute/", {"reason": "不对"}
    )
    assert response.status_code == 403
    assert _supervision_minutes(trainee) == 90


def test_the_session_list_reads_in_a_fixed_number_of_queries(
    record_group, supervisor, django_assert_max_num_queries
):
    for _ in range(5):
        record_group()
    client = _client(supervisor)
    client.get("/supervision/sessions/")  # warm the session and the user's roles
    with django_assert_max_num_queries(12):
        response = client.get("/supervision/sessions/")
    assert response.content.decode().count("/supervision/sessions/") >= 5


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_records_and_the_trainee_disputes(
    api_client, supervisor, placement, other_placement, trainee, other_trainee
):
    body = {
        "kind": "group",
        "date": "2026-03-09",
        "minutes": 60,
        "trainee_ids": [trainee.pk, other_trainee.pk],
        "topics": "团体督导：活动设计。",
    }
    created = api_client.as_user(supervisor).post(
        "/api/v1/supervision/sessions", body, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    attendance = SupervisionAttendance.objects.get(trainee=trainee)
    assert {a["credited_hours"] for a in created.json()["attendances"]} == {1.0}
    trainee_api = Client()
    _token, key = APIToken.create_token(user=trainee, name="t")
    trainee_api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    disputed = trainee_api.post(
        f"/api/v1/supervision/attendances/{attendance.pk}/dispute",
        {"reason": "时间记录有误。"},
        content_type="application/json",
    )
    assert disputed.status_code == 200, disputed.content
    again = trainee_api.post(
        f"/api/v1/supervision/attendances/{attendance.pk}/confirm",
        {},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    assert _supervision_minutes(trainee) == 0 and _supervision_minutes(other_trainee) == 60


def test_the_api_refuses_like_the_pages(api_client, trainee, supervisor, placement, stranger):
    body = {
        "kind": "individual",
        "date": "2026-03-09",
        "minutes": 60,
        "trainee_ids": [trainee.pk],
        "topics": "个别督导。",
    }
    refused = api_client.as_user(trainee).post(
        "/api/v1/supervision/sessions", body, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    not_mine = api_client.as_user(supervisor).post(
        "/api/v1/supervision/sessions",
        {**body, "trainee_ids": [stranger.pk]},
        content_type="application/json",
    )
    assert not_mine.status_code == 400 and "trainees" in not_mine.json()["errors"]
    named = api_client.as_user(supervisor).post(
        "/api/v1/supervision/sessions",
        {**body, "topics": "讨论王小明，电话13899123456。"},
        content_type="application/json",
    )
    assert named.status_code == 422 and named.json()["detail"].startswith("topics:")
    assert not SupervisionSession.objects.exists()


def test_the_trainees_dashboard_asks_for_an_answer_until_given(record_group, trainee):
    session = record_group()
    page = _client(trainee).get("/dashboard/").content.decode()
    assert 'data-testid="supervision-waiting"' in page
    assert f"/supervision/sessions/{session.pk}/" in page
    services.confirm_attendance(actor=trainee, attendance=session.attendances.get(trainee=trainee))
    page = _client(trainee).get("/dashboard/").content.decode()
    assert 'data-testid="supervision-waiting"' not in page
