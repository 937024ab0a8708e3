"""Where a change came from: the client address and user agent of the current request.

Services take the acting user (``actor=``), never the HTTP request. What the audit log
also keeps about the request (address, user agent) is set once per request by
``AuditContextMiddleware`` and read by ``audit.services.record``; a management command,
a Celery task or a test without a request has no origin, so its rows have no address.

This plays the part Wagtail's ``wagtail.log_actions.LogContext`` plays for the acting
user. Wagtail's own context cannot carry it: the admin replaces it with a plain
``LogContext(user=…)`` around every admin view, so the address would be lost exactly
where the admin's writes happen. A ``ContextVar`` follows the request into
``sync_to_async`` threads and is reset when the request ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

USER_AGENT_MAX_LENGTH = 300


@dataclass(frozen=True)
class Origin:
    """The client address (as the rate limits see it) and its user agent."""

    ip_address: str | None = None
    user_agent: str = ""


NO_ORIGIN = Origin()

_current: ContextVar[Origin] = ContextVar("audit_origin", default=NO_ORIGIN)


def client_ip(request) -> str | None:
    """The client's address as the rate limits see it: ``X-Forwarded-For`` is believed only
    as far as ``TRUSTED_PROXY_COUNT`` proxies of ours put it there (a client can write
    anything in that header)."""
    if request is None:
        return None
    from lms.ratelimit import client_address

    address = client_address(request)
    return None if address in ("", "unknown") else address


def origin_of(request) -> Origin:
    """The origin of one HTTP request."""
    if request is None:
        return NO_ORIGIN
    return Origin(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH],
    )


def current_origin() -> Origin:
    """The origin of the request being served, or no origin (commands, tasks)."""
    return _current.get()


@contextmanager
def origin(value: Origin) -> Iterator[Origin]:
    """Audit everything inside the block as coming from ``value``; restored afterwards."""
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


@contextmanager
def request_origin(request) -> Iterator[Origin]:
    """Audit everything inside the block as coming from ``request``'s client."""
    with origin(origin_of(request)) as value:
        yield value


class AuditContextMiddleware:
    """Sets the request's origin for the audit log once, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_origin(request):
            return self.get_response(request)
