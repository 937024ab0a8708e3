"""seed_scale's trainees can log in with production's e-mail rule (verified address required)."""

import pytest
from django.core.management import call_command

from accounts.seed import DEMO_PASSWORD


@pytest.mark.django_db
def test_scale_trainees_log_in_when_verified_email_is_mandatory(client, settings):
    from allauth.account.models import EmailAddress

    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # production's value
    options = ["--only", "courses", "--trainees", "3", "--courses", "1", "--lessons", "2"]
    call_command("seed_scale", *options, "--progress", "2", "--skip-index")
    call_command("seed_scale", *options, "--progress", "2", "--skip-index")  # idempotent
    assert EmailAddress.objects.filter(user__username__startswith="scale_trainee_").count() == 3
    response = client.post(
        "/accounts/login/", {"login": "scale_trainee_00002", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm" not in response["Location"] and "verif" not in response["Location"]
    assert client.session.get("_auth_user_id")
