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
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import System, User
from places.models import District

from .figures import (
    DAYS,
    HOURS,
    PERCENT,
    TEXT,
    Chart,
    Column,
    FigureGroup,
    Headline,
    Table,
    format_value,
    percent,
)
from .periods import Period, Scope

TREND_MONTHS = 12


@dataclass(frozen=True)
class GroupSpec:
    key: str
    build: Callable[[Scope], FigureGroup]
    requires: tuple[str, ...] = ()  # "app_label.ModelName" that must exist
    # Has monthly flows the report compares with the month before (Headline.compare).
    compared: bool = True
    # Measured at the current instant while the period runs (never cached then).
    live: bool = False
    # Every model the group's queries read ("app_label.ModelName"; a model's many-to-many
    # tables come with it): a write to one of them rebuilds the group (figure_cache).
    reads: tuple[str, ...] = ()

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


# --- helpers for the capability apps ---------------------------------------------


def _json_list_has(field: str, value: str, width: int = 3) -> Q:
    """``value`` is one of the first ``width`` items of a short JSON list (e.g. language codes).

    Written with index lookups because JSON ``contains`` is not available on SQLite.
    """
    condition = Q()
    for index in range(width):
        condition |= Q(**{f"{field}__{index}": value})
    return condition


def reference_day(scope: Scope):
    """The day "now" stands for in a period: its last day, or today while it is running."""
    from django.utils import timezone

    return min(timezone.localdate(), scope.period.last_day)


def _year_start(scope: Scope):
    return scope.period.start.replace(month=1)


def _valid_certificate_filter(prefix: str, day, end_at) -> Q:
    """Certificates (``prefix`` = path to Certificate) valid on ``day`` as they stood then."""
    from certification.models import CertificateStatus

    return (
        Q(**{f"{prefix}valid_from__lte": day})
        & (Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day}))
        & (
            Q(**{f"{prefix}status": CertificateStatus.ACTIVE})
            | Q(
                **{f"{prefix}status": CertificateStatus.REVOKED, f"{prefix}revoked_at__gte": end_at}
            )
        )
    )


# --- person-times served (lecturer corps) ----------------------------------------


def verified_reports(scope: Scope, *, since=None):
    """Verified delivery reports of sessions held in the period (or from ``since``), in scope.

    Metric: person-time. Held = the service request's date; verified = the
    coordinator verified that lecturer's delivery report.
    """
    from lecturer_corps.models import DeliveryReport, SessionStatus

    reports = DeliveryReport.objects.filter(
        session__status=SessionStatus.VERIFIED,
        session__request__date__gte=since or scope.period.start,
        session__request__date__lt=scope.period.end,
    )
    if scope.district is not None:
        reports = reports.filter(session__request__venue__district=scope.district)
    return reports


AUDIENCES = ("children", "caregivers", "teachers", "others")


def delivery_by_month_and_district(scope: Scope) -> dict:
    """Verified person-times grouped by (month, district), from the earlier of the trend
    window and 1 January up to the period's end: one query, shared by the person-times
    and coverage groups (kept on the scope for the request). Sums only: sessions are
    counted for the period alone (``person_times``), so this scan needs no sort for a
    distinct count."""
    cached = scope.__dict__.get("_delivery_by_month_and_district")
    if cached is not None:
        return cached
    from django.db.models import Sum

    since = min(scope.period.months_back(TREND_MONTHS)[0].start, _year_start(scope))
    rows = (
        verified_reports(scope, since=since)
        .annotate(month=TruncMonth("session__request__date"))
        .values("month", district=F("session__request__venue__district"))
        .annotate(**{name: Sum(f"{name}_count") for name in AUDIENCES})
        .order_by()
    )
    result = {}
    for row in rows:  # aggregated rows: months × districts
        counts = {name: row[name] or 0 for name in AUDIENCES}
        counts["total"] = sum(counts.values())
        result[(_month_key(row["month"]), row["district"])] = counts
    scope.__dict__["_delivery_by_month_and_district"] = result
    return result


def person_times(scope: Scope) -> FigureGroup:
    """Person-times (人次) served by audience, district, venue type, topic and month."""
    from django.db.models import Sum

    from lecturer_corps.topics import TOPICS
    from places.models import VenueType

    audiences = list(AUDIENCES)
    district_columns = [*audiences, "total", "sessions"]
    # The period's reports by district × venue type × topic: a session's request has one
    # venue and one topic, so the distinct session counts of these groups add up exactly.
    in_period = verified_reports(scope).values(
        district=F("session__request__venue__district"),
        venue_type=F("session__request__venue__venue_type"),
        topic=F("session__request__topic"),
    )
    by_district: dict = {}
    by_type: dict = {}
    by_topic: dict = {}
    for row in in_period.annotate(  # aggregated rows: districts × venue types × topics
        **{name: Sum(f"{name}_count") for name in audiences},
        sessions=Count("session__request", distinct=True),
    ).order_by():
        counts = {name: row[name] or 0 for name in audiences}
        counts["total"] = sum(counts.values())
        counts["sessions"] = row["sessions"]
        bucket = by_district.setdefault(row["district"], dict.fromkeys(district_columns, 0))
        for column in district_columns:
            bucket[column] += counts[column]
        for key, target in ((row["venue_type"], by_type), (row["topic"], by_topic)):
            bucket = target.setdefault(key, {"total": 0, "children": 0, "sessions": 0})
            for column in bucket:
                bucket[column] += counts[column]
    district_rows = _district_rows(scope, by_district, district_columns, unknown=False)
    district_total = _sum_rows(district_rows, district_columns, "district", _("Total"))
    grouped = delivery_by_month_and_district(scope)
    type_rows = [
        {
            "venue_type": str(label),
            **{k: (by_type.get(code) or {}).get(k) or 0 for k in ("total", "children", "sessions")},
        }
        for code, label in VenueType.choices
    ]
    topic_rows = [
        {
            "topic": topic.title,
            "total": by_topic[topic.code]["total"],
            "sessions": by_topic[topic.code]["sessions"],
        }
        for topic in TOPICS
        if topic.code in by_topic
    ]

    by_month: dict = {}
    for (month, _district), counts in grouped.items():
        bucket = by_month.setdefault(month, {"total": 0, "children": 0})
        bucket["total"] += counts["total"]
        bucket["children"] += counts["children"]
    month_rows = _month_rows(scope.period, by_month, ["total", "children"])
    year_to_date = sum(
        bucket["total"] for month, bucket in by_month.items() if month >= _year_start(scope)
    )

    return FigureGroup(
        key="person_times",
        title=_("Person-times served"),
        headlines=[
            Headline(
                "person_times",
                _("Person-times served"),
                district_total["total"],
                metric="person-time",
                compare=True,
            ),
            Headline(
                "children",
                _("Children served (person-times)"),
                district_total["children"],
                metric="person-time",
                compare=True,
            ),
            Headline(
                "sessions",
                _("Verified sessions"),
                district_total["sessions"],
                metric="verified-session",
                compare=True,
            ),
            Headline(
                "year_to_date", _("Person-times this year"), year_to_date, metric="person-time"
            ),
        ],
        tables=[
            Table(
                key="person_times_by_district",
                title=_("Person-times by audience and district"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("children", _("Children")),
                    Column("caregivers", _("Caregivers")),
                    Column("teachers", _("Teachers")),
                    Column("others", _("Others")),
                    Column("total", _("Person-times")),
                    Column("sessions", _("Sessions held")),
                ],
                rows=district_rows,
                total=district_total,
                chart=Chart("bar", "district", ("children", "caregivers", "teachers", "others")),
            ),
            Table(
                key="person_times_by_venue_type",
                title=_("Person-times by venue type"),
                columns=[
                    Column("venue_type", _("Venue type"), TEXT),
                    Column("total", _("Person-times")),
                    Column("children", _("Children")),
                    Column("sessions", _("Sessions held")),
                ],
                rows=type_rows,
                total=_sum_rows(
                    type_rows, ["total", "children", "sessions"], "venue_type", _("Total")
                ),
                chart=Chart("bar", "venue_type", ("total",)),
            ),
            Table(
                key="person_times_by_topic",
                title=_("Person-times by topic"),
                columns=[
                    Column("topic", _("Topic"), TEXT),
                    Column("total", _("Person-times")),
                    Column("sessions", _("Sessions held")),
                ],
                rows=topic_rows,
                chart=Chart("bar", "topic", ("total",)),
            ),
            Table(
                key="person_times_by_month",
                title=_("Person-times by month"),
                columns=[
                    Column("month", _("Month"), TEXT),
                    Column("total", _("Person-times")),
                    Column("children", _("Children")),
                ],
                rows=month_rows,
                chart=Chart("line", "month", ("total", "children")),
            ),
        ],
    )


# --- coverage (the register, the venues' yearly returns, verified sessions) -----------


def coverage(scope: Scope) -> FigureGroup:
    """Children in difficulty reached ÷ children on the register, this year; never above
    100% (metric: coverage, ``reports/coverage.py``). Reached = the venues' yearly returns
    of distinct children, each capped by the verified sessions' person-times of that
    category at that venue and by the register of its township and category. Progress
    toward the programme's target (4,000 children in five years by default) beside it."""
    from lecturer_corps.models import ChildGroup

    from .coverage import coverage_and_progress

    year = scope.period.start.year
    districts = districts_in_scope(scope)
    ids = [district.pk for district in districts]
    result, progress = coverage_and_progress(year, ids, until=scope.period.end)
    target = progress.target.coverage_percent
    register = result.by_district("register")
    counted = result.by_district("counted")
    returned = result.by_district("returned")
    rows, highlights = [], []
    for district in districts:
        known = register.get(district.pk) or 0
        rate = percent(counted.get(district.pk, 0), known)
        met = None if rate is None else rate >= target
        reported = returned.get(district.pk, 0) + result.unmatched.get(district.pk, 0)
        rows.append(
            {
                "district": district.label,
                "register": known or None,
                "returned": reported,
                "counted": counted.get(district.pk, 0),
                "coverage": rate,
                "target": target if known else None,
                "status": (
                    _("No register entered")
                    if rate is None
                    else _("Target met")
                    if met
                    else _("Below target")
                ),
            }
        )
        if rate is None:
            highlights.append(
                _("No register of children in difficulty has been entered for %(district)s.")
                % {"district": district.label}
            )
        elif not met:
            highlights.append(
                _("Coverage in %(district)s is %(rate)s, below the target of %(target)s%%.")
                % {
                    "district": district.label,
                    "rate": format_value(rate, PERCENT),
                    "target": target,
                }
            )
        if reported > counted.get(district.pk, 0):
            highlights.append(
                _(
                    "%(district)s: the venues' returns name %(reported)s children; %(counted)s are "
                    "counted (no more than the register holds or the verified sessions counted)."
                )
                % {
                    "district": district.label,
                    "reported": reported,
                    "counted": counted.get(district.pk, 0),
                }
            )
    total = {
        "district": _("Total"),
        "register": result.total("register") or None,
        "returned": result.returned,
        "counted": result.total("counted"),
        "coverage": result.coverage,
        "target": None,
        "status": "",
    }
    by_category_register = result.by_category("register")
    by_category_counted = result.by_category("counted")
    labels = {"": _("Category not given"), **dict(ChildGroup.choices)}
    category_rows = [
        {
            "category": str(labels.get(code, code)),
            "register": by_category_register.get(code, 0),
            "counted": by_category_counted.get(code, 0),
            "coverage": percent(by_category_counted.get(code, 0), by_category_register.get(code)),
        }
        for code in sorted(
            by_category_register, key=lambda c: list(labels).index(c) if c in labels else 99
        )
    ]
    met_count = sum(1 for row in rows if row["status"] == _("Target met"))
    return FigureGroup(
        key="coverage",
        title=_("Coverage of children in difficulty"),
        headlines=[
            Headline(
                "coverage",
                _("Coverage this year"),
                total["coverage"],
                kind=PERCENT,
                metric="coverage",
            ),
            Headline(
                "children_reached",
                _("Children in difficulty reached this year"),
                total["counted"],
                metric="coverage",
            ),
            Headline(
                "children_known",
                _("Children in difficulty on the register"),
                total["register"],
                metric="coverage",
            ),
            Headline(
                "target_progress",
                _("Toward the programme's target of %(children)s children")
                % {"children": progress.target.children},
                progress.reached,
                metric="coverage-target",
            ),
            Headline(
                "districts_on_target",
                _("Districts at or above target"),
                met_count,
                metric="coverage",
            ),
        ],
        tables=[
            Table(
                key="coverage_by_district",
                title=_("Coverage by district"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("register", _("On the register")),
                    Column("returned", _("Named in the venues' returns")),
                    Column("counted", _("Counted as reached")),
                    Column("coverage", _("Coverage"), PERCENT),
                    Column("target", _("Target"), PERCENT),
                    Column("status", _("Status"), TEXT),
                ],
                rows=rows,
                total=total,
                note=_(
                    "Reached = distinct children in difficulty each venue reports once a year, "
                    "never more than its verified sessions counted of that category nor more "
                    "than the register holds for its township and category; so coverage "
                    "cannot pass 100%."
                ),
                chart=Chart("bar", "district", ("coverage",), target=target),
            ),
            Table(
                key="coverage_by_category",
                title=_("Coverage by category"),
                columns=[
                    Column("category", _("Category"), TEXT),
                    Column("register", _("On the register")),
                    Column("counted", _("Counted as reached")),
                    Column("coverage", _("Coverage"), PERCENT),
                ],
                rows=category_rows,
            ),
        ],
        highlights=highlights,
    )


# --- sessions (lecturer corps) ------------------------------------------------------


def sessions(scope: Scope) -> FigureGroup:
    """Sessions (service requests) held in the period: requested → assigned → delivered → verified."""
    from lecturer_corps.models import RequestStatus, ServiceRequest

    requests = ServiceRequest.objects.filter(
        date__gte=scope.period.start, date__lt=scope.period.end
    )
    if scope.district is not None:
        requests = requests.filter(venue__district=scope.district)
    gone = [RequestStatus.CANCELLED, RequestStatus.RESCHEDULED]
    assigned = [RequestStatus.CONFIRMED, RequestStatus.DELIVERED, RequestStatus.VERIFIED]
    delivered = [RequestStatus.DELIVERED, RequestStatus.VERIFIED]
    by_district = {
        row["district"]: row
        for row in requests.values(district=F("venue__district"))
        .annotate(
            requested=Count("id", filter=~Q(status__in=gone)),
            assigned=Count("id", filter=Q(status__in=assigned)),
            delivered=Count("id", filter=Q(status__in=delivered)),
            verified=Count("id", filter=Q(status=RequestStatus.VERIFIED)),
            cancelled=Count("id", filter=Q(status=RequestStatus.CANCELLED)),
        )
        .order_by()
    }
    columns = ["requested", "assigned", "delivered", "verified", "cancelled"]
    rows = _district_rows(scope, by_district, columns, unknown=False)
    total = _sum_rows(rows, columns, "district", _("Total"))
    return FigureGroup(
        key="sessions",
        title=_("Sessions at venues"),
        headlines=[
            Headline(
                "requested",
                _("Sessions requested"),
                total["requested"],
                metric="session",
                compare=True,
            ),
            Headline(
                "delivered",
                _("Sessions delivered"),
                total["delivered"],
                metric="delivered-session",
                compare=True,
            ),
            Headline(
                "verified", _("Sessions verified"), total["verified"], metric="verified-session"
            ),
        ],
        tables=[
            Table(
                key="sessions_by_district",
                title=_("Sessions by district and stage"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("requested", _("Requested")),
                    Column("assigned", _("Assigned")),
                    Column("delivered", _("Delivered")),
                    Column("verified", _("Verified")),
                    Column("cancelled", _("Cancelled")),
                ],
                rows=rows,
                total=total,
                chart=Chart("bar", "district", ("requested", "assigned", "delivered", "verified")),
            )
        ],
    )


# --- the lecturer corps (lecturer corps + certification) ------------------------------


def lecturer_corps(scope: Scope) -> FigureGroup:
    """Corps members (active profile + valid certificate) by home district and language."""
    from django.db.models import Exists, OuterRef

    from certification.models import Certificate
    from lecturer_corps.models import LecturerProfile, Session, SessionStatus

    day = reference_day(scope)
    profiles = LecturerProfile.objects.filter(is_active=True, user__is_active=True)
    if scope.district is not None:
        profiles = profiles.filter(district=scope.district)
    certified = Exists(
        Certificate.objects.filter(holder=OuterRef("user_id")).filter(
            _valid_certificate_filter("", day, scope.period.end_at)
        )
    )
    # Lecturers who delivered in the period: one uncorrelated subquery (the month's
    # sessions, by the request date index), hashed once by PostgreSQL, rather than a
    # probe per profile, whose estimated cost also set off JIT compilation (≈ 50 ms).
    delivered = Session.objects.filter(
        status__in=[SessionStatus.DELIVERED, SessionStatus.VERIFIED],
        request__date__gte=scope.period.start,
        request__date__lt=scope.period.end,
    ).values("lecturer_id")
    zh, ug = _json_list_has("languages", "zh"), _json_list_has("languages", "ug")
    by_district = {
        row["district"]: row
        for row in profiles.filter(certified)
        .values("district")
        .annotate(
            members=Count("id"),
            mandarin=Count("id", filter=zh),
            uyghur=Count("id", filter=ug),
            both=Count("id", filter=zh & ug),
            active=Count("id", filter=Q(user_id__in=delivered)),
        )
        .order_by()
    }
    columns = ["members", "mandarin", "uyghur", "both", "active"]
    rows = _district_rows(scope, by_district, columns)
    total = _sum_rows(rows, columns, "district", _("Total"))
    return FigureGroup(
        key="lecturer_corps",
        title=_("Lecturer corps"),
        headlines=[
            Headline("members", _("Certified lecturers"), total["members"], metric="corps-member"),
            Headline(
                "active",
                _("Active lecturers this month"),
                total["active"],
                metric="active-lecturer",
                compare=True,
            ),
            Headline(
                "uyghur", _("Lecturers teaching in Uyghur"), total["uyghur"], metric="corps-member"
            ),
        ],
        tables=[
            Table(
                key="lecturers_by_district",
                title=_("Lecturers by district and language"),
                columns=[
                    Column("district", _("Home district or county"), TEXT),
                    Column("members", _("Certified lecturers")),
                    Column("mandarin", _("Mandarin")),
                    Column("uyghur", _("Uyghur")),
                    Column("both", _("Both languages")),
                    Column("active", _("Active this month")),
                ],
                rows=rows,
                total=total,
                chart=Chart("bar", "district", ("mandarin", "uyghur", "active")),
            )
        ],
    )


# --- certificates (certification) ---------------------------------------------------


EXPIRY_WINDOW_DAYS = 90


def certificates(scope: Scope) -> FigureGroup:
    """Certificates issued and revoked in the period, valid and expiring (90 days) at its end."""
    import datetime as dt

    from certification.models import Certificate, CertificateStatus, CertificationType

    day = reference_day(scope)
    horizon = day + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    start_at, end_at = scope.period.start_at, scope.period.end_at
    certs = Certificate.objects.exclude(status=CertificateStatus.SUPERSEDED)
    if scope.district is not None:
        certs = certs.filter(holder__district=scope.district)
    valid = _valid_certificate_filter("", day, end_at)
    grouped = list(
        certs.values("certification_id", district=F("holder__district"))
        .annotate(
            issued=Count("id", filter=Q(issued_at__gte=start_at, issued_at__lt=end_at, version=1)),
            valid=Count("id", filter=valid),
            expiring=Count("id", filter=valid & Q(expires_on__gt=day, expires_on__lte=horizon)),
            revoked=Count(
                "id",
                filter=Q(
                    status=CertificateStatus.REVOKED,
                    revoked_at__gte=start_at,
                    revoked_at__lt=end_at,
                ),
            ),
        )
        .order_by()
    )
    columns = ["issued", "valid", "expiring", "revoked"]
    types = list(CertificationType.objects.order_by("sort_order", "name").values("pk", "name"))
    by_type: dict = {}
    by_district: dict = {}
    for row in grouped:  # aggregated rows: types × districts
        for key, target in ((row["certification_id"], by_type), (row["district"], by_district)):
            bucket = target.setdefault(key, dict.fromkeys(columns, 0))
            for column in columns:
                bucket[column] += row[column]
    type_rows = [
        {"type": t["name"], **by_type.get(t["pk"], dict.fromkeys(columns, 0))} for t in types
    ]
    total = _sum_rows(type_rows, columns, "type", _("Total"))
    district_rows = _district_rows(scope, by_district, columns)
    return FigureGroup(
        key="certificates",
        title=_("Certificates"),
        headlines=[
            Headline(
                "issued",
                _("Certificates issued this month"),
                total["issued"],
                metric="certificate-issued",
                compare=True,
            ),
            Headline("valid", _("Valid certificates"), total["valid"], metric="valid-certificate"),
            Headline(
                "expiring",
                _("Expiring within 90 days"),
                total["expiring"],
                metric="expiring-certificate",
            ),
            Headline(
                "revoked", _("Revoked this month"), total["revoked"], metric="revoked-certificate"
            ),
        ],
        tables=[
            Table(
                key="certificates_by_type",
                title=_("Certificates by qualification"),
                columns=[
                    Column("type", _("Qualification"), TEXT),
                    Column("issued", _("Issued this month")),
                    Column("valid", _("Valid")),
                    Column("expiring", _("Expiring within 90 days")),
                    Column("revoked", _("Revoked this month")),
                ],
                rows=type_rows,
                total=total,
                chart=Chart("bar", "type", ("valid", "expiring")),
            ),
            Table(
                key="certificates_by_district",
                title=_("Certificates by holder's district"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("issued", _("Issued this month")),
                    Column("valid", _("Valid")),
                    Column("expiring", _("Expiring within 90 days")),
                    Column("revoked", _("Revoked this month")),
                ],
                rows=district_rows,
                total=_sum_rows(district_rows, columns, "district", _("Total")),
            ),
        ],
    )


# --- quiz pass rates (quizzes) ----------------------------------------------------------

QUIZ_ROWS = 20


def quiz_results(scope: Scope) -> FigureGroup:
    """Attempts finished in the period and how many passed, per quiz (metric: pass rate)."""
    from quizzes.models import Attempt, AttemptState

    attempts = Attempt.objects.filter(
        state=AttemptState.FINISHED,
        submitted_at__gte=scope.period.start_at,
        submitted_at__lt=scope.period.end_at,
    )
    if scope.district is not None:
        attempts = attempts.filter(user__district=scope.district)
    counts = {
        "finished": Count("id"),
        "graded": Count("id", filter=Q(grade__isnull=False, needs_grading=False)),
        "passed": Count("id", filter=Q(passed=True, needs_grading=False)),
        "trainees": Count("user", distinct=True),
    }
    overall = attempts.aggregate(**counts)
    per_quiz = list(
        attempts.values("quiz_id", quiz_title=F("quiz__title"))
        .annotate(**counts)
        .order_by("-finished", "quiz_title")[:QUIZ_ROWS]
    )
    rows = [
        {
            "quiz": row["quiz_title"],
            "finished": row["finished"],
            "trainees": row["trainees"],
            "passed": row["passed"],
            "waiting": row["finished"] - row["graded"],
            "pass_rate": percent(row["passed"], row["graded"]),
        }
        for row in per_quiz
    ]
    return FigureGroup(
        key="quizzes",
        title=_("Quizzes and exams"),
        headlines=[
            Headline(
                "finished",
                _("Attempts finished"),
                overall["finished"],
                metric="pass-rate",
                compare=True,
            ),
            Headline(
                "pass_rate",
                _("Pass rate"),
                percent(overall["passed"], overall["graded"]),
                kind=PERCENT,
                metric="pass-rate",
            ),
            Headline(
                "waiting",
                _("Attempts awaiting marking"),
                overall["finished"] - overall["graded"],
                metric="pass-rate",
            ),
        ],
        tables=[
            Table(
                key="quiz_pass_rates",
                title=_("Pass rates by quiz"),
                columns=[
                    Column("quiz", _("Quiz"), TEXT),
                    Column("finished", _("Attempts finished")),
                    Column("trainees", _("Trainees")),
                    Column("passed", _("Passed")),
                    Column("waiting", _("Awaiting marking")),
                    Column("pass_rate", _("Pass rate"), PERCENT),
                ],
                rows=rows,
                note=_("The %(count)s quizzes with the most attempts this month.")
                % {"count": QUIZ_ROWS},
                chart=Chart("bar", "quiz", ("pass_rate",)),
            )
        ],
    )


# --- practicum (practicum) ----------------------------------------------------------

ONE_ON_ONE_ACTIVITY = "individual_counselling"


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def practicum(scope: Scope) -> FigureGroup:
    """Practicum hours logged and approved in the period, reviews waiting and their age.

    Metrics: logged hours, approved hours, review waiting, one-on-one counselling.
    Entries count by the date of the practice; waiting is measured at the period's end
    (or now, while the period runs).
    """
    import datetime as dt

    from django.db.models import Min, Sum
    from django.utils import timezone

    from practicum.models import PARTICIPANT_FIELDS, ActivityType, EntryState, PracticumEntry

    entries = PracticumEntry.objects.all()
    if scope.district is not None:
        entries = entries.filter(trainee__district=scope.district)
    in_period = Q(date__gte=scope.period.start, date__lt=scope.period.end)
    logged = in_period & ~Q(state=EntryState.DRAFT)
    approved = in_period & Q(state=EntryState.APPROVED)
    moment = min(timezone.now(), scope.period.end_at)
    waiting = Q(submitted_at__lt=moment) & (
        Q(state=EntryState.SUBMITTED) | Q(reviewed_at__gte=moment)
    )
    week, fortnight = moment - dt.timedelta(days=7), moment - dt.timedelta(days=14)
    participants = sum((F(name) for name in PARTICIPANT_FIELDS[1:]), F(PARTICIPANT_FIELDS[0]))

    # One scan: (district, activity type) groups, folded below into both tables.
    grouped = list(
        entries.filter(logged | waiting)
        .values("activity_type", district=F("trainee__district"))
        .annotate(
            entries=Count("id", filter=logged),
            logged_minutes=Sum("minutes", filter=logged),
            approved_entries=Count("id", filter=approved),
            approved_minutes=Sum("minutes", filter=approved),
            direct_minutes=Sum("minutes", filter=approved & Q(service_kind="direct")),
            served=Sum(participants, filter=approved),
            waiting=Count("id", filter=waiting),
            waiting_7=Count("id", filter=waiting & Q(submitted_at__lte=week)),
            waiting_14=Count("id", filter=waiting & Q(submitted_at__lte=fortnight)),
            oldest=Min("submitted_at", filter=waiting),
        )
        .order_by()
    )
    summable = [
        "entries",
        "logged_minutes",
        "approved_entries",
        "approved_minutes",
        "direct_minutes",
        "served",
        "waiting",
        "waiting_7",
        "waiting_14",
    ]
    by_district: dict = {}
    by_type: dict = {}
    for row in grouped:  # aggregated rows: districts × activity types
        for key, target in ((row["district"], by_district), (row["activity_type"], by_type)):
            bucket = target.setdefault(key, {**dict.fromkeys(summable, 0), "oldest": None})
            for name in summable:
                bucket[name] += row[name] or 0
            if row["oldest"] and (bucket["oldest"] is None or row["oldest"] < bucket["oldest"]):
                bucket["oldest"] = row["oldest"]
    rows = []
    for district in scope.districts:
        row = by_district.get(district.pk, {})
        rows.append(
            {
                "district": str(district),
                "entries": row.get("entries") or 0,
                "logged": _hours(row.get("logged_minutes")),
                "approved": _hours(row.get("approved_minutes")),
                "direct": _hours(row.get("direct_minutes")),
                "waiting": row.get("waiting") or 0,
                "waiting_7": row.get("waiting_7") or 0,
                "waiting_14": row.get("waiting_14") or 0,
                "oldest": (moment - row["oldest"]).days if row.get("oldest") else None,
            }
        )
    if scope.district is None and by_district.get(None):
        row = by_district[None]
        rows.append(
            {
                "district": _("No district"),
                "entries": row["entries"] or 0,
                "logged": _hours(row["logged_minutes"]),
                "approved": _hours(row["approved_minutes"]),
                "direct": _hours(row["direct_minutes"]),
                "waiting": row["waiting"] or 0,
                "waiting_7": row["waiting_7"] or 0,
                "waiting_14": row["waiting_14"] or 0,
                "oldest": (moment - row["oldest"]).days if row.get("oldest") else None,
            }
        )
    summed = ["entries", "logged", "approved", "direct", "waiting", "waiting_7", "waiting_14"]
    total = _sum_rows(rows, summed, "district", _("Total"))
    total["oldest"] = max(
        (row["oldest"] for row in rows if row["oldest"] is not None), default=None
    )

    type_rows, one_on_one = [], 0
    for activity in ActivityType.objects.order_by("sort_order", "pk"):  # reference data
        row = by_type.get(activity.pk)
        if row is None and not activity.is_active:
            continue
        row = row or {}
        if activity.code == ONE_ON_ONE_ACTIVITY:
            one_on_one = row.get("approved_entries") or 0
        type_rows.append(
            {
                "activity": activity.label,
                "entries": row.get("entries") or 0,
                "logged": _hours(row.get("logged_minutes")),
                "approved_entries": row.get("approved_entries") or 0,
                "approved": _hours(row.get("approved_minutes")),
                "served": row.get("served") or 0,
            }
        )
    type_columns = ["entries", "logged", "approved_entries", "approved", "served"]
    age_rows = [
        {"age": _("Under 7 days"), "entries": total["waiting"] - total["waiting_7"]},
        {"age": _("7 to 14 days"), "entries": total["waiting_7"] - total["waiting_14"]},
        {"age": _("Over 14 days"), "entries": total["waiting_14"]},
    ]
    return FigureGroup(
        key="practicum",
        title=_("Practicum"),
        headlines=[
            Headline(
                "approved_hours",
                _("Practicum hours approved"),
                total["approved"],
                kind=HOURS,
                metric="approved-hours",
                compare=True,
            ),
            Headline(
                "logged_hours",
                _("Practicum hours logged"),
                total["logged"],
                kind=HOURS,
                metric="logged-hours",
                compare=True,
            ),
            Headline(
                "one_on_one",
                _("One-on-one counselling sessions approved"),
                one_on_one,
                metric="one-on-one",
                compare=True,
            ),
            Headline("waiting", _("Reviews waiting"), total["waiting"], metric="review-waiting"),
            Headline(
                "oldest",
                _("Oldest review waiting (days)"),
                total["oldest"],
                kind=DAYS,
                metric="review-waiting",
            ),
        ],
        tables=[
            Table(
                key="practicum_by_district",
                title=_("Practicum hours and reviews by district"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("entries", _("Entries logged")),
                    Column("logged", _("Hours logged"), HOURS),
                    Column("approved", _("Hours approved"), HOURS),
                    Column("direct", _("Direct hours approved"), HOURS),
                    Column("waiting", _("Reviews waiting")),
                    Column("waiting_7", _("Waiting over 7 days")),
                    Column("waiting_14", _("Waiting over 14 days")),
                    Column("oldest", _("Oldest (days)"), DAYS),
                ],
                rows=rows,
                total=total,
                chart=Chart("bar", "district", ("logged", "approved")),
            ),
            Table(
                key="practicum_by_activity",
                title=_("Practicum by activity type"),
                columns=[
                    Column("activity", _("Activity type"), TEXT),
                    Column("entries", _("Entries logged")),
                    Column("logged", _("Hours logged"), HOURS),
                    Column("approved_entries", _("Entries approved")),
                    Column("approved", _("Hours approved"), HOURS),
                    Column("served", _("People served (approved)")),
                ],
                rows=type_rows,
                total=_sum_rows(type_rows, type_columns, "activity", _("Total")),
                chart=Chart("bar", "activity", ("approved",)),
            ),
            Table(
                key="practicum_waiting_age",
                title=_("Reviews waiting by age"),
                columns=[Column("age", _("Waiting"), TEXT), Column("entries", _("Entries"))],
                rows=age_rows,
                chart=Chart("bar", "age", ("entries",)),
            ),
        ],
    )


def _practicum_complete(code: str, scope: Scope):
    """(annotations, condition) for trainees whose approved hours met every practicum
    requirement of the qualification and whose final competency evaluation passed,
    both before the period ended."""
    from django.db.models import BooleanField, Exists, IntegerField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    from practicum.models import (
        CompetencyEvaluation,
        EntryState,
        EvaluationStage,
        PracticumEntry,
        PracticumRequirement,
    )

    flag = f"pr_{code}_final"
    requirement = (
        PracticumRequirement.objects.filter(qualification=code)
        .prefetch_related("activity_minimums")
        .first()
    )
    if requirement is None:
        return {flag: Value(False, output_field=BooleanField())}, Q(**{flag: True})
    end_at = scope.period.end_at
    approved = PracticumEntry.objects.filter(
        trainee=OuterRef("pk"),
        qualification=code,
        state=EntryState.APPROVED,
        reviewed_at__lt=end_at,
    )

    def minutes(condition=None):
        total = (
            approved.filter(condition or Q())
            .values("trainee")
            .annotate(m=Sum("minutes"))
            .values("m")
        )
        return Coalesce(Subquery(total[:1], output_field=IntegerField()), 0)

    def needed(hours) -> int:
        return int(Decimal(hours or 0) * 60)

    final = CompetencyEvaluation.objects.filter(
        trainee=OuterRef("pk"),
        qualification=code,
        stage=EvaluationStage.FINAL,
        passed=True,
        signed_at__lt=end_at,
    )
    # The evaluation first: few trainees have one, so the hour sums are rarely needed.
    annotations = {flag: Exists(final)}
    condition = Q(**{flag: True})
    checks = [
        ("total", None, requirement.total_hours),
        ("direct", Q(service_kind="direct"), requirement.min_direct_hours),
        ("supervision", Q(activity_type__is_supervision=True), requirement.min_supervision_hours),
    ] + [
        (f"activity_{index}", Q(activity_type_id=minimum.activity_type_id), minimum.min_hours)
        for index, minimum in enumerate(requirement.activity_minimums.all())
    ]
    for name, where, hours in checks:
        key = f"pr_{code}_{name}"
        annotations[key] = minutes(where)
        condition &= Q(**{f"{key}__gte": needed(hours)})
    return annotations, condition


# --- the training funnel (courses, quizzes, practicum, certification) -------------------


def _installed(label: str) -> bool:
    app_label, model_name = label.split(".")
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def _programme_reference():
    """Qualification codes → (label, live course ids, final-exam quiz ids): catalogue data.

    A course counts toward every qualification it targets (foundation courses target
    both); a final exam is a quiz placed on a programme page of that qualification.
    """
    from courses.models import Course, Programme, Qualification

    courses = {code: [] for code, _label in Qualification.choices}
    for pk, codes in Course.objects.live().originals().values_list("pk", "qualifications"):
        for code in codes or []:
            if code in courses:
                courses[code].append(pk)
    exams = {code: [] for code in courses}
    if _installed("quizzes.Quiz"):
        from quizzes.models import Quiz

        programmes = dict(Programme.objects.live().values_list("pk", "qualifications"))
        for quiz_id, page_id in Quiz.objects.filter(
            page_id__in=list(programmes), is_available=True
        ).values_list("pk", "page_id"):
            for code in programmes[page_id] or []:
                if code in exams:
                    exams[code].append(quiz_id)
    return [(code, label, courses[code], exams[code]) for code, label in Qualification.choices]


def _funnel_stages(scope: Scope, course_ids, exam_ids, code):
    """For one qualification: (annotations on trainees, [(stage key, label, condition)]).

    Every stage is a condition on annotated trainees, so one query counts them all.
    """
    from django.db.models import BooleanField, Exists, IntegerField, OuterRef, Subquery, Value

    from courses.models import Enrolment

    end = scope.period.end_at
    never = Value(False, output_field=BooleanField())
    annotations: dict = {}
    stages = []
    enrolled = Enrolment.objects.filter(
        user=OuterRef("pk"), course_id__in=course_ids, enrolled_at__lt=end
    ).filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=end))
    annotations["f_enrolled"] = Exists(enrolled)
    stages.append(("enrolled", _("Enrolled"), Q(f_enrolled=True)))
    done = (
        Enrolment.objects.filter(
            user=OuterRef("pk"), course_id__in=course_ids, completed_at__lt=end
        )
        .values("user")
        .annotate(n=Count("course", distinct=True))
        .values("n")[:1]
    )
    annotations["f_done"] = (
        Subquery(done, output_field=IntegerField())
        if course_ids
        else Value(0, output_field=IntegerField())
    )
    stages.append(
        ("courses_completed", _("Courses completed"), Q(f_done__gte=len(course_ids) or 1))
    )
    if _installed("quizzes.QuizGrade"):
        from quizzes.models import QuizGrade

        passed = QuizGrade.objects.filter(
            user=OuterRef("pk"), quiz_id__in=exam_ids, passed=True, first_passed_at__lt=end
        )
        annotations["f_exam"] = Exists(passed) if exam_ids else never
        stages.append(("exam_passed", _("Final exam passed"), Q(f_exam=True)))
    if _installed("practicum.PracticumEntry"):
        practicum_annotations, condition = _practicum_complete(code, scope)
        annotations.update(practicum_annotations)
        stages.append(("practicum_complete", _("Practicum complete"), condition))
    if _installed("certification.Certificate"):
        from certification.models import Certificate, CertificateStatus

        held = Certificate.objects.filter(
            holder=OuterRef("pk"), certification__code=code, issued_at__lt=end
        ).filter(
            Q(status=CertificateStatus.ACTIVE)
            | Q(status=CertificateStatus.REVOKED, revoked_at__gte=end)
            | Q(status=CertificateStatus.SUPERSEDED)
        )
        annotations["f_certified"] = Exists(held)
        stages.append(("certified", _("Certified"), Q(f_certified=True)))
    return annotations, stages


def training_funnel(scope: Scope) -> FigureGroup:
    """Trainees at each stage, per programme (qualification), district and system.

    Metric: funnel stage. A trainee in both programmes counts once in each. One
    query per programme: trainees annotated with each stage, counted by district and system.
    """
    reference = _programme_reference()
    stage_labels: dict[str, str] = {}
    # counts[stage][code][(district, system)] = trainees
    counts: dict[str, dict[str, dict]] = {}
    for code, _label, course_ids, exam_ids in reference:
        annotations, stages = _funnel_stages(scope, course_ids, exam_ids, code)
        grouped = list(
            trainees_in_scope(scope)
            .annotate(**annotations)
            .values("district", "system")
            .annotate(**{key: Count("id", filter=condition) for key, _l, condition in stages})
            .order_by()
        )
        for key, label, _condition in stages:
            stage_labels[key] = label
            counts.setdefault(key, {})[code] = {
                (row["district"], row["system"]): row[key] for row in grouped
            }
    stages = list(stage_labels)

    programme_rows = []
    for stage in stages:
        row = {"stage": stage_labels[stage]}
        for code, _label, _c, _e in reference:
            row[code] = sum(counts[stage].get(code, {}).values())
        row["total"] = sum(row[code] for code, *_rest in reference)
        programme_rows.append(row)

    def collapse(index):
        result: dict = {}
        for stage in stages:
            for by_pair in counts[stage].values():
                for pair, n in by_pair.items():
                    bucket = result.setdefault(pair[index], dict.fromkeys(stages, 0))
                    bucket[stage] += n
        return result

    district_rows = _district_rows(scope, collapse(0), stages)
    by_system = collapse(1)
    system_rows = [
        {"system": str(label), **by_system.get(value, dict.fromkeys(stages, 0))}
        for value, label in System.choices
    ]
    stage_columns = [Column(stage, stage_labels[stage]) for stage in stages]
    first, last = stages[0], stages[-1]
    totals = {row["stage"]: row["total"] for row in programme_rows}
    return FigureGroup(
        key="training_funnel",
        title=_("Training funnel"),
        headlines=[
            Headline(
                "enrolled", _("Trainees enrolled"), totals[stage_labels[first]], metric="funnel"
            ),
            Headline(last, stage_labels[last], totals[stage_labels[last]], metric="funnel"),
        ],
        tables=[
            Table(
                key="funnel_by_programme",
                title=_("Training funnel by programme"),
                columns=[
                    Column("stage", _("Stage"), TEXT),
                    *[Column(code, label) for code, label, _c, _e in reference],
                    Column("total", _("Total")),
                ],
                rows=programme_rows,
                chart=Chart("bar", "stage", tuple(code for code, *_rest in reference)),
                note=_("A trainee in both programmes counts once in each."),
            ),
            Table(
                key="funnel_by_district",
                title=_("Training funnel by district"),
                columns=[Column("district", _("District or county"), TEXT), *stage_columns],
                rows=district_rows,
                total=_sum_rows(district_rows, stages, "district", _("Total")),
            ),
            Table(
                key="funnel_by_system",
                title=_("Training funnel by system"),
                columns=[Column("system", _("System"), TEXT), *stage_columns],
                rows=system_rows,
                total=_sum_rows(system_rows, stages, "system", _("Total")),
            ),
        ],
    )


# --- safeguarding concerns (counts only) ------------------------------------------------


def safeguarding_concerns(scope: Scope) -> FigureGroup:
    """Child-safety concerns raised in the period: by category and district, how many
    waited for an escalation, and the median time to acknowledge. Metric: concern.
    Counts only: the monthly report never shows what a concern says (the counts come from
    ``safeguarding.selectors.concern_counts``, which reads no text)."""
    from safeguarding.models import Category
    from safeguarding.selectors import concern_counts

    counts = concern_counts(scope.period.start_at, scope.period.end_at, scope.district)
    category_rows = [
        {"category": str(label), "raised": counts.by_category.get(code, 0)}
        for code, label in Category.choices
    ]
    columns = ["raised", "urgent", "waiting", "escalated"]
    district_rows = _district_rows(scope, counts.by_district, columns, unknown=False)
    median = counts.median_minutes_to_acknowledge
    return FigureGroup(
        key="safeguarding",
        title=_("Child-safety concerns"),
        headlines=[
            Headline("raised", _("Concerns raised"), counts.raised, metric="concern", compare=True),
            Headline("urgent", _("Urgent concerns"), counts.urgent, metric="concern"),
            Headline(
                "median_to_acknowledge",
                _("Median time to acknowledge (hours)"),
                _hours(median) if median is not None else None,
                HOURS,
                metric="concern-acknowledged",
            ),
            Headline("escalated", _("Escalated"), counts.escalated, metric="concern-escalated"),
        ],
        tables=[
            Table(
                key="concerns_by_category",
                title=_("Concerns by category"),
                columns=[
                    Column("category", _("Category"), TEXT),
                    Column("raised", _("Raised")),
                ],
                rows=category_rows,
                total={"category": _("Total"), "raised": counts.raised},
                chart=Chart("bar", "category", ("raised",)),
            ),
            Table(
                key="concerns_by_district",
                title=_("Concerns by district"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("raised", _("Raised")),
                    Column("urgent", _("Urgent")),
                    Column("waiting", _("Not yet acknowledged")),
                    Column("escalated", _("Escalated")),
                ],
                rows=district_rows,
                total=_sum_rows(district_rows, columns, "district", _("Total")),
            ),
        ],
    )


# --- supervision: corrective actions and publicity (counts only) -------------------------


def corrective_actions(scope: Scope) -> FigureGroup:
    """Corrective actions (整改) from the leading group's inspections, by the inspected
    district: set and verified in the month, open and overdue at its end (metric:
    corrective-action; ``supervision.selectors.action_counts``)."""
    from supervision.selectors import action_counts

    counts = action_counts(scope.period.start_at, scope.period.end_at, scope.district)
    columns = ["set", "verified", "open", "overdue"]
    rows = _district_rows(scope, counts.by_district, columns, unknown=False)
    highlights = [
        _("%(district)s has %(count)s overdue corrective actions.")
        % {"district": row["district"], "count": row["overdue"]}
        for row in rows
        if row["overdue"]
    ]
    return FigureGroup(
        key="corrective_actions",
        title=_("Corrective actions"),
        headlines=[
            Headline(
                "overdue",
                _("Overdue corrective actions"),
                counts.overdue,
                metric="corrective-action-overdue",
            ),
            Headline("open", _("Open corrective actions"), counts.open, metric="corrective-action"),
            Headline(
                "set",
                _("Set this month"),
                counts.set_in_period,
                metric="corrective-action",
                compare=True,
            ),
            Headline(
                "verified",
                _("Verified this month"),
                counts.verified_in_period,
                metric="corrective-action",
                compare=True,
            ),
        ],
        tables=[
            Table(
                key="corrective_actions_by_district",
                title=_("Corrective actions by district"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("set", _("Set this month")),
                    Column("verified", _("Verified this month")),
                    Column("open", _("Open at the month's end")),
                    Column("overdue", _("Overdue at the month's end")),
                ],
                rows=rows,
                total=_sum_rows(rows, columns, "district", _("Total")),
                chart=Chart("bar", "district", ("open", "overdue")),
            )
        ],
        highlights=highlights,
    )


def publicity(scope: Scope) -> FigureGroup:
    """Each unit's publicity return for the month against the rule (at least 3 forms and 5
    items by default): complete units by district, and the units that fell short (metric:
    publicity-return; ``supervision.selectors.publicity_completeness``)."""
    from supervision.selectors import publicity_completeness

    units = publicity_completeness(scope.period.start, district=scope.district)
    rule = units[0].rule if units else None
    by_district: dict = {}
    for row in units:  # one row per unit taking part (reference data, not children)
        bucket = by_district.setdefault(
            row.unit.district_id, {"units": 0, "complete": 0, "items": 0}
        )
        bucket["units"] += 1
        bucket["complete"] += int(row.complete)
        bucket["items"] += row.items
    columns = ["units", "complete", "items"]
    rows = _district_rows(scope, by_district, columns, unknown=False)
    for row in rows:
        row["share"] = percent(row["complete"], row["units"])
    total = _sum_rows(rows, columns, "district", _("Total"))
    total["share"] = percent(total["complete"], total["units"])
    short = [
        {
            "unit": row.unit.name,
            "district": row.unit.district.label,
            "forms": row.forms,
            "items": row.items,
        }
        for row in units
        if not row.complete
    ]
    return FigureGroup(
        key="publicity",
        title=_("Publicity returns"),
        headlines=[
            Headline(
                "complete",
                _("Units with a complete publicity return"),
                total["complete"],
                metric="publicity-return",
                compare=True,
            ),
            Headline("units", _("Units taking part"), total["units"], metric="publicity-return"),
            Headline(
                "share", _("Share complete"), total["share"], PERCENT, metric="publicity-return"
            ),
            Headline("items", _("Items reported"), total["items"], metric="publicity-return"),
        ],
        tables=[
            Table(
                key="publicity_by_district",
                title=_("Publicity returns by district"),
                columns=[
                    Column("district", _("District or county"), TEXT),
                    Column("units", _("Units")),
                    Column("complete", _("Complete")),
                    Column("share", _("Share complete"), PERCENT),
                    Column("items", _("Items")),
                ],
                rows=rows,
                total=total,
                note=(
                    _("Complete = at least %(forms)s forms and %(items)s items in the month.")
                    % {"forms": rule.min_forms, "items": rule.min_items}
                    if rule
                    else ""
                ),
                chart=Chart("bar", "district", ("share",)),
            ),
            Table(
                key="publicity_incomplete",
                title=_("Units short of the rule"),
                columns=[
                    Column("unit", _("Unit"), TEXT),
                    Column("district", _("District or county"), TEXT),
                    Column("forms", _("Forms")),
                    Column("items", _("Items")),
                ],
                rows=short,
            ),
        ],
    )


# --- the registry -----------------------------------------------------------------

_DISTRICTS = ("places.District",)
_TRAINEES = ("accounts.User", "auth.Group", *_DISTRICTS)
_DELIVERY = (
    "lecturer_corps.DeliveryReport",
    "lecturer_corps.Session",
    "lecturer_corps.ServiceRequest",
    "places.Venue",
    *_DISTRICTS,
)
_CERTIFICATES = ("certification.Certificate", "certification.CertificationType")

GROUPS: list[GroupSpec] = [
    GroupSpec(
        "person_times",
        person_times,
        requires=("lecturer_corps.DeliveryReport",),
        reads=_DELIVERY,
    ),
    GroupSpec(
        "coverage",
        coverage,
        requires=("lecturer_corps.DeliveryReport",),
        compared=False,
        reads=(
            *_DELIVERY,
            "lecturer_corps.ChildAttendance",
            "places.Township",
            "reports.RegisterCount",
            "reports.ChildrenServed",
            "reports.CoverageTarget",
        ),
    ),
    GroupSpec(
        "sessions",
        sessions,
        requires=("lecturer_corps.ServiceRequest",),
        reads=("lecturer_corps.ServiceRequest", "places.Venue", *_DISTRICTS),
    ),
    GroupSpec(
        "lecturer_corps",
        lecturer_corps,
        requires=("lecturer_corps.LecturerProfile", "certification.Certificate"),
        reads=(
            "lecturer_corps.LecturerProfile",
            "lecturer_corps.Session",
            "lecturer_corps.ServiceRequest",
            "accounts.User",
            "certification.Certificate",
            *_DISTRICTS,
        ),
    ),
    GroupSpec(
        "training_funnel",
        training_funnel,
        requires=("courses.Enrolment",),
        compared=False,
        reads=(
            *_TRAINEES,
            "wagtailcore.Page",  # a course or programme page going live or not
            "wagtailcore.Locale",  # courses are counted in their original language only
            "courses.Course",
            "courses.Programme",
            "courses.Enrolment",
            "quizzes.Quiz",
            "quizzes.QuizGrade",
            "practicum.PracticumEntry",
            "practicum.PracticumRequirement",
            "practicum.ActivityMinimum",
            "practicum.ActivityType",
            "practicum.CompetencyEvaluation",
            *_CERTIFICATES,
        ),
    ),
    GroupSpec(
        "quizzes",
        quiz_results,
        requires=("quizzes.Attempt",),
        reads=("quizzes.Attempt", "quizzes.Quiz", "accounts.User", *_DISTRICTS),
    ),
    GroupSpec(
        "practicum",
        practicum,
        requires=("practicum.PracticumEntry",),
        live=True,
        reads=(
            "practicum.PracticumEntry",
            "practicum.ActivityType",
            "accounts.User",
            *_DISTRICTS,
        ),
    ),
    GroupSpec(
        "certificates",
        certificates,
        requires=("certification.Certificate",),
        reads=(*_CERTIFICATES, "accounts.User", *_DISTRICTS),
    ),
    GroupSpec("talent_pool", talent_pool, reads=_TRAINEES),
    GroupSpec(
        "safeguarding",
        safeguarding_concerns,
        requires=("safeguarding.Concern",),
        reads=("safeguarding.Concern", *_DISTRICTS),
    ),
    GroupSpec(
        "corrective_actions",
        corrective_actions,
        requires=("supervision.CorrectiveAction",),
        live=True,
        reads=(
            "supervision.CorrectiveAction",
            "supervision.Finding",
            "supervision.Inspection",
            *_DISTRICTS,
        ),
    ),
    GroupSpec(
        "publicity",
        publicity,
        requires=("supervision.PublicityItem",),
        reads=(
            "supervision.PublicityItem",
            "supervision.PublicityRule",
            "supervision.Unit",
            *_DISTRICTS,
        ),
    ),
]


def available_groups() -> list[GroupSpec]:
    return [spec for spec in GROUPS if spec.available()]


def dashboard_figures(scope: Scope, *, keys=None) -> list[FigureGroup]:
    """Every available figure group for the scope (or those of ``keys``), in dashboard
    order; from the cache while the data behind them is unchanged (``figure_cache``)."""
    from .figure_cache import figure_groups

    specs = [spec for spec in available_groups() if keys is None or spec.key in keys]
    return figure_groups(scope, specs)


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
            if not value and not last:
                continue  # nothing happened in either month: not a highlight
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


def register_counts(limit, year: int):
    """The register's counts for a year a viewer may see (their district, or all)."""
    from .models import RegisterCount

    queryset = RegisterCount.objects.select_related("district", "township", "entered_by").filter(
        year=year
    )
    if limit is not None:
        queryset = queryset.filter(district=limit)
    return queryset.order_by("district__sort_order", "township__name", "category")


def children_served(limit, year: int):
    """The venues' yearly returns for a year a viewer may see (their district, or all)."""
    from .models import ChildrenServed

    queryset = ChildrenServed.objects.select_related(
        "venue", "venue__district", "entered_by"
    ).filter(year=year)
    if limit is not None:
        queryset = queryset.filter(venue__district=limit)
    return queryset.order_by("venue__district__sort_order", "venue__name", "category")


def archived_reports(limit):
    """Archived monthly reports within a viewer's scope (a district coordinator: their own)."""
    from .models import MonthlyReport

    queryset = MonthlyReport.objects.select_related("district", "generated_by")
    if limit is not None:
        queryset = queryset.filter(district=limit)
    return queryset.order_by("-period", "district__sort_order")
