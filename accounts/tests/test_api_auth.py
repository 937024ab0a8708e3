import pytest
from django.core.management import call_command
from wagtail.models import APIToken

from accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_me_requires_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_me_with_bearer_token(api_client, trainee):
    response = api_client.as_user(trainee).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == trainee.username
    assert body["roles"] == [roles.TRAINEE]
    assert body["district"] == "gaochang"


def test_me_with_session(client, trainee):
    client.force_login(trainee)
    assert client.get("/api/v1/me").json()["username"] == trainee.username


def test_wrong_token_is_401(client, trainee):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wagtail_nottherightone")
    assert response.status_code == 401


def test_revoked_token_is_refused(client, trainee):
    token, key = APIToken.create_token(user=trainee, name="x")
    token.revoke()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_inactive_user_token_is_refused(client, trainee):
    _token, key = APIToken.create_token(user=trainee, name="x")
    trainee.is_active = False
    trainee.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_token_is_stored_hashed(trainee):
    token, key = APIToken.create_token(user=trainee, name="x")
    assert key not in token.key_hash
    assert not APIToken.objects.filter(key_hash=key).exists()


def test_create_api_token_command_prints_token_last(capsys, trainee, client):
    call_command("create_api_token", trainee.username)
    key = capsys.readouterr().out.strip().splitlines()[-1]
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_create_api_token_unknown_user_fails():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")


def test_session_write_without_csrf_is_refused(trainee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    # /me is read-only: a POST is a 405 from the router, never a 500.
    assert client.post("/api/v1/me").status_code in (403, 405)


def test_profile_page_creates_and_revokes_tokens(client, trainee):
    client.force_login(trainee)
    response = client.post("/accounts/profile/tokens/", {"name": "reporting"}, follow=True)
    assert response.status_code == 200
    token = APIToken.objects.get(user=trainee)
    new_key = response.context["new_token"]
    assert new_key.startswith("wagtail_")
    assert client.get("/accounts/profile/").context["new_token"] is None  # shown once
    client.post(f"/accounts/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, trainee, other_trainee):
    token, _key = APIToken.create_token(user=other_trainee, name="x")
    client.force_login(trainee)
    assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]


def test_api_docs_are_served(client):
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_api_path_is_json_404(client, trainee):
    client.force_login(trainee)
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_staff_without_two_factor_gets_403_from_api(api_client):
    coordinator = make_user(roles.COORDINATOR, two_factor=False)
    from accounts.permissions import check_role

    with pytest.raises(Exception) as excinfo:
        check_role(coordinator, roles.COORDINATOR)
    assert "two-factor" in str(excinfo.value).lower()
