"""The face-to-face classes API: what is offered, sign up and cancel, check in with the
scanned code; for trainers their classes, the roster, attendance and the current code;
for coordinators scheduling and cancelling.

A class the caller may not see is 404 (``not_found``); a step the caller may not take is
403 (``permission_denied``); a step the class's state refuses (full sign-up closed,
cancelled class) is 409 with the service's code; a refused check-in is 400 with the
refusal's code (``expired``, ``invalid``, ``other_class``, ``used``, ``not_booked``,
``waiting``, ``closed``, ``cancelled``); text a policy refuses is 422 naming the field.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from certification.models import Requirement
from courses.models import Cohort, Course
from lms.api import ApiError
from lms.api_errors import error_responses
from lms.api_types import Id
from lms.textinput import TITLE, api_text
from places.models import District, Venue

from . import permissions, selectors, services
from .models import (
    ADDRESS,
    CANCEL_REASON,
    CHECK_IN_CODE,
    CLASS_NOTES,
    Audience,
    Booking,
    BookingStatus,
    TrainingClass,
)

router = Router(tags=["classes"])

# What a new class may name, checked before the service sees the ids (unknown = 400).
_LINKED_MODELS = {
    "cohort": Cohort,
    "course": Course,
    "requirement": Requirement,
    "district": District,
    "venue": Venue,
    "trainer": get_user_model(),
}

AudienceCode = Literal[tuple(Audience.values)]


class ClassOut(Schema):
    id: int
    title: str
    audience: str
    cohort_id: int | None
    course_id: int | None
    requirement_id: int | None
    hours: float
    district_id: int | None
    venue_id: int | None
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    trainer: str
    capacity: int
    status: str
    notes: str


def class_out(training_class: TrainingClass) -> ClassOut:
    return ClassOut(
        id=training_class.pk,
        title=training_class.title,
        audience=training_class.audience,
        cohort_id=training_class.cohort_id,
        course_id=training_class.course_id,
        requirement_id=training_class.requirement_id,
        hours=float(training_class.hours),
        district_id=training_class.district_id,
        venue_id=training_class.venue_id,
        place=training_class.place,
        starts_at=training_class.starts_at,
        ends_at=training_class.ends_at,
        trainer=training_class.trainer.display_name,
        capacity=training_class.capacity,
        status=training_class.status,
        notes=training_class.notes,
    )


class BookingOut(Schema):
    id: int
    class_id: int
    status: str
    waiting_position: int | None
    attended: bool
    attended_at: datetime.datetime | None
    check_in_method: str


def booking_out(booking: Booking) -> BookingOut:
    return BookingOut(
        id=booking.pk,
        class_id=booking.training_class_id,
        status=booking.status,
        waiting_position=selectors.waiting_position(booking)
        if booking.status == BookingStatus.WAITING
        else None,
        attended=booking.attended,
        attended_at=booking.attended_at,
        check_in_method=booking.check_in_method,
    )


class RosterRowOut(Schema):
    booking_id: int
    user_id: int
    name: str
    status: str
    waiting_position: int | None
    attended: bool
    check_in_method: str


class CheckInIn(Schema):
    code: api_text(CHECK_IN_CODE)


class AttendanceIn(Schema):
    booking_id: Id
    attended: bool


class CheckInCodeOut(Schema):
    token: str
    url: str
    valid_until: datetime.datetime


class ClassIn(Schema):
    title: api_text(TITLE)
    audience: AudienceCode = Audience.OPEN
    cohort_id: Id | None = None
    course_id: Id | None = None
    requirement_id: Id | None = None
    hours: Decimal | None = Field(None, ge=Decimal("0.5"), le=Decimal("40"), decimal_places=1)
    district_id: Id | None = None
    venue_id: Id | None = None
    address: api_text(ADDRESS.optional()) = ""
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    trainer_id: Id
    capacity: int = Field(ge=1, le=500)
    notes: api_text(CLASS_NOTES) = ""


class CancelIn(Schema):
    reason: api_text(CANCEL_REASON)


def _visible(user, class_id: int) -> TrainingClass:
    training_class = selectors.visible_class(user, class_id)
    if training_class is None:
        raise Http404
    return training_class


def _roster_class(user, class_id: int) -> TrainingClass:
    training_class = selectors.roster_class(user, class_id)
    if training_class is None or not permissions.can_see_roster(user, training_class):
        raise Http404
    return training_class


def _state(error: ValidationError) -> ApiError:
    code = getattr(error, "code", None) or "invalid_state"
    return ApiError(409, code, " ".join(error.messages))


@router.get("/classes", response=list[ClassOut])
def offered_classes(request):
    """Classes the caller may sign up for that have not ended (at most 200), soonest first."""
    return [class_out(c) for c in selectors.offered_to(request.auth)]


@router.get("/me/class-bookings", response=list[BookingOut])
def my_bookings(request):
    """The caller's bookings (booked or waiting), soonest class first."""
    return [booking_out(b) for b in selectors.bookings_of(request.auth)]


@router.get("/classes/teaching", response=list[ClassOut])
def classes_i_train(request):
    """The classes the caller trains (trainers see only theirs)."""
    return [class_out(c) for c in selectors.trained_by(request.auth)]


@router.post("/classes", response={201: ClassOut})
def create_class(request, payload: ClassIn):
    """Schedule a class (coordinators for their district, administrators)."""
    permissions.check_manage(request.auth, "add")
    data = payload.dict()
    training_class = TrainingClass(
        title=data["title"],
        audience=data["audience"],
        cohort_id=data["cohort_id"],
        course_id=data["course_id"],
        requirement_id=data["requirement_id"],
        hours=data["hours"],
        district_id=data["district_id"],
        venue_id=data["venue_id"],
        address=data["address"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        trainer_id=data["trainer_id"],
        capacity=data["capacity"],
        notes=data["notes"],
    )
    for name, model in _LINKED_MODELS.items():
        pk = data[f"{name}_id"]
        if pk is not None and not model.objects.filter(pk=pk).exists():
            raise ApiError(
                400,
                "invalid",
                _("Unknown %(what)s.") % {"what": name},
                errors={f"{name}_id": [name]},
            )
    training_class = services.create_class(actor=request.auth, instance=training_class)
    return Status(201, class_out(training_class))


@router.get("/classes/{class_id}", response=ClassOut)
def get_class(request, class_id: Id):
    return class_out(_visible(request.auth, class_id))


@router.post(
    "/classes/{class_id}/sign-up", response={201: BookingOut}, openapi_extra=error_responses(409)
)
def sign_up(request, class_id: Id):
    """Take a seat, or a place on the waiting list when the class is full."""
    training_class = _visible(request.auth, class_id)
    try:
        booking = services.sign_up(actor=request.auth, training_class=training_class)
    except ValidationError as error:
        raise _state(error) from error
    return Status(201, booking_out(booking))


@router.post(
    "/classes/{class_id}/cancel-booking", response=BookingOut, openapi_extra=error_responses(409)
)
def cancel_booking(request, class_id: Id):
    """Give up one's seat (it goes to the first person waiting) or waiting place."""
    training_class = _visible(request.auth, class_id)
    booking = get_object_or_404(
        Booking.objects.exclude(status=BookingStatus.CANCELLED),
        training_class=training_class,
        user=request.auth,
    )
    try:
        booking = services.cancel_booking(actor=request.auth, booking=booking)
    except ValidationError as error:
        raise _state(error) from error
    return booking_out(booking)


@router.post("/classes/{class_id}/check-in", response=BookingOut)
def check_in(request, class_id: Id, payload: CheckInIn):
    """Check in with the code of the trainer's screen (valid once, for 30 seconds)."""
    training_class = _visible(request.auth, class_id)
    try:
        booking = services.check_in(
            actor=request.auth, training_class=training_class, code=payload.code
        )
    except services.CheckInRefused as refused:
        raise ApiError(400, refused.code, refused.message) from refused
    return booking_out(booking)


@router.get("/classes/{class_id}/roster", response=list[RosterRowOut])
def roster(request, class_id: Id):
    """Everyone booked, waiting or cancelled (the trainer and the class's coordinators)."""
    training_class = _roster_class(request.auth, class_id)
    return [
        RosterRowOut(
            booking_id=b.pk,
            user_id=b.user_id,
            name=b.user.display_name,
            status=b.status,
            waiting_position=b.position,
            attended=b.attended,
            check_in_method=b.check_in_method,
        )
        for b in selectors.roster(training_class)
    ]


@router.post(
    "/classes/{class_id}/attendance", response=BookingOut, openapi_extra=error_responses(409)
)
def mark_attendance(request, class_id: Id, payload: AttendanceIn):
    """Mark a booked person present or absent (the trainer, the class's coordinators)."""
    training_class = _roster_class(request.auth, class_id)
    booking = get_object_or_404(Booking, pk=payload.booking_id, training_class=training_class)
    booking.training_class = training_class
    try:
        booking = services.mark_attendance(
            actor=request.auth, booking=booking, attended=payload.attended
        )
    except ValidationError as error:
        raise _state(error) from error
    return booking_out(booking)


@router.get(
    "/classes/{class_id}/check-in-code",
    response=CheckInCodeOut,
    openapi_extra=error_responses(409),
)
def check_in_code(request, class_id: Id, current: api_text(CHECK_IN_CODE.optional()) = ""):
    """The code to show now (the trainer's screen): ``current`` again while it is valid
    and unused, else a new one."""
    training_class = _roster_class(request.auth, class_id)
    try:
        display = services.check_in_code(
            actor=request.auth, training_class=training_class, current=current[:500]
        )
    except ValidationError as error:
        raise _state(error) from error
    return CheckInCodeOut(token=display.token, url=display.url, valid_until=display.valid_until)


@router.post("/classes/{class_id}/cancel", response=ClassOut, openapi_extra=error_responses(409))
def cancel_class(request, class_id: Id, payload: CancelIn):
    """Cancel a class that has not taken place; everyone booked or waiting is told."""
    training_class = permissions.managed_classes(request.auth).filter(pk=class_id).first()
    if training_class is None:
        if selectors.visible_class(request.auth, class_id) is None:
            raise Http404
        raise PermissionDenied(_("Only the class's coordinators may cancel it."))
    try:
        training_class = services.cancel_class(
            actor=request.auth, training_class=training_class, reason=payload.reason
        )
    except ValidationError as error:
        raise _state(error) from error
    return class_out(training_class)
