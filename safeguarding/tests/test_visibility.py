"""Who can see a concern, through the pages and the API: the reporter, the people it was
sent to, the district's coordinators (and city-wide ones) and administrators. Everyone
else gets 404, never a hint that it exists."""

import pytest
from django.test import Client

from safeguarding import services

pytestmark = pytest.mark.django_db

SEES = {
    "trainee": True,  # the reporter
    "supervisor": True,  # the reporter's supervising expert
    "district_coordinator": True,
    "coordinator": True,  # city-wide
    "administrator": True,
    "other_trainee": False,
    "lecturer": False,
    "other_supervisor": False,
    "other_district_coordinator": False,
    "duty_expert": False,  # not sent to them: the reporter has a supervisor
    "leading_group": False,  # not yet escalated
}


@pytest.fixture
def concern(clock, trainee, placement, arrangement, raise_one):
    return raise_one(trainee)


def _page(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path)


@pytest.mark.parametrize(("who", "sees"), SEES.items())
def test_the_concern_page(request, concern, who, sees):
    user = request.getfixturevalue(who)
    response = _page(user, f"/concerns/{concern.pk}/")
    assert response.status_code == (200 if sees else 404)
    listed = _page(user, "/concerns/")
    assert listed.status_code == 200
    assert (f"/concerns/{concern.pk}/" in listed.content.decode()) is sees


@pytest.mark.parametrize(("who", "sees"), SEES.items())
def test_the_concern_in_the_api(request, concern, api_client, who, sees):
    user = request.getfixturevalue(who)
    client = api_client.as_user(user)
    response = client.get(f"/api/v1/safeguarding/concerns/{concern.pk}")
    assert response.status_code == (200 if sees else 404)
    if not sees:
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    listed = client.get("/api/v1/safeguarding/concerns").json()
    assert (concern.pk in [row["id"] for row in listed]) is sees


def test_anonymous_visitors_are_sent_to_log_in_and_the_api_says_401(concern, client):
    response = client.get(f"/concerns/{concern.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    api = client.get(f"/api/v1/safeguarding/concerns/{concern.pk}")
    assert api.status_code == 401 and api.json()["code"] == "not_authenticated"


def test_an_escalation_lets_its_targets_see_it(
    concern, duty_expert, leading_group, api_client, clock
):
    clock.advance(hours=4)
    services.escalate_due()
    assert _page(duty_expert, f"/concerns/{concern.pk}/").status_code == 200
    assert _page(leading_group, f"/concerns/{concern.pk}/").status_code == 404
    clock.advance(hours=4)
    services.escalate_due()
    assert _page(leading_group, f"/concerns/{concern.pk}/").status_code == 200
    body = api_client.as_user(leading_group).get(f"/api/v1/safeguarding/concerns/{concern.pk}")
    assert body.json()["can_handle"] is True


def test_a_staff_member_without_two_factor_sees_nothing_of_their_role(concern, district):
    from accounts import roles
    from tests.factories import make_user

    no_2fa = make_user(roles.COORDINATOR, coordinator_district=district, two_factor=False)
    response = _page(no_2fa, f"/concerns/{concern.pk}/")
    assert response.status_code == 404


def test_the_reporter_sees_it_but_cannot_take_a_step(concern, trainee, api_client):
    page = _page(trainee, f"/concerns/{concern.pk}/").content.decode()
    assert 'data-testid="step-forms"' not in page
    client = Client()
    client.force_login(trainee)
    assert client.post(f"/concerns/{concern.pk}/acknowledge/", {}).status_code == 403
    api = api_client.as_user(trainee).post(
        f"/api/v1/safeguarding/concerns/{concern.pk}/acknowledge",
        {},
        content_type="application/json",
    )
    assert api.status_code == 403 and api.json()["code"] == "permission_denied"


def test_outsiders_get_404_on_the_steps_too(concern, other_supervisor, api_client):
    client = Client()
    client.force_login(other_supervisor)
    assert client.post(f"/concerns/{concern.pk}/acknowledge/", {}).status_code == 404
    api = api_client.as_user(other_supervisor).post(
        f"/api/v1/safeguarding/concerns/{concern.pk}/acknowledge",
        {},
        content_type="application/json",
    )
    assert api.status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(
    trainee, placement, supervisor, raise_one, django_assert_max_num_queries
):
    for _ in range(5):
        raise_one(trainee)
    client = Client()
    client.force_login(supervisor)
    client.get("/concerns/")  # warm the session and role caches
    with django_assert_max_num_queries(12):
        response = client.get("/concerns/")
    assert response.content.decode().count('class="concern-item"') == 5
