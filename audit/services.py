"""Writing the audit log. Every service that changes state calls ``record``."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from .context import client_ip, current_origin
from .models import AuditLog

__all__ = ["client_ip", "record", "record_wagtail_entry"]

# True while ``record`` writes the Wagtail history entry of its own row, so that
# ``record_wagtail_entry`` (which copies Wagtail's entries into the log) skips it.
_writing_history: ContextVar[bool] = ContextVar("audit_writing_history", default=False)


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit record.

    ``action`` is a stable dotted code (``accounts.import``, ``practicum.entry.approve``).
    Call it inside the same transaction as the change it records, so that a change
    that rolls back leaves no record and a record never exists without its change.
    ``changes`` must carry no personal data about children: counts and codes only.

    ``actor`` is the acting user (None for the system: commands, scheduled tasks). The
    client address and user agent come from the request's origin
    (``audit.context``, set by ``AuditContextMiddleware``), so a service called from a
    page, the API, the Wagtail admin, a command or a task writes the same row.

    One history: when ``obj``'s model is managed in the Wagtail admin through a door
    (``lms.one_door``), the same event is also written to Wagtail's log (``ModelLogEntry``,
    under the same action code, labelled by the door), so the object's history in the
    admin and the audit log show the same events. Call it before deleting ``obj``.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    where = current_origin()
    row = AuditLog.objects.create(
        action=action,
        actor=actor,
        actor_repr=actor.get_username() if actor else "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip_address=where.ip_address,
        user_agent=where.user_agent,
    )
    if obj is not None and obj.pk is not None:
        _write_wagtail_history(obj, action, actor, changes)
    return row


def _write_wagtail_history(obj, action: str, actor, changes) -> None:
    from wagtail.log_actions import log

    from lms.one_door import history_action

    if not history_action(obj, action):
        return
    token = _writing_history.set(True)
    try:
        log(
            obj,
            action,
            user=actor,
            data={"audit": changes or {}},
            content_changed=True,
            deleted=action.endswith(".delete"),
        )
    finally:
        _writing_history.reset(token)


def record_wagtail_entry(entry) -> AuditLog | None:
    """Copy one entry of Wagtail's own log (a page published, a workflow step, a user
    edited in the admin…) into the audit log, with the request's origin. Entries that
    ``record`` itself wrote are not copied back. Connected to Wagtail's log entry models
    in ``audit.apps``."""
    if _writing_history.get():
        return None
    actor = entry.user if entry.user_id else None
    content_type = entry.content_type
    object_id = getattr(entry, "object_id", None) or getattr(entry, "page_id", None) or ""
    where = current_origin()
    return AuditLog.objects.create(
        action=entry.action[:80],
        actor=actor,
        actor_repr=actor.get_username() if actor else "",
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(object_id),
        object_repr=(entry.label or "")[:200],
        changes={"wagtail_log_entry": entry.pk},
        ip_address=where.ip_address,
        user_agent=where.user_agent,
    )
