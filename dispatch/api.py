"""Dispatch planning API: a venue's own requests and sessions, triage, the month's plan,
costs and qualifications from elsewhere.

A venue contact (an account linked to a venue's contact record) sees and changes only
its venue's requests; another venue's answers 404. Coordinators act within their scope
(objects outside it answer 404). Refusals carry stable codes: ``permission_denied``,
``not_found``, ``invalid`` (with the reason) and ``invalid_state`` (409: the request is
not in a state that allows this).

Two operations take a file (``multipart/form-data``): the request import
(``POST /dispatch/import``, the same CSV/XLSX template and reader as the page — all or
nothing; a refused file is 400 ``import_refused`` with every problem by its line in
``lines``, or ``unreadable_file`` when the file as a whole cannot be read) and a
qualification from elsewhere with its scanned evidence (``POST /prior-qualifications``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from lecturer_corps.topics import TOPICS
from lms.api import ApiError
from lms.api_errors import error_responses
from lms.api_types import CodeText, Id, LocalTime, NoteText, ReasonText, UsernameText
from lms.textinput import api_text

from . import costs, permissions, planning, prior_qualifications, selectors, services
from .models import (
    MAX_DATES,
    PriorQualification,
    PriorQualificationStatus,
    VenueRequest,
    VenueRequestStatus,
)

router = Router(tags=["dispatch planning"])

Year = Annotated[int, Field(ge=2000, le=2100, description="The year, e.g. 2026.")]
Month = Annotated[int, Field(ge=1, le=12, description="The month, 1-12.")]
STATE_ERRORS = error_responses(409)


# --- schemas -----------------------------------------------------------------------------------


class VenueRequestIn(Schema):
    topic: CodeText
    audience: CodeText
    age_band: CodeText | None = None
    expected_size: int = Field(ge=1, le=10000)
    language: CodeText
    dates: list[datetime.date] = Field(min_length=1, max_length=MAX_DATES)
    start_time: LocalTime
    end_time: LocalTime
    class_hours: int = Field(2, ge=2, le=4)
    monthly: bool = False
    notes: NoteText = ""


class VenueRequestOut(Schema):
    id: int
    venue_id: int
    venue: str
    topic: str
    topic_title: str
    audience: str
    age_band: str
    expected_size: int
    language: str
    dates: list[datetime.date]
    start_time: LocalTime
    end_time: LocalTime
    class_hours: int
    monthly: bool
    notes: str
    status: str
    revision: int
    coordinator_message: str
    service_request_ids: list[int]


class VenueSessionOut(Schema):
    request_id: int
    date: datetime.date
    start_time: LocalTime
    end_time: LocalTime
    topic: str
    topic_title: str
    status: str
    lecturers: list[str]


class AcceptIn(Schema):
    lecturers_needed: int = Field(1, ge=1, le=3)


class ChangesIn(Schema):
    message: ReasonText


class DeclineIn(Schema):
    reason: ReasonText


class CopyForwardIn(Schema):
    year: Year
    month: Month
    dry_run: bool = False


class CopyItemOut(Schema):
    request_id: int
    date: datetime.date
    copy_id: int | None
    problem: str


class CopyForwardOut(Schema):
    dry_run: bool
    copied: int
    already_copied: int
    items: list[CopyItemOut]


class CellOut(Schema):
    week: int | None
    seats: int
    taken: int
    open_seats: int
    available: int
    gap: int


class SupplyRowOut(Schema):
    district_id: int
    district: str
    language: str
    topic: str
    weeks: list[CellOut]
    month: CellOut


class SupplyDemandOut(Schema):
    month: datetime.date
    weeks: list[list[datetime.date]]
    lecturers: int
    seats: int
    open_seats: int
    short_cells: int
    rows: list[SupplyRowOut]


class SubtotalOut(Schema):
    id: int | None
    name: str
    sessions: int
    fees: Decimal
    subsidies: Decimal
    total: Decimal
    budget: Decimal | None
    remaining: Decimal | None
    over_budget: bool


class CostsOut(Schema):
    month: datetime.date
    sessions_without_tariff: int
    total: SubtotalOut
    districts: list[SubtotalOut]
    lecturers: list[SubtotalOut]


class PriorQualificationOut(Schema):
    id: int
    holder_id: int
    holder: str
    title: str
    issuer: str
    number: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    topics: list[str]
    status: str
    issued_here: bool = Field(
        False, description="Always false: a qualification from elsewhere, never ours."
    )


class ReasonIn(Schema):
    reason: ReasonText


TopicCode = Literal[tuple(topic.code for topic in TOPICS)]  # type: ignore[valid-type]
QualificationTitleText = api_text(prior_qualifications.TITLE)
IssuerText = api_text(prior_qualifications.ISSUER)
NumberText = api_text(prior_qualifications.NUMBER)


class PriorQualificationIn(Schema):
    holder_username: UsernameText | None = Field(
        None, description="A coordinator recording for a lecturer; empty = the caller's own."
    )
    title: QualificationTitleText
    issuer: IssuerText
    number: NumberText
    issued_on: datetime.date
    expires_on: datetime.date | None = None
    topics: list[TopicCode] = Field(min_length=1, max_length=len(TOPICS))


class RequestImportOut(Schema):
    dry_run: bool
    checked: int = Field(description="Rows checked and found good.")
    created: int = Field(description="Service requests made (0 on a dry run).")
    request_ids: list[int]


# --- helpers -------------------------------------------------------------------------------------


def _venue_request_out(vr: VenueRequest) -> dict:
    return {
        "id": vr.pk,
        "venue_id": vr.venue_id,
        "venue": vr.venue.name,
        "topic": vr.topic,
        "topic_title": vr.topic_title,
        "audience": vr.audience,
        "age_band": vr.age_band,
        "expected_size": vr.expected_size,
        "language": vr.language,
        "dates": vr.date_list,
        "start_time": vr.start_time,
        "end_time": vr.end_time,
        "class_hours": vr.class_hours,
        "monthly": vr.monthly,
        "notes": vr.notes,
        "status": vr.status,
        "revision": vr.revision,
        "coordinator_message": vr.coordinator_message,
        "service_request_ids": sorted(p.service_request_id for p in vr.planned_requests.all()),
    }


def _state_error(exc: ValidationError):
    """A refusal because of the request's state is 409; a refusal of the data stays 400."""
    if hasattr(exc, "error_dict"):
        raise exc
    raise ApiError(409, "invalid_state", " ".join(exc.messages))


def _own(request, pk) -> VenueRequest:
    contact = permissions.check_venue_contact(request.auth)
    return get_object_or_404(
        VenueRequest.objects.select_related("venue").prefetch_related("planned_requests"),
        pk=pk,
        venue_id=contact.venue_id,
    )


def _scoped(request, pk) -> VenueRequest:
    scope = permissions.check_coordinator(request.auth)
    return get_object_or_404(
        VenueRequest.objects.in_scope(scope)
        .select_related("venue")
        .prefetch_related("planned_requests"),
        pk=pk,
    )


def _fields(payload) -> dict:
    data = payload.dict()
    data["age_band"] = data.get("age_band") or ""
    return data


def _cell_out(cell, week) -> dict:
    return {
        "week": week,
        "seats": cell.seats,
        "taken": cell.taken,
        "open_seats": cell.open_seats,
        "available": cell.available,
        "gap": cell.gap,
    }


def _subtotal_out(subtotal, *, id_=None) -> dict:
    return {
        "id": id_,
        "name": subtotal.label,
        "sessions": subtotal.sessions,
        "fees": subtotal.fee,
        "subsidies": subtotal.subsidy,
        "total": subtotal.total,
        "budget": subtotal.budget,
        "remaining": subtotal.remaining,
        "over_budget": subtotal.over_budget,
    }


def _prior_out(q: PriorQualification) -> dict:
    return {
        "id": q.pk,
        "holder_id": q.holder_id,
        "holder": str(q.holder),
        "title": q.title,
        "issuer": q.issuer,
        "number": q.number,
        "issued_on": q.issued_on,
        "expires_on": q.expires_on,
        "topics": q.topics,
        "status": q.status,
        "issued_here": False,
    }


# --- the venue contact ---------------------------------------------------------------------------


@router.get("/venue/requests", response=list[VenueRequestOut])
def my_venue_requests(request):
    """What the signed-in venue contact's venue asked for, newest first."""
    contact = permissions.check_venue_contact(request.auth)
    rows = selectors.venue_requests_of(contact.venue_id).select_related("venue")[:200]
    return [_venue_request_out(vr) for vr in rows]


@router.post("/venue/requests", response={201: VenueRequestOut})
def submit_venue_request(request, payload: VenueRequestIn):
    """Ask for a session for the contact's venue (one topic, up to six dates)."""
    venue_request = services.submit_venue_request(actor=request.auth, **_fields(payload))
    return Status(201, _venue_request_out(venue_request))


@router.put(
    "/venue/requests/{venue_request_id}", response=VenueRequestOut, openapi_extra=STATE_ERRORS
)
def change_venue_request(request, venue_request_id: Id, payload: VenueRequestIn):
    """Change a request still waiting or sent back, and send it again."""
    venue_request = _own(request, venue_request_id)
    try:
        changed = services.update_venue_request(
            actor=request.auth, venue_request=venue_request, **_fields(payload)
        )
    except ValidationError as exc:
        _state_error(exc)
    return _venue_request_out(changed)


@router.post(
    "/venue/requests/{venue_request_id}/withdraw",
    response=VenueRequestOut,
    openapi_extra=STATE_ERRORS,
)
def withdraw_venue_request(request, venue_request_id: Id):
    venue_request = _own(request, venue_request_id)
    try:
        withdrawn = services.withdraw_venue_request(actor=request.auth, venue_request=venue_request)
    except ValidationError as exc:
        _state_error(exc)
    return _venue_request_out(withdrawn)


@router.get("/venue/sessions", response=list[VenueSessionOut])
def my_venue_sessions(request):
    """The venue's service requests (from 60 days ago) and the lecturers who agreed."""
    contact = permissions.check_venue_contact(request.auth)
    rows = []
    for service_request in selectors.venue_sessions_of(contact.venue_id)[:300]:
        lecturers = [
            s.lecturer.display_name
            for s in service_request.sessions.all()
            if s.status in selectors.AGREED_SESSION_STATUSES
        ]
        rows.append(
            {
                "request_id": service_request.pk,
                "date": service_request.date,
                "start_time": service_request.start_time,
                "end_time": service_request.end_time,
                "topic": service_request.topic,
                "topic_title": service_request.topic_title,
                "status": service_request.status,
                "lecturers": lecturers,
            }
        )
    return rows


# --- triage ----------------------------------------------------------------------------------------


@router.get("/venue-requests", response=list[VenueRequestOut])
def list_venue_requests(request, status: VenueRequestStatus | None = None):
    """Venue requests in the coordinator's scope, oldest first (all statuses when none given)."""
    scope = permissions.check_coordinator(request.auth)
    rows = selectors.triage_queue(scope, status=status).prefetch_related("planned_requests")
    return [_venue_request_out(vr) for vr in rows[:500]]


@router.post(
    "/venue-requests/{venue_request_id}/accept",
    response={201: VenueRequestOut},
    openapi_extra=STATE_ERRORS,
)
def accept_venue_request(request, venue_request_id: Id, payload: AcceptIn):
    """Accept a waiting request into planning: one service request per date."""
    venue_request = _scoped(request, venue_request_id)
    try:
        services.accept_venue_request(
            actor=request.auth,
            venue_request=venue_request,
            lecturers_needed=payload.lecturers_needed,
        )
    except ValidationError as exc:
        _state_error(exc)
    return Status(201, _venue_request_out(_scoped(request, venue_request_id)))


@router.post(
    "/venue-requests/{venue_request_id}/request-changes",
    response=VenueRequestOut,
    openapi_extra=STATE_ERRORS,
)
def request_changes(request, venue_request_id: Id, payload: ChangesIn):
    """Send a waiting request back to the venue with what to change."""
    venue_request = _scoped(request, venue_request_id)
    try:
        services.ask_for_changes(
            actor=request.auth, venue_request=venue_request, message=payload.message
        )
    except ValidationError as exc:
        _state_error(exc)
    return _venue_request_out(_scoped(request, venue_request_id))


@router.post(
    "/venue-requests/{venue_request_id}/decline",
    response=VenueRequestOut,
    openapi_extra=STATE_ERRORS,
)
def decline_venue_request(request, venue_request_id: Id, payload: DeclineIn):
    """Decline a request that is not settled, with a reason the venue sees."""
    venue_request = _scoped(request, venue_request_id)
    try:
        services.decline_venue_request(
            actor=request.auth, venue_request=venue_request, reason=payload.reason
        )
    except ValidationError as exc:
        _state_error(exc)
    return _venue_request_out(_scoped(request, venue_request_id))


# --- the month's plan -------------------------------------------------------------------------------


@router.post("/dispatch/copy-forward", response=CopyForwardOut)
def copy_forward(request, payload: CopyForwardIn):
    """Copy a month's recurring requests (in scope) to the next month; ``dry_run`` only
    says what would be copied."""
    report = planning.copy_forward(
        actor=request.auth,
        month=datetime.date(payload.year, payload.month, 1),
        dry_run=payload.dry_run,
    )
    return {
        "dry_run": report.dry_run,
        "copied": report.copied,
        "already_copied": report.already_copied,
        "items": [
            {
                "request_id": item.original.pk,
                "date": item.date,
                "copy_id": item.copy.pk if item.copy else None,
                "problem": item.problem,
            }
            for item in report.items
        ],
    }


@router.get("/dispatch/supply-demand", response=SupplyDemandOut)
def supply_demand(request, year: Year, month: Month):
    """Open seats against lecturers available and qualified, by district × language ×
    topic × week of the month."""
    scope = permissions.check_coordinator(request.auth)
    sheet = selectors.supply_and_demand(scope, datetime.date(year, month, 1))
    return {
        "month": sheet.month,
        "weeks": [[start, end] for start, end in sheet.weeks],
        "lecturers": sheet.lecturers,
        "seats": sheet.seats,
        "open_seats": sheet.open_seats,
        "short_cells": sheet.short_cells,
        "rows": [
            {
                "district_id": row.district.pk,
                "district": row.district.name,
                "language": row.language,
                "topic": row.topic,
                "weeks": [
                    _cell_out(cell, number)
                    for number, cell in enumerate(row.weeks)
                    if cell is not None
                ],
                "month": _cell_out(row.month, None),
            }
            for row in sheet.rows
        ],
    }


@router.get("/dispatch/costs", response=CostsOut)
def month_costs(request, year: Year, month: Month):
    """The month's lecture fees and travel subsidies per district (beside its budget) and
    per lecturer."""
    scope = permissions.check_coordinator(request.auth)
    sheet = costs.month_costs(scope, datetime.date(year, month, 1))
    return {
        "month": sheet.month,
        "sessions_without_tariff": sheet.without_tariff,
        "total": _subtotal_out(sheet.total),
        "districts": [_subtotal_out(d, id_=d.key) for d in sheet.districts],
        "lecturers": [_subtotal_out(lecturer, id_=lecturer.key) for lecturer in sheet.lecturers],
    }


@router.post(
    "/dispatch/import",
    response={200: RequestImportOut, 201: RequestImportOut},
)
def import_requests(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Import service requests from the CSV/XLSX template (``/dispatch/plan/import/template.xlsx``)
    for venues in the coordinator's scope: every row is checked first; one problem anywhere
    and nothing is made (400 ``import_refused``, each problem with its line in ``lines``,
    the header being line 1). ``dry_run`` only checks (200); otherwise 201 with the ids."""
    permissions.check_coordinator(request.auth)
    try:
        report = planning.import_requests(actor=request.auth, upload=file, dry_run=dry_run)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise ApiError(
            400,
            "unreadable_file",
            message,
            lines=[{"line": None, "message": message}],
        ) from exc
    if not report.ok:
        count = len(report.errors)
        raise ApiError(
            400,
            "import_refused",
            ngettext(
                "Nothing was imported: %(count)d line has a problem.",
                "Nothing was imported: %(count)d lines have problems.",
                count,
            )
            % {"count": count},
            lines=[{"line": line, "message": message} for line, message in report.errors],
        )
    return Status(
        200 if report.dry_run else 201,
        {
            "dry_run": report.dry_run,
            "checked": report.checked,
            "created": len(report.created),
            "request_ids": [created.pk for created in report.created],
        },
    )


# --- qualifications from elsewhere ---------------------------------------------------------------


@router.post("/prior-qualifications", response={201: PriorQualificationOut})
def record_prior_qualification(
    request, payload: Form[PriorQualificationIn], evidence: File[UploadedFile]
):
    """Record a qualification from elsewhere with its scanned evidence (PDF, JPEG or PNG,
    at most 10 MB): a lecturer their own, a coordinator a lecturer's of their scope
    (``holder_username``). It waits for a coordinator's approval."""
    holder = request.auth
    if payload.holder_username:
        holder = get_user_model().objects.filter(username=payload.holder_username).first()
        if holder is None:
            message = _("No account has this username.")
            raise ApiError(400, "invalid", message, errors={"holder_username": [message]})
    qualification = prior_qualifications.record_prior_qualification(
        actor=request.auth,
        holder=holder,
        evidence=evidence,
        title=payload.title,
        issuer=payload.issuer,
        number=payload.number,
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
        topics=payload.topics,
    )
    return Status(201, _prior_out(qualification))


@router.get("/prior-qualifications", response=list[PriorQualificationOut])
def list_prior_qualifications(request, status: PriorQualificationStatus | None = None):
    """A coordinator: the records of their scope. Anyone else: their own."""
    if permissions.is_coordinator(request.auth):
        permissions.check_coordinator(request.auth)
    rows = permissions.prior_qualifications_in_scope(request.auth).select_related("holder")
    if status:
        rows = rows.filter(status=status)
    return [_prior_out(q) for q in rows[:500]]


def _decide(request, pk, act, **extra):
    qualification = get_object_or_404(
        permissions.prior_qualifications_in_scope(request.auth).select_related("holder"), pk=pk
    )
    try:
        decided = act(actor=request.auth, qualification=qualification, **extra)
    except ValidationError as exc:
        _state_error(exc)
    return _prior_out(decided)


@router.post(
    "/prior-qualifications/{qualification_id}/approve",
    response=PriorQualificationOut,
    openapi_extra=STATE_ERRORS,
)
def approve_prior_qualification(request, qualification_id: Id):
    return _decide(request, qualification_id, prior_qualifications.approve_prior_qualification)


@router.post(
    "/prior-qualifications/{qualification_id}/reject",
    response=PriorQualificationOut,
    openapi_extra=STATE_ERRORS,
)
def reject_prior_qualification(request, qualification_id: Id, payload: ReasonIn):
    return _decide(
        request,
        qualification_id,
        prior_qualifications.reject_prior_qualification,
        reason=payload.reason,
    )


@router.post(
    "/prior-qualifications/{qualification_id}/revoke",
    response=PriorQualificationOut,
    openapi_extra=STATE_ERRORS,
)
def revoke_prior_qualification(request, qualification_id: Id, payload: ReasonIn):
    return _decide(
        request,
        qualification_id,
        prior_qualifications.revoke_prior_qualification,
        reason=payload.reason,
    )
