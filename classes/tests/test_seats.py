"""Seats, the waiting list and its automatic promotion, who may sign up, and when."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import roles
from audit.models import AuditLog
from classes import services
from classes.models import Audience, Booking, BookingStatus
from classes.tests.factories import CLASS_START, learners, make_class
from outbox.models import OutboxMessage
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def statuses(training_class):
    return {
        b.user.username: b.status
        for b in Booking.objects.filter(training_class=training_class).select_related("user")
    }


def test_seats_fill_then_people_wait_in_the_order_they_came(clock, district):
    training_class = make_class(capacity=2, district=district)
    first, second, third, fourth = learners(4)
    for person in (first, second, third, fourth):
        services.sign_up(actor=person, training_class=training_class)
        clock.shift(60)
    assert statuses(training_class) == {
        first.username: BookingStatus.BOOKED,
        second.username: BookingStatus.BOOKED,
        third.username: BookingStatus.WAITING,
        fourth.username: BookingStatus.WAITING,
    }
    assert Booking.objects.filter(training_class=training_class, status="booked").count() == 2


def test_signing_up_twice_keeps_the_place(clock):
    training_class = make_class(capacity=1)
    (person,) = learners(1)
    first = services.sign_up(actor=person, training_class=training_class)
    again = services.sign_up(actor=person, training_class=training_class)
    assert first.pk == again.pk and again.status == BookingStatus.BOOKED
    assert AuditLog.objects.filter(action="classes.booking.sign_up").count() == 1


def test_a_freed_seat_goes_to_the_first_person_waiting_at_once(clock):
    training_class = make_class(capacity=1)
    holder, first_waiting, second_waiting = learners(3)
    for person in (holder, first_waiting, second_waiting):
        services.sign_up(actor=person, training_class=training_class)
        clock.shift(60)
    booking = Booking.objects.get(training_class=training_class, user=holder)
    services.cancel_booking(actor=holder, booking=booking)
    assert statuses(training_class) == {
        holder.username: BookingStatus.CANCELLED,
        first_waiting.username: BookingStatus.BOOKED,
        second_waiting.username: BookingStatus.WAITING,
    }
    promoted = Booking.objects.get(training_class=training_class, user=first_waiting)
    assert AuditLog.objects.filter(
        action="classes.booking.promote", object_id=str(promoted.pk)
    ).exists()
    # The person promoted is told, and gets the day-before reminder.
    kinds = [
        m.args[1]
        for m in OutboxMessage.objects.filter(task="classes.tasks.email_booking")
        if m.args[0] == promoted.pk
    ]
    assert sorted(kinds) == ["promoted", "reminder"]


def test_leaving_the_waiting_list_promotes_nobody(clock):
    training_class = make_class(capacity=1)
    holder, waiting, later = learners(3)
    for person in (holder, waiting, later):
        services.sign_up(actor=person, training_class=training_class)
        clock.shift(60)
    booking = Booking.objects.get(training_class=training_class, user=waiting)
    services.cancel_booking(actor=waiting, booking=booking)
    assert statuses(training_class)[later.username] == BookingStatus.WAITING
    assert statuses(training_class)[holder.username] == BookingStatus.BOOKED


def test_signing_up_again_after_cancelling_joins_the_end_of_the_queue(clock):
    training_class = make_class(capacity=1)
    holder, waiting = learners(2)
    services.sign_up(actor=holder, training_class=training_class)
    clock.shift(60)
    services.sign_up(actor=waiting, training_class=training_class)
    clock.shift(60)
    booking = Booking.objects.get(training_class=training_class, user=holder)
    services.cancel_booking(actor=holder, booking=booking)
    again = services.sign_up(actor=holder, training_class=training_class)
    assert again.pk == booking.pk and again.status == BookingStatus.WAITING


def test_more_seats_promote_the_people_waiting(clock, district, district_coordinator):
    training_class = make_class(capacity=1, district=district)
    people = learners(3)
    for person in people:
        services.sign_up(actor=person, training_class=training_class)
        clock.shift(60)
    training_class.capacity = 3
    services.update_class(actor=district_coordinator, instance=training_class, changed=["capacity"])
    assert set(statuses(training_class).values()) == {BookingStatus.BOOKED}


def test_fewer_seats_than_people_booked_is_refused(clock, district, district_coordinator):
    training_class = make_class(capacity=2, district=district)
    for person in learners(2):
        services.sign_up(actor=person, training_class=training_class)
    training_class.capacity = 1
    with pytest.raises(ValidationError) as refused:
        services.update_class(
            actor=district_coordinator, instance=training_class, changed=["capacity"]
        )
    assert "capacity" in refused.value.message_dict


def test_sign_up_closes_when_the_class_starts(clock):
    training_class = make_class()
    (person,) = learners(1)
    clock.move_to(CLASS_START)
    with pytest.raises(ValidationError) as refused:
        services.sign_up(actor=person, training_class=training_class)
    assert refused.value.code == "closed"


def test_a_booking_cannot_be_cancelled_once_the_class_started(clock):
    training_class = make_class()
    (person,) = learners(1)
    booking = services.sign_up(actor=person, training_class=training_class)
    clock.move_to(CLASS_START + datetime.timedelta(minutes=5))
    with pytest.raises(ValidationError):
        services.cancel_booking(actor=person, booking=booking)


def test_a_cancelled_class_takes_no_sign_up_and_tells_the_people_booked(
    clock, district, district_coordinator
):
    training_class = make_class(district=district)
    (person, other) = learners(2)
    booking = services.sign_up(actor=person, training_class=training_class)
    services.cancel_class(
        actor=district_coordinator, training_class=training_class, reason="场地维修"
    )
    assert any(
        m.args[:2] == [booking.pk, "class_cancelled"]
        for m in OutboxMessage.objects.filter(task="classes.tasks.email_booking")
    )
    training_class.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.sign_up(actor=other, training_class=training_class)
    assert refused.value.code == "cancelled"


def test_only_trainees_and_lecturers_sign_up(clock, supervisor, district_coordinator):
    training_class = make_class()
    for person in (supervisor, district_coordinator):
        with pytest.raises(PermissionDenied):
            services.sign_up(actor=person, training_class=training_class)


def test_a_cohort_class_takes_its_members_only(clock, district, district_coordinator):
    from courses.models import Cohort, CohortMembership

    cohort = Cohort.objects.create(
        name="2027 春季班",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 6, 30),
        district=district,
    )
    member, stranger = learners(2)
    CohortMembership.objects.create(cohort=cohort, user=member)
    training_class = make_class(audience=Audience.COHORT, cohort=cohort, district=district)
    assert services.sign_up(actor=member, training_class=training_class).status == "booked"
    with pytest.raises(PermissionDenied):
        services.sign_up(actor=stranger, training_class=training_class)


def test_booking_a_cohort_fills_seats_then_the_waiting_list(clock, district, district_coordinator):
    from courses.models import Cohort, CohortMembership

    cohort = Cohort.objects.create(
        name="2027 秋季班",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 6, 30),
        district=district,
    )
    members = learners(3)
    for member in members:
        CohortMembership.objects.create(cohort=cohort, user=member)
    training_class = make_class(
        audience=Audience.COHORT, cohort=cohort, district=district, capacity=2
    )
    counts = services.book_cohort(actor=district_coordinator, training_class=training_class)
    assert counts == {"booked": 2, "waiting": 1}
    assert services.book_cohort(actor=district_coordinator, training_class=training_class) == {
        "booked": 0,
        "waiting": 0,
    }


def test_someone_else_cannot_cancel_my_booking(clock):
    training_class = make_class()
    person, other = learners(2)
    booking = services.sign_up(actor=person, training_class=training_class)
    with pytest.raises(PermissionDenied):
        services.cancel_booking(actor=other, booking=booking)


def test_a_trainer_must_be_a_lecturer_or_staff(clock, district, district_coordinator):
    from classes.models import TrainingClass

    (plain_trainee,) = learners(1)
    training_class = TrainingClass(
        title="面授",
        district=district,
        address="培训中心",
        hours=2,
        starts_at=CLASS_START,
        ends_at=CLASS_START + datetime.timedelta(hours=2),
        trainer=plain_trainee,
        capacity=10,
    )
    with pytest.raises(ValidationError) as refused:
        services.create_class(actor=district_coordinator, instance=training_class)
    assert "trainer" in refused.value.message_dict
    training_class.trainer = make_user(roles.LECTURER, username="a_lecturer")
    services.create_class(actor=district_coordinator, instance=training_class)
    assert AuditLog.objects.filter(action="classes.class.create").count() == 1


def test_a_district_coordinator_schedules_in_their_district_only(
    clock, district, other_district, district_coordinator
):
    from classes.models import TrainingClass

    training_class = TrainingClass(
        title="面授",
        district=other_district,
        address="培训中心",
        hours=2,
        starts_at=CLASS_START,
        ends_at=CLASS_START + datetime.timedelta(hours=2),
        trainer=make_user(roles.LECTURER, username="a_lecturer"),
        capacity=10,
    )
    with pytest.raises(PermissionDenied):
        services.create_class(actor=district_coordinator, instance=training_class)
    training_class.district = None  # city-wide: not theirs either
    with pytest.raises(PermissionDenied):
        services.create_class(actor=district_coordinator, instance=training_class)
