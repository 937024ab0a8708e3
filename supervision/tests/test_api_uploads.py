"""The supervision API's two uploads (multipart): a corrective action's evidence and a
unit's publicity by its form. Size and type limits answer 400 JSON naming ``file``;
every role's refusal has its status; ``Idempotency-Key`` makes a resend harmless."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audit.models import AuditLog
from supervision import services
from supervision.models import ActionState, CorrectiveAction, PublicityItem

from .conftest import TODAY

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
MONTH = f"{TODAY:%Y-%m}"


def _png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _evidence(action):
    return f"/api/v1/supervision/actions/{action.pk}/evidence"


def _publicity(unit):
    return f"/api/v1/supervision/units/{unit.pk}/publicity"


# --- evidence ------------------------------------------------------------------------------


def test_the_owner_sends_evidence_with_a_photo(api_client, action, district_coordinator):
    response = api_client.as_user(district_coordinator).post(
        _evidence(action), {"note": "已补齐三月记录。", "file": _png()}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "submitted" and body["has_evidence_file"] is True
    action.refresh_from_db()
    assert (
        action.evidence_content_type == "image/png" and action.evidence_note == "已补齐三月记录。"
    )
    assert AuditLog.objects.filter(action="supervision.action.evidence").count() == 1


def test_evidence_may_be_a_note_alone(api_client, action, district_coordinator):
    response = api_client.as_user(district_coordinator).post(
        _evidence(action), {"note": "已在例会上通报并整改。"}
    )
    assert response.status_code == 200 and response.json()["has_evidence_file"] is False


def test_evidence_sent_twice_with_one_key_is_submitted_once(
    api_client, action, district_coordinator
):
    client = api_client.as_user(district_coordinator)
    first = client.post(
        _evidence(action),
        {"note": "已补齐。", "file": _png()},
        headers={"Idempotency-Key": "evidence-0001"},
    )
    again = client.post(
        _evidence(action),
        {"note": "已补齐。", "file": _png()},
        headers={"Idempotency-Key": "evidence-0001"},
    )
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AuditLog.objects.filter(action="supervision.action.evidence").count() == 1


@pytest.mark.parametrize(
    ("upload", "why"),
    [
        (SimpleUploadedFile("notes.png", b"just text, not a photo", "image/png"), "type"),
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 64, "image/png"), "type"),
        (
            SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (8 * 1024 * 1024) + b"%%EOF"),
            "size",
        ),
    ],
)
def test_a_file_of_another_type_or_too_large_is_400_naming_it(
    api_client, action, district_coordinator, upload, why
):
    response = api_client.as_user(district_coordinator).post(
        _evidence(action), {"note": "已补齐。", "file": upload}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "file" in body["errors"]
    action.refresh_from_db()
    assert action.state == ActionState.OPEN and not action.evidence_file


def test_evidence_without_a_note_or_naming_a_child_is_refused(
    api_client, action, district_coordinator
):
    client = api_client.as_user(district_coordinator)
    assert client.post(_evidence(action), {"file": _png()}).status_code == 422
    named = client.post(
        _evidence(action), {"note": "已家访王小明同学，身份证号650402201005051234。"}
    )
    assert named.status_code == 422 and "note" in named.json()["detail"]
    assert CorrectiveAction.objects.get().state == ActionState.OPEN


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other_district_coordinator", 404),  # outside their district: not found
        ("trainee", 404),
        ("supervisor", 404),
        ("leading_group", 403),  # sees it; the owner's side sends evidence
        ("administrator", 403),
    ],
)
def test_evidence_refused_by_role(request, api_client, action, who, status):
    response = api_client.as_user(request.getfixturevalue(who)).post(
        _evidence(action), {"note": "已补齐。"}
    )
    assert response.status_code == status
    assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[status]
    assert CorrectiveAction.objects.get().state == ActionState.OPEN


def test_evidence_waiting_for_the_inspector_is_409(api_client, action, district_coordinator):
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐。")
    response = api_client.as_user(district_coordinator).post(
        _evidence(action), {"note": "再补一份。"}
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"


def test_the_api_shows_one_action_to_those_who_see_it(
    api_client, action, district_coordinator, other_district_coordinator
):
    path = f"/api/v1/supervision/actions/{action.pk}"
    assert api_client.as_user(district_coordinator).get(path).json()["id"] == action.pk
    assert api_client.as_user(other_district_coordinator).get(path).status_code == 404


# --- publicity -------------------------------------------------------------------------------


def _item(**extra):
    return {
        "period": MONTH,
        "form": "article",
        "title": "关爱困境儿童宣传周",
        "published_on": TODAY.isoformat(),
        **extra,
    }


def test_a_reporter_uploads_each_form_with_a_link_or_a_file(api_client, unit, reporter):
    client = api_client.as_user(reporter)
    linked = client.post(_publicity(unit), _item(link="https://example.org/a"))
    assert linked.status_code == 201, linked.json()
    assert linked.json()["form"] == "article" and linked.json()["file_url"] is None
    poster = client.post(_publicity(unit), _item(form="poster", file=_png("poster.png")))
    assert poster.status_code == 201, poster.json()
    body = poster.json()
    assert body["period"] == MONTH and body["content_type"] == "image/png"
    client.force_login(reporter)  # the file is served by the page, to those who see it
    assert client.get(body["file_url"]).status_code == 200
    listed = client.get(_publicity(unit), {"period": MONTH}).json()
    assert [i["form"] for i in listed] == ["article", "poster"]
    assert AuditLog.objects.filter(action="supervision.publicity.add").count() == 2


def test_publicity_sent_twice_with_one_key_is_added_once(api_client, unit, reporter):
    client = api_client.as_user(reporter)
    for _ in range(2):
        response = client.post(
            _publicity(unit),
            _item(form="video", file=_png()),
            headers={"Idempotency-Key": "publicity-0001"},
        )
        assert response.status_code == 201
    assert response.headers["Idempotent-Replayed"] == "true"
    assert PublicityItem.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        (_item(), 400, "link"),  # neither a link nor a file
        (_item(link="javascript:alert(1)"), 400, "link"),
        (_item(link="https://example.org", period="2026-13"), 400, "period"),
        (_item(link="https://example.org", period="2026-04"), 400, "period"),  # ahead
        (_item(link="https://example.org", published_on="2026-02-27"), 400, "published_on"),
        (_item(link="https://example.org", form="tattoo"), 422, None),
        (_item(link="https://example.org", title=""), 422, None),
    ],
)
def test_bad_publicity_is_4xx_json_and_stores_nothing(
    api_client, unit, reporter, fields, status, field
):
    response = api_client.as_user(reporter).post(_publicity(unit), fields)
    assert response.status_code == status, response.json()
    if field:
        assert field in response.json()["errors"]
    assert not PublicityItem.objects.exists()


def test_a_publicity_file_of_another_type_is_400(api_client, unit, reporter):
    upload = SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    response = api_client.as_user(reporter).post(_publicity(unit), _item(file=upload))
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert not PublicityItem.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other_district_coordinator", 404),
        ("trainee", 404),
        ("supervisor", 404),
        ("leading_group", 403),  # sees every unit's return; reports none
    ],
)
def test_publicity_refused_by_role(request, api_client, unit, reporter, who, status):
    response = api_client.as_user(request.getfixturevalue(who)).post(
        _publicity(unit), _item(link="https://example.org/a")
    )
    assert response.status_code == status
    assert not PublicityItem.objects.exists()


def test_the_districts_coordinator_and_an_administrator_report_too(
    api_client, unit, district_coordinator, administrator
):
    for person in (district_coordinator, administrator):
        response = api_client.as_user(person).post(
            _publicity(unit), _item(link="https://example.org/a")
        )
        assert response.status_code == 201


def test_removing_an_item_through_the_api(
    api_client, unit, reporter, leading_group, other_district_coordinator
):
    item = services.add_publicity_item(
        actor=reporter,
        unit=unit,
        period=TODAY.replace(day=1),
        form="article",
        title="宣传稿",
        published_on=TODAY,
        link="https://example.org/a",
    )
    path = f"/api/v1/supervision/publicity/items/{item.pk}"
    assert api_client.as_user(other_district_coordinator).delete(path).status_code == 404
    assert api_client.as_user(leading_group).delete(path).status_code == 403
    assert api_client.as_user(reporter).delete(path).status_code == 204
    assert not PublicityItem.objects.exists()
    assert api_client.as_user(reporter).delete(path).status_code == 404
