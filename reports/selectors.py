"""Every figure of the dashboard, the monthly report and the API, computed in the database.

Each figure group is one function ``(scope) -> FigureGroup`` built from aggregate
queries (``values().annotate()``/``aggregate()``; no Python loops over rows), filtered
by the scope's district and period. The definitions are in ``docs/metrics.md``;
each function cites the metric it computes. A group is offered only once the app
that owns its data is installed and has its models (``GroupSpec.requires``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import System, User
from places.models import District

from .figures import TEXT, Chart, Column, FigureGroup, Headline, Table, format_value
from .periods import Period, Scope

TREND_MONTHS = 12


@dataclass(frozen=True)
class GroupSpec:
    key: str
    build: Callable[[Scope], FigureGroup]
    requires: tuple[str, ...] = ()  # "app_label.ModelName" that must exist

    def available(self) -> bool:
        for label in self.requires:
            app_label, model_name = label.split(".")
            try:
                apps.get_model(app_label, model_name)
            except LookupError:
                return False
        return True


# --- shared helpers ----------------------------------------------------------


def districts_in_scope(scope: Scope) -> list[District]:
    """The districts a scope covers, in display order (one query per scope, then cached)."""
    return scope.districts


def _district_rows(scope: Scope, counts: dict, columns: list[str], *, unknown: bool = True):
    """One row per district in scope (zeros included), plus 'no district' when it has data."""
    rows = []
    for district in districts_in_scope(scope):
        values = counts.get(district.pk, {})
        rows.append({"district": str(district), **{c: values.get(c, 0) or 0 for c in columns}})
    if unknown and scope.district is None and counts.get(None):
        values = counts[None]
        rows.append({"district": _("No district"), **{c: values.get(c, 0) or 0 for c in columns}})
    return rows


def _sum_rows(rows: list[dict], columns: list[str], label_key: str, label: str) -> dict:
    return {label_key: label, **{c: sum(row.get(c) or 0 for row in rows) for c in columns}}


def _month_rows(period: Period, counts: dict, columns: list[str]) -> list[dict]:
    """One row per month of the trend window ending with ``period`` (zeros included)."""
    return [
        {"month": month.code, **{c: counts.get(month.start, {}).get(c, 0) or 0 for c in columns}}
        for month in period.months_back(TREND_MONTHS)
    ]


def _month_key(value):
    """TruncMonth gives a date or an aware datetime depending on the field; normalise."""
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


# --- the talent pool (accounts) -------------------------------------------------


def trainees_in_scope(scope: Scope):
    """Active trainees registered before the period ended, in the scope's district."""
    queryset = User.objects.filter(
        groups__name=roles.TRAINEE, is_active=True, date_joined__lt=scope.period.end_at
    )
    if scope.district is not None:
        queryset = queryset.filter(district=scope.district)
    return queryset


def talent_pool(scope: Scope) -> FigureGroup:
    """Trainees registered, by district and system (metric: registered trainee)."""
    base = trainees_in_scope(scope)
    systems = [(System.CIVIL_AFFAIRS, "civil_affairs"), (System.EDUCATION, "education")]
    annotations = {
        "total": Count("id"),
        "new": Count("id", filter=Q(date_joined__gte=scope.period.start_at)),
        **{key: Count("id", filter=Q(system=value)) for value, key in systems},
        "other": Count("id", filter=~Q(system__in=[value for value, _key in systems])),
    }
    by_district = {
        row["district"]: row for row in base.values("district").annotate(**annotations).order_by()
    }
    columns = ["total", "new", "civil_affairs", "education", "other"]
    rows = _district_rows(scope, by_district, columns)
    total = _sum_rows(rows, columns, "district", _("Total"))

    trend_start = scope.period.months_back(TREND_MONTHS)[0].start_at
    joined = (
        base.filter(date_joined__gte=trend_start)
        .annotate(month=TruncMonth("date_joined"))
        .values("month")
        .annotate(new=Count("id"))
        .order_by()
    )
    by_month = {_month_key(row["month"]): row for row in joined}

    return FigureGroup(
        key="talent_pool",
        title=_("Talent pool"),
        headlines=[
            Headline(
                "trainees", _("Trainees registered"), total["total"], metric="registered-trainee"
            ),
            Headline(
                "new_trainees",
                _("New trainees this month"),
                total["new"],
                metric="registered-trainee",
                compare=True,
            ),
        ],
        tables=[
            Table(
                key="trainees_by_district",
                title=_("Trainees by district and system"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("total", _("Registered")),
                    Column("new", _("New this month")),
                    Column("civil_affairs", _("Civil affairs")),
                    Column("education", _("Education")),
                    Column("other", _("Other system")),
                ],
                rows=rows,
                total=total,
                chart=Chart("bar", "district", ("civil_affairs", "education", "other")),
            ),
            Table(
                key="trainees_by_month",
                title=_("New trainees by month"),
                columns=[Column("month", _("Month"), TEXT), Column("new", _("New trainees"))],
                rows=_month_rows(scope.period, by_month, ["new"]),
                chart=Chart("line", "month", ("new",)),
            ),
        ],
    )


# --- the registry -----------------------------------------------------------------

GROUPS: list[GroupSpec] = [
    GroupSpec("talent_pool", talent_pool),
]


def available_groups() -> list[GroupSpec]:
    return [spec for spec in GROUPS if spec.available()]


def dashboard_figures(scope: Scope) -> list[FigureGroup]:
    """Every available figure group for the scope, in dashboard order."""
    return [spec.build(scope) for spec in available_groups()]


def summary(scope: Scope) -> dict:
    """The figures as plain data (API, report archive): same numbers as the dashboard."""
    return {
        "period": scope.period.code,
        "scope": scope.code,
        "scope_label": str(scope.label),
        "groups": [group.as_data() for group in dashboard_figures(scope)],
    }


def report_highlights(current: list[FigureGroup], previous: list[FigureGroup]) -> list[str]:
    """Sentences for the report: each group's own notes, then monthly flows vs the month before."""
    before = {(g.key, h.key): h.value for g in previous for h in g.headlines}
    lines: list[str] = []
    for group in current:
        lines.extend(str(line) for line in group.highlights)
        for headline in group.headlines:
            if not headline.compare:
                continue
            value, last = headline.value or 0, before.get((group.key, headline.key)) or 0
            change = value - last
            lines.append(
                _("%(figure)s: %(value)s (previous month %(last)s, %(change)s)")
                % {
                    "figure": headline.label,
                    "value": format_value(value, headline.kind),
                    "last": format_value(last, headline.kind),
                    "change": ("+" if change >= 0 else "−")
                    + format_value(abs(change), headline.kind),
                }
            )
    return lines


# --- the audit log viewer ---------------------------------------------------------


def audit_records(
    *, user="", object_type="", object_id="", action="", date_from=None, date_to=None
):
    """Audit records matching the viewer's filters, newest first (a lazy queryset)."""
    import datetime as dt

    from django.utils import timezone

    from audit.models import AuditLog

    queryset = AuditLog.objects.all()
    if user:
        queryset = queryset.filter(Q(actor_repr__iexact=user) | Q(actor__username__iexact=user))
    if object_type:
        queryset = queryset.filter(object_type__iexact=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    if action:
        queryset = queryset.filter(action__istartswith=action)
    if date_from:
        start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
        queryset = queryset.filter(created_at__gte=start)
    if date_to:
        end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
        queryset = queryset.filter(created_at__lt=end)
    return queryset.order_by("-created_at", "-id")


def audit_object_types() -> list[str]:
    from audit.models import AuditLog

    return list(
        AuditLog.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


def coverage_figures(limit):
    """The coverage base figures a viewer may see (latest first)."""
    from .models import CoverageFigure

    queryset = CoverageFigure.objects.select_related("district", "entered_by")
    if limit is not None:
        queryset = queryset.filter(district=limit)
    return queryset.order_by("-period", "district__sort_order")


def archived_reports(limit):
    """Archived monthly reports within a viewer's scope (a district coordinator: their own)."""
    from .models import MonthlyReport

    queryset = MonthlyReport.objects.select_related("district", "generated_by")
    if limit is not None:
        queryset = queryset.filter(district=limit)
    return queryset.order_by("-period", "district__sort_order")
