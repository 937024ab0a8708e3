"""Reads of safeguarding: the lists and the page of a concern (always through
``permissions.visible_concerns``), and the counts the monthly report shows (never contents).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When

from . import permissions
from .models import Category, Concern, ConcernAlert, ConcernState, ConcernStep


def concerns_for(user, *, state: str | None = None, limit: int = 200):
    """The concerns ``user`` may see, newest first, those still waiting for an
    acknowledgement on top; each with ``sent_to_me`` (an alert reached this user).
    Three queries at most whatever the number of rows (pinned in the tests)."""
    rows = permissions.visible_concerns(user).select_related("venue", "district", "reporter")
    if state in ConcernState.values:
        rows = rows.filter(state=state)
    rows = rows.annotate(
        waiting=Case(
            When(state=ConcernState.RAISED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        sent_to_me=Exists(ConcernAlert.objects.filter(concern=OuterRef("pk"), user=user)),
    )
    return rows.order_by("waiting", "-raised_at", "-pk")[:limit]


def waiting_for(user) -> int:
    """How many concerns ``user`` could acknowledge now (the dashboard's badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        permissions.visible_concerns(user)
        .filter(state=ConcernState.RAISED)
        .exclude(reporter=user)
        .count()
    )


def concern_detail(user, pk: int) -> Concern | None:
    """One concern ``user`` may see, with its steps and who it was sent to; else None."""
    return (
        permissions.visible_concerns(user)
        .select_related("venue", "district", "reporter", "acknowledged_by")
        .prefetch_related(
            Prefetch("steps", queryset=ConcernStep.objects.select_related("actor")),
            Prefetch("alerts", queryset=ConcernAlert.objects.select_related("user")),
        )
        .filter(pk=pk)
        .first()
    )


# --- the monthly report: counts only -----------------------------------------------------


@dataclass(frozen=True)
class ConcernCounts:
    """What the monthly report may say about concerns: counts and a median, no contents."""

    raised: int
    urgent: int
    acknowledged: int
    by_category: dict[str, int]  # Category code → concerns raised in the period
    by_district: dict[int | None, dict[str, int]]  # district id → raised, urgent, waiting
    median_minutes_to_acknowledge: float | None
    escalated: int


def concern_counts(start_at, end_at, district=None) -> ConcernCounts:
    """Concerns raised in [start_at, end_at), in one district or the whole city.

    ``median_minutes_to_acknowledge`` is over the concerns of the period that have been
    acknowledged (None when none has); a median, not a mean, so one concern found late
    does not hide how quickly the rest were taken up. Two queries (the counts grouped by
    district and category, then the acknowledgement times).
    """
    rows = Concern.objects.filter(raised_at__gte=start_at, raised_at__lt=end_at)
    if district is not None:
        rows = rows.filter(district=district)
    by_category = dict.fromkeys(Category.values, 0)
    by_district: dict[int | None, dict[str, int]] = {}
    columns = ("raised", "urgent", "waiting", "escalated")
    for row in (
        rows.values("district_id", "category")
        .annotate(
            raised=Count("id"),
            urgent=Count("id", filter=Q(urgency="urgent")),
            waiting=Count("id", filter=Q(state=ConcernState.RAISED)),
            escalated=Count("id", filter=Q(escalation_level__gt=0)),
        )
        .order_by()
    ):
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["raised"]
        totals = by_district.setdefault(row["district_id"], dict.fromkeys(columns, 0))
        for column in columns:
            totals[column] += row[column]
    waits = [
        (acknowledged - raised).total_seconds() / 60
        for raised, acknowledged in rows.filter(acknowledged_at__isnull=False).values_list(
            "raised_at", "acknowledged_at"
        )
    ]
    return ConcernCounts(
        raised=sum(by_category.values()),
        urgent=sum(d["urgent"] for d in by_district.values()),
        acknowledged=len(waits),
        by_category=by_category,
        by_district=by_district,
        median_minutes_to_acknowledge=statistics.median(waits) if waits else None,
        escalated=sum(d["escalated"] for d in by_district.values()),
    )
