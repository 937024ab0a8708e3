"""The dashboard's practicum panels (``lms.dashboard``).

Trainee: approved hours against each requirement of each current placement (a bar per
line, waiting hours on the same bar) and entries to finish. Supervising expert: entries
waiting (per trainee, with the oldest's age) and evaluations due. Fixed query counts
(tests/test_dashboard.py).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Min, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from lms.dashboard import register_panel

from . import selectors, services
from .models import (
    CompetencyEvaluation,
    EntryState,
    EvaluationStage,
    Placement,
    PracticumEntry,
)

FINAL_DUE_DAYS = 30  # a final evaluation is due this close to the placement's end


def hours_panel(user) -> dict | None:
    """Each current placement's requirement lines, and entries to finish (returned ones
    first). Two queries plus four per qualification (a trainee has one or two)."""
    placements = list(
        Placement.objects.current()
        .filter(trainee=user)
        .select_related("supervisor")
        .order_by("qualification", "pk")
    )
    counts = selectors.state_counts(user)
    if not placements and not any(counts.values()):
        return None
    statuses = {
        qualification: selectors.requirement_status_bulk([user.pk], qualification)[user.pk]
        for qualification in sorted({placement.qualification for placement in placements})
    }
    rows = [(placement, statuses[placement.qualification]) for placement in placements]
    returned = counts[EntryState.RETURNED]
    return {
        "title": _("Practicum hours"),
        "rows": rows,
        "returned": returned,
        "drafts": counts[EntryState.DRAFT],
        "waiting": counts[EntryState.SUBMITTED],
        "count": returned,
        "urgent": bool(returned),
    }


def review_panel(user) -> dict | None:
    """Entries waiting for this expert: how many, from whom, and how long the oldest of
    each trainee has waited (one grouped query, plus the reminder setting)."""
    rows = list(
        PracticumEntry.objects.filter(supervisor=user, state=EntryState.SUBMITTED)
        .values("trainee_id", "trainee__real_name", "trainee__username")
        .annotate(waiting=Count("pk"), oldest=Min("submitted_at"))
        .order_by("oldest", "trainee_id")
    )
    if not rows:
        return None
    now = timezone.now()
    reminder_days = services.practicum_settings().supervisor_reminder_days
    for row in rows:
        row["days"] = (now - row["oldest"]).days if row["oldest"] else 0
        row["name"] = row["trainee__real_name"] or row["trainee__username"]
        row["late"] = row["days"] >= reminder_days
    waiting = sum(row["waiting"] for row in rows)
    return {
        "title": _("Practicum entries to review"),
        "waiting": waiting,
        "trainees": rows[:6],
        "more_trainees": max(len(rows) - 6, 0),
        "oldest_days": rows[0]["days"],
        "reminder_days": reminder_days,
        "count": waiting,
        "urgent": any(row["late"] for row in rows),
    }


def evaluations_panel(user) -> dict | None:
    """Evaluations this expert should write or sign: drafts to finish, finals for placements
    ending within ``FINAL_DUE_DAYS`` (or ended) or whose trainee has every hour, midterms
    past a placement's middle. Two queries plus four per qualification supervised."""
    today = timezone.localdate()
    effective = CompetencyEvaluation.objects.effective().filter(
        trainee=OuterRef("trainee"), qualification=OuterRef("qualification")
    )
    placements = list(
        Placement.objects.current()
        .filter(supervisor=user)
        .select_related("trainee")
        .annotate(
            has_final=Exists(effective.filter(stage=EvaluationStage.FINAL)),
            has_midterm=Exists(effective.filter(stage=EvaluationStage.MIDTERM)),
        )
        .order_by("end_date", "pk")
    )
    drafts = list(
        CompetencyEvaluation.objects.filter(supervisor=user, signed_at__isnull=True)
        .select_related("trainee")
        .order_by("created_at", "pk")
    )
    open_stages = {(draft.placement_id, draft.stage) for draft in drafts}
    hours_met: dict[tuple[int, str], bool] = {}
    for qualification in sorted({p.qualification for p in placements if not p.has_final}):
        ids = [p.trainee_id for p in placements if p.qualification == qualification]
        for trainee_id, status in selectors.requirement_status_bulk(ids, qualification).items():
            hours_met[(trainee_id, qualification)] = status.all_met
    due = []
    for placement in placements:
        if placement.has_final or (placement.pk, EvaluationStage.FINAL) in open_stages:
            continue
        ready = hours_met.get((placement.trainee_id, placement.qualification), False)
        ending = placement.end_date is not None and (
            placement.end_date - today
        ) <= datetime.timedelta(days=FINAL_DUE_DAYS)
        if ready or ending:
            due.append({"placement": placement, "stage": EvaluationStage.FINAL, "ready": ready})
            continue
        if placement.has_midterm or (placement.pk, EvaluationStage.MIDTERM) in open_stages:
            continue
        if placement.end_date and placement.start_date:
            middle = placement.start_date + (placement.end_date - placement.start_date) / 2
            if today >= middle:
                due.append(
                    {"placement": placement, "stage": EvaluationStage.MIDTERM, "ready": False}
                )
    if not (drafts or due):
        return None
    for row in due:
        end = row["placement"].end_date
        row["overdue"] = end is not None and end < today
        row["stage_label"] = EvaluationStage(row["stage"]).label
    return {
        "title": _("Evaluations due"),
        "drafts": drafts,
        "due": due,
        "count": len(drafts) + len(due),
        "urgent": any(row["overdue"] for row in due),
    }


def register() -> None:
    """Called from ``PracticumConfig.ready``."""
    register_panel(
        "practicum.hours", role=roles.TRAINEE, template="practicum/panels/hours.html", order=20
    )(hours_panel)
    register_panel(
        "practicum.review", role=roles.SUPERVISOR, template="practicum/panels/review.html", order=10
    )(review_panel)
    register_panel(
        "practicum.evaluations",
        role=roles.SUPERVISOR,
        template="practicum/panels/evaluations.html",
        order=30,
    )(evaluations_panel)
