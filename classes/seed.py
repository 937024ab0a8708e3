"""Demo data for face-to-face classes: two classes next week in Gaochang District, trained
by the demo lecturer — one open to every trainee (the demo trainee has a seat) and one for
the demo cohort. No demo requirement of kind "face-to-face class hours" is made, so the demo
certificates' requirements stay as they were; an administrator adds one in the admin.

Idempotent: classes are found by title and kept; a booking is made once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from places.models import District, Venue

from .models import Audience, Booking, BookingStatus, TrainingClass

OPEN_TITLE = "团体心理辅导技能集中面授（第一期）"
COHORT_TITLE = "家庭教育指导集中面授（班级）"


def _next_monday_at(hour: int) -> datetime.datetime:
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time(hour)))


def seed(stdout=None) -> None:
    from courses.models import Cohort

    trainer = User.objects.filter(username="lecturer").first()
    gaochang = District.objects.filter(code="gaochang").first()
    if trainer is None or gaochang is None:
        return
    venue = Venue.objects.filter(district=gaochang).order_by("pk").first()
    starts = _next_monday_at(9)
    made = 0
    for title, audience, cohort, offset in (
        (OPEN_TITLE, Audience.OPEN, None, 0),
        (COHORT_TITLE, Audience.COHORT, Cohort.objects.order_by("pk").first(), 2),
    ):
        if audience == Audience.COHORT and cohort is None:
            continue
        begin = starts + datetime.timedelta(days=offset)
        _class, created = TrainingClass.objects.get_or_create(
            title=title,
            defaults={
                "audience": audience,
                "cohort": cohort,
                "district": gaochang,
                "venue": venue,
                "address": "" if venue else "高昌区培训中心",
                "starts_at": begin,
                "ends_at": begin + datetime.timedelta(hours=3),
                "trainer": trainer,
                "capacity": 20,
                "hours": Decimal("3"),
            },
        )
        made += created
    open_class = TrainingClass.objects.get(title=OPEN_TITLE)
    trainee = User.objects.filter(username="trainee").first()
    if trainee is not None:
        Booking.objects.get_or_create(
            training_class=open_class,
            user=trainee,
            defaults={
                "status": BookingStatus.BOOKED,
                "queued_at": timezone.now(),
                "booked_at": timezone.now(),
            },
        )
    if stdout is not None:
        stdout.write(
            f"  classes: {TrainingClass.objects.count()} face-to-face classes"
            + ("" if made else " (kept)")
        )
