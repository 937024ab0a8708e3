"""Reads of the lecturer corps: matching lecturers to requests, lists, and figures.

Matching works on whole columns at once. ``load_matching_data`` reads everything
matching needs for a set of requests in a fixed number of queries (lecturers,
certificates, completed courses, unavailable dates, sessions near those dates,
monthly loads, history, series, earlier refusals) and turns it into numpy arrays;
``evaluate`` then checks every hard constraint and computes every soft cost for all
lecturers of one request with array operations. ``rank_candidates`` and the
auto-assign planner (``lecturer_corps.assignment``) are built on it, and so is the
check the services make before they write (``hard_constraint_failures``).

Hard constraints (a lecturer failing one is excluded, with the reason):
active, valid certificate of the topic's qualification *on the session date*,
offers the topic, has completed its course, speaks the language, is available at
that time of the week, not on leave that day, under their monthly cap, no overlap
with their other sessions, enough travel time between venues, has not declined
this request, is not already on it.

Soft costs (lower is better), in "kilometre-equivalents": road distance from home;
workload this month (fairness); continuity (same series, same venue before);
experience with the topic; the lecturer's own preferences (venue types, distance).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, FloatField, Prefetch, Q, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Language

from . import eligibility, travel
from .models import (
    LANGUAGE_BITS,
    LIVE_SESSION_STATUSES,
    PERIOD_BOUNDARIES,
    VENUE_TYPE_BITS,
    WEEKDAY_LABELS,
    DeliveryReport,
    LecturerProfile,
    Notification,
    ReportState,
    ServiceRequest,
    Session,
    SessionStatus,
    UnavailablePeriod,
    VenueContact,
    availability_needed,
)
from .topics import QUALIFICATION_LABELS, TOPICS_BY_CODE, topic_codes_for, topic_mask

# --- reasons -------------------------------------------------------------------------

PAUSED = "paused"
NO_CERTIFICATE = "no_certificate"
TOPIC_NOT_OFFERED = "topic_not_offered"
COURSE_NOT_COMPLETED = "course_not_completed"
LANGUAGE = "language"
WEEKLY_AVAILABILITY = "weekly_availability"
UNAVAILABLE_DATE = "unavailable_date"
MONTHLY_CAP = "monthly_cap"
OVERLAP = "overlap"
TRAVEL_TIME = "travel_time"
DECLINED = "declined"
ALREADY_ASSIGNED = "already_assigned"

HARD_CONSTRAINTS = (
    ALREADY_ASSIGNED,
    DECLINED,
    PAUSED,
    NO_CERTIFICATE,
    TOPIC_NOT_OFFERED,
    COURSE_NOT_COMPLETED,
    LANGUAGE,
    WEEKLY_AVAILABILITY,
    UNAVAILABLE_DATE,
    MONTHLY_CAP,
    OVERLAP,
    TRAVEL_TIME,
)
BIT = {code: 1 << index for index, code in enumerate(HARD_CONSTRAINTS)}


def constraint_label(code: str) -> str:
    """A short, translated name of a hard constraint (for summaries)."""
    return {
        ALREADY_ASSIGNED: _("already on this request"),
        DECLINED: _("declined or did not answer"),
        PAUSED: _("paused"),
        NO_CERTIFICATE: _("no valid certificate on the date"),
        TOPIC_NOT_OFFERED: _("does not offer the topic"),
        COURSE_NOT_COMPLETED: _("course not completed"),
        LANGUAGE: _("does not speak the language"),
        WEEKLY_AVAILABILITY: _("not available at that time"),
        UNAVAILABLE_DATE: _("unavailable that day"),
        MONTHLY_CAP: _("monthly cap reached"),
        OVERLAP: _("another session at that time"),
        TRAVEL_TIME: _("not enough travel time"),
    }[code]


# --- soft costs ----------------------------------------------------------------------

FAIRNESS_WEIGHT = 10.0  # per session already held that month (≈ 10 km of travel)
SERIES_CONTINUITY_BONUS = 40.0
VENUE_CONTINUITY_BONUS = 10.0
EXPERIENCE_BONUS = 3.0  # per time taught, up to EXPERIENCE_CAP times
EXPERIENCE_CAP = 5
NOT_PREFERRED_VENUE_TYPE = 15.0
BEYOND_PREFERRED_DISTANCE = 25.0
UNKNOWN_DISTANCE_KM = 60.0


def _epoch_minutes(moment: datetime.datetime) -> int:
    return int(moment.timestamp() // 60)


def _minute_of_day(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def _month_key(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _float(value) -> float:
    return float(value) if value is not None else np.nan


# --- the data ------------------------------------------------------------------------


@dataclass
class LecturerPool:
    """Every candidate lecturer as columns (index i is the same lecturer in each array)."""

    user_ids: np.ndarray
    profile_ids: np.ndarray
    names: list[str]
    lat: np.ndarray
    lon: np.ndarray
    languages: np.ndarray
    topics: np.ndarray
    availability: np.ndarray
    cap: np.ndarray
    active: np.ndarray
    preferred_venue_types: np.ndarray
    max_travel_km: np.ndarray
    index: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.user_ids)


def load_pool(user_ids=None) -> LecturerPool:
    """Lecturer profiles of active accounts (one query, read without Django's per-value
    conversions: only integers, floats and names, straight into arrays)."""
    profiles = LecturerProfile.objects.filter(user__is_active=True)
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=list(user_ids))
    query = (
        profiles.order_by("user_id")
        .annotate(
            lat=Coalesce(Cast("latitude", FloatField()), Cast("township__latitude", FloatField())),
            lon=Coalesce(
                Cast("longitude", FloatField()), Cast("township__longitude", FloatField())
            ),
            travel=Cast("max_travel_km", FloatField()),
        )
        .values_list(
            "user_id",
            "pk",
            "user__real_name",
            "user__username",
            "lat",
            "lon",
            "language_bits",
            "topic_bits",
            "weekly_availability",
            "monthly_cap",
            "is_active",
            "venue_type_bits",
            "travel",
        )
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 13

    def ints(column):
        return np.array(columns[column], dtype=np.int64)

    def floats(column):
        return np.array(columns[column], dtype=float)

    user_ids_array = ints(0)
    return LecturerPool(
        user_ids=user_ids_array,
        profile_ids=ints(1),
        names=[real or username for real, username in zip(columns[2], columns[3], strict=True)],
        lat=floats(4),
        lon=floats(5),
        languages=ints(6),
        topics=ints(7),
        availability=ints(8),
        cap=ints(9),
        active=np.array(columns[10], dtype=bool),
        preferred_venue_types=ints(11),
        max_travel_km=floats(12),
        index=dict(zip(columns[0], range(len(rows)), strict=True)),  # plain ints: no numpy boxing
    )


def _pool_positions(pool: LecturerPool, user_ids) -> tuple[np.ndarray, np.ndarray]:
    """Pool indices of ``user_ids`` and a mask of those found (vectorised lookup)."""
    ids = np.asarray(user_ids, dtype=np.int64)
    if not len(pool) or not len(ids):
        return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
    positions = np.searchsorted(pool.user_ids, ids)
    clipped = np.minimum(positions, len(pool) - 1)
    return clipped, pool.user_ids[clipped] == ids


@dataclass
class BookedSessions:
    """Live sessions near the requests' dates, as columns."""

    lecturer: np.ndarray  # pool index
    start: np.ndarray  # epoch minutes
    end: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    request_id: np.ndarray
    day: np.ndarray  # date ordinal (local)
    venue_names: list[str]
    by_day: dict[int, np.ndarray]  # date ordinal → row numbers


@dataclass
class MatchingData:
    pool: LecturerPool
    certificates: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # code → idx, from, to
    completed: np.ndarray  # topic bit mask of completed courses
    unavailable: tuple[np.ndarray, np.ndarray, np.ndarray]  # idx, from ordinal, to ordinal
    unavailable_notes: list[str]
    booked: BookedSessions
    monthly_load: dict[int, np.ndarray]  # month key → sessions per lecturer
    topic_history: dict[str, np.ndarray]  # topic code → times taught (delivered/verified)
    venue_history: dict[int, np.ndarray]  # venue id → times served
    series_lecturers: dict[object, set[int]]  # series uuid → pool indices on the series
    refused: dict[int, dict[int, str]]  # request id → {pool index: session status}
    assigned: dict[int, set[int]]  # request id → pool indices with a live session on it
    # Qualifications from elsewhere a coordinator approved (``eligibility``): pool index,
    # topic bit mask, valid from and to (ordinals); and each row's label for the reasons.
    prior: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = field(
        default_factory=lambda: tuple(np.zeros(0, dtype=np.int64) for _ in range(4))
    )
    prior_labels: list[str] = field(default_factory=list)


def load_matching_data(requests, *, user_ids=None, pool: LecturerPool | None = None):
    """Everything matching needs for ``requests`` (ServiceRequest objects with venues),
    in a fixed number of queries whatever the number of lecturers or requests."""
    requests = list(requests)
    pool = pool if pool is not None else load_pool(user_ids)
    n = len(pool)
    idx = pool.index
    days = [r.date for r in requests] or [timezone.localdate()]
    first_day, last_day = min(days), max(days)
    restrict = list(user_ids) if user_ids is not None else None

    # Certificates of the needed kinds valid on some requested day (1 query).
    codes = {TOPICS_BY_CODE[r.topic].qualification for r in requests}
    certificates = {}
    rows = eligibility.certificate_periods(restrict, first_day, last_day, codes=codes)
    if rows:
        holders, found = _pool_positions(pool, [row[0] for row in rows])
        max_ordinal = datetime.date.max.toordinal()
        starts = np.array([row[2].toordinal() for row in rows], dtype=np.int64)
        ends = np.array(
            [row[3].toordinal() if row[3] else max_ordinal for row in rows], dtype=np.int64
        )
        kinds = np.array([row[1] for row in rows])
        for code in codes:
            mask = found & (kinds == code)
            certificates[code] = (holders[mask], starts[mask], ends[mask])

    # Approved qualifications from elsewhere valid on some requested day (1 query).
    prior_rows = [
        row
        for row in eligibility.prior_qualification_periods(restrict, first_day, last_day)
        if row[0] in idx
    ]
    max_ordinal = datetime.date.max.toordinal()
    prior = (
        np.array([idx[row[0]] for row in prior_rows], dtype=np.int64),
        np.array([row[1] for row in prior_rows], dtype=np.int64),
        np.array([row[2].toordinal() for row in prior_rows], dtype=np.int64),
        np.array(
            [row[3].toordinal() if row[3] else max_ordinal for row in prior_rows], dtype=np.int64
        ),
    )

    # Completed courses of the requested topics (1 query).
    completed = np.zeros(n, dtype=np.int64)
    topics = {r.topic for r in requests}
    for user_id, codes_done in eligibility.completed_topics(restrict, topics=topics).items():
        if user_id in idx:
            completed[idx[user_id]] = topic_mask(codes_done)

    lecturer_filter = Q(lecturer_id__in=restrict) if restrict is not None else Q()

    # Unavailable periods touching the days (1 query).
    periods = UnavailablePeriod.objects.filter(
        starts_on__lte=last_day, ends_on__gte=first_day, profile__user__is_active=True
    )
    if restrict is not None:
        periods = periods.filter(profile__user_id__in=restrict)
    unavailable_rows = [
        (idx[u], s.toordinal(), e.toordinal(), note)
        for u, s, e, note in periods.values_list("profile__user_id", "starts_on", "ends_on", "note")
        if u in idx
    ]
    unavailable = (
        np.array([r[0] for r in unavailable_rows], dtype=np.int64),
        np.array([r[1] for r in unavailable_rows], dtype=np.int64),
        np.array([r[2] for r in unavailable_rows], dtype=np.int64),
    )

    # Live sessions from the day before the first to the day after the last (1 query).
    zone = timezone.get_current_timezone()
    window_start = timezone.make_aware(
        datetime.datetime.combine(first_day - datetime.timedelta(days=1), datetime.time.min), zone
    )
    window_end = timezone.make_aware(
        datetime.datetime.combine(last_day + datetime.timedelta(days=2), datetime.time.min), zone
    )
    session_rows = [
        row
        for row in Session.objects.filter(
            lecturer_filter,
            status__in=LIVE_SESSION_STATUSES,
            starts_at__lt=window_end,
            ends_at__gt=window_start,
        ).values_list(
            "lecturer_id",
            "starts_at",
            "ends_at",
            "request__venue__latitude",
            "request__venue__longitude",
            "request_id",
            "request__venue__name",
            "request__date",
        )
        if row[0] in idx
    ]
    by_day = defaultdict(list)
    for row_number, row in enumerate(session_rows):
        by_day[row[7].toordinal()].append(row_number)
    booked = BookedSessions(
        lecturer=np.array([idx[r[0]] for r in session_rows], dtype=np.int64),
        start=np.array([_epoch_minutes(r[1]) for r in session_rows], dtype=np.int64),
        end=np.array([_epoch_minutes(r[2]) for r in session_rows], dtype=np.int64),
        lat=np.array([_float(r[3]) for r in session_rows]),
        lon=np.array([_float(r[4]) for r in session_rows]),
        request_id=np.array([r[5] for r in session_rows], dtype=np.int64),
        day=np.array([r[7].toordinal() for r in session_rows], dtype=np.int64),
        venue_names=[r[6] for r in session_rows],
        by_day={day: np.array(rows, dtype=np.int64) for day, rows in by_day.items()},
    )

    # Sessions per lecturer in each requested month (1 query, by date ranges).
    months = {_month_key(day) for day in days}
    month_filter = Q()
    for key in months:
        first = datetime.date(key // 12, key % 12 + 1, 1)
        following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        month_filter |= Q(request__date__gte=first, request__date__lt=following)
    monthly_load = {key: np.zeros(n, dtype=np.int64) for key in months}
    for user_id, day, count in (
        Session.objects.filter(lecturer_filter, month_filter, status__in=LIVE_SESSION_STATUSES)
        .values_list("lecturer_id", "request__date")
        .annotate(count=Count("id"))
        .order_by()
    ):
        key = _month_key(day)
        if user_id in idx and key in monthly_load:
            monthly_load[key][idx[user_id]] += count

    delivered = Session.objects.filter(
        lecturer_filter, status__in=(SessionStatus.DELIVERED, SessionStatus.VERIFIED)
    )
    # Times each lecturer taught each requested topic, and served each venue (2 queries).
    topic_history = {r.topic: np.zeros(n, dtype=np.int64) for r in requests}
    for user_id, topic, count in (
        delivered.filter(request__topic__in=list(topic_history))
        .values_list("lecturer_id", "request__topic")
        .annotate(count=Count("id"))
        .order_by()
    ):
        if user_id in idx:
            topic_history[topic][idx[user_id]] = count
    venue_history = {r.venue_id: np.zeros(n, dtype=np.int64) for r in requests}
    for user_id, venue_id, count in (
        delivered.filter(request__venue_id__in=list(venue_history))
        .values_list("lecturer_id", "request__venue_id")
        .annotate(count=Count("id"))
        .order_by()
    ):
        if user_id in idx:
            venue_history[venue_id][idx[user_id]] = count

    # Who already serves each series, and who refused or holds each request (2 queries).
    series_ids = {r.series for r in requests if r.series}
    series_lecturers: dict[object, set[int]] = defaultdict(set)
    if series_ids:
        for series, user_id in Session.objects.filter(
            lecturer_filter,
            request__series__in=series_ids,
            status__in=LIVE_SESSION_STATUSES,
        ).values_list("request__series", "lecturer_id"):
            if user_id in idx:
                series_lecturers[series].add(idx[user_id])
    refused: dict[int, dict[int, str]] = defaultdict(dict)
    assigned: dict[int, set[int]] = defaultdict(set)
    request_ids = [r.pk for r in requests if r.pk]
    if request_ids:
        for request_id, user_id, status in Session.objects.filter(
            lecturer_filter, request_id__in=request_ids
        ).values_list("request_id", "lecturer_id", "status"):
            if user_id not in idx:
                continue
            if status in LIVE_SESSION_STATUSES:
                assigned[request_id].add(idx[user_id])
            elif status in (SessionStatus.DECLINED, SessionStatus.EXPIRED):
                refused[request_id][idx[user_id]] = status

    return MatchingData(
        pool=pool,
        certificates=certificates,
        completed=completed,
        unavailable=unavailable,
        unavailable_notes=[r[3] for r in unavailable_rows],
        booked=booked,
        monthly_load=monthly_load,
        topic_history=topic_history,
        venue_history=venue_history,
        series_lecturers=dict(series_lecturers),
        refused=dict(refused),
        assigned=dict(assigned),
        prior=prior,
        prior_labels=[row[4] for row in prior_rows],
    )


# --- evaluating one request --------------------------------------------------------


@dataclass
class Evaluation:
    """Every lecturer's standing for one request, as columns."""

    request: ServiceRequest
    data: MatchingData
    flags: np.ndarray  # bit set of failed hard constraints (0 = allowed)
    cost: np.ndarray  # total soft cost
    distance_km: np.ndarray  # road km from home (NaN = unknown)
    certificate_expiry: np.ndarray  # ordinal of the latest expiry of a valid certificate
    load: np.ndarray  # sessions already this month
    taught: np.ndarray  # times taught this topic
    served_venue: np.ndarray
    in_series: np.ndarray
    not_preferred_type: np.ndarray
    beyond_preferred_distance: np.ndarray
    conflict_row: np.ndarray  # booked-session row that conflicts (-1 none)
    conflict_travel: np.ndarray  # travel minutes needed for that conflict
    unavailable_row: np.ndarray  # unavailable-period row (-1 none)
    # Ordinal of the latest expiry of an approved qualification from elsewhere covering the
    # topic on the date (-1 none), and its row in ``data.prior_labels``.
    prior_expiry: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    prior_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def feasible(self) -> np.ndarray:
        return self.flags == 0


def request_geometry(request):
    venue = request.venue
    return _float(venue.latitude), _float(venue.longitude)


def evaluate(data: MatchingData, request: ServiceRequest) -> Evaluation:
    """Check every hard constraint and price every soft cost for all lecturers at once."""
    pool = data.pool
    n = len(pool)
    topic = TOPICS_BY_CODE[request.topic]
    flags = np.zeros(n, dtype=np.int64)
    day = request.date.toordinal()

    # Already on this request, or refused it.
    for i in data.assigned.get(request.pk, ()):
        flags[i] |= BIT[ALREADY_ASSIGNED]
    for i in data.refused.get(request.pk, {}):
        flags[i] |= BIT[DECLINED]

    flags[~pool.active] |= BIT[PAUSED]

    # Certificate of the topic's qualification valid on the session date.
    expiry = np.full(n, -1, dtype=np.int64)
    if topic.qualification in data.certificates:
        holders, valid_from, valid_to = data.certificates[topic.qualification]
        valid = (valid_from <= day) & (valid_to >= day)
        np.maximum.at(expiry, holders[valid], valid_to[valid])
    bit = np.int64(1 << topic.bit)

    # An approved qualification from elsewhere covering the topic on the date stands for
    # both the certificate and the course.
    prior_expiry = np.full(n, -1, dtype=np.int64)
    prior_row = np.full(n, -1, dtype=np.int64)
    p_idx, p_bits, p_from, p_to = data.prior
    if len(p_idx):
        hits = np.nonzero(((p_bits & bit) != 0) & (p_from <= day) & (p_to >= day))[0]
        for row in hits[np.argsort(p_to[hits], kind="stable")]:  # the latest expiry wins
            prior_expiry[p_idx[row]] = p_to[row]
            prior_row[p_idx[row]] = row
    prior_ok = prior_expiry >= 0

    flags[(expiry < 0) & ~prior_ok] |= BIT[NO_CERTIFICATE]
    flags[(pool.topics & bit) == 0] |= BIT[TOPIC_NOT_OFFERED]
    flags[((data.completed & bit) == 0) & ~prior_ok] |= BIT[COURSE_NOT_COMPLETED]
    flags[(pool.languages & LANGUAGE_BITS.get(request.language, 0)) == 0] |= BIT[LANGUAGE]

    needed = np.int64(
        availability_needed(
            request.date.weekday(),
            _minute_of_day(request.start_time),
            _minute_of_day(request.end_time),
        )
    )
    flags[(pool.availability & needed) != needed] |= BIT[WEEKLY_AVAILABILITY]

    unavailable_row = np.full(n, -1, dtype=np.int64)
    u_idx, u_from, u_to = data.unavailable
    if len(u_idx):
        hits = np.nonzero((u_from <= day) & (u_to >= day))[0]
        unavailable_row[u_idx[hits]] = hits
        flags[u_idx[hits]] |= BIT[UNAVAILABLE_DATE]

    load = data.monthly_load.get(_month_key(request.date), np.zeros(n, dtype=np.int64))
    flags[load >= pool.cap] |= BIT[MONTHLY_CAP]

    # Other sessions of the same lecturer that day, the day before and after.
    venue_lat, venue_lon = request_geometry(request)
    conflict_row = np.full(n, -1, dtype=np.int64)
    conflict_travel = np.zeros(n)
    booked = data.booked
    rows = [booked.by_day.get(d) for d in (day - 1, day, day + 1)]
    rows = (
        np.concatenate([r for r in rows if r is not None])
        if any(r is not None for r in rows)
        else np.zeros(0, dtype=np.int64)
    )
    if len(rows):
        rows = rows[booked.request_id[rows] != (request.pk or 0)]
        start, end = _epoch_minutes(request.starts_at), _epoch_minutes(request.ends_at)
        s_start, s_end = booked.start[rows], booked.end[rows]
        overlap = (s_start < end) & (s_end > start)
        gap = np.maximum(start - s_end, s_start - end)
        needed_minutes = np.nan_to_num(
            travel.travel_minutes(booked.lat[rows], booked.lon[rows], venue_lat, venue_lon),
            nan=travel.TRANSFER_MINUTES,
        )
        too_far = ~overlap & (gap < needed_minutes)
        for mask, code in ((too_far, TRAVEL_TIME), (overlap, OVERLAP)):
            hit_rows = rows[mask]
            lecturers = booked.lecturer[hit_rows]
            flags[lecturers] |= BIT[code]
            conflict_row[lecturers] = hit_rows
            conflict_travel[lecturers] = needed_minutes[mask]

    # Soft costs.
    distance = travel.road_km(pool.lat, pool.lon, venue_lat, venue_lon)
    taught = data.topic_history.get(request.topic, np.zeros(n, dtype=np.int64))
    served = data.venue_history.get(request.venue_id, np.zeros(n, dtype=np.int64))
    in_series = np.zeros(n, dtype=bool)
    if request.series:
        members = list(data.series_lecturers.get(request.series, ()))
        in_series[members] = True
    type_bit = VENUE_TYPE_BITS.get(request.venue.venue_type, 0)
    not_preferred = (pool.preferred_venue_types != 0) & (
        (pool.preferred_venue_types & type_bit) == 0
    )
    beyond = ~np.isnan(pool.max_travel_km) & (np.nan_to_num(distance, nan=0.0) > pool.max_travel_km)
    cost = (
        np.nan_to_num(distance, nan=UNKNOWN_DISTANCE_KM)
        + FAIRNESS_WEIGHT * load
        - SERIES_CONTINUITY_BONUS * in_series
        - VENUE_CONTINUITY_BONUS * (served > 0)
        - EXPERIENCE_BONUS * np.minimum(taught, EXPERIENCE_CAP)
        + NOT_PREFERRED_VENUE_TYPE * not_preferred
        + BEYOND_PREFERRED_DISTANCE * beyond
    )
    return Evaluation(
        request=request,
        data=data,
        flags=flags,
        cost=cost,
        distance_km=distance,
        certificate_expiry=expiry,
        load=load,
        taught=taught,
        served_venue=served,
        in_series=in_series,
        not_preferred_type=not_preferred,
        beyond_preferred_distance=beyond,
        conflict_row=conflict_row,
        conflict_travel=conflict_travel,
        unavailable_row=unavailable_row,
        prior_expiry=prior_expiry,
        prior_row=prior_row,
    )


# --- explanations --------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def _month_label(ordinal_or_date) -> str:
    day = (
        ordinal_or_date
        if isinstance(ordinal_or_date, datetime.date)
        else datetime.date.fromordinal(int(ordinal_or_date))
    )
    return f"{day:%Y-%m}"


def _time(minutes_since_epoch: int) -> str:
    moment = datetime.datetime.fromtimestamp(int(minutes_since_epoch) * 60, tz=datetime.UTC)
    return formats.time_format(timezone.localtime(moment), "H:i")


def candidate_reasons(evaluation: Evaluation, i: int) -> list[Reason]:
    """Why lecturer ``i`` suits the request, in the reader's language."""
    request = evaluation.request
    topic = TOPICS_BY_CODE[request.topic]
    qualification = QUALIFICATION_LABELS[topic.qualification]
    reasons = []
    expiry = int(evaluation.certificate_expiry[i])
    if expiry < 0 and len(evaluation.prior_row) and evaluation.prior_row[i] >= 0:
        # Eligible by a qualification from elsewhere only: said as such, never as ours.
        label = evaluation.data.prior_labels[int(evaluation.prior_row[i])]
        prior_expiry = int(evaluation.prior_expiry[i])
        if prior_expiry >= datetime.date.max.toordinal():
            text = _("recognised qualification from elsewhere: %(label)s, without expiry") % {
                "label": label
            }
        else:
            text = _("recognised qualification from elsewhere: %(label)s, until %(month)s") % {
                "label": label,
                "month": _month_label(prior_expiry),
            }
        reasons.append(Reason("prior_qualification", text))
    elif expiry >= datetime.date.max.toordinal():
        text = _("valid %(qualification)s certificate without expiry") % {
            "qualification": qualification
        }
        reasons.append(Reason("certificate", text))
    else:
        text = _("valid %(qualification)s certificate until %(month)s") % {
            "qualification": qualification,
            "month": _month_label(expiry),
        }
        reasons.append(Reason("certificate", text))
    taught = int(evaluation.taught[i])
    if taught:
        text = ngettext(
            "taught this course %(count)d time", "taught this course %(count)d times", taught
        ) % {"count": taught}
    else:
        text = _("has not taught this course here yet")
    reasons.append(Reason("experience", text))
    reasons.append(
        Reason(
            "language",
            _("speaks %(language)s") % {"language": Language(request.language).label},
        )
    )
    distance = evaluation.distance_km[i]
    if np.isnan(distance):
        reasons.append(Reason("distance", _("distance unknown (no home location)")))
    else:
        reasons.append(Reason("distance", _("%(km)d km") % {"km": round(float(distance))}))
    load = int(evaluation.load[i])
    reasons.append(
        Reason(
            "workload",
            ngettext("%(count)d session this month", "%(count)d sessions this month", load)
            % {"count": load},
        )
    )
    if evaluation.in_series[i]:
        reasons.append(Reason("continuity", _("already teaches this series")))
    elif evaluation.served_venue[i]:
        reasons.append(Reason("continuity", _("has served this venue before")))
    if evaluation.not_preferred_type[i]:
        reasons.append(Reason("preference", _("prefers other kinds of venue")))
    if evaluation.beyond_preferred_distance[i]:
        reasons.append(
            Reason(
                "preference",
                _("farther than their preferred %(km)d km")
                % {"km": int(evaluation.data.pool.max_travel_km[i])},
            )
        )
    return reasons


def exclusion_reasons(evaluation: Evaluation, i: int) -> list[Reason]:
    """Why lecturer ``i`` cannot take the request, one reason per failed constraint."""
    request = evaluation.request
    flags = int(evaluation.flags[i])
    topic = TOPICS_BY_CODE[request.topic]
    data = evaluation.data
    reasons = []
    for code in HARD_CONSTRAINTS:
        if not flags & BIT[code]:
            continue
        if code == ALREADY_ASSIGNED:
            text = _("already assigned to this request")
        elif code == DECLINED:
            status = data.refused.get(request.pk, {}).get(i)
            text = (
                _("did not answer this request in time")
                if status == SessionStatus.EXPIRED
                else _("declined this request")
            )
        elif code == PAUSED:
            text = _("has paused their availability")
        elif code == NO_CERTIFICATE:
            text = _("no valid %(qualification)s certificate on %(date)s") % {
                "qualification": QUALIFICATION_LABELS[topic.qualification],
                "date": request.date.isoformat(),
            }
        elif code == TOPIC_NOT_OFFERED:
            text = _("does not offer “%(topic)s”") % {"topic": topic.title}
        elif code == COURSE_NOT_COMPLETED:
            text = _("has not completed the course “%(topic)s”") % {"topic": topic.title}
        elif code == LANGUAGE:
            text = _("does not speak %(language)s") % {"language": Language(request.language).label}
        elif code == WEEKLY_AVAILABILITY:
            text = _("not available on %(weekday)s at %(start)s–%(end)s") % {
                "weekday": WEEKDAY_LABELS[request.date.weekday()],
                "start": request.start_time.strftime("%H:%M"),
                "end": request.end_time.strftime("%H:%M"),
            }
        elif code == UNAVAILABLE_DATE:
            note = data.unavailable_notes[int(evaluation.unavailable_row[i])]
            text = _("unavailable on %(date)s") % {"date": request.date.isoformat()}
            if note:
                text = f"{text} ({note})"
        elif code == MONTHLY_CAP:
            text = _("already has %(count)d sessions in %(month)s (monthly cap %(cap)d)") % {
                "count": int(evaluation.load[i]),
                "month": _month_label(request.date),
                "cap": int(data.pool.cap[i]),
            }
        elif code == OVERLAP:
            row = int(evaluation.conflict_row[i])
            text = _("already booked %(start)s–%(end)s at %(venue)s") % {
                "start": _time(data.booked.start[row]),
                "end": _time(data.booked.end[row]),
                "venue": data.booked.venue_names[row],
            }
        else:  # TRAVEL_TIME
            row = int(evaluation.conflict_row[i])
            text = _(
                "needs about %(minutes)d minutes to travel from %(venue)s "
                "(%(start)s–%(end)s); there is not enough time between the sessions"
            ) % {
                "minutes": round(float(evaluation.conflict_travel[i])),
                "venue": data.booked.venue_names[row],
                "start": _time(data.booked.start[row]),
                "end": _time(data.booked.end[row]),
            }
        reasons.append(Reason(code, text))
    return reasons


class Candidate:
    """An allowed lecturer; the reasons are rendered when first read."""

    def __init__(self, evaluation: Evaluation, i: int):
        self._evaluation, self._i = evaluation, i
        self.user_id = int(evaluation.data.pool.user_ids[i])
        self.name = evaluation.data.pool.names[i]
        self.cost = round(float(evaluation.cost[i]), 1)
        distance = evaluation.distance_km[i]
        self.distance_km = None if np.isnan(distance) else round(float(distance), 1)
        self._reasons = None

    @property
    def reasons(self) -> list[Reason]:
        if self._reasons is None:
            self._reasons = candidate_reasons(self._evaluation, self._i)
        return self._reasons

    @property
    def reason_text(self) -> str:
        return "; ".join(str(reason) for reason in self.reasons)


class Exclusion:
    """An excluded lecturer; the reasons are rendered when first read."""

    def __init__(self, evaluation: Evaluation, i: int):
        self._evaluation, self._i = evaluation, i
        self.user_id = int(evaluation.data.pool.user_ids[i])
        self.name = evaluation.data.pool.names[i]
        self.flags = int(evaluation.flags[i])
        self._reasons = None

    @property
    def codes(self) -> list[str]:
        return [code for code in HARD_CONSTRAINTS if self.flags & BIT[code]]

    @property
    def reasons(self) -> list[Reason]:
        if self._reasons is None:
            self._reasons = exclusion_reasons(self._evaluation, self._i)
        return self._reasons

    @property
    def reason_text(self) -> str:
        return "; ".join(str(reason) for reason in self.reasons)


class LazyRows(Sequence):
    """A read-only list whose rows are made when first read (thousands of lecturers are
    ranked or excluded; a page shows a few of them)."""

    def __init__(self, indices, make):
        self._indices, self._make, self._made = indices, make, {}

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self[i] for i in range(*key.indices(len(self)))]
        if key < 0:
            key += len(self)
        if not 0 <= key < len(self):
            raise IndexError(key)
        if key not in self._made:
            self._made[key] = self._make(int(self._indices[key]))
        return self._made[key]


class Ranking:
    """Allowed lecturers best first, and every excluded lecturer, each with reasons."""

    def __init__(self, evaluation: Evaluation, *, limit: int | None = None):
        self.request = evaluation.request
        self.evaluation = evaluation
        feasible = np.nonzero(evaluation.feasible)[0]
        order = feasible[np.argsort(evaluation.cost[feasible], kind="stable")]
        if limit is not None:
            order = order[:limit]
        self.excluded = np.nonzero(~evaluation.feasible)[0]
        self.candidates = LazyRows(order, lambda i: Candidate(evaluation, i))
        self.exclusions = LazyRows(self.excluded, lambda i: Exclusion(evaluation, i))

    def exclusion_summary(self) -> list[tuple[str, str, int]]:
        """(code, label, how many lecturers fail it), most common first."""
        flags = self.evaluation.flags[self.excluded]
        counts = [
            (code, constraint_label(code), int(((flags & BIT[code]) != 0).sum()))
            for code in HARD_CONSTRAINTS
        ]
        return sorted((c for c in counts if c[2]), key=lambda item: -item[2])


def rank_evaluation(evaluation: Evaluation, *, limit: int | None = None) -> Ranking:
    return Ranking(evaluation, limit=limit)


def rank_candidates(request: ServiceRequest, *, limit: int | None = None) -> Ranking:
    """Allowed lecturers for a request, best first, with reasons; and everyone excluded."""
    data = load_matching_data([request])
    return rank_evaluation(evaluate(data, request), limit=limit)


def hard_constraint_failures(request: ServiceRequest, lecturer) -> list[Reason]:
    """The hard constraints one lecturer fails for a request (empty list = allowed)."""
    data = load_matching_data([request], user_ids=[lecturer.pk])
    if not len(data.pool):
        return [Reason("no_profile", _("%(name)s has no lecturer profile.") % {"name": lecturer})]
    evaluation = evaluate(data, request)
    return exclusion_reasons(evaluation, 0)


def best_candidate(request: ServiceRequest, *, exclude_user_ids=()) -> Candidate | None:
    ranking = rank_candidates(request)
    for candidate in ranking.candidates:
        if candidate.user_id not in exclude_user_ids:
            return candidate
    return None


# --- lists for pages and the API ----------------------------------------------------


def requests_for_coordinator(district, *, status=None, month: datetime.date | None = None):
    rows = (
        ServiceRequest.objects.in_scope(district)
        .select_related("venue", "venue__district")
        .prefetch_related("sessions__lecturer")
        .order_by("starts_at", "pk")
    )
    if status:
        rows = rows.filter(status=status)
    if month:
        first = month.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        rows = rows.filter(date__gte=first, date__lt=following)  # a range the index serves
    return rows


def with_venue_contacts(sessions):
    """The venue's active contact people on ``venue.active_contacts`` (one query)."""
    return sessions.prefetch_related(
        Prefetch(
            "request__venue__contacts",
            queryset=VenueContact.objects.filter(is_active=True).order_by("name", "pk"),
            to_attr="active_contacts",
        )
    )


def sessions_for_lecturer(user):
    return with_venue_contacts(
        Session.objects.filter(lecturer=user)
        .select_related(
            "request",
            "request__venue",
            "request__venue__district",
            "request__venue__township",
            "delivery_report",
        )
        .order_by("starts_at", "pk")
    )


def lecturer_session(user, pk) -> Session | None:
    """One of ``user``'s own sessions with what a lecturer needs to get there and run it:
    the venue (address, township), its contact people, the request's notes and materials.
    None when the session is not theirs (the page answers 404, never someone else's)."""
    return (
        with_venue_contacts(
            Session.objects.filter(lecturer=user, pk=pk).select_related(
                "request",
                "request__venue",
                "request__venue__district",
                "request__venue__township",
                "delivery_report",
            )
        )
        .order_by()
        .first()
    )


# Contact people are shown to a lecturer while the session is theirs to run or report on;
# a declined, expired or cancelled session no longer gives access to the venue's phones.
CONTACT_VISIBLE_STATUSES = (
    SessionStatus.PROPOSED,
    SessionStatus.ACCEPTED,
    SessionStatus.CONFIRMED,
    SessionStatus.DELIVERED,
)


@dataclass(frozen=True)
class ContactPerson:
    name: str
    phone: str
    email: str


def contact_people(session: Session) -> list[ContactPerson]:
    """Whom the lecturer calls at the venue: its active contacts (``VenueContact``), then
    the venue's own contact fields when they name someone else. Empty for a session the
    lecturer no longer runs. Uses ``venue.active_contacts`` when prefetched."""
    if session.status not in CONTACT_VISIBLE_STATUSES:
        return []
    venue = session.request.venue
    contacts = getattr(venue, "active_contacts", None)
    if contacts is None:
        contacts = venue.contacts.filter(is_active=True).order_by("name", "pk")
    people = [ContactPerson(c.name, c.phone, c.email) for c in contacts]
    known = {person.name for person in people}
    if (venue.contact_name or venue.contact_phone) and venue.contact_name not in known:
        people.append(ContactPerson(venue.contact_name, venue.contact_phone, ""))
    return people


def teaching_course(topic_title: str):
    """The published course of a session's topic (its teaching material), or None."""
    from courses.models import Course

    return Course.objects.live().originals().filter(title=topic_title).order_by("pk").first()


def reports_waiting_for_verification(district):
    return (
        DeliveryReport.objects.filter(state=ReportState.FILED)
        .filter(Q(session__request__venue__district=district) if district else Q())
        .select_related(
            "session", "session__lecturer", "session__request", "session__request__venue"
        )
        .order_by("filed_at")
    )


def calendar_sessions(district, first_day: datetime.date, last_day: datetime.date):
    """Live sessions in the period, in scope, for the coordinator's calendar by district."""
    return (
        Session.objects.live()
        .in_scope(district)
        .filter(request__date__gte=first_day, request__date__lte=last_day)
        .select_related("lecturer", "request", "request__venue", "request__venue__district")
        .order_by("starts_at", "request__venue__district__sort_order", "pk")
    )


def unread_notification_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def lecturers_in_scope(district):
    return (
        LecturerProfile.objects.in_scope(district)
        .filter(user__is_active=True)
        .select_related("user", "district", "township")
        .order_by("user__username")
    )


# --- figures other apps use ---------------------------------------------------------


def verified_sessions_count(user_ids, since: datetime.date | None = None) -> dict[int, int]:
    """Verified sessions each lecturer delivered on or after ``since`` (for renewal)."""
    rows = Session.objects.filter(lecturer_id__in=list(user_ids), status=SessionStatus.VERIFIED)
    if since is not None:
        rows = rows.filter(request__date__gte=since)
    return dict(rows.values_list("lecturer_id").annotate(count=Count("id")).order_by())


def verified_sessions_by_lecturer(users, windows, qualification: str) -> dict[int, int]:
    """Verified sessions per user within their window ``{user_id: (first_day, last_day)}``,
    of the topics that need ``qualification`` (``topics.Topic.qualification``: children's
    activities the psychological counsellor's, caregivers' courses the family-education
    instructor's): a session counts toward the renewal of that qualification only.

    The interface ``certification.selectors.verified_sessions_delivered`` calls (one
    query: the windows are applied to a small per-day count in Python).
    """
    rows = (
        Session.objects.filter(
            lecturer__in=users,
            status=SessionStatus.VERIFIED,
            request__topic__in=topic_codes_for(qualification),
        )
        .values_list("lecturer_id", "request__date")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[int, int] = defaultdict(int)
    for user_id, day, count in rows:
        window = windows.get(user_id)
        if window is None:
            continue
        first, last = window
        if (first is None or day >= first) and (last is None or day <= last):
            counts[user_id] += count
    return dict(counts)


def person_times(district=None, first_day=None, last_day=None) -> dict[str, int]:
    """Person-times (人次) served by verified sessions, by audience group."""
    rows = DeliveryReport.objects.filter(session__status=SessionStatus.VERIFIED)
    if district is not None:
        rows = rows.filter(session__request__venue__district=district)
    if first_day:
        rows = rows.filter(session__request__date__gte=first_day)
    if last_day:
        rows = rows.filter(session__request__date__lte=last_day)
    totals = rows.aggregate(
        children=Sum("children_count"),
        caregivers=Sum("caregivers_count"),
        teachers=Sum("teachers_count"),
        others=Sum("others_count"),
    )
    totals = {key: value or 0 for key, value in totals.items()}
    totals["total"] = sum(totals.values())
    return totals


def future_sessions_without_certificate(
    user_ids=None,
    today: datetime.date | None = None,
    *,
    district=None,
    last_day: datetime.date | None = None,
    request_ids=None,
):
    """Coming live sessions whose lecturer holds no valid certificate of the topic's
    qualification on the session date (two queries; ``request_ids`` limits it to the
    sessions of those requests, e.g. one page of a list)."""
    today = today or timezone.localdate()
    sessions = Session.objects.filter(
        status__in=(SessionStatus.PROPOSED, SessionStatus.ACCEPTED, SessionStatus.CONFIRMED),
        request__date__gte=today,
    )
    if user_ids is not None:
        sessions = sessions.filter(lecturer_id__in=list(user_ids))
    if district is not None:
        sessions = sessions.filter(request__venue__district=district)
    if last_day is not None:
        sessions = sessions.filter(request__date__lte=last_day)
    if request_ids is not None:
        sessions = sessions.filter(request_id__in=list(request_ids))
    sessions = list(sessions.select_related("request", "request__venue", "lecturer"))
    if not sessions:
        return []
    last_day = max(s.request.date for s in sessions)
    lecturer_ids = {s.lecturer_id for s in sessions}
    periods = defaultdict(list)
    for holder, code, valid_from, expires_on in eligibility.certificate_periods(
        lecturer_ids, today, last_day
    ):
        periods[(holder, code)].append((valid_from, expires_on or datetime.date.max))
    # An approved qualification from elsewhere covering the topic counts as well.
    prior = defaultdict(list)
    for holder, bits, valid_from, expires_on, _label in eligibility.prior_qualification_periods(
        lecturer_ids, today, last_day
    ):
        prior[holder].append((bits, valid_from, expires_on or datetime.date.max))
    affected = []
    for session in sessions:
        code = session.request.qualification
        day = session.request.date
        topic = TOPICS_BY_CODE.get(session.request.topic)
        bit = 1 << topic.bit if topic else 0
        if not any(
            start <= day <= end for start, end in periods.get((session.lecturer_id, code), ())
        ) and not any(
            bits & bit and start <= day <= end
            for bits, start, end in prior.get(session.lecturer_id, ())
        ):
            affected.append(session)
    return affected


def period_label(period: int) -> str:
    low, high = PERIOD_BOUNDARIES[period]
    return f"{low // 60:02d}:00–{high // 60:02d}:00"
