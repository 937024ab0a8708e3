"""Pages of dispatch planning: the venue's own page (phone first), the coordinator's triage,
the month's plan, costs, and qualifications from elsewhere.

The pages only parse input and call the services and selectors; a form keeps what was
typed when a service refuses it.
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.permissions import role_required
from lecturer_corps.models import ServiceRequest, SessionStatus, VenueContact
from lms.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from lms.uploads import private_file_response
from places.models import District, Venue

from . import costs, permissions, planning, prior_qualifications, selectors, services
from .forms import (
    AcceptForm,
    ChangesForm,
    DeclineForm,
    PriorQualificationForm,
    ReasonForm,
    RequestImportForm,
    VenueRequestForm,
    month_from,
)
from .models import (
    PriorQualification,
    PriorQualificationStatus,
    VenueRequest,
    VenueRequestStatus,
    next_month,
)

coordinator_required = role_required(roles.COORDINATOR, roles.ADMINISTRATOR)


def venue_contact_required(view):
    """Anonymous → log-in page; a signed-in person who answers for no venue → 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.venue_contact = permissions.check_venue_contact(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _map_date_errors(form, exc: ValidationError) -> ValidationError:
    """A venue request's ``dates`` errors belong on the form's first date box."""
    if hasattr(exc, "error_dict") and "dates" in exc.error_dict:
        errors = exc.message_dict
        errors["date_1"] = errors.pop("dates")
        return ValidationError(errors)
    return exc


# --- the venue contact ------------------------------------------------------------------


@venue_contact_required
def venue_home(request):
    """The venue's requests (waiting, sent back, accepted…) and its sessions with the
    lecturers who agreed to come."""
    contact = request.venue_contact
    venue_requests = list(selectors.venue_requests_of(contact.venue_id)[:50])
    sessions = []
    for service_request in selectors.venue_sessions_of(contact.venue_id):
        agreed = [
            s
            for s in service_request.sessions.all()
            if s.status
            in (
                SessionStatus.ACCEPTED,
                SessionStatus.CONFIRMED,
                SessionStatus.DELIVERED,
                SessionStatus.VERIFIED,
            )
        ]
        sessions.append({"request": service_request, "lecturers": [s.lecturer for s in agreed]})
    return render(
        request,
        "dispatch/venue_home.html",
        {"contact": contact, "venue_requests": venue_requests, "sessions": sessions},
    )


@venue_contact_required
def venue_request_new(request):
    contact = request.venue_contact
    form = VenueRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_venue_request(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            add_errors(form, _map_date_errors(form, exc))
        else:
            messages.success(request, _("Your request is sent. The coordinator will answer here."))
            return redirect("dispatch:venue_home")
    return render(
        request,
        "dispatch/venue_request_form.html",
        {"form": form, "contact": contact},
        status=400 if form.is_bound and form.errors else 200,
    )


def _own_venue_request(request, pk) -> VenueRequest:
    return get_object_or_404(
        VenueRequest.objects.select_related("venue"), pk=pk, venue_id=request.venue_contact.venue_id
    )


@venue_contact_required
def venue_request_edit(request, pk):
    contact = request.venue_contact
    venue_request = _own_venue_request(request, pk)
    if not venue_request.is_open:
        messages.info(request, _("This request has been settled and can no longer be changed."))
        return redirect("dispatch:venue_home")
    form = VenueRequestForm(request.POST or None, instance=venue_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_venue_request(
                actor=request.user, venue_request=venue_request, **form.service_arguments()
            )
        except ValidationError as exc:
            add_errors(form, _map_date_errors(form, exc))
        else:
            messages.success(request, _("Your changed request is sent again."))
            return redirect("dispatch:venue_home")
    return render(
        request,
        "dispatch/venue_request_form.html",
        {"form": form, "contact": contact, "venue_request": venue_request},
        status=400 if form.is_bound and form.errors else 200,
    )


@venue_contact_required
@require_POST
def venue_request_withdraw(request, pk):
    venue_request = _own_venue_request(request, pk)
    try:
        services.withdraw_venue_request(actor=request.user, venue_request=venue_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("dispatch:venue_home")


# --- the coordinator: triage --------------------------------------------------------------


@coordinator_required
def triage_list(request):
    scope = permissions.check_coordinator(request.user)
    status = request.GET.get("status", VenueRequestStatus.SUBMITTED)
    if status not in VenueRequestStatus.values and status != "all":
        status = VenueRequestStatus.SUBMITTED
    rows = list(selectors.triage_queue(scope, status=None if status == "all" else status)[:200])
    return render(
        request,
        "dispatch/triage_list.html",
        {"rows": rows, "status": status, "statuses": VenueRequestStatus.choices},
    )


def _scoped_venue_request(request, pk) -> VenueRequest:
    scope = permissions.check_coordinator(request.user)
    return get_object_or_404(
        VenueRequest.objects.in_scope(scope).select_related(
            "venue", "venue__district", "contact", "decided_by"
        ),
        pk=pk,
    )


@coordinator_required
def triage_detail(request, pk, forms=None, status=200):
    venue_request = _scoped_venue_request(request, pk)
    planned = list(
        venue_request.planned_requests.select_related("service_request").order_by(
            "service_request__date"
        )
    )
    forms = forms or {}
    return render(
        request,
        "dispatch/triage_detail.html",
        {
            "vr": venue_request,
            "planned": planned,
            "accept_form": forms.get("accept") or AcceptForm(),
            "changes_form": forms.get("changes") or ChangesForm(),
            "decline_form": forms.get("decline") or DeclineForm(),
        },
        status=status,
    )


def _triage_action(request, pk, form_class, key, act, success):
    venue_request = _scoped_venue_request(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(venue_request, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("dispatch:triage_detail", pk=venue_request.pk)
    return triage_detail(request, pk, forms={key: form}, status=400)


@coordinator_required
@require_POST
def triage_accept(request, pk):
    return _triage_action(
        request,
        pk,
        AcceptForm,
        "accept",
        lambda vr, data: services.accept_venue_request(
            actor=request.user, venue_request=vr, lecturers_needed=data["lecturers_needed"]
        ),
        _("The request is accepted into planning; the venue has been told."),
    )


@coordinator_required
@require_POST
def triage_changes(request, pk):
    return _triage_action(
        request,
        pk,
        ChangesForm,
        "changes",
        lambda vr, data: services.ask_for_changes(
            actor=request.user, venue_request=vr, message=data["message"]
        ),
        _("The request is sent back to the venue with your message."),
    )


@coordinator_required
@require_POST
def triage_decline(request, pk):
    return _triage_action(
        request,
        pk,
        DeclineForm,
        "decline",
        lambda vr, data: services.decline_venue_request(
            actor=request.user, venue_request=vr, reason=data["reason"]
        ),
        _("The request is declined; the venue has been told."),
    )


@coordinator_required
@require_POST
def contact_invite(request, pk):
    """Give a venue contact an account by invitation (from the venue's contacts page)."""
    scope = permissions.check_coordinator(request.user)
    contact = get_object_or_404(
        VenueContact.objects.select_related("venue").filter(
            venue__in=Venue.objects.in_scope(scope)
        ),
        pk=pk,
    )
    try:
        user = services.invite_venue_contact(actor=request.user, contact=contact)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s can now sign in as %(username)s; an invitation was sent if needed.")
            % {"name": contact.name, "username": user.username},
        )
    return redirect("lecturer_corps:venue_contacts", pk=contact.venue_id)


# --- the coordinator: the month's plan ------------------------------------------------------


@coordinator_required
def month_plan(request):
    """Supply against demand for a month by district × language × topic × week, the
    copy-forward of last month's recurring requests, the import, and the auto-assign
    preview one click away."""
    scope = permissions.check_coordinator(request.user)
    today = timezone.localdate()
    month = month_from(request.GET.get("month"), default=next_month(today))
    sheet = selectors.supply_and_demand(scope, month)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    last_day = next_month(month) - datetime.timedelta(days=1)
    return render(
        request,
        "dispatch/month_plan.html",
        {
            "sheet": sheet,
            "month": month,
            "previous_month": previous,
            "next_month": next_month(month),
            "scope": scope,
            "waiting": selectors.waiting_for_triage(scope),
            "plan_first_day": max(month, today),
            "plan_last_day": last_day,
            "can_plan": last_day >= today,
        },
    )


@coordinator_required
def copy_forward(request):
    """GET ?month=: what would be copied from that month to the next; POST: copy."""
    source = month_from(request.POST.get("month") or request.GET.get("month"))
    if request.method == "POST":
        try:
            report = planning.copy_forward(actor=request.user, month=source)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{reverse('dispatch:copy_forward')}?month={source:%Y-%m}")
        messages.success(
            request,
            _("%(count)d requests copied to %(month)s.")
            % {"count": report.copied, "month": f"{next_month(source):%Y-%m}"},
        )
        for item in report.problems:
            messages.warning(
                request,
                _("Not copied: %(request)s — %(problem)s")
                % {"request": item.original, "problem": item.problem},
            )
        return redirect(f"{reverse('dispatch:month_plan')}?month={next_month(source):%Y-%m}")
    report = planning.copy_forward(actor=request.user, month=source, dry_run=True)
    return render(
        request,
        "dispatch/copy_forward.html",
        {"report": report, "source": source, "target": next_month(source)},
    )


@coordinator_required
def request_import(request):
    form = RequestImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = planning.import_requests(
                actor=request.user,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
    status = 400 if (form.is_bound and form.errors) or (report and not report.ok) else 200
    return render(
        request, "dispatch/request_import.html", {"form": form, "report": report}, status=status
    )


@coordinator_required
def import_template(request):
    response = HttpResponse(planning.template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="service-requests-template.xlsx"'
    return response


@coordinator_required
@require_POST
def recurring_toggle(request, pk):
    scope = permissions.check_coordinator(request.user)
    service_request = get_object_or_404(
        ServiceRequest.objects.in_scope(scope).select_related("venue"), pk=pk
    )
    recurring = request.POST.get("recurring") == "1"
    services.set_recurring(actor=request.user, service_request=service_request, recurring=recurring)
    messages.success(
        request,
        _("This request will be copied to the next month.")
        if recurring
        else _("This request will not be copied to the next month."),
    )
    return redirect("lecturer_corps:request_detail", pk=service_request.pk)


# --- the coordinator: costs ------------------------------------------------------------------


@coordinator_required
def cost_sheet(request):
    scope = permissions.check_coordinator(request.user)
    month = month_from(request.GET.get("month"))
    sheet = costs.month_costs(scope, month)
    names = {d.pk: d.name for d in ([scope] if scope else District.objects.all())}
    return render(
        request,
        "dispatch/costs.html",
        {
            "sheet": sheet,
            "month": month,
            "previous_month": (month - datetime.timedelta(days=1)).replace(day=1),
            "next_month": next_month(month),
            "district_names": names,
            "lines": sheet.lines[:300],
        },
    )


@coordinator_required
def cost_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    scope = permissions.check_coordinator(request.user)
    month = month_from(request.GET.get("month"))
    sheet = costs.month_costs(scope, month)
    names = {d.pk: d.name for d in ([scope] if scope else District.objects.all())}
    response = HttpResponse(
        costs.finance_file(sheet, names, fmt),
        content_type=CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="session-costs-{month:%Y-%m}.{fmt}"'
    return response


# --- qualifications from elsewhere -------------------------------------------------------------


def _signed_in(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@_signed_in
def prior_list(request):
    """A coordinator: the records of their scope, waiting ones first. Anyone else: their own."""
    coordinating = permissions.is_coordinator(request.user)
    if coordinating:
        permissions.check_coordinator(request.user)
    rows = (
        permissions.prior_qualifications_in_scope(request.user)
        .select_related("holder", "decided_by")
        .order_by("status", "-recorded_at")
    )
    status = request.GET.get("status") or ""
    if status in PriorQualificationStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "dispatch/prior_list.html",
        {
            "rows": list(rows[:300]),
            "coordinating": coordinating,
            "status": status,
            "statuses": PriorQualificationStatus.choices,
        },
    )


@_signed_in
def prior_new(request):
    coordinating = permissions.is_coordinator(request.user)
    if not coordinating and not roles.has_role(request.user, roles.LECTURER):
        raise PermissionDenied(_("Only lecturers and coordinators record qualifications."))
    form = PriorQualificationForm(
        request.POST or None, request.FILES or None, can_choose_holder=coordinating
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = request.user
        if data.get("holder"):
            holder = get_user_model().objects.filter(username=data["holder"]).first()
        if holder is None:
            form.add_error("holder", _("No account has this username."))
        else:
            try:
                qualification = prior_qualifications.record_prior_qualification(
                    actor=request.user,
                    holder=holder,
                    evidence=data["evidence"],
                    title=data["title"],
                    issuer=data["issuer"],
                    number=data["number"],
                    issued_on=data["issued_on"],
                    expires_on=data.get("expires_on"),
                    topics=data["topics"],
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Recorded; a coordinator will check it."))
                return redirect("dispatch:prior_detail", pk=qualification.pk)
    return render(
        request,
        "dispatch/prior_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _visible_prior(request, pk) -> PriorQualification:
    qualification = get_object_or_404(
        PriorQualification.objects.select_related("holder", "recorded_by", "decided_by"), pk=pk
    )
    if not permissions.can_see_prior(request.user, qualification):
        raise Http404
    if qualification.holder_id != request.user.pk:
        permissions.check_coordinator(request.user)  # two-factor for staff
    return qualification


@_signed_in
def prior_detail(request, pk, reason_form=None, status=200):
    qualification = _visible_prior(request, pk)
    can_decide = True
    try:
        permissions.check_can_decide_prior(request.user, qualification)
    except PermissionDenied:
        can_decide = False
    return render(
        request,
        "dispatch/prior_detail.html",
        {
            "q": qualification,
            "can_decide": can_decide,
            "reason_form": reason_form or ReasonForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@_signed_in
@require_POST
def prior_decide(request, pk, decision):
    qualification = _visible_prior(request, pk)
    form = ReasonForm(request.POST) if decision in ("reject", "revoke") else None
    try:
        if decision == "approve":
            prior_qualifications.approve_prior_qualification(
                actor=request.user, qualification=qualification
            )
        elif form is not None and form.is_valid():
            act = (
                prior_qualifications.reject_prior_qualification
                if decision == "reject"
                else prior_qualifications.revoke_prior_qualification
            )
            act(actor=request.user, qualification=qualification, reason=form.cleaned_data["reason"])
        elif form is not None:
            return prior_detail(request, pk, reason_form=form, status=400)
        else:
            raise Http404
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if form is not None:
            add_errors(form, exc)
            return prior_detail(request, pk, reason_form=form, status=400)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            {
                "approve": _("Approved: the holder may be sent to teach the topics it covers."),
                "reject": _("Not approved; the holder has been told why."),
                "revoke": _("The approval is withdrawn; coming sessions are re-checked."),
            }[decision],
        )
    return redirect("dispatch:prior_detail", pk=qualification.pk)


@_signed_in
def prior_evidence(request, pk):
    qualification = _visible_prior(request, pk)
    try:
        handle = qualification.evidence.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    extension = qualification.evidence.name.rsplit(".", 1)[-1]
    return private_file_response(
        handle,
        content_type=qualification.evidence_type,
        filename=f"prior-qualification-{qualification.pk}.{extension}",
    )
