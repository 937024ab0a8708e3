"""Every refusal of supervision's writes, by role, through the page and the API: a record
the person may not see is 404, a step they may not take 403; nothing is written either way
(no audit row). The allowed path of each write is tested beside its feature."""

import datetime

import pytest
from django.test import Client

from audit.models import AuditLog
from supervision import services

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(record_group):
    return record_group()


@pytest.fixture
def waiting_action(action, district_coordinator):
    services.submit_evidence(actor=district_coordinator, action=action, note="已补齐。")
    return action


@pytest.fixture
def stage(db):
    from supervision.models import Stage, StageCriterion

    stage = Stage.objects.create(
        name="第一阶段", starts_on=datetime.date(2026, 1, 1), due_on=datetime.date(2026, 6, 30)
    )
    StageCriterion.objects.create(stage=stage, measure="certified", target=0)
    return stage


@pytest.fixture
def item(unit, reporter):
    return services.add_publicity_item(
        actor=reporter,
        unit=unit,
        period=TODAY.replace(day=1),
        form="article",
        title="宣传稿",
        published_on=TODAY,
        link="https://example.org/a",
    )


def _period():
    return f"{TODAY:%Y-%m}"


# (write, fixture holding the object, page (path, data), API (method, path, body, multipart))
WRITES = {
    "record_session": (
        None,
        lambda o: ("/supervision/sessions/new/", {"kind": "individual", "minutes": 60}),
        lambda o: (
            "post",
            "/api/v1/supervision/sessions",
            {
                "kind": "individual",
                "date": "2026-03-09",
                "minutes": 60,
                "trainee_ids": [1],
                "topics": "督导",
            },
            False,
        ),
    ),
    "confirm": (
        "session",
        lambda o: (f"/supervision/attendance/{o.attendances.first().pk}/confirm/", {}),
        lambda o: (
            "post",
            f"/api/v1/supervision/attendances/{o.attendances.first().pk}/confirm",
            {},
            False,
        ),
    ),
    "dispute": (
        "session",
        lambda o: (
            f"/supervision/attendance/{o.attendances.first().pk}/dispute/",
            {"reason": "不在场"},
        ),
        lambda o: (
            "post",
            f"/api/v1/supervision/attendances/{o.attendances.first().pk}/dispute",
            {"reason": "不在场"},
            False,
        ),
    ),
    "record_inspection": (
        "district",
        lambda o: ("/supervision/inspections/new/", {"date": "2026-03-10", "district": o.pk}),
        lambda o: (
            "post",
            "/api/v1/supervision/inspections",
            {"date": "2026-03-10", "district_id": o.pk},
            False,
        ),
    ),
    "add_finding": (
        "inspection",
        lambda o: (f"/supervision/inspections/{o.pk}/findings/", {"text": "台账缺页。"}),
        lambda o: (
            "post",
            f"/api/v1/supervision/inspections/{o.pk}/findings",
            {"text": "台账缺页。"},
            False,
        ),
    ),
    "submit_evidence": (
        "action",
        lambda o: (f"/supervision/actions/{o.pk}/evidence/", {"note": "已补齐。"}),
        lambda o: (
            "post",
            f"/api/v1/supervision/actions/{o.pk}/evidence",
            {"note": "已补齐。"},
            True,
        ),
    ),
    "verify": (
        "waiting_action",
        lambda o: (f"/supervision/actions/{o.pk}/verify/", {"decision": "verify", "note": ""}),
        lambda o: ("post", f"/api/v1/supervision/actions/{o.pk}/verify", {"accept": True}, False),
    ),
    "sign_off": (
        "stage",
        lambda o: (f"/supervision/stages/{o.pk}/sign-off/", {"note": "", "confirm": "on"}),
        lambda o: ("post", f"/api/v1/supervision/stages/{o.pk}/sign-off", {"note": ""}, False),
    ),
    "add_publicity": (
        "unit",
        lambda o: (
            f"/supervision/publicity/{o.pk}/{_period()}/",
            {
                "form": "article",
                "title": "宣传稿",
                "published_on": TODAY.isoformat(),
                "link": "https://example.org/a",
            },
        ),
        lambda o: (
            "post",
            f"/api/v1/supervision/units/{o.pk}/publicity",
            {
                "period": _period(),
                "form": "article",
                "title": "宣传稿",
                "published_on": TODAY.isoformat(),
                "link": "https://example.org/a",
            },
            True,
        ),
    ),
    "remove_publicity": (
        "item",
        lambda o: (f"/supervision/publicity/items/{o.pk}/remove/", {}),
        lambda o: ("delete", f"/api/v1/supervision/publicity/items/{o.pk}", None, False),
    ),
}

# Who is refused, and how (page status, API status): 404 where the record is out of sight.
REFUSALS = [
    ("record_session", "trainee", 403, 403),
    ("record_session", "district_coordinator", 403, 403),
    ("record_session", "leading_group", 403, 403),
    ("record_session", "administrator", 403, 403),
    ("confirm", "stranger", 404, 404),
    ("confirm", "supervisor", 403, 403),  # the expert sees it; only the trainee answers
    ("confirm", "administrator", 403, 403),
    ("dispute", "stranger", 404, 404),
    ("dispute", "supervisor", 403, 403),
    ("dispute", "administrator", 403, 403),
    ("record_inspection", "trainee", 403, 403),
    ("record_inspection", "supervisor", 403, 403),
    ("record_inspection", "district_coordinator", 403, 403),
    ("record_inspection", "administrator", 403, 403),
    ("add_finding", "trainee", 404, 404),
    ("add_finding", "supervisor", 404, 404),
    ("add_finding", "other_district_coordinator", 404, 404),
    ("add_finding", "district_coordinator", 403, 403),
    ("add_finding", "administrator", 403, 403),
    ("submit_evidence", "trainee", 404, 404),
    ("submit_evidence", "other_district_coordinator", 404, 404),
    ("submit_evidence", "leading_group", 403, 403),
    ("submit_evidence", "administrator", 403, 403),
    ("verify", "trainee", 404, 404),
    ("verify", "other_district_coordinator", 404, 404),
    ("verify", "district_coordinator", 403, 403),  # the owner's side never verifies
    ("verify", "administrator", 403, 403),
    ("verify", "other_leader", 403, 403),  # the leading group, but not an inspector of it
    ("sign_off", "trainee", 403, 403),
    ("sign_off", "district_coordinator", 403, 403),
    ("sign_off", "administrator", 403, 403),
    ("sign_off", "supervisor", 403, 403),
    ("add_publicity", "trainee", 404, 404),
    ("add_publicity", "supervisor", 404, 404),
    ("add_publicity", "other_district_coordinator", 404, 404),
    ("add_publicity", "leading_group", 403, 403),
    ("remove_publicity", "trainee", 404, 404),
    ("remove_publicity", "other_district_coordinator", 404, 404),
    ("remove_publicity", "leading_group", 403, 403),
]


@pytest.mark.parametrize("way", ["page", "api"])
@pytest.mark.parametrize(("write", "who", "page_status", "api_status"), REFUSALS)
def test_a_refusal_writes_nothing(
    request, api_client, placement, way, write, who, page_status, api_status
):
    holder, page, api = WRITES[write]
    obj = request.getfixturevalue(holder) if holder else None
    person = request.getfixturevalue(who)
    before = AuditLog.objects.count()
    if way == "page":
        client = Client()
        client.force_login(person)
        path, data = page(obj)
        status = client.post(path, data).status_code
        assert status == page_status, (write, who, status)
    else:
        method, path, body, multipart = api(obj)
        client = api_client.as_user(person)
        if method == "delete":
            response = client.delete(path)
        elif multipart:
            response = client.post(path, body)
        else:
            response = client.post(path, body, content_type="application/json")
        assert response.status_code == api_status, (write, who, response.content)
        code = {403: "permission_denied", 404: "not_found"}[api_status]
        assert response.json()["code"] == code
    assert AuditLog.objects.count() == before
