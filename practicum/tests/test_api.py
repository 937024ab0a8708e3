"""The practicum API: entries, submit, review, summary; refusals as JSON with stable codes."""

import datetime
import json

import pytest
from django.utils import timezone

from practicum.models import EntryState, PracticumEntry

from .factories import EntryFactory

BASE = "/api/v1"


@pytest.fixture
def api(api_client, settings):
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return api_client


def body(**overrides):
    data = {
        "date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "start_time": "09:00",
        "end_time": "10:30",
        "activity_type": "group_counselling",
        "children_6_11": 10,
        "description": "带领10名儿童开展团体辅导，一名9岁男孩主动分享。",
    }
    data.update(overrides)
    return data


def post(client, path, data=None):
    return client.post(BASE + path, json.dumps(data or {}), content_type="application/json")


def test_trainee_creates_reads_patches_and_submits(api, trainee, placement):
    api.as_user(trainee)
    response = post(api, "/practicum/entries", body())
    assert response.status_code == 201, response.content
    entry = response.json()
    assert (
        entry["state"] == "draft" and entry["minutes"] == 90 and entry["service_kind"] == "direct"
    )
    response = api.patch(
        f"{BASE}/practicum/entries/{entry['id']}",
        json.dumps({"teachers": 2}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["teachers"] == 2
    response = post(api, f"/practicum/entries/{entry['id']}/submit")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    response = api.patch(
        f"{BASE}/practicum/entries/{entry['id']}",
        json.dumps({"teachers": 3}),
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_rule_violations_are_400_with_the_message(api, trainee, placement):
    api.as_user(trainee)
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = post(api, "/practicum/entries", body(date=future))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "future" in response.json()["detail"]
    # The children's-data guard answers at the boundary, naming the field (422).
    response = post(api, "/practicum/entries", body(description="学生王小明情绪低落"))
    assert response.status_code == 422 and response.json()["detail"].startswith("description:")
    assert response.json()["errors"][0]["type"] == "text_privacy"
    response = post(api, "/practicum/entries", body(activity_type="nonsense"))
    assert response.status_code == 400


def test_schema_errors_are_422(api, trainee, placement):
    api.as_user(trainee)
    response = post(api, "/practicum/entries", body(children_6_11=-1))
    assert response.status_code == 422


def test_trainee_without_placement_gets_409(api, trainee):
    api.as_user(trainee)
    response = post(api, "/practicum/entries", body())
    assert response.status_code == 409 and response.json()["code"] == "no_placement"


def test_supervisor_reviews_own_trainees_entries(api, supervisor, placement):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    api.as_user(supervisor)
    response = post(
        api, f"/practicum/entries/{entry.pk}/review", {"action": "return", "comment": ""}
    )
    assert response.status_code == 400
    response = post(
        api, f"/practicum/entries/{entry.pk}/review", {"action": "return", "comment": "补充时长"}
    )
    assert response.status_code == 200 and response.json()["state"] == "returned"
    response = post(api, f"/practicum/entries/{entry.pk}/review", {"action": "approve"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"


def test_another_supervisor_gets_404(api, other_supervisor, placement):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    api.as_user(other_supervisor)
    assert api.get(f"{BASE}/practicum/entries/{entry.pk}").status_code == 404
    response = post(api, f"/practicum/entries/{entry.pk}/review", {"action": "approve"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_trainee_cannot_review_own_entry(api, trainee, placement):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    api.as_user(trainee)
    response = post(api, f"/practicum/entries/{entry.pk}/review", {"action": "approve"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED


def test_bad_review_action_is_422(api, supervisor, placement):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    api.as_user(supervisor)
    response = post(api, f"/practicum/entries/{entry.pk}/review", {"action": "delete"})
    assert response.status_code == 422


def test_list_shows_only_visible_entries_in_fixed_queries(
    api, supervisor, placement, other_supervisor, django_assert_max_num_queries
):
    mine = EntryFactory.create_batch(12, placement=placement, state=EntryState.SUBMITTED)
    EntryFactory(state=EntryState.SUBMITTED, placement__supervisor=other_supervisor)
    api.as_user(supervisor)
    with django_assert_max_num_queries(12):
        response = api.get(f"{BASE}/practicum/entries?state=submitted")
    assert response.status_code == 200
    payload = response.json()
    assert payload["count"] == 12
    assert {item["id"] for item in payload["items"]} == {e.pk for e in mine}


def test_anonymous_gets_401(client):
    assert client.get(f"{BASE}/practicum/entries").status_code == 401
    assert client.get(f"{BASE}/me/practicum/summary").status_code == 401


def test_summary_reports_hours_by_requirement(api, trainee, placement):
    EntryFactory.create_batch(3, placement=placement, state=EntryState.APPROVED, minutes=60)
    EntryFactory(placement=placement, state=EntryState.SUBMITTED, minutes=30)
    api.as_user(trainee)
    response = api.get(f"{BASE}/me/practicum/summary")
    assert response.status_code == 200
    summary = response.json()
    counsellor = summary["qualifications"][0]
    assert counsellor["qualification"] == "counsellor" and counsellor["all_met"] is False
    total = next(line for line in counsellor["lines"] if line["code"] == "total")
    assert total == {
        "code": "total",
        "label": "Total hours",
        "required_hours": 100.0,
        "approved_hours": 3.0,
        "pending_hours": 0.5,
        "met": False,
        "informational": False,
    }
    assert summary["counts"]["approved"] == 3


def test_attachment_upload_through_the_api(api, trainee, placement):
    from .factories import jpeg_with_gps

    entry = EntryFactory(placement=placement)
    api.as_user(trainee)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        f"{BASE}/practicum/entries/{entry.pk}/attachments",
        {"file": SimpleUploadedFile("x.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 201, response.content
    response = api.post(
        f"{BASE}/practicum/entries/{entry.pk}/attachments",
        {"file": SimpleUploadedFile("x.svg", b"<svg></svg>", "image/svg+xml")},
    )
    assert response.status_code == 400
    assert PracticumEntry.objects.get().attachments.count() == 1


def test_summary_names_the_current_supervisor_after_a_reassignment(
    api, trainee, placement, coordinator, other_supervisor
):
    from practicum import services

    services.reassign_placement(
        placement=placement, supervisor=other_supervisor, actor=coordinator, reason="工作调整"
    )
    api.as_user(trainee)
    summary = api.get(f"{BASE}/me/practicum/summary").json()
    assert [q["supervisor_id"] for q in summary["qualifications"]] == [other_supervisor.pk]
