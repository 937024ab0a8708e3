"""Reads of dispatch planning: the venue's own lists, the triage queue, the month's supply
against demand, and the prior qualifications matching reads.

``supply_and_demand`` answers, for one month, by district × language × topic × week: how
many lecturer seats the requests ask for, how many are already taken, and how many
lecturers could take at least one of those requests — in a fixed number of queries
whatever the number of lecturers or requests (pinned in ``dispatch/tests``; measured in
``bench/dispatch_supply_demand.py``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts import roles
from accounts.models import Language
from lecturer_corps import eligibility
from lecturer_corps.models import (
    LANGUAGE_BITS,
    LecturerProfile,
    RequestStatus,
    ServiceRequest,
    Session,
    SessionStatus,
    UnavailablePeriod,
    availability_needed,
)
from lecturer_corps.topics import TOPICS, TOPICS_BY_CODE
from places.models import District

from .models import (
    PlannedRequest,
    PriorQualification,
    VenueRequest,
    VenueRequestStatus,
    first_of_month,
    last_of_month,
)

# Requests that still stand for the month (a cancelled or moved one asks for nothing).
GONE_STATUSES = (RequestStatus.CANCELLED, RequestStatus.RESCHEDULED)
# Sessions whose lecturer has agreed (a proposal may still be declined).
AGREED_SESSION_STATUSES = (
    SessionStatus.ACCEPTED,
    SessionStatus.CONFIRMED,
    SessionStatus.DELIVERED,
    SessionStatus.VERIFIED,
)


# --- prior qualifications (matching reads these through lecturer_corps.eligibility) ------


def prior_qualification_rows(user_ids, first_day: datetime.date, last_day: datetime.date):
    """``(user_id, topic_bits, valid_from, expires_on, label)`` of the approved
    qualifications from elsewhere valid on some day of [first_day, last_day] (one query)."""
    rows = PriorQualification.objects.approved_between(first_day, last_day).order_by()
    if user_ids is not None:
        rows = rows.filter(holder_id__in=list(user_ids))
    return [
        (holder, bits, issued_on, expires_on, f"{title} ({issuer})")
        for holder, bits, issued_on, expires_on, title, issuer in rows.values_list(
            "holder_id", "topic_bits", "issued_on", "expires_on", "title", "issuer"
        )
    ]


# --- people to tell -----------------------------------------------------------------------


def coordinators_of_district(district_id) -> list:
    """The coordinators of a district (the city-wide ones when it has none)."""
    User = get_user_model()
    people = list(
        User.objects.filter(
            groups__name=roles.COORDINATOR, is_active=True, coordinator_district_id=district_id
        )
    )
    if not people:
        people = list(
            User.objects.filter(
                groups__name=roles.COORDINATOR, is_active=True, coordinator_district__isnull=True
            )
        )
    return people


# --- the venue's own pages ------------------------------------------------------------------


def venue_requests_of(venue_id):
    """What the venue asked for, newest first (two queries with the accepted requests)."""
    return (
        VenueRequest.objects.filter(venue_id=venue_id)
        .select_related("decided_by")
        .prefetch_related("planned_requests__service_request")
        .order_by("-submitted_at", "-pk")
    )


def venue_sessions_of(venue_id, *, today: datetime.date | None = None, days_back: int = 60):
    """The venue's service requests from ``days_back`` days ago on, with their sessions
    and lecturers (two queries)."""
    today = today or timezone.localdate()
    return (
        ServiceRequest.objects.filter(
            venue_id=venue_id, date__gte=today - datetime.timedelta(days=days_back)
        )
        .prefetch_related("sessions__lecturer")
        .order_by("starts_at", "pk")
    )


def triage_queue(district, *, status: str | None = VenueRequestStatus.SUBMITTED):
    rows = VenueRequest.objects.in_scope(district).select_related(
        "venue", "venue__district", "contact", "decided_by"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("submitted_at", "pk")


def waiting_for_triage(district) -> int:
    return (
        VenueRequest.objects.in_scope(district).filter(status=VenueRequestStatus.SUBMITTED).count()
    )


def recurring_ids(request_ids) -> set[int]:
    return set(
        PlannedRequest.objects.filter(
            service_request_id__in=list(request_ids), recurring=True
        ).values_list("service_request_id", flat=True)
    )


# --- supply against demand ---------------------------------------------------------------------


def month_weeks(month: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The month's weeks (Monday to Sunday), cut at the month's ends."""
    first, last = first_of_month(month), last_of_month(month)
    weeks, start = [], first
    while start <= last:
        end = min(start + datetime.timedelta(days=6 - start.weekday()), last)
        weeks.append((start, end))
        start = end + datetime.timedelta(days=1)
    return weeks


def week_of(day: datetime.date) -> int:
    """The index of ``day``'s week in its month (see ``month_weeks``)."""
    return (day.day - 1 + day.replace(day=1).weekday()) // 7


@dataclass
class Cell:
    """Demand and supply for one district × language × topic in one week (or the month)."""

    seats: int = 0  # lecturers the requests ask for
    taken: int = 0  # seats with a lecturer proposed or agreed
    requests: int = 0
    available: int = 0  # lecturers who could take at least one of these requests
    request_ids: list[int] = field(default_factory=list)

    @property
    def open_seats(self) -> int:
        return max(self.seats - self.taken, 0)

    @property
    def gap(self) -> int:
        """Open seats beyond the lecturers who could take them."""
        return max(self.open_seats - self.available, 0)

    @property
    def short(self) -> bool:
        return self.gap > 0


@dataclass
class Row:
    district: District
    language: str
    topic: str
    weeks: list[Cell | None]
    month: Cell

    @property
    def topic_title(self) -> str:
        return TOPICS_BY_CODE[self.topic].title

    @property
    def language_label(self) -> str:
        return Language(self.language).label


@dataclass
class SupplyDemand:
    month: datetime.date
    weeks: list[tuple[datetime.date, datetime.date]]
    rows: list[Row]
    lecturers: int  # lecturers in scope who are active

    @property
    def seats(self) -> int:
        return sum(row.month.seats for row in self.rows)

    @property
    def open_seats(self) -> int:
        return sum(row.month.open_seats for row in self.rows)

    @property
    def short_cells(self) -> int:
        return sum(1 for row in self.rows for cell in row.weeks if cell is not None and cell.short)

    @property
    def short_rows(self) -> int:
        return sum(1 for row in self.rows if row.month.short)


ONES = np.array([bin(byte).count("1") for byte in range(256)], dtype=np.int64)  # bits per byte


def _pool(district):
    """Active lecturers (profile and account) in scope as columns (one query)."""
    profiles = LecturerProfile.objects.filter(is_active=True, user__is_active=True)
    if district is not None:
        profiles = profiles.filter(district=district)
    query = profiles.order_by("user_id").values_list(
        "user_id",
        "district_id",
        "topic_bits",
        "language_bits",
        "weekly_availability",
        "monthly_cap",
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    return (
        np.array(columns[0], dtype=np.int64),
        np.array([d if d is not None else -1 for d in columns[1]], dtype=np.int64),
        np.array(columns[2], dtype=np.int64),
        np.array(columns[3], dtype=np.int64),
        np.array(columns[4], dtype=np.int64),
        np.array(columns[5], dtype=np.int64),
    )


def supply_and_demand(district, month: datetime.date) -> SupplyDemand:
    """Seats asked for against lecturers available and qualified, for ``month`` in scope.

    A lecturer counts as available for a request when they are active, live in the
    request's district, offer its topic and speak its language, are qualified for it on
    its date (a valid certificate of the topic's qualification and the course completed,
    or an approved qualification from elsewhere covering the topic), are not on leave
    that day, are free at that time of the week, and have not reached their monthly cap.
    Overlaps with their other sessions and travel are left to the auto-assign plan.
    A cell counts each lecturer once, however many of its requests they could take.
    """
    first, last = first_of_month(month), last_of_month(month)
    weeks = month_weeks(first)
    districts = {d.pk: d for d in ([district] if district is not None else District.objects.all())}
    requests = list(
        ServiceRequest.objects.in_scope(district)
        .filter(date__gte=first, date__lte=last)
        .exclude(status__in=GONE_STATUSES)
        .order_by()
        .values_list(
            "pk",
            "date",
            "start_time",
            "end_time",
            "topic",
            "language",
            "lecturers_needed",
            "venue__district_id",
        )
    )
    taken = dict(
        Session.objects.live()
        .in_scope(district)
        .filter(request__date__gte=first, request__date__lte=last)
        .values_list("request_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    user_ids, homes, topic_bits, language_bits, availability, caps = _pool(district)
    n = len(user_ids)
    index = dict(zip(user_ids.tolist(), range(n), strict=True))

    topics = {r[4] for r in requests}
    codes = {TOPICS_BY_CODE[t].qualification for t in topics}
    certificates = defaultdict(lambda: ([], [], []))
    for holder, code, valid_from, expires_on in eligibility.certificate_periods(
        None, first, last, codes=codes or {""}
    ):
        position = index.get(holder)
        if position is not None:
            rows = certificates[code]
            rows[0].append(position)
            rows[1].append(valid_from.toordinal())
            rows[2].append(expires_on.toordinal() if expires_on else datetime.date.max.toordinal())
    completed = np.zeros(n, dtype=np.int64)
    done = eligibility.completed_topic_bits(None, topics=topics or {""})
    if done and n:
        holders = np.fromiter((row[0] for row in done), dtype=np.int64, count=len(done))
        bits = np.fromiter((row[1] for row in done), dtype=np.int64, count=len(done))
        positions = np.minimum(np.searchsorted(user_ids, holders), n - 1)
        found = user_ids[positions] == holders  # the pool is ordered by user id
        np.bitwise_or.at(completed, positions[found], bits[found])
    prior = [
        (index[holder], bits, start.toordinal(), (end or datetime.date.max).toordinal())
        for holder, bits, start, end, _label in eligibility.prior_qualification_periods(
            None, first, last
        )
        if holder in index
    ]
    unavailable = [
        (index[holder], start.toordinal(), end.toordinal())
        for holder, start, end in UnavailablePeriod.objects.filter(
            starts_on__lte=last, ends_on__gte=first
        )
        .order_by()
        .values_list("profile__user_id", "starts_on", "ends_on")
        if holder in index
    ]
    load = np.zeros(n, dtype=np.int64)
    for holder, count in (
        Session.objects.live()
        .filter(request__date__gte=first, request__date__lte=last)
        .values_list("lecturer_id")
        .annotate(count=Count("id"))
        .order_by()
    ):
        position = index.get(holder)
        if position is not None:
            load[position] = count

    cert_arrays = {
        code: tuple(np.array(column, dtype=np.int64) for column in rows)
        for code, rows in certificates.items()
    }
    prior_arrays = tuple(np.array(column, dtype=np.int64) for column in zip(*prior, strict=True))
    leave_arrays = tuple(
        np.array(column, dtype=np.int64) for column in zip(*unavailable, strict=True)
    )
    under_cap = load < caps

    # The per-request masks are kept packed eight lecturers to a byte (``np.packbits``): a
    # request's mask is four ANDs of 625 bytes for 5,000 lecturers, and a cell's count a
    # table look-up per byte.
    cache: dict[tuple, np.ndarray] = {}
    nbytes = (n + 7) // 8

    def holders_on(key, arrays, day, bit=None):
        found = cache.get(key)
        if found is None:
            found = np.zeros(n, dtype=bool)
            if arrays:
                if bit is None:
                    positions, starts, ends = arrays
                    hit = (starts <= day) & (ends >= day)
                else:
                    positions, bits, starts, ends = arrays
                    hit = ((bits & bit) != 0) & (starts <= day) & (ends >= day)
                found[positions[hit]] = True
            cache[key] = found
        return found

    def qualified(topic, day):
        key = ("qualified", topic.code, day)
        found = cache.get(key)
        if found is None:
            bit = np.int64(1 << topic.bit)
            certificate = holders_on(
                ("certificate", topic.qualification, day),
                cert_arrays.get(topic.qualification),
                day,
            )
            from_elsewhere = holders_on(("prior", topic.code, day), prior_arrays, day, bit)
            found = np.packbits((certificate & ((completed & bit) != 0)) | from_elsewhere)
            cache[key] = found
        return found

    def free_at(weekday, start, end):
        key = ("free", weekday, start, end)
        found = cache.get(key)
        if found is None:
            needed = np.int64(availability_needed(weekday, start, end))
            found = np.packbits((availability & needed) == needed)
            cache[key] = found
        return found

    def base(home, language, topic):
        key = ("base", home, language, topic.code)
        found = cache.get(key)
        if found is None:
            bit = np.int64(1 << topic.bit)
            found = np.packbits(
                (homes == home)
                & ((topic_bits & bit) != 0)
                & ((language_bits & LANGUAGE_BITS.get(language, 0)) != 0)
                & under_cap
            )
            cache[key] = found
        return found

    def at_work(day):
        key = ("at work", day)
        found = cache.get(key)
        if found is None:
            found = np.packbits(~holders_on(("leave", day), leave_arrays, day))
            cache[key] = found
        return found

    cells: dict[tuple, dict] = {}
    for pk, day, start, end, topic_code, language, needed, home in requests:
        topic = TOPICS_BY_CODE[topic_code]
        ordinal = day.toordinal()
        mask = (
            base(home, language, topic)
            & qualified(topic, ordinal)
            & at_work(ordinal)
            & free_at(day.weekday(), start.hour * 60 + start.minute, end.hour * 60 + end.minute)
        )
        row = cells.setdefault(
            (home, language, topic_code),
            {"weeks": {}, "month": [Cell(), np.zeros(nbytes, np.uint8)]},
        )
        week = row["weeks"].setdefault(week_of(day), [Cell(), np.zeros(nbytes, np.uint8)])
        for cell, union in (week, row["month"]):
            cell.seats += needed
            cell.taken += min(taken.get(pk, 0), needed)
            cell.requests += 1
            cell.request_ids.append(pk)
            union |= mask

    order = {topic.code: position for position, topic in enumerate(TOPICS)}
    result = []
    for (home, language, topic_code), row in cells.items():
        week_cells: list[Cell | None] = [None] * len(weeks)
        for number, (cell, union) in row["weeks"].items():
            cell.available = int(ONES[union].sum())
            week_cells[number] = cell
        month_cell, union = row["month"]
        month_cell.available = int(ONES[union].sum())
        result.append(
            Row(
                district=districts.get(home),
                language=language,
                topic=topic_code,
                weeks=week_cells,
                month=month_cell,
            )
        )
    result.sort(
        key=lambda r: (
            r.district.sort_order if r.district else 0,
            r.district.name if r.district else "",
            r.language,
            order[r.topic],
        )
    )
    return SupplyDemand(month=first, weeks=weeks, rows=result, lecturers=n)
