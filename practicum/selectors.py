"""Reads of practicum data: the hours ledger, requirement status, queues and overviews.

Each function issues a fixed number of queries whatever the number of entries or
trainees (pinned in tests). ``requirement_status`` and ``final_evaluation_passed``
(and their ``_bulk`` forms) are what certification asks: only approved hours count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from .evaluation_rule import EvaluationPreview, preview
from .models import (
    ActivityMinimum,
    ActivityType,
    CompetencyEvaluation,
    EntryAttachment,
    EntryState,
    EvaluationRating,
    EvaluationStage,
    Placement,
    PracticumEntry,
    PracticumRequirement,
    PracticumSettings,
    ServiceKind,
)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass
class RequirementLine:
    """One requirement (or an informational line) against the hours that count for it."""

    code: str  # "total", "direct", "indirect", "supervision", "activity:<code>"
    label: str
    required_minutes: int
    approved_minutes: int = 0
    pending_minutes: int = 0
    informational: bool = False

    @property
    def required_hours(self) -> Decimal:
        return _hours(self.required_minutes)

    @property
    def approved_hours(self) -> Decimal:
        return _hours(self.approved_minutes)

    @property
    def pending_hours(self) -> Decimal:
        return _hours(self.pending_minutes)

    @property
    def met(self) -> bool:
        return self.approved_minutes >= self.required_minutes

    @property
    def remaining_hours(self) -> Decimal:
        return _hours(max(self.required_minutes - self.approved_minutes, 0))

    @property
    def percent(self) -> int:
        if self.required_minutes <= 0:
            return 100
        return min(100, int(self.approved_minutes * 100 / self.required_minutes))

    @property
    def pending_percent(self) -> int:
        if self.required_minutes <= 0:
            return 0
        return min(100 - self.percent, int(self.pending_minutes * 100 / self.required_minutes))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "required_hours": float(self.required_hours),
            "approved_hours": float(self.approved_hours),
            "pending_hours": float(self.pending_hours),
            "met": self.met,
            "informational": self.informational,
        }


@dataclass
class RequirementStatus:
    """A trainee's approved hours against every requirement of one qualification."""

    qualification: str
    configured: bool
    lines: list[RequirementLine] = field(default_factory=list)

    @property
    def requirements(self) -> list[RequirementLine]:
        return [line for line in self.lines if not line.informational]

    @property
    def all_met(self) -> bool:
        return self.configured and all(line.met for line in self.requirements)

    @property
    def approved_hours(self) -> Decimal:
        return self.lines[0].approved_hours if self.lines else Decimal(0)

    def line(self, code: str) -> RequirementLine | None:
        return next((line for line in self.lines if line.code == code), None)

    def as_dict(self) -> dict:
        return {
            "qualification": self.qualification,
            "configured": self.configured,
            "all_met": self.all_met,
            "lines": [line.as_dict() for line in self.lines],
        }


def _requirement(qualification: str) -> PracticumRequirement | None:
    return (
        PracticumRequirement.objects.filter(qualification=qualification)
        .prefetch_related(
            Prefetch(
                "activity_minimums",
                queryset=ActivityMinimum.objects.select_related("activity_type").order_by(
                    "sort_order", "pk"
                ),
            )
        )
        .first()
    )


def _minutes(value) -> int:
    return int((Decimal(value) * 60).to_integral_value())


def _requirement_plan(requirement: PracticumRequirement) -> list[tuple]:
    """(code, label, required minutes, bucket key, informational) for each line, once."""
    plan = [
        ("total", _("Total hours"), _minutes(requirement.total_hours), "total", False),
        (
            "direct",
            _("Direct service"),
            _minutes(requirement.min_direct_hours),
            ServiceKind.DIRECT,
            False,
        ),
        ("indirect", _("Indirect work"), 0, ServiceKind.INDIRECT, True),
        (
            "supervision",
            _("Supervision received"),
            _minutes(requirement.min_supervision_hours),
            "supervision",
            False,
        ),
    ]
    for minimum in requirement.activity_minimums.all():
        plan.append(
            (
                f"activity:{minimum.activity_type.code}",
                minimum.activity_type.label,
                _minutes(minimum.min_hours),
                minimum.activity_type_id,
                False,
            )
        )
    return plan


def _line_condition(key, supervision_types: set[int]) -> Q | None:
    """Which entries count toward a plan line's bucket (None: none can)."""
    if key == "total":
        return Q()
    if key == "supervision":
        return Q(activity_type_id__in=sorted(supervision_types)) if supervision_types else None
    if isinstance(key, int):
        return Q(activity_type_id=key)
    return Q(service_kind=key)


def _build_status(
    qualification: str, plan: list[tuple] | None, sums: tuple | None
) -> RequirementStatus:
    """Lines from one trainee's (approved, pending) minutes per plan line, in plan order."""
    if plan is None:
        return RequirementStatus(qualification, configured=False)
    if sums is None:
        sums = (0,) * (2 * len(plan))
    lines = [
        RequirementLine(
            code=code,
            label=label,
            required_minutes=required,
            approved_minutes=sums[2 * index] or 0,
            pending_minutes=sums[2 * index + 1] or 0,
            informational=informational,
        )
        for index, (code, label, required, _key, informational) in enumerate(plan)
    ]
    return RequirementStatus(qualification, configured=True, lines=lines)


def requirement_status_bulk(users: Iterable, qualification: str) -> dict[int, RequirementStatus]:
    """``requirement_status`` for many trainees in four queries, keyed by user id.

    Only approved entries count toward a requirement; submitted ones are reported as
    pending. Direct/indirect is as recorded on each entry (the rule when it was logged).
    The database sums every line's approved and waiting minutes per trainee (one row a
    trainee, conditional sums), so Python never walks the entries or their groups.
    """
    ids = [getattr(user, "pk", user) for user in users]
    requirement = _requirement(qualification)
    if requirement is None:
        return {pk: _build_status(qualification, None, None) for pk in ids}
    supervision_types = set(
        ActivityType.objects.filter(is_supervision=True).values_list("pk", flat=True)
    )
    plan = _requirement_plan(requirement)
    sums: dict[int, tuple] = {}
    if ids:
        aggregates, always_zero = {}, set()
        for index, (_code, _label, _required, key, _informational) in enumerate(plan):
            condition = _line_condition(key, supervision_types)
            for state, suffix in ((EntryState.APPROVED, "a"), (EntryState.SUBMITTED, "p")):
                name = f"{suffix}{index}"
                if condition is None:
                    always_zero.add(name)
                else:
                    aggregates[name] = Sum("minutes", filter=condition & Q(state=state))
        names = [f"{suffix}{index}" for index in range(len(plan)) for suffix in ("a", "p")]
        rows = (
            PracticumEntry.objects.filter(
                trainee_id__in=ids,
                qualification=qualification,
                state__in=[EntryState.APPROVED, EntryState.SUBMITTED],
            )
            .values("trainee_id")
            .annotate(**aggregates)
            .order_by()
            .values_list("trainee_id", *aggregates)
        )
        for trainee_id, *values in rows:
            found = dict(zip(aggregates, values, strict=True))
            sums[trainee_id] = tuple(
                0 if name in always_zero else found[name] or 0 for name in names
            )
    return {pk: _build_status(qualification, plan, sums.get(pk)) for pk in ids}


def requirement_status(user, qualification: str) -> RequirementStatus:
    """Approved hours by category against each requirement, and whether all are met."""
    pk = getattr(user, "pk", user)
    return requirement_status_bulk([pk], qualification)[pk]


def final_evaluation_passed_bulk(users: Iterable, qualification: str) -> dict[int, bool]:
    """Whether each trainee's effective signed final evaluation passed (one query).

    A signed correction replaces the evaluation it corrects; with several effective
    final evaluations the most recently signed one counts.
    """
    ids = [getattr(user, "pk", user) for user in users]
    result = dict.fromkeys(ids, False)
    if not ids:
        return result
    rows = (
        CompetencyEvaluation.objects.effective()
        .filter(trainee_id__in=ids, qualification=qualification, stage=EvaluationStage.FINAL)
        .order_by("trainee_id", "-signed_at", "-pk")
        .values_list("trainee_id", "passed")
    )
    seen: set[int] = set()
    for trainee_id, passed in rows:
        if trainee_id not in seen:
            seen.add(trainee_id)
            result[trainee_id] = bool(passed)
    return result


def final_evaluation_passed(user, qualification: str) -> bool:
    pk = getattr(user, "pk", user)
    return final_evaluation_passed_bulk([pk], qualification)[pk]


# --- Pages --------------------------------------------------------------------------------

QUEUE_SORTS = {
    "oldest": ("submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
    "date": ("-date", "-start_time", "-pk"),
    "longest": ("-minutes", "submitted_at"),
    "trainee": ("trainee__real_name", "trainee__username", "submitted_at"),
}


def review_queue(
    supervisor,
    *,
    state: str = EntryState.SUBMITTED,
    trainee_id: int | None = None,
    activity_type_id: int | None = None,
    service_kind: str | None = None,
    waiting_days: int | None = None,
    sort: str = "oldest",
):
    """The supervisor's own trainees' entries (waiting ones by default), filtered and sorted."""
    queryset = PracticumEntry.objects.filter(supervisor=supervisor)
    if state:
        queryset = queryset.filter(state=state)
    if trainee_id:
        queryset = queryset.filter(trainee_id=trainee_id)
    if activity_type_id:
        queryset = queryset.filter(activity_type_id=activity_type_id)
    if service_kind:
        queryset = queryset.filter(service_kind=service_kind)
    if waiting_days:
        queryset = queryset.filter(
            submitted_at__lte=timezone.now() - datetime.timedelta(days=waiting_days)
        )
    attachments = (
        EntryAttachment.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # A subquery, not a join: the paginator's COUNT(*) then stays a plain index scan.
    return (
        queryset.select_related("trainee", "activity_type", "venue")
        .annotate(attachment_count=Subquery(attachments, output_field=IntegerField()))
        .order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["oldest"]))
    )


def queue_summary(supervisor, *, reminder_days: int) -> dict[str, int]:
    """Counts for the queue's heading: waiting, and waiting longer than the reminder limit."""
    limit = timezone.now() - datetime.timedelta(days=reminder_days)
    return PracticumEntry.objects.filter(
        supervisor=supervisor, state=EntryState.SUBMITTED
    ).aggregate(
        waiting=Count("pk"),
        overdue=Count("pk", filter=Q(submitted_at__lte=limit)),
        trainees=Count("trainee", distinct=True),
    )


def supervised_placements(supervisor):
    """The supervisor's current placements with their trainees (one query)."""
    return (
        Placement.objects.current()
        .filter(supervisor=supervisor)
        .select_related("trainee", "venue")
        .order_by("trainee__real_name", "trainee__username")
    )


# --- Reviewing one entry after another ---------------------------------------------------
# The order is the queue's default ("waiting longest first"): submitted_at, then pk.


def _waiting_for(supervisor, trainee_id: int | None):
    queryset = PracticumEntry.objects.filter(supervisor=supervisor, state=EntryState.SUBMITTED)
    return queryset.filter(trainee_id=trainee_id) if trainee_id else queryset


def _before(entry: PracticumEntry) -> Q:
    """Entries ahead of ``entry`` in the queue's order."""
    if entry.submitted_at is None:
        return Q(pk__lt=entry.pk)
    return Q(submitted_at__lt=entry.submitted_at) | Q(
        submitted_at=entry.submitted_at, pk__lt=entry.pk
    )


def next_waiting_entry(supervisor, *, after=None, trainee_id: int | None = None) -> int | None:
    """The id of the entry to review next (one query), or None when nothing is waiting.

    The first waiting entry behind ``after`` in the queue's order, wrapping round to
    the oldest; ``trainee_id`` keeps to one trainee's entries. ``after`` itself is never
    the answer (a skipped entry is not offered again at once).
    """
    waiting = _waiting_for(supervisor, trainee_id).order_by("submitted_at", "pk")
    if after is None:
        return waiting.values_list("pk", flat=True).first()
    waiting = waiting.exclude(pk=after.pk)
    # Behind ``after`` first (ordered true-before-false), then from the oldest again.
    behind = ~_before(after)
    rows = (
        waiting.annotate(behind=Case(When(behind, then=Value(0)), default=Value(1)))
        .order_by("behind", "submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    return rows.first()


def queue_position(supervisor, entry, *, trainee_id: int | None = None) -> tuple[int, int]:
    """(place of ``entry`` among the waiting entries, how many wait), in one query.

    The place is 0 when ``entry`` is not waiting (already reviewed)."""
    counts = _waiting_for(supervisor, trainee_id).aggregate(
        waiting=Count("pk"),
        ahead=Count("pk", filter=_before(entry)),
    )
    place = counts["ahead"] + 1 if entry.state == EntryState.SUBMITTED else 0
    return place, counts["waiting"]


@dataclass
class TraineeReview:
    """One trainee's entries side by side for their supervising expert."""

    trainee: object
    placements: list
    statuses: list  # (placement, RequirementStatus)
    waiting: list
    others: list
    others_total: int


TRAINEE_REVIEW_OTHERS = 30


def trainee_review(supervisor, trainee) -> TraineeReview:
    """Every waiting entry of ``trainee`` for ``supervisor`` (oldest first, with their
    files counted) and the latest others, with hours per current placement.

    Fixed queries: placements, the hours per qualification, waiting, others and their count.
    """
    placements = list(
        Placement.objects.current()
        .filter(supervisor=supervisor, trainee=trainee)
        .select_related("venue")
        .order_by("qualification")
    )
    statuses = [
        (placement, requirement_status(trainee, placement.qualification))
        for placement in placements
    ]
    attachments = (
        EntryAttachment.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    entries = PracticumEntry.objects.filter(supervisor=supervisor, trainee=trainee).select_related(
        "activity_type", "venue"
    )
    waiting = list(
        entries.filter(state=EntryState.SUBMITTED)
        .annotate(attachment_count=Subquery(attachments, output_field=IntegerField()))
        .order_by("submitted_at", "pk")
    )
    others_query = entries.exclude(state__in=[EntryState.SUBMITTED, EntryState.DRAFT])
    others = list(others_query.order_by("-date", "-start_time", "-pk")[:TRAINEE_REVIEW_OTHERS])
    others_total = len(others) if len(others) < TRAINEE_REVIEW_OTHERS else others_query.count()
    return TraineeReview(
        trainee=trainee,
        placements=placements,
        statuses=statuses,
        waiting=waiting,
        others=others,
        others_total=others_total,
    )


def evaluation_preview(evaluation) -> EvaluationPreview:
    """What signing ``evaluation`` would record under today's pass rule (the rule, the ratings)."""
    config = PracticumSettings.load()
    ratings = EvaluationRating.objects.filter(evaluation=evaluation).values_list(
        "item_name", "rating"
    )
    return preview(
        list(ratings),
        min_item=config.evaluation_min_item_rating,
        min_mean=config.evaluation_min_mean,
    )


def trainee_entries(trainee, *, qualification: str | None = None, state: str | None = None):
    queryset = PracticumEntry.objects.filter(trainee=trainee)
    if qualification:
        queryset = queryset.filter(qualification=qualification)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("activity_type", "venue").order_by("-date", "-start_time", "-pk")


def state_counts(trainee) -> dict[str, int]:
    rows = (
        PracticumEntry.objects.filter(trainee=trainee)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(EntryState.values, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def evaluations_for(trainee, qualification: str | None = None):
    queryset = CompetencyEvaluation.objects.filter(trainee=trainee)
    if qualification:
        queryset = queryset.filter(qualification=qualification)
    return queryset.select_related("supervisor", "corrects").prefetch_related("ratings")


@dataclass
class Ledger:
    """Everything on a trainee's ledger and printed record for one qualification."""

    trainee: object
    qualification: str
    status: RequirementStatus
    placements: list
    approved_entries: list
    evaluations: list
    final_passed: bool


def ledger(trainee, qualification: str) -> Ledger:
    """The hours ledger for one trainee and qualification, in a fixed number of queries."""
    status = requirement_status(trainee, qualification)
    placements = list(
        Placement.objects.filter(trainee=trainee, qualification=qualification)
        .select_related("supervisor", "venue")
        .order_by("start_date", "pk")
    )
    entries = list(
        trainee_entries(trainee, qualification=qualification, state=EntryState.APPROVED)
        .select_related("reviewed_by")
        .order_by("date", "start_time", "pk")
    )
    evaluations = list(evaluations_for(trainee, qualification).signed().order_by("signed_at", "pk"))
    return Ledger(
        trainee=trainee,
        qualification=qualification,
        status=status,
        placements=placements,
        approved_entries=entries,
        evaluations=evaluations,
        final_passed=final_evaluation_passed(trainee, qualification),
    )


def coordinator_overview(district, *, qualification: str | None = None, supervisor_id=None):
    """Current placements in a coordinator's scope with their hours, waiting reviews and
    evaluations, as annotations (one query per page of results)."""
    entries = PracticumEntry.objects.filter(
        trainee=OuterRef("trainee"), qualification=OuterRef("qualification")
    )
    approved = (
        entries.filter(state=EntryState.APPROVED)
        .values("trainee")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    waiting = entries.filter(state=EntryState.SUBMITTED).values("trainee")
    signed = CompetencyEvaluation.objects.effective().filter(
        trainee=OuterRef("trainee"), qualification=OuterRef("qualification")
    )
    queryset = (
        Placement.objects.current()
        .in_scope(district)
        .select_related("trainee", "trainee__district", "supervisor", "venue")
        .annotate(
            approved_minutes=Coalesce(Subquery(approved, output_field=IntegerField()), 0),
            waiting_count=Coalesce(
                Subquery(waiting.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                0,
            ),
            oldest_waiting=Subquery(waiting.annotate(first=Min("submitted_at")).values("first")),
            midterm_signed=Exists(signed.filter(stage=EvaluationStage.MIDTERM)),
            final_passed=Exists(signed.filter(stage=EvaluationStage.FINAL, passed=True)),
            final_failed=Exists(signed.filter(stage=EvaluationStage.FINAL, passed=False)),
        )
        .order_by("trainee__district__sort_order", "trainee__real_name", "pk")
    )
    if qualification:
        queryset = queryset.filter(qualification=qualification)
    if supervisor_id:
        queryset = queryset.filter(supervisor_id=supervisor_id)
    return queryset


def overview_summary(district) -> dict:
    """Scope-wide figures for the coordinator's overview heading."""
    placements = Placement.objects.current().in_scope(district)
    entries = PracticumEntry.objects.all()
    if district is not None:
        entries = entries.filter(trainee__district=district)
    now = timezone.now()
    figures = entries.aggregate(
        waiting=Count("pk", filter=Q(state=EntryState.SUBMITTED)),
        waiting_7=Count(
            "pk",
            filter=Q(
                state=EntryState.SUBMITTED, submitted_at__lte=now - datetime.timedelta(days=7)
            ),
        ),
        waiting_14=Count(
            "pk",
            filter=Q(
                state=EntryState.SUBMITTED, submitted_at__lte=now - datetime.timedelta(days=14)
            ),
        ),
        approved_minutes=Coalesce(Sum("minutes", filter=Q(state=EntryState.APPROVED)), 0),
    )
    figures["placements"] = placements.count()
    figures["approved_hours"] = _hours(figures.pop("approved_minutes"))
    return figures
