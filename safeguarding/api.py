"""The safeguarding API: raise a concern, read the ones you may see, take the next step.

A concern the caller may not see is 404 (``not_found``); a step the caller may not take
is 403 (``permission_denied``); a step out of order is 409 (``invalid_state``); text the
children's-data guard refuses is 422 naming the field.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from lms.api import ApiError
from lms.api_errors import error_responses
from lms.api_types import Id
from lms.textinput import api_text
from places.models import Venue

from . import permissions, selectors, services
from .models import (
    DONE_TEXT,
    SEEN_TEXT,
    STEP_NOTE,
    Category,
    Concern,
    ConcernState,
    ReferredTo,
    Urgency,
)

router = Router(tags=["safeguarding"])

CategoryCode = Literal[tuple(Category.values)]
UrgencyCode = Literal[tuple(Urgency.values)]
ReferredToCode = Literal[tuple(ReferredTo.values)]
StateCode = Literal[tuple(ConcernState.values)]


class StepOut(Schema):
    kind: str
    at: datetime.datetime
    by: str | None
    note: str
    referred_to: str
    sent_to: str


class ConcernOut(Schema):
    id: int
    category: str
    urgency: str
    state: str
    venue_id: int
    venue_name: str
    district_id: int
    raised_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    referred_to: str
    closed_at: datetime.datetime | None
    next_escalation_at: datetime.datetime | None
    reporter: str
    what_seen: str
    what_done: str
    steps: list[StepOut]
    can_handle: bool


def concern_out(user, concern: Concern) -> ConcernOut:
    return ConcernOut(
        id=concern.pk,
        category=concern.category,
        urgency=concern.urgency,
        state=concern.state,
        venue_id=concern.venue_id,
        venue_name=concern.venue.name,
        district_id=concern.district_id,
        raised_at=concern.raised_at,
        acknowledged_at=concern.acknowledged_at,
        referred_to=concern.referred_to,
        closed_at=concern.closed_at,
        next_escalation_at=concern.next_escalation_at,
        reporter=concern.reporter.display_name,
        what_seen=concern.what_seen,
        what_done=concern.what_done,
        steps=[
            StepOut(
                kind=step.kind,
                at=step.created_at,
                by=step.actor.display_name if step.actor else None,
                note=step.note,
                referred_to=step.referred_to,
                sent_to=step.escalation_step,
            )
            for step in concern.steps.all()
        ],
        can_handle=permissions.can_handle(user, concern),
    )


class ConcernSummaryOut(Schema):
    id: int
    category: str
    urgency: str
    state: str
    venue_name: str
    district_id: int
    raised_at: datetime.datetime
    sent_to_me: bool


class ConcernIn(Schema):
    category: CategoryCode
    urgency: UrgencyCode
    venue_id: Id
    what_seen: api_text(SEEN_TEXT)
    what_done: api_text(DONE_TEXT) = ""


class AcknowledgeIn(Schema):
    note: api_text(STEP_NOTE.optional()) = ""


class ReferIn(Schema):
    referred_to: ReferredToCode
    note: api_text(STEP_NOTE)


class CloseIn(Schema):
    note: api_text(STEP_NOTE)


def _concern(user, concern_id: int) -> Concern:
    concern = selectors.concern_detail(user, concern_id)
    if concern is None:
        raise Http404
    return concern


def _step(user, concern_id: int, service, **data) -> ConcernOut:
    concern = _concern(user, concern_id)
    try:
        service(actor=user, concern=concern, **data)
    except ValidationError as error:
        if getattr(error, "code", None) == "invalid_state":
            raise ApiError(409, "invalid_state", " ".join(error.messages)) from error
        raise
    return concern_out(user, _concern(user, concern_id))


@router.get("/safeguarding/concerns", response=list[ConcernSummaryOut])
def list_concerns(request, state: StateCode | None = None):
    """The concerns the caller may see (at most 200), waiting ones first."""
    return [
        ConcernSummaryOut(
            id=c.pk,
            category=c.category,
            urgency=c.urgency,
            state=c.state,
            venue_name=c.venue.name,
            district_id=c.district_id,
            raised_at=c.raised_at,
            sent_to_me=c.sent_to_me,
        )
        for c in selectors.concerns_for(request.auth, state=state)
    ]


@router.post("/safeguarding/concerns", response={201: ConcernOut})
def raise_concern(request, payload: ConcernIn):
    """Raise a concern (trainees and lecturers). It goes at once to the reporter's
    supervising expert (or the district's duty expert) and the district's coordinators."""
    permissions.check_raise(request.auth)
    data = payload.dict()
    venue = Venue.objects.active().filter(pk=data.pop("venue_id")).first()
    if venue is None:
        raise ApiError(
            400, "invalid", _("Unknown venue."), errors={"venue_id": [_("Unknown venue.")]}
        )
    concern = services.raise_concern(actor=request.auth, venue=venue, **data)
    return Status(201, concern_out(request.auth, _concern(request.auth, concern.pk)))


@router.get("/safeguarding/concerns/{concern_id}", response=ConcernOut)
def get_concern(request, concern_id: Id):
    return concern_out(request.auth, _concern(request.auth, concern_id))


@router.post(
    "/safeguarding/concerns/{concern_id}/acknowledge",
    response=ConcernOut,
    openapi_extra=error_responses(409),
)
def acknowledge(request, concern_id: Id, payload: AcknowledgeIn):
    """Acknowledge a raised concern: escalation stops (anyone it was sent to, the district's
    coordinators, administrators; never its reporter)."""
    return _step(request.auth, concern_id, services.acknowledge, note=payload.note)


@router.post(
    "/safeguarding/concerns/{concern_id}/refer",
    response=ConcernOut,
    openapi_extra=error_responses(409),
)
def refer(request, concern_id: Id, payload: ReferIn):
    """Record a referral (civil affairs, school, police, hospital…) with a note."""
    return _step(
        request.auth, concern_id, services.refer, referred_to=payload.referred_to, note=payload.note
    )


@router.post(
    "/safeguarding/concerns/{concern_id}/close",
    response=ConcernOut,
    openapi_extra=error_responses(409),
)
def close(request, concern_id: Id, payload: CloseIn):
    """Close an acknowledged or referred concern with a note."""
    return _step(request.auth, concern_id, services.close, note=payload.note)
