"""The audit row's address and user agent come from the request's origin, set once by the
middleware; services never see the request, and commands and tasks record no address."""

import pytest
from django.test import RequestFactory

from audit.context import AuditContextMiddleware, current_origin, request_origin
from audit.models import AuditLog
from audit.services import record

pytestmark = pytest.mark.django_db


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", **meta)


def test_a_row_written_inside_a_request_has_its_address_and_user_agent(settings, trainee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    with request_origin(_request(HTTP_USER_AGENT="Firefox/140")):
        row = record("test.event", actor=trainee)
    assert (row.ip_address, row.user_agent) == ("203.0.113.9", "Firefox/140")


def test_a_row_written_outside_a_request_has_no_address(trainee):
    row = record("test.event", actor=trainee)
    assert (row.ip_address, row.user_agent) == (None, "")


def test_the_forged_forwarded_for_header_is_not_the_address(settings, trainee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    forged = _request(HTTP_X_FORWARDED_FOR="198.51.100.1")
    with request_origin(forged):
        row = record("test.event", actor=trainee)
    assert row.ip_address == "203.0.113.9"


def test_the_user_agent_is_cut_to_the_column(trainee):
    with request_origin(_request(HTTP_USER_AGENT="x" * 1000)):
        row = record("test.event", actor=trainee)
    assert len(row.user_agent) == 300


def test_the_middleware_sets_the_origin_for_the_view_and_clears_it_after(settings, trainee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    seen = []

    def view(request):
        seen.append(current_origin())
        return record("test.event", actor=trainee)

    row = AuditContextMiddleware(view)(_request(HTTP_USER_AGENT="curl/8"))
    assert row.ip_address == "203.0.113.9"
    assert seen[0].user_agent == "curl/8"
    assert current_origin().ip_address is None
    assert AuditLog.objects.filter(action="test.event").count() == 1


def test_the_site_records_the_address_of_a_page_request(client, settings, trainee):
    """End to end: a write through a page carries the address the middleware saw."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    client.force_login(trainee)
    client.post(
        "/accounts/profile/",
        {"real_name": trainee.real_name or "学员", "preferred_language": "zh-hans"},
        REMOTE_ADDR="192.0.2.44",
        HTTP_USER_AGENT="Edge/1",
    )
    row = AuditLog.objects.filter(action="accounts.profile.update").get()
    assert (row.ip_address, row.user_agent, row.actor) == ("192.0.2.44", "Edge/1", trainee)
