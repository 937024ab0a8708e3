"""Staged acceptance: criteria measured from the report's own figures; the leading group
accepts a stage once they are all met, and only then; an accepted stage is kept as it was."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from audit.models import AuditLog
from lecturer_corps.models import RequestStatus
from lecturer_corps.tests.factories import give_certificate, make_request
from supervision import selectors, services
from supervision.models import Stage, StageCriterion
from tests.factories import VenueFactory, make_user

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def stage(district):
    stage = Stage.objects.create(
        name="第一阶段：人才库组建", starts_on=D(2026, 1, 1), due_on=D(2026, 6, 30)
    )
    StageCriterion.objects.create(stage=stage, measure="certified", target=2)
    StageCriterion.objects.create(stage=stage, measure="sessions_each_district", target=1)
    return stage


def _certify(n, district):
    for _ in range(n):
        give_certificate(make_user("trainee", district=district), valid_from=D(2026, 1, 5))


def _deliver(district):
    request = make_request(venue=VenueFactory(district=district), date=D(2026, 3, 2))
    request.status = RequestStatus.DELIVERED
    request.save(update_fields=["status"])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_progress_is_measured_from_the_figures(stage, district, other_district):
    _certify(1, district)
    _deliver(district)
    progress = selectors.stage_progress(stage)
    certified, sessions = progress.criteria
    assert certified.values[0].value == Decimal(1) and not certified.met
    assert certified.percent == 50
    # Every district must reach the target: Shanshan has none yet.
    assert {v.label: v.value for v in sessions.values} == {
        "Gaochang District": Decimal(1),
        "Shanshan County": Decimal(0),
    }
    assert not sessions.met and not progress.all_met


def test_the_leading_group_accepts_a_stage_once_every_criterion_is_met(
    stage, district, other_district, leading_group
):
    _certify(1, district)
    _deliver(district)
    with pytest.raises(ValidationError) as caught:
        services.sign_off_stage(actor=leading_group, stage=stage, note="")
    assert caught.value.code == "criteria_not_met"
    _certify(1, other_district)
    _deliver(other_district)
    services.sign_off_stage(actor=leading_group, stage=stage, note="经检查，第一阶段验收合格。")
    stage.refresh_from_db()
    assert stage.is_signed_off and stage.signed_off_by == leading_group
    figures = stage.sign_off_figures["criteria"]
    assert [c["met"] for c in figures] == [True, True] and figures[0]["values"][0]["value"] == 2.0
    assert AuditLog.objects.filter(action="supervision.stage.sign_off").count() == 1
    with pytest.raises(ValidationError) as caught:
        services.sign_off_stage(actor=leading_group, stage=stage)
    assert caught.value.code == "invalid_state"


@pytest.mark.parametrize("who", ["district_coordinator", "administrator", "supervisor"])
def test_only_the_leading_group_accepts(request, stage, who):
    with pytest.raises(PermissionDenied):
        services.sign_off_stage(actor=request.getfixturevalue(who), stage=stage)


def test_an_accepted_stage_no_longer_changes(stage, administrator, leading_group, monkeypatch):
    monkeypatch.setattr("supervision.selectors.StageProgress.all_met", property(lambda self: True))
    services.sign_off_stage(actor=leading_group, stage=stage)
    stage.refresh_from_db()
    stage.name = "改名"
    with pytest.raises(ValidationError):
        services.update_stage(actor=administrator, instance=stage, changed=["name"])
    with pytest.raises(ValidationError):
        services.delete_stage(actor=administrator, instance=stage)


def test_pages_and_api_refuse_others_and_say_why_not_yet(
    stage, leading_group, district_coordinator, trainee, api_client
):
    assert _client(trainee).get("/supervision/stages/").status_code == 403
    page = _client(district_coordinator).get(f"/supervision/stages/{stage.pk}/")
    assert page.status_code == 200 and 'data-testid="sign-off-form"' not in page.content.decode()
    assert (
        _client(district_coordinator)
        .post(f"/supervision/stages/{stage.pk}/sign-off/", {"note": "", "confirm": "on"})
        .status_code
        == 403
    )
    refused = _client(leading_group).post(
        f"/supervision/stages/{stage.pk}/sign-off/", {"note": "", "confirm": "on"}
    )
    assert refused.status_code == 400
    assert "Not every criterion is met yet" in refused.content.decode()
    api = api_client.as_user(leading_group).post(
        f"/api/v1/supervision/stages/{stage.pk}/sign-off", {}, content_type="application/json"
    )
    assert api.status_code == 409 and api.json()["code"] == "criteria_not_met"
    listed = api_client.as_user(district_coordinator).get("/api/v1/supervision/stages")
    assert listed.status_code == 200 and listed.json()[0]["all_met"] is False
    stage.refresh_from_db()
    assert not stage.is_signed_off


def test_the_stage_list_reads_in_a_fixed_number_of_queries(
    stage, district, leading_group, django_assert_max_num_queries
):
    for n in range(3):
        other = Stage.objects.create(
            name=f"阶段{n}", starts_on=D(2026, 1, 1), due_on=D(2026, 12, 31)
        )
        StageCriterion.objects.create(stage=other, measure="certified", target=1)
    client = _client(leading_group)
    client.get("/supervision/stages/")
    # Each criterion is one measure (one or two queries); four stages, five criteria.
    with django_assert_max_num_queries(20):
        assert client.get("/supervision/stages/").status_code == 200
