"""Practicum API: log entries, submit them, review them, and read one's hours summary.

Access is the same as on the pages (``practicum.permissions``): an entry someone may
not see is 404; a step their role does not allow is 403; a step the entry's state
does not allow is 409 ``invalid_state``; a broken rule is 400 with the field's message.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from lms.api import ApiError
from lms.api_errors import error_responses
from lms.api_types import (
    CodeText,
    CommentText,
    Id,
    LocalTime,
    LongText,
    OptionalLongText,
    resolve_annotations,
)
from offline.idempotency import idempotent
from places.models import Venue

from . import permissions, selectors, services
from .models import (
    ActivityType,
    EntryAttachment,
    EntryState,
    Placement,
    PracticumEntry,
    Qualification,
    SessionLanguage,
    Topic,
)

router = Router(tags=["practicum"])


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    name: str
    url: str


class EntryOut(Schema):
    id: int
    state: str
    trainee_id: int
    supervisor_id: int
    placement_id: int
    qualification: str
    date: datetime.date
    start_time: LocalTime | None
    end_time: LocalTime | None
    minutes: int
    hours: float
    venue_id: int | None
    venue_name: str | None
    activity_type: str
    service_kind: str
    topic: str
    children_0_5: int
    children_6_11: int
    children_12_17: int
    caregivers: int
    teachers: int
    language: str
    description: str
    reflection: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    review_comment: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_hours(obj) -> float:
        return float(obj.hours)

    @staticmethod
    def resolve_venue_name(obj) -> str | None:
        return obj.venue.name if obj.venue_id else None

    @staticmethod
    def resolve_activity_type(obj) -> str:
        return obj.activity_type.code

    @staticmethod
    def resolve_attachments(obj) -> list[dict]:
        return [
            {
                "id": a.pk,
                "content_type": a.content_type,
                "size": a.size,
                "name": a.original_name,
                "url": reverse("practicum:attachment", args=[a.pk]),
            }
            for a in obj.attachments.all()
        ]


def entry_out(entry: PracticumEntry) -> EntryOut:
    return EntryOut.from_orm(entry)


def _count():
    return Field(0, ge=0, le=2000)


class EntryIn(Schema):
    placement_id: Id | None = Field(None, description="Needed only with two current placements.")
    date: datetime.date
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    minutes: int | None = Field(None, ge=1, le=720, description="If no start and end time.")
    venue_id: Id | None = None
    activity_type: CodeText = Field(description="Activity type code, e.g. group_counselling.")
    topic: Literal[tuple(Topic.values)] | Literal[""] = ""  # type: ignore[valid-type]
    children_0_5: int = _count()
    children_6_11: int = _count()
    children_12_17: int = _count()
    caregivers: int = _count()
    teachers: int = _count()
    language: Literal[tuple(SessionLanguage.values)] = SessionLanguage.MANDARIN  # type: ignore[valid-type]
    description: LongText
    reflection: OptionalLongText = ""


class EntryPatch(Schema):
    date: datetime.date | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    minutes: int | None = Field(None, ge=1, le=720)
    venue_id: Id | None = None
    activity_type: CodeText | None = None
    topic: Literal[tuple(Topic.values)] | Literal[""] | None = None  # type: ignore[valid-type]
    children_0_5: int | None = Field(None, ge=0, le=2000)
    children_6_11: int | None = Field(None, ge=0, le=2000)
    children_12_17: int | None = Field(None, ge=0, le=2000)
    caregivers: int | None = Field(None, ge=0, le=2000)
    teachers: int | None = Field(None, ge=0, le=2000)
    language: Literal[tuple(SessionLanguage.values)] | None = None  # type: ignore[valid-type]
    description: LongText | None = None
    reflection: OptionalLongText | None = None


class ReviewIn(Schema):
    action: Literal["approve", "return", "reject"]
    comment: CommentText = ""


class RequirementLineOut(Schema):
    code: str
    label: str
    required_hours: float
    approved_hours: float
    pending_hours: float
    met: bool
    informational: bool


class QualificationSummaryOut(Schema):
    qualification: str
    configured: bool
    all_met: bool
    final_evaluation_passed: bool
    supervisor_id: int | None
    lines: list[RequirementLineOut]


class PracticumSummaryOut(Schema):
    counts: dict[str, int]
    qualifications: list[QualificationSummaryOut]


def _entries_queryset(user):
    return permissions.visible_entries(
        user,
        PracticumEntry.objects.select_related("activity_type", "venue").prefetch_related(
            Prefetch("attachments", queryset=EntryAttachment.objects.order_by("pk"))
        ),
    )


def _entry(user, entry_id: Id) -> PracticumEntry:
    return get_object_or_404(_entries_queryset(user), pk=entry_id)


def _resolve(data: dict) -> dict:
    """API ids and codes to the model objects the services expect."""
    if "activity_type" in data:
        code = data.pop("activity_type")
        activity_type = ActivityType.objects.filter(code=code).first() if code else None
        if activity_type is None:
            raise ApiError(
                400, "invalid", _("Unknown activity type."), errors={"activity_type": [code]}
            )
        data["activity_type"] = activity_type
    if "venue_id" in data:
        venue_id = data.pop("venue_id")
        venue = Venue.objects.filter(pk=venue_id).first() if venue_id else None
        if venue_id and venue is None:
            raise ApiError(400, "invalid", _("Unknown venue."), errors={"venue": [venue_id]})
        data["venue"] = venue
    return data


def _state_error(error: ValidationError):
    if getattr(error, "code", None) == "invalid_state":
        raise ApiError(409, "invalid_state", " ".join(error.messages)) from error
    raise error


@router.get("/practicum/entries", response=list[EntryOut])
@paginate
@resolve_annotations
def list_entries(
    request,
    state: CodeText | None = None,
    trainee_id: Id | None = None,
    qualification: CodeText | None = None,
):
    """Entries the caller may see: their own, their trainees' (supervisors), their scope's."""
    queryset = _entries_queryset(request.auth).order_by("-date", "-start_time", "-pk")
    if state:
        queryset = queryset.filter(state=state)
    if trainee_id:
        queryset = queryset.filter(trainee_id=trainee_id)
    if qualification:
        queryset = queryset.filter(qualification=qualification)
    return queryset


@router.post("/practicum/entries", response={201: EntryOut}, openapi_extra=error_responses(409))
@idempotent("practicum.entry.create")
def create_entry(request, payload: EntryIn):
    """Log a draft entry (trainees, in a current placement).

    With an ``Idempotency-Key`` (a draft written offline, sent when the phone is online
    again), sending the same entry again returns the first answer and logs nothing more.
    """
    user = request.auth
    data = payload.dict()
    placement_id = data.pop("placement_id")
    placements = Placement.objects.current().filter(trainee=user)
    if placement_id:
        placements = placements.filter(pk=placement_id)
    placements = list(placements[:2])
    if not placements:
        raise ApiError(409, "no_placement", _("You have no current practicum placement."))
    if len(placements) > 1:
        raise ApiError(400, "placement_required", _("Say which placement (placement_id)."))
    entry = services.create_entry(trainee=user, placement=placements[0], data=_resolve(data))
    return Status(201, entry_out(_entry(user, entry.pk)))


@router.get("/practicum/entries/{entry_id}", response=EntryOut)
def get_entry(request, entry_id: Id):
    return entry_out(_entry(request.auth, entry_id))


@router.patch("/practicum/entries/{entry_id}", response=EntryOut)
def update_entry(request, entry_id: Id, payload: EntryPatch):
    """Change a draft or returned entry (its trainee only; approved entries never change)."""
    entry = _entry(request.auth, entry_id)
    data = _resolve(payload.dict(exclude_unset=True))
    services.update_entry(entry=entry, actor=request.auth, data=data)
    return entry_out(_entry(request.auth, entry_id))


@router.post("/practicum/entries/{entry_id}/attachments", response={201: AttachmentOut})
@idempotent("practicum.entry.attachment")
def add_attachment(request, entry_id: Id, file: File[UploadedFile]):
    """Attach a photo (JPEG/PNG/WebP, metadata removed) or a PDF to an editable entry."""
    entry = _entry(request.auth, entry_id)
    item = services.add_attachment(entry=entry, actor=request.auth, upload=file)
    return Status(
        201,
        AttachmentOut(
            id=item.pk,
            content_type=item.content_type,
            size=item.size,
            name=item.original_name,
            url=reverse("practicum:attachment", args=[item.pk]),
        ),
    )


@router.post(
    "/practicum/entries/{entry_id}/submit",
    response=EntryOut,
    openapi_extra=error_responses(409),
)
@idempotent("practicum.entry.submit")
def submit_entry(request, entry_id: Id):
    entry = _entry(request.auth, entry_id)
    try:
        services.submit_entry(entry=entry, actor=request.auth)
    except ValidationError as error:
        _state_error(error)
    return entry_out(_entry(request.auth, entry_id))


@router.post(
    "/practicum/entries/{entry_id}/review",
    response=EntryOut,
    openapi_extra=error_responses(409),
)
def review_entry(request, entry_id: Id, payload: ReviewIn):
    """Approve, return (comment required) or reject (reason required): the supervisor only."""
    entry = _entry(request.auth, entry_id)
    try:
        services.review_entry(
            entry=entry,
            reviewer=request.auth,
            action=payload.action,
            comment=payload.comment,
        )
    except ValidationError as error:
        _state_error(error)
    return entry_out(_entry(request.auth, entry_id))


@router.get("/me/practicum/summary", response=PracticumSummaryOut)
def my_summary(request):
    """The caller's hours against each requirement of every qualification they are placed in."""
    user = request.auth
    placements = list(
        Placement.objects.filter(trainee=user).order_by(
            F("closed_on").desc(nulls_first=True), "-start_date"
        )
    )
    current: dict[str, Placement] = {}
    for placement in placements:
        current.setdefault(placement.qualification, placement)
    qualifications = []
    for code in Qualification.values:
        if code not in current:
            continue
        status = selectors.requirement_status(user, code)
        placement = current[code]
        qualifications.append(
            QualificationSummaryOut(
                qualification=code,
                configured=status.configured,
                all_met=status.all_met,
                final_evaluation_passed=selectors.final_evaluation_passed(user, code),
                supervisor_id=placement.supervisor_id if placement.is_current else None,
                lines=[RequirementLineOut(**line.as_dict()) for line in status.lines],
            )
        )
    counts = selectors.state_counts(user)
    return PracticumSummaryOut(
        counts={state: counts[state] for state in EntryState.values}, qualifications=qualifications
    )
