"""Reads of supervision: the lists and pages (always through ``permissions``' scopes), a
stage's progress, the publicity completeness of each unit and month, and the counts the
monthly report shows. Each list reads in a fixed number of queries whatever its length
(pinned in the tests).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from . import permissions
from .measures import MeasuredValue, measure
from .models import (
    DEFAULT_MIN_FORMS,
    DEFAULT_MIN_ITEMS,
    ActionState,
    AttendanceResponse,
    CorrectiveAction,
    Finding,
    Measure,
    PublicityItem,
    PublicityRule,
    Stage,
    StageCriterion,
    SupervisionAttendance,
    Unit,
)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> datetime.date | None:
    """``"2026-03"`` → 2026-03-01; None for anything else."""
    match = _MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


# --- supervision sessions ---------------------------------------------------------------


def sessions_for(user, *, limit: int = 100):
    """The sessions ``user`` gave or attended (administrators: all), newest first, each with
    its attendances and trainees (three queries)."""
    return (
        permissions.visible_sessions(user)
        .select_related("expert")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=SupervisionAttendance.objects.select_related("trainee", "credited_entry"),
            )
        )
        .order_by("-date", "-pk")[:limit]
    )


def session_detail(user, pk: int):
    return (
        permissions.visible_sessions(user)
        .select_related("expert")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=SupervisionAttendance.objects.select_related("trainee", "credited_entry"),
            )
        )
        .filter(pk=pk)
        .first()
    )


def waiting_answers(user) -> int:
    """How many supervision sessions wait for ``user``'s confirmation or dispute."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return SupervisionAttendance.objects.filter(
        trainee=user, response=AttendanceResponse.PENDING
    ).count()


def own_trainees(user):
    """The trainees a supervising expert may record supervision for (current placements)."""
    from accounts.models import User

    ids = permissions.own_trainee_placements(user).values("trainee_id")
    return User.objects.filter(pk__in=ids).order_by("real_name", "username")


# --- inspections and corrective actions ------------------------------------------------------


def inspections_for(user, *, limit: int = 100):
    """Inspections ``user`` may see, newest first, with their district, unit and the number
    of findings and open actions (one query)."""
    return (
        permissions.visible_inspections(user)
        .select_related("district", "unit")
        .annotate(
            finding_count=Count("findings", distinct=True),
            open_actions=Count(
                "findings__corrective_action",
                filter=~Q(findings__corrective_action__state=ActionState.VERIFIED),
                distinct=True,
            ),
        )
        .order_by("-date", "-pk")[:limit]
    )


def inspection_detail(user, pk: int):
    """One inspection ``user`` may see, with its inspectors, findings and actions; else None."""
    return (
        permissions.visible_inspections(user)
        .select_related("district", "unit", "recorded_by")
        .prefetch_related(
            "inspectors",
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related(
                    "corrective_action", "corrective_action__owner"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def actions_for(user, *, overdue: bool = False, day: datetime.date | None = None, limit=200):
    """Corrective actions ``user`` may see (owner, inspector, coordinator of the district,
    leading group, administrators), the open ones by deadline first; ``overdue``: only those
    past their deadline and not verified on ``day`` (today). One query."""
    day = day or timezone.localdate()
    rows = permissions.visible_actions(user).select_related(
        "owner", "finding__inspection__district", "finding__inspection__unit"
    )
    if overdue:
        rows = rows.overdue(day)
    return rows.order_by("state", "deadline", "pk")[:limit]


def action_detail(user, pk: int):
    return (
        permissions.visible_actions(user)
        .select_related(
            "owner",
            "verified_by",
            "finding__inspection__district",
            "finding__inspection__unit",
        )
        .filter(pk=pk)
        .first()
    )


def overdue_count(user, day: datetime.date | None = None) -> int:
    """How many corrective actions ``user`` sees that are overdue (the dashboard's badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return permissions.visible_actions(user).overdue(day or timezone.localdate()).count()


@dataclass(frozen=True)
class ActionCounts:
    """What the monthly report says of corrective actions (counts only)."""

    by_district: dict  # district id → set, verified, open, overdue
    overdue: int
    open: int
    set_in_period: int
    verified_in_period: int


def action_counts(start_at, end_at, district=None) -> ActionCounts:
    """Corrective actions of a period [start_at, end_at) by the inspected district, measured
    at its end (or now, while it runs): *set* and *verified* in the period; *open* = set and
    not verified by then; *overdue* = open with a deadline before that day. Measured from the
    stored times (verification is final), so a past month reads the same later. One query."""
    now = timezone.now()
    if now < end_at:  # the period runs: as things stand now
        day = timezone.localtime(now).date()
        rows = CorrectiveAction.objects.filter(created_at__lte=now)
        still_open = Q(verified_at__isnull=True) | Q(verified_at__gt=now)
    else:
        day = timezone.localtime(end_at).date()
        rows = CorrectiveAction.objects.filter(created_at__lt=end_at)
        still_open = Q(verified_at__isnull=True) | Q(verified_at__gte=end_at)
    if district is not None:
        rows = rows.filter(finding__inspection__district=district)
    columns = ("set", "verified", "open", "overdue")
    by_district: dict = {}
    for row in (
        rows.values(district_id=F("finding__inspection__district_id"))
        .annotate(
            set=Count("id", filter=Q(created_at__gte=start_at)),
            verified=Count("id", filter=Q(verified_at__gte=start_at, verified_at__lt=end_at)),
            open=Count("id", filter=still_open),
            overdue=Count("id", filter=still_open & Q(deadline__lt=day)),
        )
        .order_by()
    ):
        by_district[row["district_id"]] = {column: row[column] for column in columns}
    return ActionCounts(
        by_district=by_district,
        overdue=sum(d["overdue"] for d in by_district.values()),
        open=sum(d["open"] for d in by_district.values()),
        set_in_period=sum(d["set"] for d in by_district.values()),
        verified_in_period=sum(d["verified"] for d in by_district.values()),
    )


# --- stages ---------------------------------------------------------------------------------


@dataclass
class CriterionProgress:
    criterion: StageCriterion
    values: list[MeasuredValue] = field(default_factory=list)

    @property
    def lowest(self) -> Decimal | None:
        """The value that decides (for a per-district measure, the lowest district)."""
        known = [v.value for v in self.values if v.value is not None]
        if not known or len(known) < len(self.values):
            return None
        return min(known)

    @property
    def met(self) -> bool:
        return self.lowest is not None and self.lowest >= self.criterion.target

    @property
    def percent(self) -> int:
        """How far toward the target, 0–100 (for a bar)."""
        if self.lowest is None:
            return 0
        if self.criterion.target <= 0:
            return 100
        return int(min(Decimal(100), self.lowest * 100 / self.criterion.target))


@dataclass
class StageProgress:
    stage: Stage
    as_of: datetime.date
    criteria: list[CriterionProgress]

    @property
    def all_met(self) -> bool:
        return bool(self.criteria) and all(c.met for c in self.criteria)

    def as_data(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "criteria": [
                {
                    "id": c.criterion.pk,
                    "measure": c.criterion.measure,
                    "district": c.criterion.district_id,
                    "target": float(c.criterion.target),
                    "values": [
                        {"label": v.label, "value": None if v.value is None else float(v.value)}
                        for v in c.values
                    ],
                    "met": c.met,
                }
                for c in self.criteria
            ],
        }


def stage_progress(stage: Stage, *, today: datetime.date | None = None) -> StageProgress:
    """Each criterion of ``stage`` measured from the product's figures between the stage's
    start and today (or its due date, when that has passed)."""
    today = today or timezone.localdate()
    as_of = min(today, stage.due_on) if stage.signed_off_at is None else today
    criteria = []
    for criterion in stage.criteria.all():
        values = measure(
            criterion.measure,
            district=criterion.district,
            start=stage.starts_on,
            end=as_of,
        )
        criteria.append(CriterionProgress(criterion=criterion, values=values))
    return StageProgress(stage=stage, as_of=as_of, criteria=criteria)


def stages_with_progress(*, today: datetime.date | None = None) -> list[StageProgress]:
    """Every stage with its progress (accepted stages show what was measured at acceptance
    on their page; here too they are measured now)."""
    stages = Stage.objects.select_related("signed_off_by").prefetch_related(
        Prefetch("criteria", queryset=StageCriterion.objects.select_related("district"))
    )
    return [stage_progress(stage, today=today) for stage in stages]


def stage_detail(pk: int):
    return (
        Stage.objects.select_related("signed_off_by")
        .prefetch_related(
            Prefetch("criteria", queryset=StageCriterion.objects.select_related("district"))
        )
        .filter(pk=pk)
        .first()
    )


MEASURE_LABELS = dict(Measure.choices)


# --- publicity ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    min_forms: int
    min_items: int


def rule_for(period: datetime.date) -> Rule:
    """The publicity rule of a month: the latest set from that month or before, else the
    programme's own (3 forms, 5 items)."""
    found = (
        PublicityRule.objects.filter(applies_from__lte=period)
        .order_by("-applies_from")
        .values_list("min_forms", "min_items")
        .first()
    )
    return Rule(*found) if found else Rule(DEFAULT_MIN_FORMS, DEFAULT_MIN_ITEMS)


@dataclass(frozen=True)
class UnitMonth:
    unit: Unit
    forms: int
    items: int
    rule: Rule

    @property
    def complete(self) -> bool:
        return self.forms >= self.rule.min_forms and self.items >= self.rule.min_items

    @property
    def forms_missing(self) -> int:
        return max(self.rule.min_forms - self.forms, 0)

    @property
    def items_missing(self) -> int:
        return max(self.rule.min_items - self.items, 0)


def publicity_completeness(period: datetime.date, *, district=None, units=None) -> list[UnitMonth]:
    """Every active unit (in ``district``, or among ``units``) with its number of forms and
    items reported for the month, against the month's rule. Two queries (one when there
    is no such unit)."""
    queryset = Unit.objects.filter(is_active=True).select_related("district")
    if district is not None:
        queryset = queryset.filter(district=district)
    if units is not None:
        queryset = queryset.filter(pk__in=units.values("pk"))
    queryset = queryset.annotate(
        forms=Count(
            "publicity_items__form", filter=Q(publicity_items__period=period), distinct=True
        ),
        items=Count("publicity_items", filter=Q(publicity_items__period=period), distinct=True),
    ).order_by("district__sort_order", "name")
    units = list(queryset)
    if not units:
        return []
    rule = rule_for(period)
    return [UnitMonth(unit=u, forms=u.forms, items=u.items, rule=rule) for u in units]


def unit_month_items(unit: Unit, period: datetime.date):
    return (
        PublicityItem.objects.filter(unit=unit, period=period)
        .select_related("uploaded_by")
        .order_by("published_on", "pk")
    )
