"""The dashboard's safeguarding panel (``lms.dashboard``): above every role's section.

Trainees and lecturers get the one-tap "raise a concern"; the people concerns go to see
how many wait for their acknowledgement. Two queries at most.
"""

from __future__ import annotations

from lms.dashboard import register_panel

from . import permissions, selectors


def concerns_panel(user) -> dict | None:
    can_raise = permissions.can_raise(user)
    waiting = selectors.waiting_for(user)
    if not can_raise and not waiting:
        return None
    return {"can_raise": can_raise, "waiting": waiting, "count": waiting, "urgent": bool(waiting)}


def register() -> None:
    """Called from ``SafeguardingConfig.ready``."""
    register_panel(
        "safeguarding.concerns", role=None, template="safeguarding/panels/concerns.html", order=0
    )(concerns_panel)
