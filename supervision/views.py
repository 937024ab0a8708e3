"""Supervision pages: sessions (record, confirm or dispute), inspections and corrective
actions, the programme's stages and their acceptance, each unit's monthly publicity.
Thin: selectors read, permissions decide, services change. A record someone may not see
is 404, never 403; a form refused keeps what was typed.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.permissions import role_required
from lms.one_door import add_service_errors
from lms.uploads import private_file_response

from . import permissions, selectors, services
from .forms import (
    DisputeForm,
    EvidenceForm,
    FindingForm,
    InspectionForm,
    PublicityItemForm,
    SessionForm,
    SignOffForm,
    VerifyForm,
)
from .models import ActionState, AttendanceResponse, PublicityItem, SupervisionAttendance


def _month_or_404(value: str) -> datetime.date:
    month = selectors.parse_month(value)
    if month is None:
        raise Http404
    return month


def _service_call(form, call):
    """Run ``call()``; a ValidationError becomes the form's errors. True when it succeeded."""
    try:
        call()
    except ValidationError as error:
        if getattr(error, "code", None) in ("invalid_state", "criteria_not_met"):
            form.add_error(None, error)
        else:
            add_service_errors(form, error)
        return False
    return True


# --- the hub ---------------------------------------------------------------------------------


@login_required
@never_cache
def home(request):
    """Where each role's supervision work is, with what waits for them."""
    user = request.user
    return render(
        request,
        "supervision/home.html",
        {
            "can_record_session": permissions.can_record_session(user),
            "answers_waiting": selectors.waiting_answers(user),
            "can_record_inspection": permissions.can_record_inspection(user),
            "overdue": selectors.overdue_count(user),
            "can_view_stages": permissions.can_view_stages(user),
        },
    )


# --- supervision sessions ---------------------------------------------------------------


@login_required
@never_cache
def session_list(request):
    return render(
        request,
        "supervision/session_list.html",
        {
            "sessions": selectors.sessions_for(request.user),
            "can_record": permissions.can_record_session(request.user),
        },
    )


@role_required(roles.SUPERVISOR)
@never_cache
def session_new(request):
    permissions.check_record_session(request.user)
    form = SessionForm(
        request.POST or None,
        trainees=selectors.own_trainees(request.user),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["trainees"] = list(data["trainees"])
        result = {}

        def call():
            result["session"] = services.record_session(actor=request.user, **data)

        if _service_call(form, call):
            messages.success(
                request,
                _("Supervision recorded; %(count)d trainees were credited with its hours.")
                % {"count": len(data["trainees"])},
            )
            return redirect("supervision:session", result["session"].pk)
    return render(
        request,
        "supervision/session_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _session_or_404(request, pk):
    session = selectors.session_detail(request.user, pk)
    if session is None:
        raise Http404
    return session


@login_required
@never_cache
def session_detail(request, pk: int, dispute_form=None):
    session = _session_or_404(request, pk)
    mine = next((a for a in session.attendances.all() if a.trainee_id == request.user.pk), None)
    return render(
        request,
        "supervision/session_detail.html",
        {
            "session": session,
            "mine": mine,
            "can_answer": mine is not None and mine.response == AttendanceResponse.PENDING,
            "dispute_form": dispute_form or DisputeForm(),
        },
        status=400 if dispute_form is not None else 200,
    )


def _attendance(request, pk):
    attendance = get_object_or_404(SupervisionAttendance.objects.select_related("session"), pk=pk)
    if selectors.session_detail(request.user, attendance.session_id) is None:
        raise Http404
    return attendance


@login_required
@require_POST
def confirm_attendance(request, pk: int):
    attendance = _attendance(request, pk)
    try:
        services.confirm_attendance(actor=request.user, attendance=attendance)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: the supervision is confirmed."))
    return redirect("supervision:session", attendance.session_id)


@login_required
@require_POST
def dispute_attendance(request, pk: int):
    attendance = _attendance(request, pk)
    permissions.check_answer(request.user, attendance)
    form = DisputeForm(request.POST)
    if form.is_valid() and _service_call(
        form,
        lambda: services.dispute_attendance(
            actor=request.user, attendance=attendance, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(
            request, _("The supervision is disputed; its hours no longer count toward yours.")
        )
        return redirect("supervision:session", attendance.session_id)
    return session_detail(request, attendance.session_id, dispute_form=form)


# --- inspections and corrective actions ------------------------------------------------------


@login_required
@never_cache
def inspection_list(request):
    return render(
        request,
        "supervision/inspection_list.html",
        {
            "inspections": selectors.inspections_for(request.user),
            "can_record": permissions.can_record_inspection(request.user),
        },
    )


@role_required(roles.LEADING_GROUP)
@never_cache
def inspection_new(request):
    permissions.check_record_inspection(request.user)
    form = InspectionForm(
        request.POST or None, user=request.user, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        result = {}

        def call():
            data = form.cleaned_data
            result["inspection"] = services.record_inspection(
                actor=request.user,
                date=data["date"],
                district=data.get("district"),
                unit=data.get("unit"),
                inspectors=list(data.get("inspectors") or []),
                summary=data.get("summary", ""),
            )

        if _service_call(form, call):
            return redirect("supervision:inspection", result["inspection"].pk)
    return render(
        request,
        "supervision/inspection_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _inspection_or_404(request, pk):
    inspection = selectors.inspection_detail(request.user, pk)
    if inspection is None:
        raise Http404
    return inspection


@login_required
@never_cache
def inspection_detail(request, pk: int, finding_form=None):
    inspection = _inspection_or_404(request, pk)
    can_add = permissions.can_record_inspection(request.user)
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "can_add": can_add,
            "finding_form": finding_form
            or (FindingForm(inspection=inspection) if can_add else None),
            "today": timezone.localdate(),
        },
        status=400 if finding_form is not None else 200,
    )


@login_required
@require_POST
def add_finding(request, pk: int):
    inspection = _inspection_or_404(request, pk)
    permissions.check_add_finding(request.user, inspection)
    form = FindingForm(request.POST, inspection=inspection)
    if form.is_valid() and _service_call(
        form,
        lambda: services.add_finding(
            actor=request.user, inspection=inspection, **form.cleaned_data
        ),
    ):
        return redirect("supervision:inspection", inspection.pk)
    return inspection_detail(request, pk, finding_form=form)


@login_required
@never_cache
def action_list(request):
    overdue = request.GET.get("overdue") == "1"
    return render(
        request,
        "supervision/action_list.html",
        {
            "actions": selectors.actions_for(request.user, overdue=overdue),
            "overdue_only": overdue,
            "today": timezone.localdate(),
        },
    )


def _action_or_404(request, pk):
    action = selectors.action_detail(request.user, pk)
    if action is None:
        raise Http404
    return action


@login_required
@never_cache
def action_detail(request, pk: int, forms=None):
    action = _action_or_404(request, pk)
    forms = forms or {}
    can_submit = (
        permissions.can_submit_evidence(request.user, action) and action.state == ActionState.OPEN
    )
    can_verify = (
        permissions.can_verify(request.user, action) and action.state == ActionState.SUBMITTED
    )
    return render(
        request,
        "supervision/action_detail.html",
        {
            "action": action,
            "can_submit": can_submit,
            "can_verify": can_verify,
            "evidence_form": forms.get("evidence") or EvidenceForm(),
            "verify_form": forms.get("verify") or VerifyForm(),
            "overdue": action.is_overdue(),
            "today": timezone.localdate(),
        },
        status=400 if forms else 200,
    )


@login_required
@require_POST
def submit_evidence(request, pk: int):
    action = _action_or_404(request, pk)
    permissions.check_submit_evidence(request.user, action)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid() and _service_call(
        form,
        lambda: services.submit_evidence(
            actor=request.user,
            action=action,
            note=form.cleaned_data["note"],
            upload=form.cleaned_data.get("file"),
        ),
    ):
        messages.success(request, _("The evidence is with the inspector."))
        return redirect("supervision:action", action.pk)
    return action_detail(request, pk, forms={"evidence": form})


@login_required
@require_POST
def verify_action(request, pk: int):
    action = _action_or_404(request, pk)
    permissions.check_verify(request.user, action)
    form = VerifyForm(request.POST)
    if form.is_valid() and _service_call(
        form,
        lambda: services.verify_action(
            actor=request.user,
            action=action,
            accept=form.cleaned_data["decision"] == "verify",
            note=form.cleaned_data["note"],
        ),
    ):
        return redirect("supervision:action", action.pk)
    return action_detail(request, pk, forms={"verify": form})


@login_required
def action_evidence(request, pk: int):
    """The evidence file, to those who may see the action (never at a public address)."""
    action = _action_or_404(request, pk)
    if not action.evidence_file:
        raise Http404
    return private_file_response(
        action.evidence_file.open("rb"),
        content_type=action.evidence_content_type,
        filename=action.evidence_name or "evidence",
    )


# --- stages ------------------------------------------------------------------------------------


@login_required
@never_cache
def stage_list(request):
    permissions.check_view_stages(request.user)
    return render(
        request,
        "supervision/stage_list.html",
        {"progress": selectors.stages_with_progress(), "labels": selectors.MEASURE_LABELS},
    )


@login_required
@never_cache
def stage_detail(request, pk: int, form=None):
    permissions.check_view_stages(request.user)
    stage = selectors.stage_detail(pk)
    if stage is None:
        raise Http404
    return render(
        request,
        "supervision/stage_detail.html",
        {
            "progress": selectors.stage_progress(stage),
            "labels": selectors.MEASURE_LABELS,
            "can_sign_off": permissions.can_sign_off(request.user) and not stage.is_signed_off,
            "form": form or SignOffForm(),
        },
        status=400 if form is not None else 200,
    )


@login_required
@require_POST
def sign_off_stage(request, pk: int):
    permissions.check_view_stages(request.user)
    stage = selectors.stage_detail(pk)
    if stage is None:
        raise Http404
    permissions.check_sign_off(request.user)
    form = SignOffForm(request.POST)
    if form.is_valid() and _service_call(
        form,
        lambda: services.sign_off_stage(
            actor=request.user, stage=stage, note=form.cleaned_data["note"]
        ),
    ):
        messages.success(request, _("The stage is accepted."))
        return redirect("supervision:stage", stage.pk)
    return stage_detail(request, pk, form=form)


# --- publicity ------------------------------------------------------------------------------------


@login_required
@never_cache
def publicity_overview(request):
    today = timezone.localdate()
    period = selectors.parse_month(request.GET.get("period")) or today.replace(day=1)
    units = permissions.visible_units(request.user)
    rows = selectors.publicity_completeness(period, units=units)
    previous = (period - datetime.timedelta(days=1)).replace(day=1)
    following = (period + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "supervision/publicity_overview.html",
        {
            "period": period,
            "rows": rows,
            "rule": selectors.rule_for(period),
            "complete": sum(1 for row in rows if row.complete),
            "previous": previous,
            "next": following if following <= today.replace(day=1) else None,
        },
    )


def _unit_or_404(request, unit_pk):
    unit = permissions.visible_units(request.user).filter(pk=unit_pk).first()
    if unit is None:
        raise Http404
    return unit


@login_required
@never_cache
def publicity_unit(request, unit_pk: int, period: str):
    unit = _unit_or_404(request, unit_pk)
    month = _month_or_404(period)
    can_report = permissions.can_report_publicity(request.user, unit)
    form = PublicityItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        permissions.check_report_publicity(request.user, unit)
        if form.is_valid() and _service_call(
            form,
            lambda: services.add_publicity_item(
                actor=request.user,
                unit=unit,
                period=month,
                form=form.cleaned_data["form"],
                title=form.cleaned_data["title"],
                published_on=form.cleaned_data["published_on"],
                link=form.cleaned_data.get("link") or "",
                upload=form.cleaned_data.get("file"),
            ),
        ):
            messages.success(request, _("Added to the month's publicity."))
            return redirect("supervision:publicity_unit", unit.pk, period)
    (row,) = selectors.publicity_completeness(
        month, units=type(unit).objects.filter(pk=unit.pk)
    ) or (None,)
    return render(
        request,
        "supervision/publicity_unit.html",
        {
            "unit": unit,
            "period": month,
            "items": selectors.unit_month_items(unit, month),
            "row": row,
            "rule": selectors.rule_for(month),
            "can_report": can_report and month <= timezone.localdate().replace(day=1),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _item_or_404(request, pk):
    item = get_object_or_404(PublicityItem.objects.select_related("unit"), pk=pk)
    if not permissions.visible_units(request.user).filter(pk=item.unit_id).exists():
        raise Http404
    return item


@login_required
def publicity_file(request, pk: int):
    item = _item_or_404(request, pk)
    if not item.file:
        raise Http404
    return private_file_response(
        item.file.open("rb"),
        content_type=item.content_type,
        filename=item.original_name or "publicity",
    )


@login_required
@require_POST
def publicity_remove(request, pk: int):
    item = _item_or_404(request, pk)
    if not permissions.can_report_publicity(request.user, item.unit):
        raise PermissionDenied(
            _("Only the unit's reporters and its coordinators report its publicity.")
        )
    services.remove_publicity_item(actor=request.user, item=item)
    messages.success(request, _("Removed."))
    return redirect("supervision:publicity_unit", item.unit_id, f"{item.period:%Y-%m}")
