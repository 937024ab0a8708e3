"""What a month's sessions cost: lecture fees and travel subsidies, against the budget.

A session counts once its lecturer has agreed (accepted, confirmed, delivered or
verified; a proposal not yet answered costs nothing yet). Its cost comes from the
tariff in force on the session's date (``Tariff``: the latest ``effective_from`` on or
before it):

* **lecture fee** = the tariff's fee per class hour × the request's class hours;
* **travel subsidy** = the amount of the first travel band the trip is within: road
  kilometres from the lecturer's home to the venue (straight line × 1.3,
  ``lecturer_corps.travel``), or travel minutes (at 50 km/h plus 15 minutes to find the
  room), by the tariff's ``basis``; a lecturer or venue without a location gets the
  tariff's ``unknown_location_subsidy``.

``month_costs`` reads a month in a fixed number of queries and sums the cost per district
(beside the district's ``Budget``) and per lecturer; ``finance_file`` writes the lines for
finance as CSV or XLSX through ``lms.spreadsheets`` (formula-like text neutralised).
The tariff and budget services are the Wagtail admin's doors (``dispatch.wagtail_hooks``).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import FloatField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from lecturer_corps import travel
from lecturer_corps.models import Session, SessionStatus
from lecturer_corps.topics import TOPICS_BY_CODE
from places.models import District

from . import permissions
from .models import Budget, Tariff, TravelBasis, first_of_month, last_of_month

CENT = Decimal("0.01")
COSTED_STATUSES = (
    SessionStatus.ACCEPTED,
    SessionStatus.CONFIRMED,
    SessionStatus.DELIVERED,
    SessionStatus.VERIFIED,
)


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the tariff -------------------------------------------------------------------------------


def tariff_on(day: datetime.date, tariffs: list[Tariff]) -> Tariff | None:
    """The tariff in force on ``day`` (``tariffs`` newest first)."""
    for tariff in tariffs:
        if tariff.effective_from <= day:
            return tariff
    return None


def travel_subsidy(tariff: Tariff, bands, *, km: float | None, minutes: float | None):
    """(subsidy, band label) for a trip under ``tariff`` (``bands`` ordered by limit, the
    band without a limit last)."""
    measure = km if tariff.basis == TravelBasis.DISTANCE else minutes
    if measure is None:
        return money(tariff.unknown_location_subsidy), _("location unknown")
    unit = _("km") if tariff.basis == TravelBasis.DISTANCE else _("min")
    previous = 0
    for band in bands:
        if band.up_to is None or measure <= band.up_to:
            label = (
                f"{previous}–{band.up_to} {unit}"
                if band.up_to is not None
                else f"> {previous} {unit}"
            )
            return money(band.subsidy), label
        previous = band.up_to
    return money(0), _("beyond the bands")


def _ordered_bands(tariff: Tariff) -> list:
    bands = list(tariff.bands.all())
    return sorted(bands, key=lambda b: (b.up_to is None, b.up_to or 0))


# --- the month ---------------------------------------------------------------------------------


@dataclass
class SessionCost:
    session_id: int
    request_id: int
    date: datetime.date
    district_id: int
    venue: str
    topic: str
    lecturer_id: int
    lecturer: str
    class_hours: int
    status: str
    km: float | None
    minutes: float | None
    fee: Decimal
    subsidy: Decimal
    band: str
    tariff: str

    @property
    def total(self) -> Decimal:
        return self.fee + self.subsidy

    @property
    def topic_title(self) -> str:
        topic = TOPICS_BY_CODE.get(self.topic)
        return topic.title if topic else self.topic

    @property
    def status_label(self) -> str:
        return SessionStatus(self.status).label


@dataclass
class Subtotal:
    key: object
    label: str
    sessions: int = 0
    fee: Decimal = field(default_factory=lambda: money(0))
    subsidy: Decimal = field(default_factory=lambda: money(0))
    budget: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return self.fee + self.subsidy

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.total

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total > self.budget

    def add(self, line: SessionCost) -> None:
        self.sessions += 1
        self.fee += line.fee
        self.subsidy += line.subsidy


@dataclass
class CostSheet:
    month: datetime.date
    lines: list[SessionCost]
    districts: list[Subtotal]
    lecturers: list[Subtotal]
    total: Subtotal
    without_tariff: int  # sessions on a date no tariff covers (costed at 0)


def _coordinate(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def month_costs(district, month: datetime.date) -> CostSheet:
    """Every costed session of ``month`` in scope (``district`` None = the city), with
    subtotals per district (and its budget) and per lecturer. Five queries."""
    first, last = first_of_month(month), last_of_month(month)
    districts = {d.pk: d for d in ([district] if district is not None else District.objects.all())}
    tariffs = list(Tariff.objects.prefetch_related("bands").order_by("-effective_from"))
    bands = {tariff.pk: _ordered_bands(tariff) for tariff in tariffs}
    budgets = {
        b.district_id: b.amount
        for b in Budget.objects.filter(month=first, district_id__in=list(districts))
    }
    sessions = (
        Session.objects.in_scope(district)
        .filter(status__in=COSTED_STATUSES, request__date__gte=first, request__date__lte=last)
        .annotate(
            home_lat=Coalesce(
                Cast("lecturer__lecturer_profile__latitude", FloatField()),
                Cast("lecturer__lecturer_profile__township__latitude", FloatField()),
            ),
            home_lon=Coalesce(
                Cast("lecturer__lecturer_profile__longitude", FloatField()),
                Cast("lecturer__lecturer_profile__township__longitude", FloatField()),
            ),
            venue_lat=Cast("request__venue__latitude", FloatField()),
            venue_lon=Cast("request__venue__longitude", FloatField()),
        )
        .order_by("request__date", "starts_at", "pk")
        .values_list(
            "pk",
            "request_id",
            "request__date",
            "request__venue__district_id",
            "request__venue__name",
            "request__topic",
            "lecturer_id",
            "lecturer__real_name",
            "lecturer__username",
            "request__class_hours",
            "status",
            "home_lat",
            "home_lon",
            "venue_lat",
            "venue_lon",
        )
    )
    lines, without_tariff = [], 0
    for (
        pk,
        request_id,
        day,
        district_id,
        venue,
        topic,
        lecturer_id,
        real_name,
        username,
        class_hours,
        status,
        home_lat,
        home_lon,
        venue_lat,
        venue_lon,
    ) in sessions:
        points = [_coordinate(v) for v in (home_lat, home_lon, venue_lat, venue_lon)]
        km = minutes = None
        if None not in points:
            km = round(float(travel.road_km(*points)), 1)
            minutes = round(float(travel.travel_minutes(*points)))
        tariff = tariff_on(day, tariffs)
        if tariff is None:
            without_tariff += 1
            fee, subsidy, band, tariff_name = money(0), money(0), _("no tariff"), ""
        else:
            fee = money(tariff.fee_per_class_hour * class_hours)
            subsidy, band = travel_subsidy(tariff, bands[tariff.pk], km=km, minutes=minutes)
            tariff_name = tariff.name
        lines.append(
            SessionCost(
                session_id=pk,
                request_id=request_id,
                date=day,
                district_id=district_id,
                venue=venue,
                topic=topic,
                lecturer_id=lecturer_id,
                lecturer=real_name or username,
                class_hours=class_hours,
                status=status,
                km=km,
                minutes=minutes,
                fee=fee,
                subsidy=subsidy,
                band=band,
                tariff=tariff_name,
            )
        )
    by_district = {
        pk: Subtotal(key=pk, label=d.name, budget=budgets.get(pk)) for pk, d in districts.items()
    }
    by_lecturer: dict[int, Subtotal] = {}
    total = Subtotal(key=None, label=_("Total"))
    for line in lines:
        by_district.setdefault(
            line.district_id, Subtotal(key=line.district_id, label=str(line.district_id))
        ).add(line)
        by_lecturer.setdefault(
            line.lecturer_id, Subtotal(key=line.lecturer_id, label=line.lecturer)
        ).add(line)
        total.add(line)
    if any(b.budget is not None for b in by_district.values()):
        total.budget = sum((b.budget or money(0) for b in by_district.values()), money(0))
    order = {pk: (d.sort_order, d.name) for pk, d in districts.items()}
    return CostSheet(
        month=first,
        lines=lines,
        districts=sorted(by_district.values(), key=lambda s: order.get(s.key, (0, s.label))),
        lecturers=sorted(by_lecturer.values(), key=lambda s: (-s.total, s.label)),
        total=total,
        without_tariff=without_tariff,
    )


def finance_rows(sheet: CostSheet, district_names: dict[int, str]):
    """The finance export's header and one row per costed session."""
    yield [
        _("Date"),
        _("District or county"),
        _("Venue"),
        _("Topic"),
        _("Lecturer"),
        _("Class hours"),
        _("Status"),
        _("Road km"),
        _("Travel minutes"),
        _("Travel band"),
        _("Lecture fee"),
        _("Travel subsidy"),
        _("Total"),
        _("Tariff"),
    ]
    for line in sheet.lines:
        yield [
            line.date.isoformat(),
            district_names.get(line.district_id, ""),
            line.venue,
            line.topic_title,
            line.lecturer,
            line.class_hours,
            str(line.status_label),
            line.km,
            line.minutes,
            line.band,
            float(line.fee),
            float(line.subsidy),
            float(line.total),
            line.tariff,
        ]


def finance_file(sheet: CostSheet, district_names: dict[int, str], fmt: str) -> bytes:
    """The month's lines for finance, as ``csv`` or ``xlsx`` (``lms.spreadsheets``)."""
    from lms.spreadsheets import csv_bytes, xlsx_bytes

    rows = finance_rows(sheet, district_names)
    if fmt == "csv":
        return csv_bytes(rows)
    return xlsx_bytes(rows, title=f"{sheet.month:%Y-%m}")


# --- the admin's doors: tariffs and budgets ----------------------------------------------------


def _check_bands(tariff: Tariff) -> None:
    bands = list(tariff.bands.all())
    if not bands:
        raise ValidationError(_("Give at least one travel band."))
    limits = [band.up_to for band in bands]
    if limits.count(None) != 1:
        raise ValidationError(
            _("Exactly one travel band has no limit: it takes every longer trip.")
        )
    limited = [limit for limit in limits if limit is not None]
    if len(set(limited)) != len(limited):
        raise ValidationError(_("Two travel bands have the same limit."))
    for band in bands:
        band.full_clean(exclude=["tariff"])


@transaction.atomic
def save_tariff(*, actor, tariff: Tariff, changed=()) -> Tariff:
    """Add or change a tariff with its travel bands (``tariff``: validated, unsaved;
    its bands in memory). City-wide coordinators and administrators. One band must have
    no limit. Atomic; one audit row."""
    creating = tariff.pk is None
    permissions.check_tariff_admin(actor, "add" if creating else "change", tariff)
    tariff.full_clean()
    _check_bands(tariff)
    tariff.save()
    record(
        "dispatch.tariff.create" if creating else "dispatch.tariff.update",
        actor=actor,
        obj=tariff,
        changes={
            "from": tariff.effective_from.isoformat(),
            "fee_per_class_hour": str(tariff.fee_per_class_hour),
            "basis": tariff.basis,
            "bands": [
                [band.up_to, str(band.subsidy)]
                for band in sorted(
                    tariff.bands.all(), key=lambda b: (b.up_to is None, b.up_to or 0)
                )
            ],
        },
    )
    return tariff


@transaction.atomic
def delete_tariff(*, actor, tariff: Tariff, today=None) -> None:
    """Remove a tariff not yet in force (one in force has costed sessions: add a new one
    from a later date instead). City-wide coordinators and administrators; audited."""
    permissions.check_tariff_admin(actor, "delete", tariff)
    if tariff.effective_from <= (today or timezone.localdate()):
        raise ValidationError(
            _("This tariff is in force; add a new one from a later date instead.")
        )
    record(
        "dispatch.tariff.delete",
        actor=actor,
        obj=tariff,
        changes={"from": tariff.effective_from.isoformat()},
    )
    tariff.delete()


@transaction.atomic
def save_budget(*, actor, budget: Budget, changed=()) -> Budget:
    """Set a district's budget for a month (any day of the month names it). City-wide
    coordinators and administrators. Atomic; one audit row."""
    creating = budget.pk is None
    permissions.check_budget_admin(actor, "add" if creating else "change", budget)
    if budget.month:
        budget.month = first_of_month(budget.month)
    budget.full_clean()
    budget.save()
    record(
        "dispatch.budget.create" if creating else "dispatch.budget.update",
        actor=actor,
        obj=budget,
        changes={
            "district": budget.district_id,
            "month": f"{budget.month:%Y-%m}",
            "amount": str(budget.amount),
        },
    )
    return budget


@transaction.atomic
def delete_budget(*, actor, budget: Budget) -> None:
    permissions.check_budget_admin(actor, "delete", budget)
    record(
        "dispatch.budget.delete",
        actor=actor,
        obj=budget,
        changes={"district": budget.district_id, "month": f"{budget.month:%Y-%m}"},
    )
    budget.delete()
