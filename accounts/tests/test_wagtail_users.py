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


def test_a_coordinator_cannot_give_roles_with_the_bulk_action(
    client, district_coordinator, trainee
):
    """Wagtail's "assign role" bulk action checks only ``change_user``; the door sends it
    through ``accounts.services.give_role``, which only administrators pass."""
    from django.contrib.auth.models import Group

    from audit.models import AuditLog

    client.force_login(district_coordinator)
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    response = client.post(
        f"/cms/bulk/accounts/user/assign_role/?id={trainee.pk}", {"role": group.pk}
    )
    assert response.status_code in (302, 403)
    assert not trainee.groups.filter(name=roles.ADMINISTRATOR).exists()
    assert not AuditLog.objects.filter(action="accounts.user.update").exists()


def test_an_administrator_deactivates_in_bulk_through_the_service(client, administrator, trainee):
    from audit.models import AuditLog

    client.force_login(administrator)
    response = client.post(
        f"/cms/bulk/accounts/user/set_active_state/?id={trainee.pk}", {"mark_as_active": "False"}
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert not trainee.is_active
    row = AuditLog.objects.get(action="accounts.user.update")
    assert row.actor == administrator and row.changes["fields"] == ["is_active"]


def test_a_district_coordinator_adds_people_of_the_district_only(
    client, district_coordinator, district
):
    from accounts.models import User

    client.force_login(district_coordinator)
    response = client.post(
        "/cms/users/new/",
        {
            "username": "new_person",
            "email": "new.person@example.org",
            "first_name": "新",
            "last_name": "人",
            "password1": "Gx7!mQ2#long-enough",
            "password2": "Gx7!mQ2#long-enough",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(username="new_person")
    assert person.district_id == district.pk and not person.is_superuser


def test_nobody_deletes_an_account_in_the_admin(client, administrator, trainee):
    client.force_login(administrator)
    response = client.post(f"/cms/users/delete/{trainee.pk}/")
    assert refused(response) or response.status_code == 403
    trainee.refresh_from_db()
