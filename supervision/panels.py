"""The dashboard's supervision panels (``lms.dashboard``).

Coordinators (and the leading group): the corrective actions past their deadline in their
scope, the oldest first; this month's publicity returns of the units they see, against the
rule, with the units still short. Trainees: supervision recorded for them that waits for
their confirmation or dispute; a unit's reporters, its publicity this month. Two queries
each at most; nothing shown when nothing waits.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from lms.dashboard import register_panel

from . import permissions, selectors
from .models import AttendanceResponse, SupervisionAttendance

SHOWN = 5


def overdue_actions_panel(user) -> dict | None:
    """Overdue corrective actions the user sees (their district's, or the city's)."""
    today = timezone.localdate()
    rows = list(selectors.actions_for(user, overdue=True, day=today, limit=SHOWN + 1))
    if not rows:
        return None
    count = len(rows) if len(rows) <= SHOWN else selectors.overdue_count(user, today)
    return {
        "title": _("Overdue corrective actions"),
        "actions": rows[:SHOWN],
        "more": max(count - SHOWN, 0),
        "today": today,
        "count": count,
        "urgent": True,
    }


def answers_panel(user) -> dict | None:
    """Supervision recorded for the trainee, waiting for their answer (one query)."""
    waiting = list(
        SupervisionAttendance.objects.filter(trainee=user, response=AttendanceResponse.PENDING)
        .select_related("session", "session__expert")
        .order_by("-session__date", "-pk")[: SHOWN + 1]
    )
    if not waiting:
        return None
    return {
        "title": _("Supervision to confirm"),
        "attendances": waiting[:SHOWN],
        "count": len(waiting),
        "urgent": False,
    }


def publicity_panel(user) -> dict | None:
    """This month's publicity return of each unit the user sees (a coordinator's district,
    every unit for the leading group, the units a reporter reports for): how many are
    complete against the rule, and the units still short (two queries; one when the user
    sees no unit)."""
    month = timezone.localdate().replace(day=1)
    rows = selectors.publicity_completeness(month, units=permissions.visible_units(user))
    if not rows:
        return None
    short = [row for row in rows if not row.complete]
    return {
        "title": _("Publicity this month"),
        "period": month,
        "rule": rows[0].rule,
        "units": len(rows),
        "complete": len(rows) - len(short),
        "short": short[:SHOWN],
        "more": max(len(short) - SHOWN, 0),
        "count": len(short),
        "urgent": False,
    }


def register() -> None:
    """Called from ``SupervisionConfig.ready``."""
    for role in (roles.COORDINATOR, roles.LEADING_GROUP):
        register_panel(
            f"supervision.overdue_actions.{role}",
            role=role,
            template="supervision/panels/overdue_actions.html",
            order=15,
        )(overdue_actions_panel)
    for role in (roles.COORDINATOR, roles.LEADING_GROUP, roles.TRAINEE):
        register_panel(
            f"supervision.publicity.{role}",
            role=role,
            template="supervision/panels/publicity.html",
            order=16 if role != roles.TRAINEE else 45,
        )(publicity_panel)
    register_panel(
        "supervision.answers",
        role=roles.TRAINEE,
        template="supervision/panels/answers.html",
        order=40,
    )(answers_panel)
