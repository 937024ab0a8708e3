"""Check-in by the trainer's rotating code: accepted once, in its window and a small grace,
for its class, from a person with a seat; refused when expired, forged, for another class,
or already used by another person. The clock is frozen (time-machine)."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditLog
from classes import services
from classes.models import Booking, CheckInCode
from classes.tests.factories import CLASS_START, learners, make_class
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

WINDOW = services.CHECK_IN_WINDOW_SECONDS
GRACE = services.CHECK_IN_GRACE_SECONDS


@pytest.fixture
def room(clock):
    """A class with two people booked, the clock 10 seconds into a window at its start."""
    training_class = make_class(capacity=5)
    alice, bob = learners(2)
    for person in (alice, bob):
        services.sign_up(actor=person, training_class=training_class)
    start = CLASS_START.timestamp()
    clock.move_to(datetime.datetime.fromtimestamp(start - start % WINDOW + 10, tz=datetime.UTC))
    return training_class, alice, bob


def show(training_class, current=""):
    return services.check_in_code(
        actor=training_class.trainer, training_class=training_class, current=current
    )


def refusal(training_class, person, code):
    with pytest.raises(services.CheckInRefused) as refused:
        services.check_in(actor=person, training_class=training_class, code=code)
    return refused.value.code


def test_a_fresh_code_checks_a_booked_person_in_once(room):
    training_class, alice, _bob = room
    code = show(training_class).token
    booking = services.check_in(actor=alice, training_class=training_class, code=code)
    assert booking.attended_at is not None and booking.check_in_method == "qr"
    assert AuditLog.objects.filter(action="classes.booking.attend").count() == 1
    # Attendance earns hours: eligibility is checked again, through the outbox.
    assert OutboxMessage.objects.filter(
        task="certification.tasks.issue_eligible_for", args=[alice.pk]
    ).exists()
    # Scanning again changes nothing and is not an error.
    again = services.check_in(actor=alice, training_class=training_class, code=code)
    assert again.attended_at == booking.attended_at
    assert AuditLog.objects.filter(action="classes.booking.attend").count() == 1


def test_a_code_used_by_one_person_is_refused_to_another(room):
    training_class, alice, bob = room
    code = show(training_class).token
    services.check_in(actor=alice, training_class=training_class, code=code)
    assert refusal(training_class, bob, code) == "used"
    assert Booking.objects.get(training_class=training_class, user=bob).attended_at is None


def test_a_code_is_accepted_within_the_grace_after_its_window(room, clock):
    training_class, alice, _bob = room
    display = show(training_class)
    clock.move_to(display.valid_until - datetime.timedelta(seconds=1))
    assert services.check_in(actor=alice, training_class=training_class, code=display.token)


def test_a_photographed_code_is_refused_once_its_window_and_grace_are_over(room, clock):
    training_class, alice, _bob = room
    code = show(training_class).token
    clock.shift(WINDOW + GRACE)  # the window ended 20 s ago, the grace 0 s ago
    assert refusal(training_class, alice, code) == "expired"
    clock.shift(600)
    assert refusal(training_class, alice, code) == "expired"


def test_a_forged_or_altered_code_is_refused(room):
    training_class, alice, _bob = room
    code = show(training_class).token
    value, stamp, _signature = code.rsplit(":", 2)
    assert (
        refusal(training_class, alice, f"{value}:{stamp}:AAAAAAAAAAAAAAAAAAAAAAAAAAA") == "invalid"
    )
    # Signed with another key (or another purpose's salt): refused too.
    forged = signing.TimestampSigner(key="not-the-key", salt="lms.signed_tokens:classes.check_in")

    other = forged.sign_object({"c": training_class.pk, "w": 0, "n": "0" * 32})
    assert refusal(training_class, alice, other) == "invalid"
    assert refusal(training_class, alice, "") == "invalid"
    assert refusal(training_class, alice, "x" * 600) == "invalid"


def test_a_code_of_another_class_is_refused(room):
    training_class, alice, _bob = room
    other_class = make_class(capacity=5, starts_at=training_class.starts_at)
    code = show(other_class).token
    assert refusal(training_class, alice, code) == "other_class"


def test_people_waiting_or_not_booked_cannot_check_in(room, clock):
    training_class, _alice, _bob = room
    (stranger,) = learners(1)
    code = show(training_class).token
    assert refusal(training_class, stranger, code) == "not_booked"
    # The code stays unspent for someone with a seat.
    assert CheckInCode.objects.get(training_class=training_class).used_at is None


def test_the_screen_keeps_its_code_in_a_window_and_changes_it_after_use_or_window(room, clock):
    training_class, alice, _bob = room
    first = show(training_class)
    assert show(training_class, current=first.token).token == first.token
    services.check_in(actor=alice, training_class=training_class, code=first.token)
    after_use = show(training_class, current=first.token)
    assert after_use.token != first.token
    clock.shift(WINDOW)
    assert show(training_class, current=after_use.token).token != after_use.token


def test_only_the_trainer_or_a_coordinator_shows_the_code(room, district_coordinator):
    training_class, alice, _bob = room
    with pytest.raises(PermissionDenied):
        services.check_in_code(actor=alice, training_class=training_class)


def test_check_in_is_open_only_around_the_class(clock):
    training_class = make_class()
    (person,) = learners(1)
    services.sign_up(actor=person, training_class=training_class)
    with pytest.raises(ValidationError):
        show(training_class)  # the day before
    clock.move_to(CLASS_START - services.CHECK_IN_OPENS_BEFORE)
    code = show(training_class).token
    clock.move_to(training_class.ends_at + datetime.timedelta(seconds=1))
    assert refusal(training_class, person, code) in ("expired", "closed")


def test_the_trainer_marks_and_unmarks_attendance(room, district_coordinator):
    training_class, alice, bob = room
    booking = Booking.objects.get(training_class=training_class, user=bob)
    services.mark_attendance(actor=training_class.trainer, booking=booking, attended=True)
    booking.refresh_from_db()
    assert booking.attended_at and booking.check_in_method == "trainer"
    services.mark_attendance(actor=training_class.trainer, booking=booking, attended=False)
    booking.refresh_from_db()
    assert booking.attended_at is None
    with pytest.raises(PermissionDenied):
        services.mark_attendance(actor=alice, booking=booking, attended=True)
    other_trainer_class = make_class(starts_at=training_class.starts_at)
    with pytest.raises(PermissionDenied):
        services.mark_attendance(actor=other_trainer_class.trainer, booking=booking, attended=True)
