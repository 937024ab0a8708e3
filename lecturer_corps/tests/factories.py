"""Factories for lecturer corps tests: lecturers who can teach, requests, sessions."""

from __future__ import annotations

import datetime
import secrets

import factory
from django.utils import timezone

from accounts import roles
from lecturer_corps.models import (
    DEFAULT_AVAILABILITY,
    LecturerProfile,
    ServiceRequest,
    Session,
    SessionStatus,
)
from lecturer_corps.topics import TOPICS_BY_CODE
from tests.factories import VenueFactory, make_user

ALL_WEEK = (1 << 21) - 1  # every day, morning, afternoon and evening
# A few topics of each kind keep the fixtures small (each needs a course page).
DEFAULT_TOPICS = ("child_01", "child_02", "caregiver_01")


def next_weekday(weekday: int = 1, *, weeks_ahead: int = 2) -> datetime.date:
    """A date ``weeks_ahead`` weeks from now falling on ``weekday`` (0 = Monday)."""
    day = timezone.localdate() + datetime.timedelta(weeks=weeks_ahead)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def certification_type(code: str):
    from certification.models import CertificationType

    names = {
        "counsellor": ("PC", "心理咨询师", "Psychological Counsellor"),
        "family_educator": ("FE", "家庭教育指导师", "Family-Education Instructor"),
    }
    prefix, name, name_en = names[code]
    certification, _ = CertificationType.objects.get_or_create(
        code=code,
        defaults={
            "serial_prefix": prefix,
            "name": name,
            "name_en": name_en,
            "issuing_authority": "吐鲁番市民政局",
            "issuing_authority_en": "Turpan Municipal Civil Affairs Bureau",
        },
    )
    return certification


def give_certificate(
    user,
    code: str = "counsellor",
    *,
    valid_from: datetime.date | None = None,
    expires_on: datetime.date | None = datetime.date(2099, 12, 31),
    status: str = "active",
):
    """A certificate row as certification would issue it (written directly for speed)."""
    from certification.models import Certificate, StatusList

    status_list = StatusList.objects.first() or StatusList.objects.create()
    index = status_list.next_index
    status_list.next_index = index + 1
    status_list.save(update_fields=["next_index"])
    certification = certification_type(code)
    return Certificate.objects.create(
        certification=certification,
        holder=user,
        cycle=Certificate.objects.filter(holder=user, certification=certification).count(),
        serial=f"{certification.serial_prefix}-2027-{index:06d}",
        verification_code=secrets.token_urlsafe(16),
        status=status,
        holder_name=user.display_name,
        valid_from=valid_from or datetime.date(2020, 1, 1),
        expires_on=expires_on,
        status_list=status_list,
        status_list_index=index,
    )


def complete_course(user, topic_code: str):
    """An enrolment completed in the course page titled as the topic."""
    from wagtail.models import Page

    from courses.models import Course, Enrolment

    topic = TOPICS_BY_CODE[topic_code]
    course = Course.objects.filter(title=topic.title).first()
    if course is None:
        root = Page.get_first_root_node() or _make_root()
        course = root.add_child(
            instance=Course(
                title=topic.title,
                slug=f"course-{topic.code.replace('_', '-')}",
                summary=topic.title,
                qualifications=[topic.qualification],
            )
        )
    enrolment, _ = Enrolment.objects.get_or_create(user=user, course=course)
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["completed_at"])
    return enrolment


def _make_root():
    """Wagtail's root page (gone after a transactional test flushed the tables)."""
    from django.conf import settings
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    return Page.add_root(instance=Page(title="Root", slug="root"))


class LecturerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LecturerProfile

    user = factory.LazyFunction(lambda: make_user(roles.LECTURER, roles.TRAINEE))
    topics = factory.LazyFunction(lambda: list(DEFAULT_TOPICS))
    languages = factory.LazyFunction(lambda: ["zh", "ug"])
    latitude = 42.95
    longitude = 89.18
    weekly_availability = ALL_WEEK
    monthly_cap = 4
    is_active = True


def make_lecturer(
    *,
    topics=None,
    certificates=("counsellor", "family_educator"),
    completed=None,
    username=None,
    district=None,
    **profile_fields,
):
    """A lecturer who may teach ``topics`` (default: all): profile, certificates of each
    kind, and the topics' courses completed (``completed`` overrides which)."""
    user_fields = {"district": district} if district else {}
    if username:
        user_fields["username"] = username
    user = make_user(roles.LECTURER, roles.TRAINEE, **user_fields)
    topic_codes = list(topics) if topics is not None else list(DEFAULT_TOPICS)
    profile = LecturerProfileFactory(
        user=user, topics=topic_codes, district=district, **profile_fields
    )
    for code in certificates:
        give_certificate(user, code)
    for code in completed if completed is not None else topic_codes:
        complete_course(user, code)
    return profile


def make_request(
    *,
    venue=None,
    topic: str = "child_01",
    date: datetime.date | None = None,
    start=datetime.time(9, 0),
    end=datetime.time(11, 0),
    language: str = "zh",
    created_by=None,
    **fields,
) -> ServiceRequest:
    topic_obj = TOPICS_BY_CODE[topic]
    audience = fields.pop("audience", topic_obj.audience)
    service_request = ServiceRequest(
        venue=venue or VenueFactory(capacity=60),
        topic=topic,
        audience=audience,
        age_band=fields.pop("age_band", "6-11" if audience == "children" else ""),
        expected_size=fields.pop("expected_size", 20),
        language=language,
        date=date or next_weekday(),
        start_time=start,
        end_time=end,
        class_hours=fields.pop("class_hours", 2),
        created_by=created_by,
        **fields,
    )
    service_request.save()
    return service_request


def make_session(service_request, lecturer, status=SessionStatus.CONFIRMED, **fields) -> Session:
    return Session.objects.create(
        request=service_request,
        lecturer=lecturer,
        status=status,
        starts_at=service_request.starts_at,
        ends_at=service_request.ends_at,
        response_deadline=fields.pop(
            "response_deadline", timezone.now() + datetime.timedelta(hours=48)
        ),
        **fields,
    )


__all__ = [
    "ALL_WEEK",
    "DEFAULT_AVAILABILITY",
    "LecturerProfileFactory",
    "complete_course",
    "give_certificate",
    "make_lecturer",
    "make_request",
    "make_session",
    "next_weekday",
]
