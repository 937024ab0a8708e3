import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_stable_codes():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_coordinator_group_has_explicit_permissions():
    group = Group.objects.get(name=roles.COORDINATOR)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"access_admin", "view_user", "add_venue"} <= codenames
    assert "delete_venue" not in codenames


def test_trainee_group_has_no_admin_access():
    codenames = set(
        Group.objects.get(name=roles.TRAINEE).permissions.values_list("codename", flat=True)
    )
    assert "access_admin" not in codenames
    assert not {c for c in codenames if c.startswith(("add_user", "change_user", "delete_"))}


def test_anonymous_is_sent_to_login_from_staff_page(client):
    response = client.get("/accounts/people/import/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_trainee_gets_403_on_staff_page(client, trainee):
    client.force_login(trainee)
    assert client.get("/accounts/people/import/").status_code == 403


def test_coordinator_without_two_factor_is_sent_to_set_up(client):
    coordinator = make_user(roles.COORDINATOR, two_factor=False)
    client.force_login(coordinator)
    response = client.get("/accounts/people/import/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate" in response["Location"]


def test_coordinator_with_two_factor_reaches_staff_page(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/accounts/people/import/").status_code == 200


def test_cms_requires_two_factor_for_staff(client):
    supervisor = make_user(roles.SUPERVISOR, two_factor=False)
    client.force_login(supervisor)
    response = client.get("/cms/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate" in response["Location"]


def test_cms_open_to_supervisor_with_two_factor(client, supervisor):
    client.force_login(supervisor)
    assert client.get("/cms/").status_code == 200


def test_trainee_cannot_reach_cms(client, trainee):
    client.force_login(trainee)
    response = client.get("/cms/")
    assert response.status_code in (302, 403)
    assert "/cms/" not in response.get("Location", "/cms/login")[:5]


@override_settings(MFA_WAIVED_USERNAMES=frozenset({"coordinator"}))
def test_waiver_applies_only_to_listed_demo_names(client):
    waived = make_user(roles.COORDINATOR, username="coordinator", two_factor=False)
    client.force_login(waived)
    assert client.get("/accounts/people/import/").status_code == 200


def test_waiver_is_empty_outside_dev(settings):
    assert settings.MFA_WAIVED_USERNAMES == frozenset()


def test_production_settings_have_no_waiver():
    import importlib
    import os

    from home.tests.test_deploy import PRODUCTION_ENV

    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        production = importlib.import_module("lms.settings.production")
        production = importlib.reload(production)
        assert production.MFA_WAIVED_USERNAMES == frozenset()
        assert production.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
        assert production.DEBUG is False
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.mark.parametrize("path", ["/cms/login/", "/django-admin/login/"])
def test_admin_log_in_pages_go_through_allauth(client, path):
    response = client.get(path + "?next=/cms/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_cms_redirects_to_allauth_login(client):
    response = client.get("/cms/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
