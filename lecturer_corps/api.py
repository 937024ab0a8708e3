"""Lecturer corps API: lecturers, venues, service requests, matching, sessions, reports.

Coordinators act within their scope (objects outside it answer 404); a lecturer sees
and answers only their own sessions. Refusals carry stable codes: ``not_found``,
``permission_denied``, ``invalid`` (with the reason, e.g. a hard constraint that fails).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from lms.age_bands import AGE_BANDS
from lms.api import ApiError
from lms.api_types import (
    CodeText,
    Id,
    Limit,
    LocalTime,
    NoteText,
    Offset,
    ReasonText,
    TitleText,
)
from lms.textinput import CODE, LABEL, TextPolicy, api_text
from offline.idempotency import idempotent

from . import delivery, permissions, selectors, services
from .assignment import plan_auto_assign
from .delivery import CHILD_CELLS, MAX_CELL
from .forms import MATERIALS
from .models import (
    ChildGroup,
    DeliveryReport,
    ReportState,
    RequestStatus,
    ServiceRequest,
    Session,
    Venue,
    VenueType,
)

router = Router(tags=["lecturer corps"])

MAX_PAGE = 500
MAX_ATTENDANCE = 100_000  # people at one session; more is a typing mistake
PageLimit = Limit(MAX_PAGE)
ListLength = Annotated[int, Field(ge=0, le=MAX_PAGE)]
OptionalCodeText = api_text(CODE.optional())
AddressText = api_text(TextPolicy(300, purpose=LABEL))
ContactNameText = api_text(TextPolicy(100, purpose=LABEL))
PhoneText = api_text(TextPolicy(30, purpose=LABEL))
VenueNotesText = api_text(TextPolicy(2000, multiline=True, required=False))
ReportNotesText = api_text(TextPolicy(2000, multiline=True, required=False))
MaterialsText = api_text(MATERIALS)


# --- schemas -------------------------------------------------------------------------


class LecturerOut(Schema):
    id: int
    name: str
    district: str | None
    township: str | None
    languages: list[str]
    topics: list[str]
    monthly_cap: int
    active: bool


class VenueOut(Schema):
    id: int
    name: str
    venue_type: str
    district: str
    district_id: int
    township: str | None
    address: str
    latitude: float | None
    longitude: float | None
    capacity: int | None
    active: bool


class VenueIn(Schema):
    name: TitleText
    venue_type: VenueType
    district_id: Id
    township_id: Id | None = None
    address: AddressText = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    contact_name: ContactNameText = ""
    contact_phone: PhoneText = ""
    capacity: int | None = Field(None, ge=1, le=100000)
    notes: VenueNotesText = ""


class SessionOut(Schema):
    id: int
    request_id: int
    lecturer_id: int
    lecturer: str
    status: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    response_deadline: datetime.datetime


class ServiceRequestOut(Schema):
    id: int
    venue_id: int
    venue: str
    district_id: int
    topic: str
    topic_title: str
    audience: str
    age_band: str
    expected_size: int
    language: str
    date: datetime.date
    start_time: LocalTime
    end_time: LocalTime
    class_hours: int
    lecturers_needed: int
    status: str
    series: str | None
    series_index: int
    sessions: list[SessionOut]


class ServiceRequestIn(Schema):
    venue_id: Id
    topic: CodeText
    audience: CodeText
    age_band: OptionalCodeText = ""
    expected_size: int = Field(ge=1, le=10000)
    language: CodeText
    date: datetime.date
    start_time: LocalTime
    end_time: LocalTime
    class_hours: int = Field(2, ge=2, le=4)
    lecturers_needed: int = Field(1, ge=1, le=3)
    notes: NoteText = ""
    materials: MaterialsText = ""
    repeat_weekly: int = Field(1, ge=1, le=12)


class ReasonOut(Schema):
    code: str
    message: str


class CandidateOut(Schema):
    lecturer_id: int
    name: str
    cost: float
    distance_km: float | None
    reasons: list[ReasonOut]


class ExclusionOut(Schema):
    lecturer_id: int
    name: str
    reasons: list[ReasonOut]


class CandidatesOut(Schema):
    request_id: int
    candidates: list[CandidateOut]
    excluded_count: int
    exclusions: list[ExclusionOut]


class AssignIn(Schema):
    lecturer_id: Id
    whole_series: bool = True


class PlanPair(Schema):
    request_id: Id
    lecturer_id: Id


class AutoAssignIn(Schema):
    first_day: datetime.date
    last_day: datetime.date
    items: list[PlanPair] | None = Field(
        None, description="Send the pairs of a plan you were shown to propose them."
    )


class PlanItemOut(Schema):
    request_id: int
    lecturer_id: int
    name: str
    cost: float
    reasons: list[str]


class UnfilledOut(Schema):
    request_id: int
    seats: int
    reasons: list[str]


class AutoAssignOut(Schema):
    applied: bool
    items: list[PlanItemOut]
    unfilled: list[UnfilledOut]
    total_cost: float
    greedy_cost: float
    lower_bound: float
    proven_optimal: bool
    proposed: int = 0
    problems: list[str] = []


class DeclineIn(Schema):
    reason: ReasonText


class ChildCount(Schema):
    """Children of one group and one age band (``lms.age_bands``); a count, never names."""

    group: Literal[tuple(ChildGroup.values)]  # type: ignore[valid-type]
    age_band: Literal[tuple(AGE_BANDS)]  # type: ignore[valid-type]
    count: int = Field(..., ge=0, le=MAX_CELL)


class DeliveryReportIn(Schema):
    actual_minutes: int = Field(..., ge=1, le=600)
    children: list[ChildCount] = Field(default_factory=list, max_length=len(CHILD_CELLS))
    caregivers_count: int = Field(0, ge=0, le=MAX_CELL)
    teachers_count: int = Field(0, ge=0, le=MAX_CELL)
    others_count: int = Field(0, ge=0, le=MAX_CELL)
    notes: ReportNotesText = ""


class DeliveryReportOut(Schema):
    id: int
    session_id: int
    state: str
    children: list[ChildCount]
    children_count: int
    children_in_difficulty_count: int
    caregivers_count: int
    teachers_count: int
    others_count: int
    person_times: int
    actual_minutes: int
    verified: bool


# --- helpers -------------------------------------------------------------------------


def _session_out(session) -> dict:
    return {
        "id": session.pk,
        "request_id": session.request_id,
        "lecturer_id": session.lecturer_id,
        "lecturer": str(session.lecturer),
        "status": session.status,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "response_deadline": session.response_deadline,
    }


def _request_out(service_request) -> dict:
    return {
        "id": service_request.pk,
        "venue_id": service_request.venue_id,
        "venue": service_request.venue.name,
        "district_id": service_request.venue.district_id,
        "topic": service_request.topic,
        "topic_title": service_request.topic_title,
        "audience": service_request.audience,
        "age_band": service_request.age_band,
        "expected_size": service_request.expected_size,
        "language": service_request.language,
        "date": service_request.date,
        "start_time": service_request.start_time,
        "end_time": service_request.end_time,
        "class_hours": service_request.class_hours,
        "lecturers_needed": service_request.lecturers_needed,
        "status": service_request.status,
        "series": str(service_request.series) if service_request.series else None,
        "series_index": service_request.series_index,
        "sessions": [_session_out(s) for s in service_request.sessions.all()],
    }


def _venue_out(venue) -> dict:
    return {
        "id": venue.pk,
        "name": venue.name,
        "venue_type": venue.venue_type,
        "district": venue.district.name,
        "district_id": venue.district_id,
        "township": venue.township.name if venue.township_id else None,
        "address": venue.address,
        "latitude": float(venue.latitude) if venue.latitude is not None else None,
        "longitude": float(venue.longitude) if venue.longitude is not None else None,
        "capacity": venue.capacity,
        "active": venue.is_active,
    }


def _scoped_request(request, pk) -> ServiceRequest:
    scope = permissions.check_coordinator(request.auth)
    return get_object_or_404(ServiceRequest.objects.in_scope(scope).select_related("venue"), pk=pk)


def _own_session(request, pk) -> Session:
    return get_object_or_404(
        Session.objects.select_related("request", "request__venue"), pk=pk, lecturer=request.auth
    )


def _reasons(reasons) -> list[dict]:
    return [{"code": r.code, "message": str(r.message)} for r in reasons]


# --- lecturers and venues ------------------------------------------------------------


@router.get("/lecturers", response=list[LecturerOut])
def list_lecturers(request, offset: Offset = 0, limit: PageLimit = 100):
    """Lecturer profiles in the coordinator's scope."""
    scope = permissions.check_coordinator(request.auth)
    profiles = selectors.lecturers_in_scope(scope)[offset : offset + limit]
    return [
        {
            "id": p.user_id,
            "name": str(p.user),
            "district": p.district.name if p.district_id else None,
            "township": p.township.name if p.township_id else None,
            "languages": p.languages or [],
            "topics": p.topics or [],
            "monthly_cap": p.monthly_cap,
            "active": p.is_active,
        }
        for p in profiles
    ]


@router.get("/venues", response=list[VenueOut])
def list_venues(
    request,
    venue_type: VenueType | None = None,
    offset: Offset = 0,
    limit: PageLimit = 200,
):
    """Venues in the coordinator's scope."""
    scope = permissions.check_coordinator(request.auth)
    venues = Venue.objects.in_scope(scope).select_related("district", "township")
    if venue_type:
        venues = venues.filter(venue_type=venue_type)
    return [_venue_out(v) for v in venues[offset : offset + limit]]


@router.post("/venues", response={201: VenueOut})
def create_venue(request, payload: VenueIn):
    """Add a venue (a district coordinator: in their district only)."""
    data = payload.dict()
    venue = services.create_venue(actor=request.auth, **data)
    venue = Venue.objects.select_related("district", "township").get(pk=venue.pk)
    return Status(201, _venue_out(venue))


# --- service requests ----------------------------------------------------------------


@router.get("/service-requests", response=list[ServiceRequestOut])
def list_service_requests(
    request,
    status: RequestStatus | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    offset: Offset = 0,
    limit: PageLimit = 100,
):
    """Requests in the coordinator's scope, by start time, one page at a time.

    A page is ``limit`` requests (default 100, at most 500) from ``offset`` (default 0);
    ``status``, ``date_from`` and ``date_to`` filter before paging. For the next page add
    ``limit`` to ``offset``; a page shorter than ``limit`` is the last.
    """
    scope = permissions.check_coordinator(request.auth)
    rows = (
        ServiceRequest.objects.in_scope(scope)
        .select_related("venue")
        .prefetch_related("sessions__lecturer")
        .order_by("starts_at", "pk")
    )
    if status:
        rows = rows.filter(status=status)
    if date_from:
        rows = rows.filter(date__gte=date_from)
    if date_to:
        rows = rows.filter(date__lte=date_to)
    return [_request_out(r) for r in rows[offset : offset + limit]]


@router.post("/service-requests", response={201: list[ServiceRequestOut]})
def create_service_request(request, payload: ServiceRequestIn):
    """Create a request (or a weekly series with ``repeat_weekly`` > 1)."""
    scope = permissions.check_coordinator(request.auth)
    venue = Venue.objects.in_scope(scope).filter(pk=payload.venue_id).first()
    if venue is None:
        # A bad reference in the body is invalid input (as in the practicum API), not a 404.
        raise ApiError(400, "invalid", _("Unknown venue."), errors={"venue_id": [payload.venue_id]})
    data = payload.dict()
    data.pop("venue_id")
    created = services.create_service_request(actor=request.auth, venue=venue, **data)
    rows = (
        ServiceRequest.objects.filter(pk__in=[r.pk for r in created])
        .select_related("venue")
        .prefetch_related("sessions__lecturer")
    )
    return Status(201, [_request_out(r) for r in rows])


@router.get("/service-requests/{request_id}/candidates", response=CandidatesOut)
def candidates(
    request,
    request_id: Id,
    limit: ListLength = 20,
    exclusions: ListLength = 50,
):
    """Allowed lecturers best first with reasons; excluded lecturers with reasons."""
    service_request = _scoped_request(request, request_id)
    ranking = selectors.rank_candidates(service_request)
    return {
        "request_id": service_request.pk,
        "candidates": [
            {
                "lecturer_id": c.user_id,
                "name": c.name,
                "cost": c.cost,
                "distance_km": c.distance_km,
                "reasons": _reasons(c.reasons),
            }
            for c in ranking.candidates[:limit]
        ],
        "excluded_count": len(ranking.exclusions),
        "exclusions": [
            {"lecturer_id": e.user_id, "name": e.name, "reasons": _reasons(e.reasons)}
            for e in ranking.exclusions[:exclusions]
        ],
    }


@router.post("/service-requests/{request_id}/assign", response={201: SessionOut})
def assign(request, request_id: Id, payload: AssignIn):
    """Propose a lecturer (every hard constraint is checked again)."""
    service_request = _scoped_request(request, request_id)
    lecturer = get_object_or_404(get_user_model(), pk=payload.lecturer_id, is_active=True)
    session = services.assign_lecturer(
        actor=request.auth,
        service_request=service_request,
        lecturer=lecturer,
        whole_series=payload.whole_series,
    )
    return Status(201, _session_out(session))


@router.post("/service-requests/auto-assign", response=AutoAssignOut)
def auto_assign(request, payload: AutoAssignIn):
    """Without ``items``: the optimal plan for the open requests of the period (nothing
    is sent). With ``items``: propose those pairs (each checked again)."""
    if payload.last_day < payload.first_day or (payload.last_day - payload.first_day).days > 92:
        raise ApiError(400, "invalid", "Give a period of at most three months.")
    open_requests = services.open_requests_for_period(
        request.auth, payload.first_day, payload.last_day
    )
    if payload.items is not None:
        created, problems = services.apply_plan(
            actor=request.auth,
            items=[(item.request_id, item.lecturer_id) for item in payload.items],
        )
        return {
            "applied": True,
            "items": [],
            "unfilled": [],
            "total_cost": 0.0,
            "greedy_cost": 0.0,
            "lower_bound": 0.0,
            "proven_optimal": False,
            "proposed": len(created),
            "problems": problems,
        }
    plan = plan_auto_assign(open_requests)
    return {
        "applied": False,
        "items": [
            {
                "request_id": item.request.pk,
                "lecturer_id": item.user_id,
                "name": item.name,
                "cost": item.cost,
                "reasons": [str(r) for r in item.reasons],
            }
            for item in plan.items
        ],
        "unfilled": [
            {"request_id": u.request.pk, "seats": u.seats, "reasons": u.reasons}
            for u in plan.unfilled
        ],
        "total_cost": round(plan.total_cost, 1),
        "greedy_cost": round(plan.greedy_cost, 1),
        "lower_bound": round(plan.solution.lower_bound, 1) if plan.solution else 0.0,
        "proven_optimal": bool(plan.solution and plan.solution.proven_optimal),
    }


# --- sessions ------------------------------------------------------------------------


@router.post("/sessions/{session_id}/accept", response=SessionOut)
def accept(request, session_id: Id):
    session = _own_session(request, session_id)
    session = services.respond_to_session(actor=request.auth, session=session, accept=True)
    return _session_out(session)


@router.post("/sessions/{session_id}/decline", response=SessionOut)
def decline(request, session_id: Id, payload: DeclineIn):
    session = _own_session(request, session_id)
    session = services.respond_to_session(
        actor=request.auth, session=session, accept=False, reason=payload.reason
    )
    return _session_out(session)


@router.post("/sessions/{session_id}/delivery-report", response={201: DeliveryReportOut})
@idempotent("lecturer_corps.report.file")
def delivery_report(request, session_id: Id, payload: DeliveryReportIn):
    """File the delivery report: children by group and age band, adults, minutes, notes.
    No photo: attendance is counted, never named. The venue's contacts are asked to
    confirm it by e-mail. With an ``Idempotency-Key`` (a report drafted offline), sending
    the same report again returns the first answer."""
    session = _own_session(request, session_id)
    cells = {}
    for item in payload.children:
        key = (item.group, item.age_band)
        if key in cells:
            raise ApiError(400, "invalid", _("Each group and age band may be given once."))
        cells[key] = item.count
    report: DeliveryReport = delivery.file_delivery_report(
        actor=request.auth,
        session=session,
        child_counts=cells,
        caregivers_count=payload.caregivers_count,
        teachers_count=payload.teachers_count,
        others_count=payload.others_count,
        actual_minutes=payload.actual_minutes,
        notes=payload.notes,
    )
    return Status(
        201,
        {
            "id": report.pk,
            "session_id": session.pk,
            "state": report.state,
            "children": [
                {"group": row.group, "age_band": row.age_band, "count": row.count}
                for row in report.child_counts.all()
            ],
            "children_count": report.children_count,
            "children_in_difficulty_count": report.children_in_difficulty_count,
            "caregivers_count": report.caregivers_count,
            "teachers_count": report.teachers_count,
            "others_count": report.others_count,
            "person_times": report.person_times,
            "actual_minutes": report.actual_minutes,
            "verified": report.state == ReportState.VERIFIED,
        },
    )
