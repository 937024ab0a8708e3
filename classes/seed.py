"""Demo data for face-to-face classes.

First pass (``seed``): two classes next week in Gaochang District, trained by the demo
lecturer — one open to every trainee (the demo trainee has a seat) and one for the demo
cohort.

Second pass (``seed_after_all``, once every certificate of the demo is issued): each
qualification gains the initial requirement "face-to-face class hours attended" (6 hours,
``CLASS_HOURS_NEEDED``), counted from classes that name it. So that every demo certificate
still rests on the records, each holder attended two 3-hour classes of their
qualification's intake (``PAST_WEEKS_BEFORE`` weeks before their certificate, at the
city's training centre, marked by the trainer); the demo trainees attended one (3 of 6
hours on their checklist), and next week's classes name the requirement, so signing up
and checking in completes it. The requirement is added after the certificates because
certification sits below classes in the layers (its seed cannot make classes); the
holders' attendance is dated before their certificates all the same.

Idempotent: classes are found by title and kept; a booking is made once; the requirement
is updated in place.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from places.models import District, Venue

from .models import Audience, Booking, BookingStatus, CheckInMethod, TrainingClass

OPEN_TITLE = "团体心理辅导技能集中面授（第一期）"
COHORT_TITLE = "家庭教育指导集中面授（班级）"
# Which qualification next week's classes count towards.
UPCOMING_FOR = {OPEN_TITLE: "counsellor", COHORT_TITLE: "family_educator"}
CLASS_HOURS_NEEDED = Decimal("6")
CLASS_HOURS_ORDER = 4  # after the four records of the initial stage
PAST_WEEKS_BEFORE = 20  # the intake's classes, weeks before the certificate
TRAINING_CENTRE = "吐鲁番市社会心理服务人才培训中心（高昌区）"
PAST_TRAINER = "supervisor"
# A demo trainee, their qualification, and how long ago their one class was.
TRAINEES = (("trainee", "counsellor", 21), ("trainee2", "family_educator", 14))


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


def seed_after_all(stdout=None) -> None:
    """The face-to-face hours requirement and the attendance behind it (see the module)."""
    from certification.models import Certificate, CertificationType

    trainer = User.objects.filter(username=PAST_TRAINER).first()
    gaochang = District.objects.filter(code="gaochang").first()
    if trainer is None or gaochang is None:
        return
    requirements = {
        certification.code: _class_hours_requirement(certification)
        for certification in CertificationType.objects.filter(
            code__in=["counsellor", "family_educator"]
        )
    }
    for title, code in UPCOMING_FOR.items():
        if code in requirements:
            TrainingClass.objects.filter(title=title, requirement__isnull=True).update(
                requirement=requirements[code]
            )
    attended = 0
    first_certificates = {}
    for certificate in (
        Certificate.objects.filter(certification__code__in=list(requirements))
        .select_related("certification", "holder")
        .order_by("issued_at", "pk")
    ):
        key = (certificate.holder_id, certificate.certification_id)
        first_certificates.setdefault(key, certificate)
    for certificate in first_certificates.values():
        intake = certificate.valid_from - datetime.timedelta(weeks=PAST_WEEKS_BEFORE)
        requirement = requirements[certificate.certification.code]
        for part, offset in (("一", 0), ("二", 2)):
            training_class = _intake_class(
                requirement, intake, part, offset, trainer=trainer, district=gaochang
            )
            attended += _attend(training_class, certificate.holder, trainer)
    today = timezone.localdate()
    for username, code, days_ago in TRAINEES:
        trainee = User.objects.filter(username=username).first()
        if trainee is None or code not in requirements:
            continue
        training_class = _intake_class(
            requirements[code],
            today - datetime.timedelta(days=days_ago),
            "一",
            0,
            trainer=trainer,
            district=gaochang,
        )
        attended += _attend(training_class, trainee, trainer)
    if stdout is not None:
        stdout.write(
            f"  classes: a {CLASS_HOURS_NEEDED:g}-hour face-to-face requirement for "
            f"{len(requirements)} qualifications, {attended} attendances recorded"
        )


def _class_hours_requirement(certification):
    from certification.models import Requirement, RequirementKind, RequirementStage

    requirement, _created = Requirement.objects.update_or_create(
        certification=certification,
        kind=RequirementKind.CLASS_HOURS,
        stage=RequirementStage.INITIAL,
        defaults={"minimum": CLASS_HOURS_NEEDED, "sort_order": CLASS_HOURS_ORDER},
    )
    return requirement


def _intake_class(requirement, day, part, offset, *, trainer, district) -> TrainingClass:
    """The intake's class of ``part`` in ``day``'s month: held on the month's second
    Monday (+ ``offset`` days), 09:00-12:00, so every holder of that month shares it."""
    first = day.replace(day=1)
    second_monday = first + datetime.timedelta(days=(7 - first.weekday()) % 7 + 7)
    held = second_monday + datetime.timedelta(days=offset)
    begin = timezone.make_aware(datetime.datetime.combine(held, datetime.time(9)))
    name = requirement.certification.name
    title = f"{name}集中面授（{held.year}年{held.month}月·第{part}讲）"
    training_class, _created = TrainingClass.objects.get_or_create(
        title=title,
        defaults={
            "audience": Audience.OPEN,
            "requirement": requirement,
            "district": district,
            "address": TRAINING_CENTRE,
            "starts_at": begin,
            "ends_at": begin + datetime.timedelta(hours=3),
            "trainer": trainer,
            "capacity": 40,
            "hours": Decimal("3"),
        },
    )
    return training_class


def _attend(training_class, user, trainer) -> int:
    """A booked seat the trainer marked present (once)."""
    begin = training_class.starts_at
    _booking, created = Booking.objects.get_or_create(
        training_class=training_class,
        user=user,
        defaults={
            "status": BookingStatus.BOOKED,
            "queued_at": begin - datetime.timedelta(days=10),
            "booked_at": begin - datetime.timedelta(days=10),
            "attended_at": begin + datetime.timedelta(minutes=5),
            "check_in_method": CheckInMethod.TRAINER,
            "marked_by": trainer,
        },
    )
    return int(created)
