"""The pages: raising on a phone keeps what was typed when refused; the steps; the
one-tap link on the dashboards; the API's refusals."""

import re

import pytest
from django.test import Client

from safeguarding.models import Concern, ConcernState

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form(venue, **extra):
    return {
        "category": "unsafe_home",
        "urgency": "not_urgent",
        "venue": venue.pk,
        "what_seen": "一名约8岁男孩说家里晚上常没有大人。",
        "what_done": "",
        **extra,
    }


def test_a_trainee_raises_a_concern_and_lands_on_it(trainee, placement, supervisor, venue):
    response = _client(trainee).post("/concerns/raise/", _form(venue))
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/concerns/{concern.pk}/"
    page = _client(trainee).get(response["Location"]).content.decode()
    assert "一名约8岁男孩" in page and supervisor.display_name in page


def test_a_refused_text_keeps_everything_typed(trainee, venue):
    typed = "男孩叫王小明，住在幸福路12号3单元。"
    response = _client(trainee).post("/concerns/raise/", _form(venue, what_seen=typed))
    assert response.status_code == 200
    page = response.content.decode()
    assert typed in page  # the text stays in the form
    assert re.search(r'value="unsafe_home"[^>]*checked', page)  # the choices too
    assert 'class="error"' in page and not Concern.objects.exists()


def test_missing_fields_are_named(trainee, venue):
    response = _client(trainee).post("/concerns/raise/", {"venue": venue.pk})
    form = response.context["form"]
    assert set(form.errors) == {"category", "urgency", "what_seen"}


@pytest.mark.parametrize("who", ["supervisor", "district_coordinator"])
def test_staff_cannot_open_the_raise_form(request, who):
    assert _client(request.getfixturevalue(who)).get("/concerns/raise/").status_code == 403


def test_the_venue_list_puts_the_reporters_district_first(trainee, venue, other_venue):
    form = _client(trainee).get("/concerns/raise/").context["form"]
    assert list(form.fields["venue"].queryset)[:2] == [venue, other_venue]


def test_the_supervisor_acknowledges_refers_and_closes_through_the_pages(
    trainee, placement, supervisor, raise_one
):
    concern = raise_one(trainee)
    client = _client(supervisor)
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert 'data-testid="acknowledge"' in page
    assert client.post(f"/concerns/{concern.pk}/acknowledge/", {"note": ""}).status_code == 302
    refused = client.post(f"/concerns/{concern.pk}/refer/", {"referred_to": "police", "note": ""})
    assert refused.status_code == 400 and "referred_to" not in refused.context["refer_form"].errors
    assert (
        client.post(
            f"/concerns/{concern.pk}/refer/", {"referred_to": "police", "note": "已报警。"}
        ).status_code
        == 302
    )
    assert (
        client.post(f"/concerns/{concern.pk}/close/", {"note": "警方已介入。"}).status_code == 302
    )
    concern.refresh_from_db()
    assert concern.state == ConcernState.CLOSED and concern.referred_to == "police"


def test_a_second_acknowledgement_is_told_politely(trainee, placement, supervisor, raise_one):
    concern = raise_one(trainee)
    client = _client(supervisor)
    client.post(f"/concerns/{concern.pk}/acknowledge/", {})
    again = client.post(f"/concerns/{concern.pk}/acknowledge/", {}, follow=True)
    assert "that step is not possible now" in again.content.decode()


def test_steps_are_post_only(trainee, placement, supervisor, raise_one):
    concern = raise_one(trainee)
    assert _client(supervisor).get(f"/concerns/{concern.pk}/acknowledge/").status_code == 405


@pytest.mark.parametrize("who", ["trainee", "lecturer"])
def test_the_dashboard_offers_raise_a_concern_in_one_tap(request, who):
    page = _client(request.getfixturevalue(who)).get("/dashboard/").content.decode()
    assert 'href="/concerns/raise/"' in page


def test_the_dashboard_tells_the_supervisor_what_waits(trainee, placement, supervisor, raise_one):
    raise_one(trainee)
    raise_one(trainee)
    page = _client(supervisor).get("/dashboard/").content.decode()
    assert "2 concerns about children wait for acknowledgement." in page
    assert 'href="/concerns/raise/"' not in page


def test_the_api_raises_and_refuses_like_the_pages(trainee, placement, venue, api_client):
    client = api_client.as_user(trainee)
    body = {
        "category": "health",
        "urgency": "urgent",
        "venue_id": venue.pk,
        "what_seen": "一名约12岁女孩在活动中晕倒，老师已送医。",
    }
    created = client.post("/api/v1/safeguarding/concerns", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "raised" and created.json()["can_handle"] is False
    refused = client.post(
        "/api/v1/safeguarding/concerns",
        {**body, "what_seen": "女孩叫李浩然，电话13899123456。"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_request"
    assert refused.json()["detail"].startswith("what_seen:")
    unknown = client.post(
        "/api/v1/safeguarding/concerns",
        {**body, "venue_id": 999999},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid"
    assert Concern.objects.count() == 1


def test_the_api_says_409_for_a_step_out_of_order(
    trainee, placement, supervisor, raise_one, api_client
):
    concern = raise_one(trainee)
    response = api_client.as_user(supervisor).post(
        f"/api/v1/safeguarding/concerns/{concern.pk}/close",
        {"note": "无需处理。"},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
