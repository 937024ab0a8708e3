"""The Wagtail admin's Users pages follow the people-import rules (found by the access matrix)."""

import pytest

from accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def edit_url(user):
    return f"/cms/users/edit/{user.pk}/"


def refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied with a redirect to its dashboard."""
    return response.status_code == 302 and response.url == "/cms/"


def form_data(user, **overrides):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "Changed",
        "last_name": "Name",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_district_coordinator_cannot_open_another_districts_person(
    client, district_coordinator, other_district
):
    elsewhere = make_user(roles.TRAINEE, username="t_elsewhere", district=other_district)
    client.force_login(district_coordinator)
    assert refused(client.get(edit_url(elsewhere)))
    assert refused(client.post(edit_url(elsewhere), form_data(elsewhere, is_superuser="on")))
    elsewhere.refresh_from_db()
    assert not elsewhere.is_superuser and elsewhere.first_name != "Changed"


def test_a_coordinator_cannot_make_anyone_an_administrator(client, district_coordinator, trainee):
    client.force_login(district_coordinator)
    form = client.get(edit_url(trainee)).context["form"]
    assert "is_superuser" not in form.fields and "groups" not in form.fields
    response = client.post(edit_url(trainee), form_data(trainee, is_superuser="on"))
    assert response.status_code == 302 and not refused(response), response.context["form"].errors
    trainee.refresh_from_db()
    assert trainee.first_name == "Changed"  # the coordinator may look after the account
    assert not trainee.is_superuser
    assert set(trainee.groups.values_list("name", flat=True)) == {roles.TRAINEE}


def test_a_coordinator_cannot_change_a_staff_account(client, coordinator, administrator):
    """Changing an administrator's e-mail or password would be a way into their account."""
    client.force_login(coordinator)
    assert refused(client.get(edit_url(administrator)))
    response = client.post(edit_url(administrator), form_data(administrator, email="x@example.org"))
    assert refused(response)
    administrator.refresh_from_db()
    assert administrator.email != "x@example.org"


def test_a_district_coordinator_lists_only_people_of_the_district(
    client, district_coordinator, trainee, supervisor, other_district
):
    make_user(roles.TRAINEE, username="t_elsewhere", district=other_district)
    client.force_login(district_coordinator)
    listed = {u.username for u in client.get("/cms/users/").context["users"]}
    assert listed == {trainee.username}


def test_an_administrator_still_manages_everyone(client, administrator, trainee):
    client.force_login(administrator)
    form = client.get(edit_url(trainee)).context["form"]
    assert "is_superuser" in form.fields and "groups" in form.fields


def test_a_supervisor_lists_only_themselves_and_their_trainees(
    client, supervisor, other_supervisor, trainee, other_trainee, coordinator
):
    from practicum.tests.factories import PlacementFactory

    PlacementFactory(trainee=trainee, supervisor=supervisor)
    PlacementFactory(trainee=other_trainee, supervisor=other_supervisor)
    client.force_login(supervisor)
    listed = {u.username for u in client.get("/cms/users/").context["users"]}
    assert listed == {supervisor.username, trainee.username}
