"""With the broker unreachable, log-in and password reset still work: the cache (rate
limits) is its own setting, and the reset e-mail waits in the outbox instead of failing
the request."""

import pytest
from django.core import mail

from outbox.models import OutboxMessage
from tests.celery_broker import UNREACHABLE, celery_publishing_to
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    with celery_publishing_to(UNREACHABLE):
        yield


def test_log_in_works_with_the_broker_down(client, trainee, broker_down):
    response = client.post("/accounts/login/", {"login": trainee.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user == trainee


def test_failed_log_ins_are_still_limited_with_the_broker_down(client, trainee, broker_down):
    for _ in range(6):
        client.post("/accounts/login/", {"login": trainee.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": trainee.username, "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated


def test_password_reset_answers_and_keeps_the_mail_with_the_broker_down(
    client, trainee, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": trainee.email})
    assert response.status_code == 302
    assert mail.outbox == []  # not sent yet ...
    waiting = OutboxMessage.objects.get(task="accounts.tasks.send_email", sent_at=None)
    assert waiting.kwargs["to"] == [trainee.email]  # ... but kept, and tried once
    assert waiting.attempts == 1 and waiting.last_error
