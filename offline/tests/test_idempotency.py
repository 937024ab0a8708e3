"""``Idempotency-Key`` on the API writes a phone queues offline: a retry never doubles anything.

The same key twice gives one row and the same answer; another person's request with the
same key is another request (and never sees the first person's answer); the same key with
another body is refused; a refusal stores nothing, so the corrected draft can go again.
"""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from offline.idempotency import HEADER, REPLAYED_HEADER, purge_expired
from offline.models import IdempotentRequest

BASE = "/api/v1"


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def practicum_rules(db):
    from practicum.defaults import install_defaults

    install_defaults()


@pytest.fixture
def placement(practicum_rules, trainee, supervisor):
    from practicum.models import Placement

    return Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
    )


@pytest.fixture
def other_placement(practicum_rules, other_trainee, supervisor):
    from practicum.models import Placement

    return Placement.objects.create(
        trainee=other_trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
    )


def entry_body(**overrides):
    data = {
        "date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "start_time": "09:00",
        "end_time": "10:30",
        "activity_type": "group_counselling",
        "children_6_11": 10,
        "description": "带领10名儿童开展团体辅导，大家分享了各自平静下来的方法。",
    }
    data.update(overrides)
    return data


def post(client, path, data, key=None):
    headers = {HEADER: key} if key is not None else {}
    return client.post(
        BASE + path, json.dumps(data), content_type="application/json", headers=headers
    )


def entries(user):
    from practicum.models import PracticumEntry

    return PracticumEntry.objects.filter(trainee=user)


# --- practicum entries ---------------------------------------------------------------


def test_the_same_key_twice_logs_one_entry_and_answers_the_same(api_client, trainee, placement):
    client = api_client.as_user(trainee)
    key = str(uuid.uuid4())
    first = post(client, "/practicum/entries", entry_body(), key)
    assert first.status_code == 201, first.content
    assert REPLAYED_HEADER not in first
    again = post(client, "/practicum/entries", entry_body(), key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again[REPLAYED_HEADER] == "true"
    assert entries(trainee).count() == 1
    stored = IdempotentRequest.objects.get(user=trainee, key=key)
    assert stored.endpoint == "practicum.entry.create" and stored.status_code == 201


def test_the_body_is_compared_by_meaning_not_by_spacing_or_key_order(
    api_client, trainee, placement
):
    client = api_client.as_user(trainee)
    key = str(uuid.uuid4())
    assert post(client, "/practicum/entries", entry_body(), key).status_code == 201
    reordered = json.dumps(dict(reversed(list(entry_body().items()))), indent=2)
    again = client.post(
        BASE + "/practicum/entries",
        reordered,
        content_type="application/json",
        headers={HEADER: key},
    )
    assert again.status_code == 201 and again[REPLAYED_HEADER] == "true"
    assert entries(trainee).count() == 1


def test_without_a_key_each_request_is_its_own(api_client, trainee, placement):
    """No header, no change: the practicum's own rules answer a second identical entry."""
    client = api_client.as_user(trainee)
    assert post(client, "/practicum/entries", entry_body()).status_code == 201
    second = post(client, "/practicum/entries", entry_body())
    assert second.status_code == 400  # the overlap rule, not idempotency
    assert entries(trainee).count() == 1
    assert not IdempotentRequest.objects.exists()


def test_another_persons_request_with_the_same_key_is_another_request(
    api_client, trainee, other_trainee, placement, other_placement
):
    key = str(uuid.uuid4())
    mine = post(api_client.as_user(trainee), "/practicum/entries", entry_body(), key)
    assert mine.status_code == 201
    theirs = post(
        api_client.as_user(other_trainee),
        "/practicum/entries",
        entry_body(description="在社区活动室开展情绪主题小组活动。"),
        key,
    )
    assert theirs.status_code == 201
    assert REPLAYED_HEADER not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["trainee_id"] == other_trainee.pk
    assert "带领10名儿童" not in theirs.content.decode()
    assert entries(trainee).count() == 1 and entries(other_trainee).count() == 1
    assert IdempotentRequest.objects.filter(key=key).count() == 2


def test_another_person_cannot_read_an_answer_by_replaying_the_same_request(
    api_client, trainee, other_trainee, placement
):
    """The same key and the very same body from someone without a placement: they get
    their own refusal, not the stored answer holding the first person's entry."""
    key = str(uuid.uuid4())
    assert (
        post(api_client.as_user(trainee), "/practicum/entries", entry_body(), key).status_code
        == 201
    )
    theirs = post(api_client.as_user(other_trainee), "/practicum/entries", entry_body(), key)
    assert theirs.status_code == 409 and theirs.json()["code"] == "no_placement"
    assert REPLAYED_HEADER not in theirs
    assert entries(other_trainee).count() == 0


def test_the_same_key_with_another_body_is_refused(api_client, trainee, placement):
    client = api_client.as_user(trainee)
    key = str(uuid.uuid4())
    assert post(client, "/practicum/entries", entry_body(), key).status_code == 201
    other = post(
        client, "/practicum/entries", entry_body(start_time="14:00", end_time="15:00"), key
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert entries(trainee).count() == 1


def test_the_same_key_on_another_operation_is_refused(api_client, trainee, placement):
    client = api_client.as_user(trainee)
    key = str(uuid.uuid4())
    created = post(client, "/practicum/entries", entry_body(), key)
    entry_id = created.json()["id"]
    response = post(client, f"/practicum/entries/{entry_id}/submit", {}, key)
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert entries(trainee).get().state == "draft"


def test_a_refused_draft_stores_nothing_and_can_be_corrected_and_sent_with_its_key(
    api_client, trainee, placement
):
    client = api_client.as_user(trainee)
    key = str(uuid.uuid4())
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = post(client, "/practicum/entries", entry_body(date=future), key)
    assert refused.status_code == 400 and "future" in refused.json()["detail"]
    assert not IdempotentRequest.objects.filter(key=key).exists()
    accepted = post(client, "/practicum/entries", entry_body(), key)
    assert accepted.status_code == 201
    assert entries(trainee).count() == 1


def test_the_childrens_data_guard_still_answers_a_queued_draft(api_client, trainee, placement):
    client = api_client.as_user(trainee)
    key = str(uuid.uuid4())
    refused = post(client, "/practicum/entries", entry_body(description="学生王小明情绪低落"), key)
    assert refused.status_code == 422 and refused.json()["detail"].startswith("description:")
    assert not IdempotentRequest.objects.exists() and not entries(trainee).exists()


@pytest.mark.parametrize("key", ["short", "has space inside it", "x" * 101, "emoji-🙂-key-1"])
def test_a_malformed_key_is_refused(api_client, trainee, placement, key):
    response = post(api_client.as_user(trainee), "/practicum/entries", entry_body(), key)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not entries(trainee).exists()


def test_a_retried_submit_answers_the_same_instead_of_invalid_state(api_client, trainee, placement):
    client = api_client.as_user(trainee)
    entry_id = post(client, "/practicum/entries", entry_body(), str(uuid.uuid4())).json()["id"]
    key = str(uuid.uuid4())
    first = post(client, f"/practicum/entries/{entry_id}/submit", {}, key)
    assert first.status_code == 200 and first.json()["state"] == "submitted"
    again = post(client, f"/practicum/entries/{entry_id}/submit", {}, key)
    assert again.status_code == 200 and again.json() == first.json()
    without_key = post(client, f"/practicum/entries/{entry_id}/submit", {})
    assert without_key.status_code == 403  # a submitted entry is no longer the trainee's to send


def test_an_attachment_sent_twice_is_stored_once(api_client, trainee, placement):
    from practicum.models import EntryAttachment

    client = api_client.as_user(trainee)
    entry_id = post(client, "/practicum/entries", entry_body(), str(uuid.uuid4())).json()["id"]
    key = str(uuid.uuid4())
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def send():
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("sheet.pdf", pdf, content_type="application/pdf")
        return client.post(
            f"{BASE}/practicum/entries/{entry_id}/attachments",
            {"file": upload},
            headers={HEADER: key},
        )

    first = send()
    assert first.status_code == 201, first.content
    again = send()  # a new multipart boundary, the same file
    assert again.status_code == 201 and again.json() == first.json()
    assert EntryAttachment.objects.filter(entry_id=entry_id).count() == 1


def test_the_header_is_documented_on_each_idempotent_operation():
    from lms.api import api

    schema = api.get_openapi_schema(path_prefix="")
    documented = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p.get("name") == HEADER for p in operation.get("parameters", []))
    }
    assert documented == {
        "POST /lessons/{lesson_id}/complete",
        "POST /practicum/entries",
        "POST /practicum/entries/{entry_id}/attachments",
        "POST /practicum/entries/{entry_id}/submit",
        "POST /sessions/{session_id}/delivery-report",
        "POST /supervision/actions/{action_id}/evidence",
        "POST /supervision/units/{unit_id}/publicity",
    }
    complete = schema["paths"]["/lessons/{lesson_id}/complete"]["post"]
    assert any(p["name"] == "lesson_id" for p in complete["parameters"])


# --- lesson completion ------------------------------------------------------------------


def test_a_lesson_completion_sent_twice_is_one_completion_with_one_audit_record(
    api_client, trainee
):
    from audit.models import AuditLog
    from courses import services
    from courses.models import LessonProgress
    from courses.tests import factories

    course = factories.course(modules=(2,))
    lesson = factories.lessons_of(course)[0]
    services.enrol(user=trainee, course=course)
    client = api_client.as_user(trainee)
    key = str(uuid.uuid4())
    first = post(client, f"/lessons/{lesson.pk}/complete", {}, key)
    assert first.status_code == 200, first.content
    again = post(client, f"/lessons/{lesson.pk}/complete", {}, key)
    assert again.status_code == 200 and again.json() == first.json()
    assert (
        LessonProgress.objects.filter(user=trainee, lesson=lesson, status="complete").count() == 1
    )
    assert AuditLog.objects.filter(action="courses.lesson.complete").count() == 1


def test_a_completion_refused_for_someone_not_enrolled_stores_nothing(api_client, trainee):
    from courses.tests import factories

    course = factories.course(modules=(1,))
    lesson = factories.lessons_of(course)[0]
    response = post(
        api_client.as_user(trainee), f"/lessons/{lesson.pk}/complete", {}, str(uuid.uuid4())
    )
    assert response.status_code == 403 and response.json()["code"] == "not_enrolled"
    assert not IdempotentRequest.objects.exists()


# --- delivery reports -------------------------------------------------------------------


def test_a_delivery_report_sent_twice_is_filed_once(api_client, district):
    from lecturer_corps.models import DeliveryReport, RequestStatus
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
    from outbox.models import OutboxMessage
    from tests.factories import VenueFactory

    venue = VenueFactory(district=district, name="葡萄镇中心小学", capacity=60)
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = make_session(
        make_request(venue=venue, date=yesterday, status=RequestStatus.CONFIRMED), profile.user
    )
    client = api_client.as_user(profile.user)
    report = {
        "children": [{"group": "orphan", "age_band": "6-11", "count": 5}],
        "teachers_count": 2,
        "actual_minutes": 100,
        "notes": "活动顺利，孩子们积极参与。",
    }
    key = str(uuid.uuid4())
    first = post(client, f"/sessions/{session.pk}/delivery-report", report, key)
    assert first.status_code == 201, first.content
    messages = OutboxMessage.objects.count()
    again = post(client, f"/sessions/{session.pk}/delivery-report", report, key)
    assert again.status_code == 201 and again.json() == first.json()
    assert DeliveryReport.objects.filter(session=session).count() == 1
    assert OutboxMessage.objects.count() == messages  # no second round of e-mails
    without_key = post(client, f"/sessions/{session.pk}/delivery-report", report)
    assert without_key.status_code == 400  # "already filed": the service's own rule


# --- keeping ------------------------------------------------------------------------------


def test_old_answers_are_forgotten_after_the_keeping_period(trainee, settings):
    settings.IDEMPOTENCY_KEY_DAYS = 30
    now = timezone.now()
    old = IdempotentRequest.objects.create(
        user=trainee, key="old-key-1", endpoint="x", fingerprint="f", status_code=201, body="{}"
    )
    IdempotentRequest.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=31))
    recent = IdempotentRequest.objects.create(
        user=trainee, key="new-key-1", endpoint="x", fingerprint="f", status_code=201, body="{}"
    )
    IdempotentRequest.objects.filter(pk=recent.pk).update(
        created_at=now - datetime.timedelta(days=29)
    )
    assert purge_expired(now=now) == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new-key-1"]


def test_the_purge_task_is_in_the_beat_schedule():
    from lms.celery import gather_beat_schedule

    schedule = gather_beat_schedule()
    assert schedule["offline-purge-idempotency-keys"]["task"] == (
        "offline.tasks.purge_idempotency_keys"
    )


# --- personal data ---------------------------------------------------------------------------


def test_anonymising_a_person_removes_their_stored_answers(api_client, trainee, placement):
    from privacy.services import anonymise_person

    client = api_client.as_user(trainee)
    assert post(client, "/practicum/entries", entry_body(), str(uuid.uuid4())).status_code == 201
    assert IdempotentRequest.objects.filter(user=trainee).exists()
    counts = anonymise_person(person=trainee)
    assert counts["stored_api_answers"] == 1
    assert not IdempotentRequest.objects.filter(user=trainee).exists()


def test_the_personal_data_export_accounts_for_stored_answers():
    from privacy import export

    reason = export.NOT_EXPORTED[("offline.IdempotentRequest", "user")]
    assert "IDEMPOTENCY_KEY_DAYS" in reason
