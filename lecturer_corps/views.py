"""Pages of the lecturer corps: the lecturer's sessions and the coordinator's desk."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.permissions import role_required
from lms import ratelimit
from places.models import District

from . import permissions, selectors, services
from .assignment import plan_auto_assign
from .calendar_feed import build_feed
from .forms import (
    AutoAssignForm,
    CancelForm,
    DeclineForm,
    LecturerProfileForm,
    RescheduleForm,
    ServiceRequestForm,
    UnavailablePeriodForm,
    VenueImportForm,
)
from .models import (
    WEEKDAY_LABELS,
    CalendarToken,
    DayPeriod,
    Notification,
    ReportState,
    RequestStatus,
    ServiceRequest,
    Session,
    SessionStatus,
    UnavailablePeriod,
)
from .notifications import render as render_notification

coordinator_required = role_required(roles.COORDINATOR, roles.ADMINISTRATOR)

# A month of a whole city's requests is hundreds of rows (314 in the load-test data).
REQUEST_LIST_PAGE_SIZE = 50
lecturer_required = role_required(roles.LECTURER)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _scope(request):
    return permissions.check_coordinator(request.user)


def _month(request) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        return datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


# --- lecturer ---------------------------------------------------------------------


@lecturer_required
def my_sessions(request):
    sessions = list(selectors.sessions_for_lecturer(request.user))
    now = timezone.now()
    proposals = [s for s in sessions if s.status == SessionStatus.PROPOSED and s.ends_at > now]
    upcoming = [
        s
        for s in sessions
        if s.status in (SessionStatus.ACCEPTED, SessionStatus.CONFIRMED) and s.ends_at > now
    ]
    to_report = [
        s
        for s in sessions
        if s.status in (SessionStatus.ACCEPTED, SessionStatus.CONFIRMED) and s.ends_at <= now
    ]
    # Reports a coordinator returned for correction come back to the lecturer's list.
    to_report += [
        s
        for s in sessions
        if s.status == SessionStatus.DELIVERED
        and getattr(s, "delivery_report", None) is not None
        and s.delivery_report.state == ReportState.RETURNED
    ]
    done = [s for s in sessions if s.status in (SessionStatus.DELIVERED, SessionStatus.VERIFIED)][
        ::-1
    ][:20]
    for session in proposals + upcoming:
        session.contacts = selectors.contact_people(session)
    profile = services.get_or_build_profile(request.user)
    has_calendar = CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True).exists()
    return render(
        request,
        "lecturer_corps/my_sessions.html",
        {
            "proposals": proposals,
            "upcoming": upcoming,
            "to_report": to_report,
            "done": done,
            "profile": profile,
            "decline_form": DeclineForm(),
            "has_calendar": has_calendar,
            "unread": selectors.unread_notification_count(request.user),
            "verified_count": sum(1 for s in sessions if s.status == SessionStatus.VERIFIED),
        },
    )


@lecturer_required
def session_detail(request, pk):
    """One of the lecturer's sessions: when, where (address), whom to call at the venue,
    the coordinator's notes, the materials, the course to prepare from, and the answer
    or report still due. Another lecturer's session is a 404."""
    session = selectors.lecturer_session(request.user, pk)
    if session is None:
        raise Http404
    course = selectors.teaching_course(session.request.topic_title)
    return render(
        request,
        "lecturer_corps/session_detail.html",
        {
            "s": session,
            "req": session.request,
            "venue": session.request.venue,
            "contacts": selectors.contact_people(session),
            "course_url": course.get_url(request) if course else "",
            "decline_form": DeclineForm(),
            "report_due": session.has_ended
            and session.status in (SessionStatus.ACCEPTED, SessionStatus.CONFIRMED),
        },
    )


@lecturer_required
@require_POST
def session_respond(request, pk):
    session = get_object_or_404(
        Session.objects.select_related("request"), pk=pk, lecturer=request.user
    )
    accept = request.POST.get("answer") == "accept"
    try:
        services.respond_to_session(
            actor=request.user,
            session=session,
            accept=accept,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("You accepted the session.") if accept else _("You declined the session.")
        )
    return redirect("lecturer_corps:my_sessions")


@lecturer_required
def profile_edit(request):
    profile = services.get_or_build_profile(request.user)
    form = LecturerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(actor=request.user, profile=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your lecturer profile is saved."))
            return redirect("lecturer_corps:profile")
    availability_rows = [
        {
            "label": WEEKDAY_LABELS[day],
            "cells": [
                {
                    "value": f"{day}-{period}",
                    "label": label,
                    "checked": f"{day}-{period}" in (form["availability"].value() or []),
                }
                for period, label in DayPeriod.choices
            ],
        }
        for day in range(7)
    ]
    periods = (
        list(UnavailablePeriod.objects.filter(profile=profile).order_by("starts_on"))
        if profile.pk
        else []
    )
    return render(
        request,
        "lecturer_corps/profile.html",
        {
            "form": form,
            "profile": profile,
            "availability_rows": availability_rows,
            "periods": periods,
            "period_form": UnavailablePeriodForm(),
            "period_labels": [label for _value, label in DayPeriod.choices],
        },
    )


@lecturer_required
@require_POST
def unavailable_add(request):
    form = UnavailablePeriodForm(request.POST)
    if form.is_valid():
        try:
            services.add_unavailable_period(
                actor=request.user,
                profile=services.get_or_build_profile(request.user),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The dates are saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("lecturer_corps:profile")


@lecturer_required
@require_POST
def unavailable_remove(request, pk):
    period = get_object_or_404(UnavailablePeriod, pk=pk, profile__user=request.user)
    services.remove_unavailable_period(actor=request.user, period=period)
    messages.success(request, _("The dates are removed."))
    return redirect("lecturer_corps:profile")


@lecturer_required
def calendar_link(request):
    """Create (POST action=create) or revoke (action=revoke) the calendar link. The link
    is shown once, right after it is made."""
    link = webcal = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_tokens(actor=request.user)
            messages.success(request, _("Your calendar link no longer works."))
            return redirect("lecturer_corps:calendar_link")
        _token, secret = services.create_calendar_token(actor=request.user)
        link = request.build_absolute_uri(reverse("lecturer_corps:calendar_feed", args=[secret]))
        # webcal:// makes a phone offer "subscribe" (the feed then updates itself);
        # the https:// form is for calendars that take a plain address.
        webcal = "webcal://" + link.split("://", 1)[1]
    active = CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    response = render(
        request,
        "lecturer_corps/calendar_link.html",
        {"link": link, "webcal": webcal, "active": active},
    )
    response["Cache-Control"] = "no-store"
    return response


def calendar_feed(request, secret):
    """Public, but only with a live secret: one lecturer's schedule, nothing else.

    An address that keeps asking with wrong secrets is refused (429) for the rest of
    the window, like wrong API tokens.
    """
    address, rate = ratelimit.client_address(request), settings.API_TOKEN_FAILURE_RATE
    if ratelimit.exceeded("calendar-token-failure", address, rate):
        return ratelimit.too_many_requests(
            request, _("Too many wrong calendar links; wait a minute."), rate=rate, json=True
        )
    token = (
        CalendarToken.objects.select_related("user")
        .filter(digest=services.calendar_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        ratelimit.hit("calendar-token-failure", address, rate)
        raise Http404
    CalendarToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    response = HttpResponse(build_feed(token.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# Filing, correcting, verifying, returning and confirming delivery reports:
# ``lecturer_corps.delivery_views``.


def notification_list(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    if request.method == "POST":
        services.mark_notifications_read(actor=request.user)
        return redirect("lecturer_corps:notifications")
    items = []
    for notification in Notification.objects.filter(user=request.user)[:100]:
        title, body = render_notification(notification.kind, notification.params)
        items.append({"n": notification, "title": title, "body": body})
    return render(request, "lecturer_corps/notifications.html", {"items": items})


# --- coordinator ------------------------------------------------------------------


@coordinator_required
def request_list(request):
    scope = _scope(request)
    status = request.GET.get("status") or None
    if status not in RequestStatus.values:
        status = None
    month = _month(request)
    rows = selectors.requests_for_coordinator(scope, status=status, month=month)
    page = Paginator(rows, REQUEST_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    # Certificates are checked only for the sessions this page shows.
    flagged = {
        s.pk
        for s in selectors.future_sessions_without_certificate(
            district=scope, request_ids=[r.pk for r in page.object_list]
        )
    }
    # The filters kept on every page link (the pager adds the page number).
    query = QueryDict(mutable=True)
    query["month"] = f"{month:%Y-%m}"
    if status:
        query["status"] = status
    return render(
        request,
        "lecturer_corps/request_list.html",
        {
            "requests": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "statuses": RequestStatus.choices,
            "month": month,
            "previous_month": (month - datetime.timedelta(days=1)).replace(day=1),
            "next_month": (month + datetime.timedelta(days=32)).replace(day=1),
            "scope": scope,
            "flagged": flagged,
            "waiting_reports": selectors.reports_waiting_for_verification(scope).count(),
        },
    )


@coordinator_required
def request_create(request):
    scope = _scope(request)
    form = ServiceRequestForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            created = services.create_service_request(actor=request.user, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The request is saved. Choose a lecturer."))
            return redirect("lecturer_corps:request_detail", pk=created[0].pk)
    return render(request, "lecturer_corps/request_form.html", {"form": form})


def _scoped_request(request, pk) -> ServiceRequest:
    scope = _scope(request)
    return get_object_or_404(
        ServiceRequest.objects.in_scope(scope).select_related("venue", "venue__district"), pk=pk
    )


@coordinator_required
def request_detail(request, pk):
    service_request = _scoped_request(request, pk)
    sessions = list(
        service_request.sessions.select_related("lecturer", "delivery_report").order_by(
            "proposed_at"
        )
    )
    ranking = None
    if service_request.status in (
        RequestStatus.REQUESTED,
        RequestStatus.PROPOSED,
        RequestStatus.ACCEPTED,
    ):
        ranking = selectors.rank_candidates(service_request)
    return render(
        request,
        "lecturer_corps/request_detail.html",
        {
            "req": service_request,
            "sessions": sessions,
            "ranking": ranking,
            "candidates": ranking.candidates[:15] if ranking else [],
            "exclusions": ranking.exclusions[:30] if ranking else [],
            "can_change": service_request.status
            in (
                RequestStatus.REQUESTED,
                RequestStatus.PROPOSED,
                RequestStatus.ACCEPTED,
                RequestStatus.CONFIRMED,
            ),
            "cancel_form": CancelForm(),
            "reschedule_form": RescheduleForm(
                initial={
                    "date": service_request.date,
                    "start_time": service_request.start_time,
                    "end_time": service_request.end_time,
                }
            ),
            "series": ServiceRequest.objects.filter(series=service_request.series).order_by(
                "series_index"
            )
            if service_request.series
            else [],
        },
    )


@coordinator_required
@require_POST
def request_assign(request, pk):
    from django.contrib.auth import get_user_model

    service_request = _scoped_request(request, pk)
    lecturer = get_object_or_404(get_user_model(), pk=request.POST.get("lecturer"))
    try:
        services.assign_lecturer(
            actor=request.user,
            service_request=service_request,
            lecturer=lecturer,
            whole_series=request.POST.get("whole_series", "1") == "1",
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("%(name)s is proposed and has been told.") % {"name": lecturer})
    return redirect("lecturer_corps:request_detail", pk=service_request.pk)


@coordinator_required
@require_POST
def request_cancel(request, pk):
    service_request = _scoped_request(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling."))
    else:
        try:
            services.cancel_request(
                actor=request.user,
                service_request=service_request,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The request is cancelled."))
    return redirect("lecturer_corps:request_detail", pk=service_request.pk)


@coordinator_required
@require_POST
def request_reschedule(request, pk):
    service_request = _scoped_request(request, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid new date and time."))
        return redirect("lecturer_corps:request_detail", pk=service_request.pk)
    try:
        new = services.reschedule_request(
            actor=request.user,
            service_request=service_request,
            **form.cleaned_data,
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("lecturer_corps:request_detail", pk=service_request.pk)
    messages.success(request, _("The request is moved."))
    return redirect("lecturer_corps:request_detail", pk=new.pk)


@coordinator_required
def auto_assign(request):
    """Step 1: choose a period (GET). Step 2: see the plan (POST preview). Step 3: confirm
    (POST confirm with the plan's pairs, each re-checked when applied)."""
    if request.method == "POST" and request.POST.get("step") == "confirm":
        items = []
        for value in request.POST.getlist("item"):
            request_id, _sep, user_id = value.partition(":")
            if request_id.isdigit() and user_id.isdigit():
                items.append((int(request_id), int(user_id)))
        created, problems = services.apply_plan(actor=request.user, items=items)
        messages.success(
            request, _("%(count)d proposals sent to lecturers.") % {"count": len(created)}
        )
        for problem in problems:
            messages.warning(request, problem)
        return redirect("lecturer_corps:request_list")
    form = AutoAssignForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        open_requests = services.open_requests_for_period(
            request.user, form.cleaned_data["first_day"], form.cleaned_data["last_day"]
        )
        plan = plan_auto_assign(open_requests)
    return render(request, "lecturer_corps/auto_assign.html", {"form": form, "plan": plan})


@coordinator_required
def coordinator_calendar(request):
    scope = _scope(request)
    month = _month(request)
    last_day = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    districts = [scope] if scope else list(District.objects.all())
    grid = defaultdict(lambda: defaultdict(list))
    for session in selectors.calendar_sessions(scope, month, last_day):
        grid[session.request.date][session.request.venue.district_id].append(session)
    days = []
    day = month
    while day <= last_day:
        if day in grid:
            days.append({"date": day, "columns": [grid[day].get(d.pk, []) for d in districts]})
        day += datetime.timedelta(days=1)
    return render(
        request,
        "lecturer_corps/calendar.html",
        {
            "month": month,
            "districts": districts,
            "days": days,
            "previous_month": (month - datetime.timedelta(days=1)).replace(day=1),
            "next_month": (month + datetime.timedelta(days=32)).replace(day=1),
        },
    )


@coordinator_required
def venue_import(request):
    from .importers import import_venues

    form = VenueImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_venues(
                actor=request.user,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
    return render(request, "lecturer_corps/venue_import.html", {"form": form, "report": report})


@coordinator_required
def lecturer_list(request):
    scope = _scope(request)
    profiles = list(selectors.lecturers_in_scope(scope)[:500])
    return render(request, "lecturer_corps/lecturer_list.html", {"profiles": profiles})
