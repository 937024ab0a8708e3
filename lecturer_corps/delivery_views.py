"""Pages for delivery reports: the lecturer files and corrects, the coordinator verifies
or returns, a venue contact confirms by link on a phone without an account.

The pages only parse input and call ``lecturer_corps.delivery``; a form keeps what
was typed when the service refuses it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.permissions import role_required
from audit.services import record
from lms import ratelimit
from places.models import Venue

from . import delivery, permissions, selectors
from .forms import DeliveryReportForm, DisputeForm, ReturnReportForm, VenueContactForm
from .models import DeliveryReport, ReportState, Session, VenueConfirmation

logger = logging.getLogger(__name__)
coordinator_required = role_required(roles.COORDINATOR, roles.ADMINISTRATOR)
lecturer_required = role_required(roles.LECTURER)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- the lecturer ----------------------------------------------------------------------


@lecturer_required
def report_create(request, pk):
    """File the report of an ended session, or correct one returned for correction."""
    session = get_object_or_404(
        Session.objects.select_related("request", "request__venue"), pk=pk, lecturer=request.user
    )
    report = DeliveryReport.objects.filter(session=session).first()
    correcting = report is not None and report.state == ReportState.RETURNED
    if report is not None and not correcting:
        messages.info(request, _("The delivery report has already been filed."))
        return redirect("lecturer_corps:my_sessions")
    initial = delivery.child_count_initial(report) if correcting else None
    form = DeliveryReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if correcting:
                delivery.correct_delivery_report(
                    actor=request.user, report=report, **form.service_arguments()
                )
            else:
                delivery.file_delivery_report(
                    actor=request.user, session=session, **form.service_arguments()
                )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the delivery report is filed."))
            return redirect("lecturer_corps:my_sessions")
    return render(
        request,
        "lecturer_corps/report_form.html",
        {
            "session": session,
            "form": form,
            "ended": session.has_ended,
            "report": report if correcting else None,
        },
    )


# --- the coordinator ---------------------------------------------------------------------


@coordinator_required
def report_queue(request):
    scope = permissions.check_coordinator(request.user)
    reports = list(selectors.reports_waiting_for_verification(scope)[:200])
    return render(request, "lecturer_corps/report_queue.html", {"reports": reports})


def _scoped_report(request, pk) -> DeliveryReport:
    scope = permissions.check_coordinator(request.user)
    reports = DeliveryReport.objects.select_related(
        "session",
        "session__lecturer",
        "session__request",
        "session__request__venue",
        "verified_by",
        "confirmed_by_contact",
    )
    if scope is not None:
        reports = reports.filter(session__request__venue__district=scope)
    return get_object_or_404(reports, pk=pk)


@coordinator_required
def report_detail(request, pk, return_form=None):
    report = _scoped_report(request, pk)
    confirmations = list(
        VenueConfirmation.objects.filter(report=report).select_related("contact")[:20]
    )
    return render(
        request,
        "lecturer_corps/report_detail.html",
        {
            "report": report,
            "child_rows": report.child_count_table(),
            "band_labels": DeliveryReportForm().band_labels(),
            "confirmations": confirmations,
            "return_form": return_form or ReturnReportForm(),
        },
        status=400 if return_form is not None else 200,
    )


@coordinator_required
@require_POST
def report_verify(request, pk):
    report = _scoped_report(request, pk)
    try:
        delivery.verify_delivery_report(actor=request.user, report=report)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("lecturer_corps:report_detail", pk=report.pk)
    messages.success(request, _("The report is verified."))
    return redirect("lecturer_corps:report_queue")


@coordinator_required
@require_POST
def report_return(request, pk):
    report = _scoped_report(request, pk)
    form = ReturnReportForm(request.POST)
    if form.is_valid():
        try:
            delivery.return_delivery_report(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The report is back with its lecturer for correction."))
            return redirect("lecturer_corps:report_queue")
    return report_detail(request, pk, return_form=form)


@coordinator_required
def venue_contacts(request, pk):
    """A venue's contacts: who is asked to confirm its sessions. Add one, or stop one."""
    scope = permissions.check_coordinator(request.user)
    venue = get_object_or_404(Venue.objects.in_scope(scope), pk=pk)
    form = VenueContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delivery.add_venue_contact(actor=request.user, venue=venue, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The contact is added."))
            return redirect("lecturer_corps:venue_contacts", pk=venue.pk)
    return render(
        request,
        "lecturer_corps/venue_contacts.html",
        {"venue": venue, "contacts": list(venue.contacts.all()), "form": form},
    )


@coordinator_required
@require_POST
def venue_contact_active(request, pk, contact_pk):
    scope = permissions.check_coordinator(request.user)
    venue = get_object_or_404(Venue.objects.in_scope(scope), pk=pk)
    contact = get_object_or_404(venue.contacts, pk=contact_pk)
    active = request.POST.get("active") == "1"
    delivery.set_venue_contact_active(actor=request.user, contact=contact, active=active)
    messages.success(
        request,
        _("The contact is asked again.") if active else _("The contact is no longer asked."),
    )
    return redirect("lecturer_corps:venue_contacts", pk=venue.pk)


# --- the venue contact (no account) ---------------------------------------------------------


FAILURE_SCOPE = "venue-confirmation-failure"


@never_cache
def venue_confirm(request, token):
    """Public, but only with a live link: one report's counts, confirm or dispute.

    Every refused link counts against the client address; an address past
    ``VENUE_CONFIRMATION_FAILURE_RATE`` gets 429 for the rest of the window, so codes
    cannot be guessed. The answer is audited by the service.
    """
    address = ratelimit.client_address(request)
    rate = settings.VENUE_CONFIRMATION_FAILURE_RATE
    if ratelimit.exceeded(FAILURE_SCOPE, address, rate):
        return ratelimit.too_many_requests(
            request, _("Too many links that do not work; wait and try again."), rate=rate
        )
    viewer = request.user if request.user.is_authenticated else None
    dispute_form = DisputeForm(request.POST if request.POST.get("answer") == "dispute" else None)
    try:
        confirmation = delivery.open_confirmation(token, viewer=viewer)
        if request.method == "POST":
            answer = request.POST.get("answer")
            if answer == "confirm":
                delivery.confirm_by_venue(token=token, viewer=viewer)
                return _answered(request, confirmed=True)
            if answer == "dispute" and dispute_form.is_valid():
                delivery.dispute_by_venue(
                    token=token, note=dispute_form.cleaned_data["note"], viewer=viewer
                )
                return _answered(request, confirmed=False)
    except delivery.ConfirmationRefused as refused:
        ratelimit.hit(FAILURE_SCOPE, address, rate)
        logger.warning("lecturer_corps.venue_confirmation.refused", extra={"code": refused.code})
        if refused.code == "own":
            # A signed-in lecturer tried to confirm their own session: worth a trace.
            record(
                "lecturer_corps.report.venue_confirm_refused", actor=viewer, changes={"code": "own"}
            )
        status = 403 if refused.code == "own" else 410 if refused.code != "invalid" else 404
        return render(
            request,
            "lecturer_corps/venue_confirm.html",
            {"refused": refused.message, "code": refused.code},
            status=status,
        )
    report = confirmation.report
    return render(
        request,
        "lecturer_corps/venue_confirm.html",
        {
            "confirmation": confirmation,
            "report": report,
            "service_request": report.session.request,
            "child_rows": report.child_count_table(),
            "band_labels": DeliveryReportForm().band_labels(),
            "dispute_form": dispute_form,
        },
        status=400 if dispute_form.is_bound and dispute_form.errors else 200,
    )


def _answered(request, *, confirmed: bool):
    return render(
        request, "lecturer_corps/venue_confirm.html", {"answered": confirmed or "dispute"}
    )
