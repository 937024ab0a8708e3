"""Brute force and abuse: every log-in path locks out, tokens and verification are rate-limited,
passwords are checked, oversized requests are refused."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from wagtail.models import APIToken

from tests.factories import PASSWORD

LOCKED_OUT = "too_many_login_attempts"


def error_codes(response) -> set[str]:
    """The error codes of the log-in (or sign-up) form on the page."""
    form = response.context["form"]
    return {
        error.code for errors in form.errors.as_data().values() for error in errors if error.code
    }


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def allauth_login(client, login, password, **extra):
    return client.post("/accounts/login/", {"login": login, "password": password}, **extra)


# --- allauth's own log-in ------------------------------------------------------------


def test_allauth_login_locks_an_account_after_five_failures_even_with_the_right_password(
    client, trainee
):
    for _attempt in range(5):
        response = allauth_login(client, trainee.username, "wrong-password-1")
        assert response.status_code == 200
        assert LOCKED_OUT not in error_codes(response)
        assert not is_logged_in(client)
    response = allauth_login(client, trainee.username, PASSWORD)
    assert LOCKED_OUT in error_codes(response)
    assert not is_logged_in(client)


def test_the_lockout_counts_per_account_from_any_address(client, trainee):
    for number in range(5):
        allauth_login(client, trainee.username, "wrong", REMOTE_ADDR=f"10.0.0.{number + 1}")
    response = allauth_login(client, trainee.username, PASSWORD, REMOTE_ADDR="10.0.9.9")
    assert LOCKED_OUT in error_codes(response)
    assert not is_logged_in(client)


def test_one_address_is_stopped_after_ten_failures_across_accounts(client, trainee):
    for number in range(10):
        allauth_login(client, f"guess{number}", "wrong-password")
    response = allauth_login(client, trainee.username, PASSWORD)
    assert LOCKED_OUT in error_codes(response)
    assert not is_logged_in(client)


def test_the_right_password_works_before_the_limit(client, trainee):
    for _attempt in range(4):
        allauth_login(client, trainee.username, "wrong-password-1")
    response = allauth_login(client, trainee.username, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_classroom_of_sixty_logs_in_from_one_address_and_failures_are_still_limited(db):
    """Successful log-ins are not counted against the address; failed ones still are."""
    from django.test import Client

    from accounts import roles
    from tests.factories import make_user

    classroom = [make_user(roles.TRAINEE) for _pupil in range(60)]
    for pupil in classroom:
        pupil_client = Client(REMOTE_ADDR="10.20.30.40")
        response = allauth_login(pupil_client, pupil.username, PASSWORD)
        assert response.status_code == 302, pupil.username
        assert is_logged_in(pupil_client)
    intruder = Client(REMOTE_ADDR="10.20.30.40")
    for number in range(10):
        response = allauth_login(intruder, classroom[number].username, "wrong-password")
        assert LOCKED_OUT not in error_codes(response)
    response = allauth_login(intruder, classroom[10].username, PASSWORD)
    assert LOCKED_OUT in error_codes(response)
    assert not is_logged_in(intruder)


def test_a_flood_of_log_in_posts_from_one_address_meets_the_ceiling(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for _post in range(3):
        assert client.post("/accounts/login/", {}).status_code == 200
    assert client.post("/accounts/login/", {}).status_code == 429


def test_two_factor_codes_lock_out_after_five_wrong_ones_even_with_the_right_code(
    client, coordinator
):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    from tests.factories import Authenticator

    Authenticator.objects.filter(user=coordinator).delete()
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    response = allauth_login(client, coordinator.username, PASSWORD)
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    for _attempt in range(5):
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert not is_logged_in(client)
    right = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post("/accounts/2fa/authenticate/", {"code": right})
    assert LOCKED_OUT in error_codes(response)
    assert not is_logged_in(client)


# --- the Wagtail and Django admin log-in pages ---------------------------------------


@pytest.mark.parametrize("path", ["/cms/login/", "/django-admin/login/"])
def test_admin_login_pages_never_authenticate_and_send_everyone_to_allauth(
    client, administrator, path
):
    # Credentials posted straight to the admin log-in page: wrong ones many times, then
    # the right ones. None of them logs in; each answer sends the client to allauth's form.
    for password in ["wrong-password"] * 20 + [PASSWORD]:
        response = client.post(
            path, {"username": administrator.username, "password": password, "next": "/cms/"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert not is_logged_in(client)
    assert client.get("/cms/").status_code == 302
    assert client.get("/django-admin/").status_code == 302


@pytest.mark.parametrize("path", ["/cms/login", "/django-admin/login", "/cms/login/?next=/cms/"])
def test_variants_of_the_admin_login_urls_do_not_authenticate_either(client, administrator, path):
    response = client.post(path, {"username": administrator.username, "password": PASSWORD})
    assert response.status_code in (301, 302, 404)
    assert not is_logged_in(client)


@pytest.mark.parametrize("path", ["/cms/login/", "/django-admin/login/"])
def test_the_admin_login_leads_to_allauths_lockout(client, administrator, path):
    login_page = client.post(path, {"username": administrator.username, "password": "x"})
    for _attempt in range(5):
        client.post(login_page["Location"], {"login": administrator.username, "password": "x"})
    response = client.post(
        login_page["Location"], {"login": administrator.username, "password": PASSWORD}
    )
    assert LOCKED_OUT in error_codes(response)
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_wagtail_password_reset_is_switched_off_in_favour_of_allauths(client):
    assert client.get("/cms/password_reset/").status_code == 404
    assert client.get("/accounts/password/reset/").status_code == 200


# --- passwords -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab3-short", "password_too_short"),  # 9 characters; 10 needed
        ("password123", "password_too_common"),
        ("qwertyuiop", "password_too_common"),
        ("4829301746", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert code in [error.code for error in caught.value.error_list]


def test_a_long_uncommon_password_is_accepted():
    assert validate_password("Grape-Harbour-Lantern-7") is None


@pytest.mark.django_db
def test_signup_refuses_a_common_password(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.gov.cn",
            "username": "newperson",
            "password1": "password123",
            "password2": "password123",
        },
    )
    assert response.status_code == 200
    assert "password_too_common" in error_codes(response)


# --- API tokens --------------------------------------------------------------------------


def test_wrong_bearer_tokens_are_refused_with_429_after_the_limit(client, trainee, settings):
    settings.API_TOKEN_FAILURE_RATE = "3/m"
    _token, key = APIToken.create_token(user=trainee, name="phone")
    for number in range(3):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer wrong-{number}")
        assert response.status_code == 401
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "wrong token" in response.json()["detail"]
    # Another address is not affected.
    other = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 200


def test_good_tokens_do_not_count_against_the_limit(client, trainee, settings):
    settings.API_TOKEN_FAILURE_RATE = "3/m"
    _token, key = APIToken.create_token(user=trainee, name="phone")
    for _request in range(6):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_creating_api_tokens_is_rate_limited_per_user(client, trainee, settings):
    settings.API_TOKEN_CREATE_RATE = "2/h"
    client.force_login(trainee)
    for number in range(2):
        response = client.post("/accounts/profile/tokens/", {"name": f"token {number}"})
        assert response.status_code == 302
    response = client.post("/accounts/profile/tokens/", {"name": "one too many"})
    assert response.status_code == 429
    assert "too many API tokens" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert APIToken.objects.filter(user=trainee).count() == 2


def test_wrong_calendar_links_are_refused_with_429_after_the_limit(client, settings, db):
    settings.API_TOKEN_FAILURE_RATE = "3/m"
    for number in range(3):
        assert client.get(f"/corps/calendar/guess{number}.ics").status_code == 404
    response = client.get("/corps/calendar/guess9.ics")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_certificate_verification_page_answers_429_past_its_rate(client, settings, db):
    settings.CERTIFICATE_VERIFY_RATE = "2/m"
    statuses = [client.get("/verify/NO-SUCH-CODE/").status_code for _request in range(3)]
    assert statuses == [404, 404, 429]
    assert "Too many verifications" in client.get("/verify/NO-SUCH-CODE/").content.decode()
    api = client.get("/api/v1/verify/NO-SUCH-CODE")
    assert api.status_code == 429
    assert api.json()["code"] == "rate_limited"


# --- request and upload size ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_form_body_over_the_limit_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    response = client.post("/accounts/login/", {"login": "x" * 3_000, "password": "y"})
    assert response.status_code == 400


def test_an_uploaded_file_over_the_streaming_limit_is_refused(client, trainee, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_FILE_SIZE = 50_000
    client.force_login(trainee)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 60_000, "application/pdf")
    response = client.post("/accounts/profile/", {"first_name": "x", "file": big})
    assert response.status_code == 400
    small = SimpleUploadedFile("small.pdf", b"%PDF-1.4\n" + b"0" * 1_000, "application/pdf")
    assert client.post("/accounts/profile/", {"file": small}).status_code != 400


def test_a_request_over_the_total_upload_limit_is_refused(client, trainee, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_REQUEST_SIZE = 80_000
    client.force_login(trainee)
    files = [SimpleUploadedFile(f"f{n}.pdf", b"0" * 30_000) for n in range(3)]
    response = client.post("/accounts/profile/", {"file": files})
    assert response.status_code == 400


def test_upload_limits_have_their_documented_values(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert settings.UPLOAD_MAX_FILE_SIZE == 12 * 1024 * 1024
    assert settings.UPLOAD_MAX_REQUEST_SIZE == 50 * 1024 * 1024
    assert settings.FILE_UPLOAD_HANDLERS[0] == "lms.uploads.UploadSizeLimitHandler"


@pytest.mark.parametrize(
    ("rate", "parsed"), [("30/m", (30, 60)), ("5/15m", (5, 900)), ("10/h", (10, 3600))]
)
def test_rates_are_written_like_allauths(rate, parsed):
    from lms.ratelimit import parse_rate

    assert parse_rate(rate) == parsed


def test_a_malformed_rate_is_an_error_not_no_limit():
    from lms.ratelimit import parse_rate

    with pytest.raises(ValueError):
        parse_rate("30 per minute")
