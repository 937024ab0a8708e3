"""Attendance earns the class hours of the course or requirement the class is linked to,
through certification's eligibility engine (the "face-to-face class hours" kind)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from certification import selectors as eligibility
from certification.models import Requirement, RequirementKind
from certification.tests.factories import CertificationTypeFactory
from classes import selectors, services
from classes.models import Booking, TrainingClass
from classes.tests.factories import CLASS_START, learners, make_class
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def attend(training_class, person, clock):
    services.sign_up(actor=person, training_class=training_class)
    clock.move_to(training_class.starts_at + datetime.timedelta(minutes=5))
    booking = Booking.objects.get(training_class=training_class, user=person)
    services.mark_attendance(actor=training_class.trainer, booking=booking, attended=True)


def result(person, certification):
    users = get_user_model().objects.filter(pk=person.pk)
    (line,) = eligibility.evaluate(certification, users)[person.pk]
    return line


@pytest.fixture
def counsellor(db):
    return CertificationTypeFactory()


def test_hours_of_classes_linked_to_the_requirement_count(clock, counsellor):
    requirement = Requirement.objects.create(
        certification=counsellor, kind=RequirementKind.CLASS_HOURS, minimum=Decimal("6")
    )
    (person,) = learners(1)
    first = make_class(requirement=requirement, hours=Decimal("3"))
    second = make_class(
        requirement=requirement,
        hours=Decimal("3"),
        starts_at=CLASS_START + datetime.timedelta(days=7),
    )
    unrelated = make_class(hours=Decimal("8"), starts_at=CLASS_START + datetime.timedelta(days=1))
    attend(unrelated, person, clock)
    line = result(person, counsellor)
    assert not line.met and line.done == 0 and line.message == "0 of 6 face-to-face class hours"
    clock.move_to(CLASS_START - datetime.timedelta(days=1))
    attend(first, person, clock)
    assert result(person, counsellor).done == Decimal("3")
    clock.move_to(CLASS_START)
    attend(second, person, clock)
    line = result(person, counsellor)
    assert line.met and line.done == Decimal("6")


def test_a_class_of_a_course_earns_the_courses_class_hours(clock, counsellor, coordinator):
    from courses.tests.factories import course as make_course

    course = make_course(class_hours=4, qualifications=["counsellor"])
    Requirement.objects.create(
        certification=counsellor, kind=RequirementKind.CLASS_HOURS, targets=[course.pk]
    )
    (person,) = learners(1)
    training_class = TrainingClass(
        title="课程面授",
        course=course,
        address="培训中心",
        starts_at=CLASS_START,
        ends_at=CLASS_START + datetime.timedelta(hours=4),
        trainer=make_user("lecturer", username="course_trainer"),
        capacity=10,
    )
    services.create_class(actor=coordinator, instance=training_class)
    assert training_class.hours == Decimal("4")  # taken from the course
    line = result(person, counsellor)
    assert not line.met and line.needed == Decimal("4")  # no minimum: the courses' hours
    attend(training_class, person, clock)
    assert result(person, counsellor).met


def test_marking_absent_takes_the_hours_back(clock, counsellor):
    requirement = Requirement.objects.create(
        certification=counsellor, kind=RequirementKind.CLASS_HOURS, minimum=Decimal("3")
    )
    (person,) = learners(1)
    training_class = make_class(requirement=requirement, hours=Decimal("3"))
    attend(training_class, person, clock)
    assert result(person, counsellor).met
    booking = Booking.objects.get(training_class=training_class, user=person)
    services.mark_attendance(actor=training_class.trainer, booking=booking, attended=False)
    assert not result(person, counsellor).met


def test_renewal_counts_only_classes_inside_the_holders_window(clock, counsellor):
    requirement = Requirement.objects.create(
        certification=counsellor, kind=RequirementKind.CLASS_HOURS, minimum=Decimal("3")
    )
    (person,) = learners(1)
    training_class = make_class(requirement=requirement, hours=Decimal("3"))
    attend(training_class, person, clock)
    users = get_user_model().objects.filter(pk=person.pk)
    day = CLASS_START.date()
    inside = {person.pk: (day - datetime.timedelta(days=1), day)}
    outside = {person.pk: (day + datetime.timedelta(days=1), day + datetime.timedelta(days=9))}
    common = {"requirement_id": requirement.pk, "course_ids": []}
    assert selectors.attended_hours(users, windows=inside, **common) == {person.pk: Decimal("3")}
    assert selectors.attended_hours(users, windows=outside, **common) == {}


def test_hours_for_a_cohort_take_one_query(clock, counsellor, django_assert_num_queries):
    requirement = Requirement.objects.create(
        certification=counsellor, kind=RequirementKind.CLASS_HOURS, minimum=Decimal("3")
    )
    people = learners(5)
    training_class = make_class(requirement=requirement, capacity=10)
    for person in people:
        services.sign_up(actor=person, training_class=training_class)
    users = get_user_model().objects.filter(pk__in=[p.pk for p in people])
    with django_assert_num_queries(1):
        selectors.attended_hours(users, requirement_id=requirement.pk, course_ids=[1, 2])
