"""Pages of face-to-face classes. Thin: selectors read, permissions decide, services change.

Trainees: the classes offered to them and their bookings, a class's page (sign up, cancel
with confirmation) and the check-in page a scanned code opens. Trainers: their classes,
the roster (mark present or absent) and the rotating code to show. Coordinators: the
classes of their scope, add, edit, cancel, book a cohort. A class someone may not see is
404, never 403.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lms.one_door import add_service_errors

from . import permissions, selectors, services
from .forms import CancelClassForm, CheckInForm, MarkForm, TrainingClassForm
from .models import Booking, BookingStatus


def qr_svg(url: str) -> str:
    """The code as inline SVG markup (no size: the page's CSS sizes it)."""
    return segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="check-in-qr", title=_("Check-in code")
    )


def _visible(request, pk):
    training_class = selectors.visible_class(request.user, pk)
    if training_class is None:
        raise Http404
    return training_class


def _roster_class(request, pk):
    training_class = selectors.roster_class(request.user, pk)
    if training_class is None or not permissions.can_see_roster(request.user, training_class):
        raise Http404
    return training_class


def _error_message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- trainees ---------------------------------------------------------------------------


@login_required
@never_cache
def class_list(request):
    return render(
        request,
        "classes/class_list.html",
        {
            "classes": selectors.offered_to(request.user),
            "bookings": selectors.bookings_of(request.user),
            "is_learner": permissions.is_learner(request.user),
            "trains": permissions.trained_classes(request.user).exists(),
            "manages": permissions.is_manager(request.user),
        },
    )


@login_required
@never_cache
def class_detail(request, pk: int):
    training_class = _visible(request, pk)
    booking = Booking.objects.filter(training_class=training_class, user=request.user).first()
    booked = selectors.roster_counts(training_class)
    return render(
        request,
        "classes/class_detail.html",
        {
            "training_class": training_class,
            "booking": booking if booking and booking.status != BookingStatus.CANCELLED else None,
            "position": selectors.waiting_position(booking) if booking else None,
            "counts": booked,
            "can_sign_up": permissions.offered_classes(request.user)
            .filter(pk=training_class.pk)
            .exists()
            and timezone.now() < training_class.starts_at,
            "can_cancel": booking is not None
            and booking.status != BookingStatus.CANCELLED
            and timezone.now() < training_class.starts_at,
            "can_roster": permissions.can_see_roster(request.user, training_class),
            "can_manage": permissions.in_manager_scope(request.user, training_class.district_id),
        },
    )


@login_required
@require_POST
def sign_up(request, pk: int):
    training_class = _visible(request, pk)
    try:
        booking = services.sign_up(actor=request.user, training_class=training_class)
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        if booking.status == BookingStatus.BOOKED:
            messages.success(request, _("You have a seat. We will remind you the day before."))
        else:
            messages.info(
                request,
                _(
                    "The class is full: you are on the waiting list and will be told if a seat frees up."
                ),
            )
    return redirect("classes:detail", training_class.pk)


@login_required
@never_cache
def cancel_booking(request, pk: int):
    """GET asks to confirm; POST gives the seat (or the waiting place) up."""
    training_class = _visible(request, pk)
    booking = get_object_or_404(
        Booking.objects.exclude(status=BookingStatus.CANCELLED),
        training_class=training_class,
        user=request.user,
    )
    if request.method == "POST":
        try:
            services.cancel_booking(actor=request.user, booking=booking)
        except ValidationError as error:
            messages.error(request, _error_message(error))
        else:
            messages.success(request, _("Your booking is cancelled."))
        return redirect("classes:detail", training_class.pk)
    return render(
        request,
        "classes/cancel_booking.html",
        {"training_class": training_class, "booking": booking},
    )


@login_required
@never_cache
def check_in(request, pk: int):
    """The page a scanned code opens: GET shows the class and a button (a GET never
    changes anything), POST checks the person in."""
    training_class = _visible(request, pk)
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    refused, booking = None, None
    if request.method == "POST":
        code = form.data.get("code", "")
        try:
            booking = services.check_in(
                actor=request.user, training_class=training_class, code=code
            )
        except services.CheckInRefused as refusal:
            refused = refusal
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect("classes:detail", training_class.pk)
    status = 400 if refused else 200
    return render(
        request,
        "classes/check_in.html",
        {
            "training_class": training_class,
            "form": form,
            "refused": refused,
            "booking": booking,
            "has_code": bool(request.GET.get("code") or request.POST.get("code")),
        },
        status=status,
    )


# --- trainers -------------------------------------------------------------------------------


@login_required
@never_cache
def my_classes(request):
    classes = selectors.trained_by(request.user)
    if not classes and not permissions.may_train(request.user):
        raise PermissionDenied(_("You train no classes."))
    return render(request, "classes/my_classes.html", {"classes": classes})


@login_required
@never_cache
def roster(request, pk: int):
    training_class = _roster_class(request, pk)
    return render(
        request,
        "classes/roster.html",
        {
            "training_class": training_class,
            "rows": selectors.roster(training_class),
            "check_in_open": services.check_in_open(training_class),
            "can_manage": permissions.in_manager_scope(request.user, training_class.district_id),
        },
    )


@login_required
@require_POST
def mark(request, pk: int, booking_pk: int):
    training_class = _roster_class(request, pk)
    booking = get_object_or_404(Booking, pk=booking_pk, training_class=training_class)
    booking.training_class = training_class
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose present or absent."))
        return redirect("classes:roster", training_class.pk)
    try:
        services.mark_attendance(
            actor=request.user, booking=booking, attended=form.cleaned_data["attended"]
        )
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        message = (
            _("%(name)s is marked present.")
            if form.cleaned_data["attended"]
            else _("%(name)s is marked absent.")
        )
        messages.success(request, message % {"name": booking.user.display_name})
    return redirect("classes:roster", training_class.pk)


@login_required
@never_cache
def show_code(request, pk: int):
    """The trainer's screen: the code, refreshed by static/js/classes-check-in.js."""
    training_class = _roster_class(request, pk)
    display, closed = None, None
    try:
        display = services.check_in_code(actor=request.user, training_class=training_class)
    except ValidationError as error:
        closed = _error_message(error)
    return render(
        request,
        "classes/show_code.html",
        {
            "training_class": training_class,
            "display": display,
            "svg": qr_svg(display.url) if display else "",
            "closed": closed,
            "checked_in": training_class.bookings.filter(attended_at__isnull=False).count(),
            "booked": training_class.bookings.filter(status=BookingStatus.BOOKED).count(),
        },
    )


@login_required
@never_cache
@require_GET
def code_json(request, pk: int):
    """The code now (the same one while it is current and unused), as JSON for the script."""
    training_class = _roster_class(request, pk)
    try:
        display = services.check_in_code(
            actor=request.user,
            training_class=training_class,
            current=request.GET.get("current", "")[:500],
        )
    except ValidationError as error:
        return JsonResponse({"detail": _error_message(error), "code": "closed"}, status=409)
    return JsonResponse(
        {
            "token": display.token,
            "url": display.url,
            "svg": qr_svg(display.url),
            "valid_until": display.valid_until.isoformat(),
            "checked_in": training_class.bookings.filter(attended_at__isnull=False).count(),
        }
    )


# --- coordinators -------------------------------------------------------------------------------


def _check_manager(request):
    from accounts.permissions import check_role
    from accounts.roles import ADMINISTRATOR, COORDINATOR

    check_role(request.user, COORDINATOR, ADMINISTRATOR)


@login_required
@never_cache
def manage(request):
    _check_manager(request)
    return render(
        request,
        "classes/manage.html",
        {
            "classes": selectors.managed_by(
                request.user, include_past=request.GET.get("past") == "1"
            ),
            "past": request.GET.get("past") == "1",
        },
    )


@login_required
@never_cache
def class_create(request):
    _check_manager(request)
    district = permissions.manager_district(request.user)
    form = TrainingClassForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            training_class = services.create_class(actor=request.user, instance=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class is scheduled."))
            return redirect("classes:roster", training_class.pk)
    return render(request, "classes/class_form.html", {"form": form, "training_class": None})


@login_required
@never_cache
def class_edit(request, pk: int):
    _check_manager(request)
    training_class = get_object_or_404(permissions.managed_classes(request.user), pk=pk)
    district = permissions.manager_district(request.user)
    form = TrainingClassForm(request.POST or None, instance=training_class, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_class(
                actor=request.user, instance=form.instance, changed=form.changed_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class is changed."))
            return redirect("classes:roster", training_class.pk)
    return render(
        request, "classes/class_form.html", {"form": form, "training_class": training_class}
    )


@login_required
@never_cache
def class_cancel(request, pk: int):
    _check_manager(request)
    training_class = get_object_or_404(permissions.managed_classes(request.user), pk=pk)
    form = CancelClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_class(
                actor=request.user,
                training_class=training_class,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class is cancelled; the people booked are told."))
            return redirect("classes:manage")
    return render(
        request, "classes/cancel_class.html", {"form": form, "training_class": training_class}
    )


@login_required
@require_POST
def book_cohort(request, pk: int):
    _check_manager(request)
    training_class = get_object_or_404(permissions.managed_classes(request.user), pk=pk)
    try:
        counts = services.book_cohort(actor=request.user, training_class=training_class)
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(
            request,
            _("%(booked)d members booked, %(waiting)d on the waiting list.") % counts,
        )
    return redirect("classes:roster", training_class.pk)
