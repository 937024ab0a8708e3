"""Heavy reads of face-to-face classes: the lists each role sees, the roster, and the hours
attended that the eligibility engine counts. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import permissions
from .models import Booking, BookingStatus, ClassStatus, TrainingClass

LIST_LIMIT = 200


def _with_counts(queryset):
    return queryset.select_related("venue", "trainer", "district", "cohort", "course").annotate(
        booked_count=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)),
        waiting_count=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
        attended_count=Count("bookings", filter=Q(bookings__attended_at__isnull=False)),
    )


def offered_to(user, *, now=None):
    """Classes ``user`` may sign up for that have not ended, soonest first, each with
    ``my_booking`` (their booking or None): 2 queries."""
    now = now or timezone.now()
    classes = list(
        _with_counts(permissions.offered_classes(user).filter(ends_at__gt=now)).order_by(
            "starts_at", "pk"
        )[:LIST_LIMIT]
    )
    bookings = {
        b.training_class_id: b
        for b in Booking.objects.filter(user=user, training_class__in=[c.pk for c in classes])
    }
    for training_class in classes:
        training_class.my_booking = bookings.get(training_class.pk)
    return classes


def bookings_of(user):
    """The user's bookings (not cancelled), with their class, soonest first: 1 query."""
    return list(
        Booking.objects.filter(user=user)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("training_class", "training_class__venue", "training_class__trainer")
        .order_by("training_class__starts_at", "pk")[:LIST_LIMIT]
    )


def waiting_position(booking) -> int | None:
    """1 for the first person waiting (1 query)."""
    if booking.status != BookingStatus.WAITING:
        return None
    ahead = Booking.objects.filter(
        training_class_id=booking.training_class_id, status=BookingStatus.WAITING
    ).filter(Q(queued_at__lt=booking.queued_at) | Q(queued_at=booking.queued_at, pk__lt=booking.pk))
    return ahead.count() + 1


def trained_by(user):
    """The classes ``user`` trains, with seat counts: 1 query."""
    return list(
        _with_counts(permissions.trained_classes(user)).order_by("-starts_at", "pk")[:LIST_LIMIT]
    )


def managed_by(user, *, include_past: bool = False, now=None):
    """The classes a coordinator manages, with seat counts: 1 query."""
    now = now or timezone.now()
    classes = permissions.managed_classes(user)
    if not include_past:
        classes = classes.filter(ends_at__gt=now - datetime.timedelta(days=30))
    return list(_with_counts(classes).order_by("starts_at", "pk")[:LIST_LIMIT])


def roster_class(user, pk: int):
    """The class whose roster ``user`` may see, or None (1 query)."""
    return (
        permissions.roster_classes(user)
        .select_related("venue", "trainer", "district", "cohort", "course")
        .filter(pk=pk)
        .first()
    )


def visible_class(user, pk: int):
    """A class ``user`` may look at: offered to them, booked by them, trained or managed
    by them; else None (1 query)."""
    own = Booking.objects.filter(user=user).values("training_class_id")
    condition = (
        Q(pk__in=permissions.offered_classes(user).values("pk"))
        | Q(pk__in=own)
        | Q(pk__in=permissions.roster_classes(user).values("pk"))
    )
    return (
        TrainingClass.objects.filter(condition)
        .select_related("venue", "trainer", "district", "cohort", "course")
        .filter(pk=pk)
        .first()
    )


def roster(training_class):
    """Everyone booked or waiting (then those who cancelled), with their user: 1 query,
    whatever the class's size."""
    order = {BookingStatus.BOOKED: 0, BookingStatus.WAITING: 1, BookingStatus.CANCELLED: 2}
    rows = list(
        Booking.objects.filter(training_class=training_class)
        .select_related("user")
        .order_by("queued_at", "pk")
    )
    rows.sort(key=lambda b: order[b.status])
    position = 0
    for booking in rows:
        if booking.status == BookingStatus.WAITING:
            position += 1
            booking.position = position
        else:
            booking.position = None
    return rows


def attended_hours(users, *, requirement_id, course_ids, windows=None) -> dict[int, Decimal]:
    """Class hours each user attended in classes linked to the requirement or to one of
    the courses (one query). With ``windows`` (``{user_id: (first_day, last_day)}``) only
    classes held inside the user's window count. The counter certification's
    "face-to-face class hours" requirement reads."""
    link = Q(training_class__requirement_id=requirement_id)
    if course_ids:
        link |= Q(training_class__course_id__in=list(course_ids))
    rows = (
        Booking.objects.filter(
            user__in=users,
            status=BookingStatus.BOOKED,
            attended_at__isnull=False,
            training_class__status=ClassStatus.SCHEDULED,
        )
        .filter(link)
        .annotate(day=TruncDate("training_class__starts_at"))
        .values_list("user_id", "day", "training_class__hours")
    )
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for user_id, day, class_hours in rows:
        if windows is not None:
            window = windows.get(user_id)
            if window is None or not (window[0] <= day <= window[1]):
                continue
        hours[user_id] += Decimal(class_hours or 0)
    return dict(hours)


def roster_counts(training_class) -> dict[str, int]:
    """Seats booked, people waiting, people checked in (1 query)."""
    return Booking.objects.filter(training_class=training_class).aggregate(
        booked=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
        waiting=Count("pk", filter=Q(status=BookingStatus.WAITING)),
        attended=Count("pk", filter=Q(attended_at__isnull=False)),
    )
