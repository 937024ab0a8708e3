"""The supervision API: sessions (record, confirm, dispute), inspections and their findings,
corrective actions (list, verify), stages (progress, sign-off) and publicity completeness.

A record the caller may not see is 404 (``not_found``); an action the caller may not take
is 403 (``permission_denied``); a step out of order is 409 (``invalid_state``); a stage
whose criteria are not met is 409 (``criteria_not_met``); text the children's-data guard
refuses is 422 naming the field.

Two operations take a file (``multipart/form-data``, the form's fields beside ``file``):
the evidence of a corrective action (``POST /supervision/actions/{id}/evidence``) and a
piece of a unit's monthly publicity (``POST /supervision/units/{id}/publicity``). The file
is optional where the page's is (evidence: a note alone; publicity: a link or a file), a
photo (JPEG, PNG, WebP; re-encoded without metadata) or a PDF of at most 8 MB, checked by
its content: anything else is 400 ``invalid`` naming ``file``. Both honour
``Idempotency-Key`` (``offline.idempotency``): a phone that lost the answer sends again
and gets the first answer, nothing twice.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.models import User
from lms.api import ApiError
from lms.api_errors import error_responses
from lms.api_types import CodeText, Id
from lms.textinput import LABEL, TextPolicy, api_text
from offline.idempotency import idempotent
from places.models import District

from . import permissions, selectors, services
from .models import (
    ACTION_TEXT,
    DISPUTE_TEXT,
    EVIDENCE_TEXT,
    FINDING_TEXT,
    FOLLOW_UPS_TEXT,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    NAME_TEXT,
    RETURN_TEXT,
    STAGE_TEXT,
    SUMMARY_TEXT,
    TOPICS_TEXT,
    PublicityForm,
    PublicityItem,
    SessionKind,
    SupervisionAttendance,
    Unit,
)

router = Router(tags=["supervision"])

KindCode = Literal[tuple(SessionKind.values)]  # type: ignore[valid-type]
PublicityFormCode = Literal[tuple(PublicityForm.values)]  # type: ignore[valid-type]
LINK_TEXT = TextPolicy(500, required=False, purpose=LABEL)
"""A publicity item's link (checked as an http(s) URL by the operation)."""
Minutes = Annotated[int, Field(ge=MIN_SESSION_MINUTES, le=MAX_SESSION_MINUTES)]


def _state_errors(call):
    """Run ``call``; an out-of-order step is 409 with its code, other refusals as usual."""
    try:
        return call()
    except ValidationError as error:
        code = getattr(error, "code", None)
        if code in ("invalid_state", "criteria_not_met"):
            raise ApiError(409, code, " ".join(error.messages)) from error
        raise


# --- sessions -------------------------------------------------------------------------------


class AttendanceOut(Schema):
    id: int
    trainee_id: int
    trainee: str
    response: str
    credited_hours: float | None
    dispute_reason: str


class SupervisionSessionOut(Schema):
    id: int
    kind: str
    date: datetime.date
    minutes: int
    expert: str
    topics: str
    follow_ups: str
    attendances: list[AttendanceOut]


def session_out(session) -> SupervisionSessionOut:
    return SupervisionSessionOut(
        id=session.pk,
        kind=session.kind,
        date=session.date,
        minutes=session.minutes,
        expert=session.expert.display_name,
        topics=session.topics,
        follow_ups=session.follow_ups,
        attendances=[
            AttendanceOut(
                id=a.pk,
                trainee_id=a.trainee_id,
                trainee=a.trainee.display_name,
                response=a.response,
                credited_hours=(
                    float(a.credited_entry.hours)
                    if a.credited_entry and a.credited_entry.state == "approved"
                    else None
                ),
                dispute_reason=a.dispute_reason,
            )
            for a in session.attendances.all()
        ],
    )


class SessionIn(Schema):
    kind: KindCode
    date: datetime.date
    minutes: Minutes
    trainee_ids: list[Id] = Field(min_length=1, max_length=50)
    topics: api_text(TOPICS_TEXT)
    follow_ups: api_text(FOLLOW_UPS_TEXT) = ""


class DisputeIn(Schema):
    reason: api_text(DISPUTE_TEXT)


def _session(user, session_id: int):
    session = selectors.session_detail(user, session_id)
    if session is None:
        raise Http404
    return session


@router.get("/supervision/sessions", response=list[SupervisionSessionOut])
def list_sessions(request):
    """Supervision the caller gave or attended (at most 100), newest first."""
    return [session_out(s) for s in selectors.sessions_for(request.auth)]


@router.post("/supervision/sessions", response={201: SupervisionSessionOut})
def record_session(request, payload: SessionIn):
    """Record supervision given to one's own trainees (supervising experts); each trainee
    present is credited with its length toward their practicum's supervision requirement."""
    permissions.check_record_session(request.auth)
    data = payload.dict()
    ids = data.pop("trainee_ids")
    trainees = list(User.objects.filter(pk__in=ids))
    if len(trainees) != len(set(ids)):
        raise ApiError(
            400,
            "invalid",
            _("Only your own trainees (a current placement with you) can be recorded."),
            errors={"trainee_ids": [_("Unknown trainee.")]},
        )
    session = services.record_session(actor=request.auth, trainees=trainees, **data)
    return Status(201, session_out(_session(request.auth, session.pk)))


@router.get("/supervision/sessions/{supervision_session_id}", response=SupervisionSessionOut)
def get_session(request, supervision_session_id: Id):
    return session_out(_session(request.auth, supervision_session_id))


def _attendance(user, attendance_id: int) -> SupervisionAttendance:
    attendance = SupervisionAttendance.objects.filter(pk=attendance_id).first()
    if attendance is None or selectors.session_detail(user, attendance.session_id) is None:
        raise Http404
    return attendance


@router.post(
    "/supervision/attendances/{attendance_id}/confirm",
    response=SupervisionSessionOut,
    openapi_extra=error_responses(409),
)
def confirm(request, attendance_id: Id):
    """The trainee present confirms the supervision recorded for them."""
    attendance = _attendance(request.auth, attendance_id)
    _state_errors(lambda: services.confirm_attendance(actor=request.auth, attendance=attendance))
    return session_out(_session(request.auth, attendance.session_id))


@router.post(
    "/supervision/attendances/{attendance_id}/dispute",
    response=SupervisionSessionOut,
    openapi_extra=error_responses(409),
)
def dispute(request, attendance_id: Id, payload: DisputeIn):
    """The trainee present disputes it: the credited hours are withdrawn at once."""
    attendance = _attendance(request.auth, attendance_id)
    _state_errors(
        lambda: services.dispute_attendance(
            actor=request.auth, attendance=attendance, reason=payload.reason
        )
    )
    return session_out(_session(request.auth, attendance.session_id))


# --- inspections and corrective actions ------------------------------------------------------


class ActionOut(Schema):
    id: int
    inspection_id: int
    district_id: int
    unit_id: int | None
    owner: str
    owner_id: int
    deadline: datetime.date
    state: str
    overdue: bool
    required: str
    evidence_note: str
    has_evidence_file: bool
    verification_note: str


def action_out(action, today) -> ActionOut:
    inspection = action.finding.inspection
    return ActionOut(
        id=action.pk,
        inspection_id=inspection.pk,
        district_id=inspection.district_id,
        unit_id=inspection.unit_id,
        owner=action.owner.display_name,
        owner_id=action.owner_id,
        deadline=action.deadline,
        state=action.state,
        overdue=action.is_overdue(today),
        required=action.required,
        evidence_note=action.evidence_note,
        has_evidence_file=bool(action.evidence_file),
        verification_note=action.verification_note,
    )


class FindingOut(Schema):
    id: int
    text: str
    action_id: int | None


class InspectionOut(Schema):
    id: int
    date: datetime.date
    district_id: int
    unit_id: int | None
    inspectors: list[str]
    summary: str
    findings: list[FindingOut]


def inspection_out(inspection) -> InspectionOut:
    findings = []
    for finding in inspection.findings.all():
        action = getattr(finding, "corrective_action", None)
        findings.append(
            FindingOut(id=finding.pk, text=finding.text, action_id=action.pk if action else None)
        )
    return InspectionOut(
        id=inspection.pk,
        date=inspection.date,
        district_id=inspection.district_id,
        unit_id=inspection.unit_id,
        inspectors=[p.display_name for p in inspection.inspectors.all()],
        summary=inspection.summary,
        findings=findings,
    )


class InspectionSummaryOut(Schema):
    id: int
    date: datetime.date
    district_id: int
    unit_id: int | None
    findings: int
    open_actions: int


class InspectionIn(Schema):
    date: datetime.date
    district_id: Id | None = None
    unit_id: Id | None = None
    inspector_ids: list[Id] = Field(default_factory=list, max_length=20)
    summary: api_text(SUMMARY_TEXT) = ""


class FindingIn(Schema):
    text: api_text(FINDING_TEXT)
    required: api_text(ACTION_TEXT.optional()) = ""
    owner_id: Id | None = None
    deadline: datetime.date | None = None


class VerifyIn(Schema):
    accept: bool
    note: api_text(RETURN_TEXT.optional()) = ""


def _inspection(user, inspection_id: int):
    inspection = selectors.inspection_detail(user, inspection_id)
    if inspection is None:
        raise Http404
    return inspection


def _unknown(field: str, message: str):
    return ApiError(400, "invalid", message, errors={field: [message]})


@router.get("/supervision/inspections", response=list[InspectionSummaryOut])
def list_inspections(request):
    """Inspections the caller may see (at most 100), newest first."""
    return [
        InspectionSummaryOut(
            id=i.pk,
            date=i.date,
            district_id=i.district_id,
            unit_id=i.unit_id,
            findings=i.finding_count,
            open_actions=i.open_actions,
        )
        for i in selectors.inspections_for(request.auth)
    ]


@router.post("/supervision/inspections", response={201: InspectionOut})
def record_inspection(request, payload: InspectionIn):
    """Record an inspection of a unit or a district (the leading group)."""
    permissions.check_record_inspection(request.auth)
    district = unit = None
    if payload.district_id is not None:
        district = District.objects.filter(pk=payload.district_id).first()
        if district is None:
            raise _unknown("district_id", _("Unknown district."))
    if payload.unit_id is not None:
        unit = Unit.objects.filter(pk=payload.unit_id).select_related("district").first()
        if unit is None:
            raise _unknown("unit_id", _("Unknown unit."))
    inspectors = list(User.objects.filter(pk__in=payload.inspector_ids))
    if len(inspectors) != len(set(payload.inspector_ids)):
        raise _unknown("inspector_ids", _("Unknown inspector."))
    inspection = services.record_inspection(
        actor=request.auth,
        date=payload.date,
        district=district,
        unit=unit,
        inspectors=inspectors,
        summary=payload.summary,
    )
    return Status(201, inspection_out(_inspection(request.auth, inspection.pk)))


@router.get("/supervision/inspections/{inspection_id}", response=InspectionOut)
def get_inspection(request, inspection_id: Id):
    return inspection_out(_inspection(request.auth, inspection_id))


@router.post("/supervision/inspections/{inspection_id}/findings", response={201: InspectionOut})
def add_finding(request, inspection_id: Id, payload: FindingIn):
    """Add a finding, with a corrective action when what must be done, its owner and its
    deadline are given (the leading group)."""
    inspection = _inspection(request.auth, inspection_id)
    permissions.check_add_finding(request.auth, inspection)
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id).first()
        if owner is None:
            raise _unknown("owner_id", _("Unknown owner."))
    services.add_finding(
        actor=request.auth,
        inspection=inspection,
        text=payload.text,
        required=payload.required,
        owner=owner,
        deadline=payload.deadline,
    )
    return Status(201, inspection_out(_inspection(request.auth, inspection_id)))


@router.get("/supervision/actions", response=list[ActionOut])
def list_actions(request, overdue: bool = False):
    """Corrective actions the caller may see (at most 200); ``overdue=true``: only those past
    their deadline and not verified."""
    today = timezone.localdate()
    return [action_out(a, today) for a in selectors.actions_for(request.auth, overdue=overdue)]


def _action(user, action_id: int):
    action = selectors.action_detail(user, action_id)
    if action is None:
        raise Http404
    return action


@router.get("/supervision/actions/{action_id}", response=ActionOut)
def get_action(request, action_id: Id):
    """One corrective action the caller may see (owner, inspectors, the district's
    coordinators, the leading group, administrators)."""
    return action_out(_action(request.auth, action_id), timezone.localdate())


class EvidenceIn(Schema):
    note: api_text(EVIDENCE_TEXT)


@router.post(
    "/supervision/actions/{action_id}/evidence",
    response=ActionOut,
    openapi_extra=error_responses(409),
)
@idempotent("supervision.action.evidence")
def submit_evidence(
    request,
    action_id: Id,
    payload: Form[EvidenceIn],
    file: File[UploadedFile] = None,
):
    """Say what was done, with an optional photo or PDF (multipart): the action's owner or
    the district's coordinators, while it is open; it then waits for the inspector."""
    action = _action(request.auth, action_id)
    permissions.check_submit_evidence(request.auth, action)
    _state_errors(
        lambda: services.submit_evidence(
            actor=request.auth, action=action, note=payload.note, upload=file
        )
    )
    return action_out(_action(request.auth, action_id), timezone.localdate())


@router.post(
    "/supervision/actions/{action_id}/verify",
    response=ActionOut,
    openapi_extra=error_responses(409),
)
def verify(request, action_id: Id, payload: VerifyIn):
    """Verify the evidence (``accept``) or return it with a note (an inspector)."""
    action = _action(request.auth, action_id)
    _state_errors(
        lambda: services.verify_action(
            actor=request.auth, action=action, accept=payload.accept, note=payload.note
        )
    )
    return action_out(selectors.action_detail(request.auth, action_id), timezone.localdate())


# --- stages ------------------------------------------------------------------------------------


class MeasuredOut(Schema):
    label: str
    value: float | None


class CriterionOut(Schema):
    id: int
    measure: str
    district_id: int | None
    target: float
    values: list[MeasuredOut]
    met: bool


class StageOut(Schema):
    id: int
    name: str
    starts_on: datetime.date
    due_on: datetime.date
    measured_on: datetime.date
    all_met: bool
    signed_off_at: datetime.datetime | None
    criteria: list[CriterionOut]


def stage_out(progress) -> StageOut:
    stage = progress.stage
    return StageOut(
        id=stage.pk,
        name=stage.name,
        starts_on=stage.starts_on,
        due_on=stage.due_on,
        measured_on=progress.as_of,
        all_met=progress.all_met,
        signed_off_at=stage.signed_off_at,
        criteria=[
            CriterionOut(
                id=c.criterion.pk,
                measure=c.criterion.measure,
                district_id=c.criterion.district_id,
                target=float(c.criterion.target),
                values=[
                    MeasuredOut(label=v.label, value=None if v.value is None else float(v.value))
                    for v in c.values
                ],
                met=c.met,
            )
            for c in progress.criteria
        ],
    )


class SignOffIn(Schema):
    note: api_text(STAGE_TEXT) = ""


@router.get("/supervision/stages", response=list[StageOut])
def list_stages(request):
    """The programme's stages and their criteria, measured now (coordinators, the leading
    group, administrators)."""
    permissions.check_view_stages(request.auth)
    return [stage_out(p) for p in selectors.stages_with_progress()]


@router.post(
    "/supervision/stages/{stage_id}/sign-off",
    response=StageOut,
    openapi_extra=error_responses(409),
)
def sign_off(request, stage_id: Id, payload: SignOffIn):
    """Accept a stage whose criteria are all met (the leading group)."""
    permissions.check_view_stages(request.auth)
    stage = selectors.stage_detail(stage_id)
    if stage is None:
        raise Http404
    _state_errors(
        lambda: services.sign_off_stage(actor=request.auth, stage=stage, note=payload.note)
    )
    return stage_out(selectors.stage_progress(selectors.stage_detail(stage_id)))


# --- publicity -------------------------------------------------------------------------------------


class UnitMonthOut(Schema):
    unit_id: int
    unit: str
    district_id: int
    forms: int
    items: int
    min_forms: int
    min_items: int
    complete: bool


@router.get("/supervision/publicity", response=list[UnitMonthOut])
def publicity(request, period: CodeText | None = None):
    """Each unit the caller may see, with its forms and items reported for the month
    (``period=YYYY-MM``, default this month) against the month's rule."""
    month = timezone.localdate().replace(day=1) if not period else selectors.parse_month(period)
    if month is None:
        raise ApiError(400, "invalid_period", _("Give the month as YYYY-MM, e.g. 2027-03."))
    rows = selectors.publicity_completeness(month, units=permissions.visible_units(request.auth))
    return [
        UnitMonthOut(
            unit_id=r.unit.pk,
            unit=r.unit.name,
            district_id=r.unit.district_id,
            forms=r.forms,
            items=r.items,
            min_forms=r.rule.min_forms,
            min_items=r.rule.min_items,
            complete=r.complete,
        )
        for r in rows
    ]


class PublicityItemOut(Schema):
    id: int
    unit_id: int
    period: str = Field(description="The month reported, YYYY-MM.")
    form: str
    title: str
    published_on: datetime.date
    link: str
    file_url: str | None = Field(description="The photo or PDF, for those who see the unit.")
    content_type: str
    uploaded_by: str
    uploaded_at: datetime.datetime


def publicity_item_out(item: PublicityItem) -> PublicityItemOut:
    return PublicityItemOut(
        id=item.pk,
        unit_id=item.unit_id,
        period=f"{item.period:%Y-%m}",
        form=item.form,
        title=item.title,
        published_on=item.published_on,
        link=item.link,
        file_url=reverse("supervision:publicity_file", args=[item.pk]) if item.file else None,
        content_type=item.content_type,
        uploaded_by=item.uploaded_by.display_name,
        uploaded_at=item.uploaded_at,
    )


class PublicityItemIn(Schema):
    period: CodeText = Field(description="The month reported, YYYY-MM (begun, not ahead).")
    form: PublicityFormCode
    title: api_text(NAME_TEXT)
    published_on: datetime.date
    link: api_text(LINK_TEXT) = Field("", description="Where it can be seen (or a file).")


def _visible_unit(user, unit_id: int) -> Unit:
    unit = permissions.visible_units(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def _period(value) -> datetime.date:
    month = selectors.parse_month(value)
    if month is None:
        raise ApiError(
            400,
            "invalid_period",
            _("Give the month as YYYY-MM, e.g. 2027-03."),
            errors={"period": [_("Give the month as YYYY-MM, e.g. 2027-03.")]},
        )
    return month


@router.get("/supervision/units/{unit_id}/publicity", response=list[PublicityItemOut])
def list_publicity_items(request, unit_id: Id, period: CodeText | None = None):
    """The items a unit reported for the month (``period=YYYY-MM``, default this month)."""
    unit = _visible_unit(request.auth, unit_id)
    month = timezone.localdate().replace(day=1) if not period else _period(period)
    return [publicity_item_out(item) for item in selectors.unit_month_items(unit, month)]


@router.post("/supervision/units/{unit_id}/publicity", response={201: PublicityItemOut})
@idempotent("supervision.publicity.add")
def add_publicity_item(
    request,
    unit_id: Id,
    payload: Form[PublicityItemIn],
    file: File[UploadedFile] = None,
):
    """Add one piece of the unit's monthly publicity by its form (article, video, poster,
    social post…), with a link or a photo/PDF of it (multipart): the unit's reporters, its
    district's coordinators, administrators."""
    unit = _visible_unit(request.auth, unit_id)
    permissions.check_report_publicity(request.auth, unit)
    if payload.link:
        try:
            URLValidator(schemes=["http", "https"])(payload.link)
        except ValidationError:
            message = _("Enter a valid link (http or https).")
            raise ApiError(400, "invalid", message, errors={"link": [message]}) from None
    item = services.add_publicity_item(
        actor=request.auth,
        unit=unit,
        period=_period(payload.period),
        form=payload.form,
        title=payload.title,
        published_on=payload.published_on,
        link=payload.link,
        upload=file,
    )
    item = PublicityItem.objects.select_related("uploaded_by").get(pk=item.pk)
    return Status(201, publicity_item_out(item))


@router.delete("/supervision/publicity/items/{item_id}", response={204: None})
def remove_publicity_item(request, item_id: Id):
    """Remove an item uploaded by mistake (as adding it)."""
    item = PublicityItem.objects.select_related("unit").filter(pk=item_id).first()
    if item is None or not permissions.visible_units(request.auth).filter(pk=item.unit_id):
        raise Http404
    services.remove_publicity_item(actor=request.auth, item=item)
    return Status(204, None)
