"""The dispatch API's two uploads: the request import (the page's reader and rules, all or
nothing, every problem by its line as JSON) and a qualification from elsewhere with its
scanned evidence. Each refusal by role and scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditLog
from dispatch.models import PlannedRequest, PriorQualification, RequestSource
from dispatch.tests.factories import pdf_upload
from lecturer_corps.models import ServiceRequest
from lecturer_corps.tests.factories import make_lecturer

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/dispatch/import"
PRIOR = "/api/v1/prior-qualifications"
HEADER = "场所,区县,主题,对象,年龄段,人数,语言,日期,开始,结束,课时,讲师人数,每月重复,备注"


def _csv(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "requests.csv", ("\n".join([HEADER, *lines]) + "\n").encode(), content_type="text/csv"
    )


def _day(weeks=3) -> str:
    return (timezone.localdate() + datetime.timedelta(weeks=weeks)).isoformat()


def _good_row(weeks=3, monthly="") -> str:
    return f"葡萄镇中心小学,高昌区,child_01,儿童,6-11,30,普通话,{_day(weeks)},09:00,11:00,2,1,{monthly},"


# --- the request import ------------------------------------------------------------------------


def test_a_good_file_makes_every_request_and_answers_their_ids(
    api_client, venue, district_coordinator
):
    upload = _csv(_good_row(3, "是"), _good_row(4))
    response = api_client.as_user(district_coordinator).post(IMPORT, {"file": upload})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["dry_run"], body["checked"], body["created"]) == (False, 2, 2)
    made = ServiceRequest.objects.filter(pk__in=body["request_ids"]).order_by("date")
    assert [r.venue_id for r in made] == [venue.pk, venue.pk]
    assert [r.plan.recurring for r in made] == [True, False]
    assert {r.plan.source for r in made} == {RequestSource.IMPORT}
    assert AuditLog.objects.filter(action="dispatch.plan.import", actor=district_coordinator)


def test_a_dry_run_checks_and_makes_nothing(api_client, venue, district_coordinator):
    response = api_client.as_user(district_coordinator).post(
        IMPORT, {"file": _csv(_good_row()), "dry_run": "true"}
    )
    assert response.status_code == 200
    assert response.json() == {"dry_run": True, "checked": 1, "created": 0, "request_ids": []}
    assert not ServiceRequest.objects.exists()


def test_a_broken_file_writes_nothing_and_answers_each_line(
    api_client, venue, other_venue, district_coordinator
):
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    upload = _csv(
        _good_row(),  # line 2: good
        f"葡萄镇中心小学,,child_01,儿童,6-11,30,普通话,{past},09:00,11:00,2,1,,",  # 3
        f"鄯善县第一小学,,child_01,儿童,6-11,30,普通话,{_day()},09:00,11:00,2,1,,",  # 4: scope
        f"葡萄镇中心小学,,child_77,儿童,6-11,30,法语,{_day()},9点,11:00,2,1,,",  # 5
    )
    response = api_client.as_user(district_coordinator).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused" and "3 lines" in body["detail"]
    lines = {item["line"]: item["message"] for item in body["lines"]}
    assert sorted(lines) == [3, 4, 5]
    assert "in the past" in lines[3]
    assert "no active venue" in lines[4]
    assert "unknown topic" in lines[5] and "unknown language" in lines[5]
    assert not ServiceRequest.objects.exists() and not PlannedRequest.objects.exists()
    assert not AuditLog.objects.filter(action="dispatch.plan.import").exists()


def test_a_missing_column_is_answered_on_the_header_line(api_client, venue, district_coordinator):
    upload = SimpleUploadedFile("r.csv", "场所,主题\n葡萄镇中心小学,child_01\n".encode())
    response = api_client.as_user(district_coordinator).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    (problem,) = response.json()["lines"]
    assert problem["line"] == 1 and "expected_size" in problem["message"]


def test_a_file_that_cannot_be_read_is_refused_as_a_whole(api_client, venue, district_coordinator):
    upload = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    response = api_client.as_user(district_coordinator).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unreadable_file" and ".xls" in body["detail"]
    assert body["lines"] == [{"line": None, "message": body["detail"]}]


def test_a_file_over_the_limit_is_refused_unread(
    api_client, venue, district_coordinator, monkeypatch
):
    from dispatch import planning

    monkeypatch.setattr(planning, "MAX_BYTES", 200)
    upload = _csv(*[_good_row(weeks) for weeks in range(3, 9)])
    response = api_client.as_user(district_coordinator).post(IMPORT, {"file": upload})
    assert response.status_code == 400 and response.json()["code"] == "unreadable_file"
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("who", ["trainee", "lecturer", "supervisor", "contact_user"])
def test_only_coordinators_import(request, api_client, venue, who):
    user = request.getfixturevalue(who)
    response = api_client.as_user(user).post(IMPORT, {"file": _csv(_good_row())})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not ServiceRequest.objects.exists()


def test_a_district_coordinator_cannot_import_for_another_district(
    api_client, venue, other_venue, other_district_coordinator
):
    response = api_client.as_user(other_district_coordinator).post(
        IMPORT, {"file": _csv(_good_row())}
    )
    assert response.status_code == 400
    assert "no active venue" in response.json()["lines"][0]["message"]
    assert not ServiceRequest.objects.exists()


def test_the_import_needs_a_file_and_a_log_in(api_client, client, district_coordinator):
    assert api_client.as_user(district_coordinator).post(IMPORT, {}).status_code == 422
    assert client.post(IMPORT, {"file": _csv(_good_row())}).status_code == 401


# --- a qualification from elsewhere ------------------------------------------------------------


@pytest.fixture
def expert(db, district):
    return make_lecturer(
        topics=["child_01"], certificates=(), completed=[], district=district, username="t_expert"
    ).user


def _fields(**overrides) -> dict:
    fields = {
        "title": "国家二级心理咨询师",
        "issuer": "人力资源和社会保障部",
        "number": "1511003000200457",
        "issued_on": "2019-06-01",
        "topics": ["child_01", "child_02"],
        "evidence": pdf_upload(),
    }
    fields.update(overrides)
    return fields


def test_an_expert_records_their_own_with_the_scan(api_client, expert):
    response = api_client.as_user(expert).post(PRIOR, _fields())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["holder_id"], body["status"], body["issued_here"]) == (expert.pk, "pending", False)
    assert body["topics"] == ["child_01", "child_02"] and body["expires_on"] is None
    record = PriorQualification.objects.get(pk=body["id"])
    assert record.recorded_by == expert and record.evidence.read().startswith(b"%PDF")
    assert AuditLog.objects.filter(action="dispatch.prior_qualification.record", actor=expert)


def test_a_coordinator_records_for_a_lecturer_of_their_district(
    api_client, expert, district_coordinator
):
    response = api_client.as_user(district_coordinator).post(
        PRIOR, _fields(holder_username=expert.username, expires_on="2030-06-01")
    )
    assert response.status_code == 201, response.json()
    assert response.json()["holder_id"] == expert.pk
    assert PriorQualification.objects.get().recorded_by == district_coordinator


def test_recording_refusals(
    api_client, expert, trainee, lecturer, other_district_coordinator, district_coordinator
):
    # A trainee (not a lecturer) for themselves, another lecturer for the expert, a
    # coordinator of another district for the expert: 403, nothing kept.
    assert api_client.as_user(trainee).post(PRIOR, _fields()).status_code == 403
    for actor in (lecturer, other_district_coordinator):
        response = api_client.as_user(actor).post(PRIOR, _fields(holder_username=expert.username))
        assert response.status_code == 403, actor.username
    # Nobody by that name.
    response = api_client.as_user(district_coordinator).post(
        PRIOR, _fields(holder_username="nobody_at_all")
    )
    assert response.status_code == 400 and "holder_username" in response.json()["errors"]
    # Not a scan: refused by its content, whatever its name says.
    html = SimpleUploadedFile("scan.pdf", b"<html><script>x</script></html>")
    response = api_client.as_user(expert).post(PRIOR, _fields(evidence=html))
    assert response.status_code == 400 and "evidence" in response.json()["errors"]
    # Expiring before it was issued; issued in the future.
    response = api_client.as_user(expert).post(PRIOR, _fields(expires_on="2018-01-01"))
    assert response.status_code == 400 and "expires_on" in response.json()["errors"]
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = api_client.as_user(expert).post(PRIOR, _fields(issued_on=future))
    assert response.status_code == 400 and "issued_on" in response.json()["errors"]
    # An unknown topic and no scan at all are refused by the schema.
    assert api_client.as_user(expert).post(PRIOR, _fields(topics=["x_99"])).status_code == 422
    no_scan = _fields()
    del no_scan["evidence"]
    assert api_client.as_user(expert).post(PRIOR, no_scan).status_code == 422
    assert not PriorQualification.objects.exists()


def test_the_same_certificate_cannot_be_recorded_twice(api_client, expert, district_coordinator):
    assert api_client.as_user(expert).post(PRIOR, _fields()).status_code == 201
    again = api_client.as_user(district_coordinator).post(
        PRIOR, _fields(holder_username=expert.username)
    )
    assert again.status_code == 400 and "number" in again.json()["errors"]
    assert PriorQualification.objects.count() == 1


def test_a_control_character_in_a_text_field_is_refused_by_its_policy(api_client, expert):
    response = api_client.as_user(expert).post(PRIOR, _fields(number="15110\x00030"))
    assert response.status_code == 422 and response.json()["detail"].startswith("number")
