"""The audit log records the client address the rate limits use, not one a client wrote."""

import pytest
from django.test import RequestFactory

from audit.services import client_ip


@pytest.fixture
def request_with_forged_header():
    return RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.2"
    )


def test_without_a_trusted_proxy_the_header_is_ignored(settings, request_with_forged_header):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_with_forged_header) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_added_counts(settings, request_with_forged_header):
    # One proxy of ours appended the address it saw; what the client wrote before it is not trusted.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with_forged_header) == "10.0.0.2"


def test_no_request_no_address():
    assert client_ip(None) is None
