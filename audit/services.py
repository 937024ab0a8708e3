"""Writing the audit log. Every service that changes state calls ``record``."""

from __future__ import annotations

from typing import Any

from .models import AuditLog


def client_ip(request) -> str | None:
    """The client's address as the rate limits see it: ``X-Forwarded-For`` is believed only
    as far as ``TRUSTED_PROXY_COUNT`` proxies of ours put it there (a client can write
    anything in that header)."""
    if request is None:
        return None
    from lms.ratelimit import client_address

    address = client_address(request)
    return None if address in ("", "unknown") else address


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    request=None,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit record.

    ``action`` is a stable dotted code (``accounts.import``, ``practicum.entry.approve``).
    Call it inside the same transaction as the change it records, so that a change
    that rolls back leaves no record and a record never exists without its change.
    ``changes`` must carry no personal data about children: counts and codes only.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditLog.objects.create(
        action=action,
        actor=actor,
        actor_repr=actor.get_username() if actor else "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
    )
