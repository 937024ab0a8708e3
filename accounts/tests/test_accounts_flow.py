import re

import pytest
from django.core import mail

from accounts import roles
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_creates_trainee_with_profile_and_sends_verification(
    client, district, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "username": "newperson",
                "email": "new@example.org",
                "password1": "Very-Secret-Words-9",
                "password2": "Very-Secret-Words-9",
                "real_name": "赵敏",
                "mobile": "13800000000",
                "employer_unit": "高昌区民政局",
                "system": "civil_affairs",
                "district": district.pk,
                "languages": ["zh", "ug"],
            },
        )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(username="newperson")
    assert user.real_name == "赵敏"
    assert user.district == district
    assert user.languages == ["zh", "ug"]
    assert user.has_role(roles.TRAINEE)
    assert len(mail.outbox) == 1
    assert "new@example.org" in mail.outbox[0].to


def test_signup_closed_by_setting(client, settings):
    settings.ACCOUNT_SIGNUP_OPEN = False
    response = client.get("/accounts/signup/")
    assert b"newperson" not in response.content
    assert response.status_code == 200
    assert "closed" in response.content.decode().lower() or response.templates[0].name.endswith(
        "signup_closed.html"
    )


def test_login_by_username_and_by_email(client, trainee):
    from tests.factories import PASSWORD

    response = client.post("/accounts/login/", {"login": trainee.username, "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"login": trainee.email, "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_sends_mail(client, trainee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": trainee.email})
    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/password/reset/key/", mail.outbox[0].body)


def test_login_failures_are_rate_limited(client, trainee):
    from tests.factories import PASSWORD

    for _ in range(6):
        client.post("/accounts/login/", {"login": trainee.username, "password": "wrong"})
    # After repeated failures even the right password is refused for a while.
    response = client.post("/accounts/login/", {"login": trainee.username, "password": PASSWORD})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["form"].errors


def test_profile_update(client, trainee, district):
    client.force_login(trainee)
    response = client.post(
        "/accounts/profile/",
        {
            "real_name": "新名字",
            "mobile": "13900000000",
            "employer_unit": "单位",
            "system": "education",
            "district": district.pk,
            "languages": ["ug"],
            "job_title": "教师",
        },
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.real_name == "新名字"
    assert trainee.languages == ["ug"]


def test_profile_refuses_township_of_other_district(client, trainee, district, other_district):
    from tests.factories import TownshipFactory

    township = TownshipFactory(district=other_district)
    client.force_login(trainee)
    response = client.post(
        "/accounts/profile/",
        {"real_name": "x", "system": "education", "district": district.pk, "township": township.pk},
    )
    assert response.status_code == 200
    assert "township" in response.context["form"].errors
