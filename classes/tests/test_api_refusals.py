"""Every refusal of the classes API, by its status and stable code: check-in (expired,
used, other class, not booked, waiting, cancelled, closed), sign-up and cancelling a
booking once the class has started, the trainer signing up for their own class, a
cohort's class for a non-member, the code outside the check-in time, a cancelled class's
sign-up. The clock is frozen (time-machine)."""

import datetime

import pytest

from classes import services
from classes.models import Audience, Booking
from classes.tests.factories import CLASS_START, learners, make_class

pytestmark = pytest.mark.django_db

WINDOW = services.CHECK_IN_WINDOW_SECONDS
GRACE = services.CHECK_IN_GRACE_SECONDS


def _window_start(moment: datetime.datetime) -> datetime.datetime:
    stamp = moment.timestamp()
    return datetime.datetime.fromtimestamp(stamp - stamp % WINDOW, tz=datetime.UTC)


@pytest.fixture
def hall(clock):
    """A class of two seats: two people booked, one waiting; the clock at its start."""
    training_class = make_class(capacity=2)
    alice, bob, carol = learners(3)
    for person in (alice, bob, carol):
        services.sign_up(actor=person, training_class=training_class)
    clock.move_to(_window_start(CLASS_START) + datetime.timedelta(seconds=5))
    return training_class, alice, bob, carol


def _check_in(api_client, person, training_class, code):
    return api_client.as_user(person).post(
        f"/api/v1/classes/{training_class.pk}/check-in",
        {"code": code},
        content_type="application/json",
    )


def _code(training_class):
    return services.check_in_code(actor=training_class.trainer, training_class=training_class).token


def _refused(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code, response.json()


def test_an_expired_code_is_refused_with_its_code(api_client, hall, clock):
    training_class, alice, _bob, _carol = hall
    code = _code(training_class)
    clock.move_to(_window_start(CLASS_START) + datetime.timedelta(seconds=WINDOW + GRACE + 1))
    _refused(_check_in(api_client, alice, training_class, code), 400, "expired")
    booking = Booking.objects.get(training_class=training_class, user=alice)
    assert booking.attended_at is None


def test_a_code_spent_by_another_is_refused(api_client, hall):
    training_class, alice, bob, _carol = hall
    code = _code(training_class)
    assert _check_in(api_client, alice, training_class, code).status_code == 200
    _refused(_check_in(api_client, bob, training_class, code), 400, "used")


def test_a_code_of_another_class_is_refused(api_client, hall):
    training_class, alice, _bob, _carol = hall
    other = make_class(capacity=5, starts_at=CLASS_START)
    _refused(_check_in(api_client, alice, training_class, _code(other)), 400, "other_class")


def test_people_without_a_seat_are_refused(api_client, hall):
    training_class, _alice, _bob, carol = hall
    _refused(_check_in(api_client, carol, training_class, _code(training_class)), 400, "waiting")
    (stranger,) = learners(1, prefix="stranger")
    _refused(
        _check_in(api_client, stranger, training_class, _code(training_class)), 400, "not_booked"
    )


def test_a_cancelled_class_refuses_check_in_and_sign_up(api_client, hall):
    training_class, alice, _bob, _carol = hall
    code = _code(training_class)
    training_class.status = "cancelled"
    training_class.save(update_fields=["status"])
    _refused(_check_in(api_client, alice, training_class, code), 400, "cancelled")
    # Someone booked still sees it and is told why; anyone else no longer finds it.
    response = api_client.as_user(alice).post(f"/api/v1/classes/{training_class.pk}/sign-up")
    _refused(response, 409, "cancelled")
    (newcomer,) = learners(1, prefix="newcomer")
    response = api_client.as_user(newcomer).post(f"/api/v1/classes/{training_class.pk}/sign-up")
    _refused(response, 404, "not_found")


def test_check_in_is_refused_after_the_class(api_client, hall, clock):
    training_class, alice, _bob, _carol = hall
    clock.move_to(training_class.ends_at + datetime.timedelta(minutes=1))
    response = api_client.as_user(training_class.trainer).get(
        f"/api/v1/classes/{training_class.pk}/check-in-code"
    )
    _refused(response, 409, "closed")


def test_sign_up_and_cancelling_close_when_the_class_starts(api_client, hall):
    training_class, alice, _bob, _carol = hall
    (late,) = learners(1, prefix="late")
    response = api_client.as_user(late).post(f"/api/v1/classes/{training_class.pk}/sign-up")
    _refused(response, 409, "closed")
    response = api_client.as_user(alice).post(f"/api/v1/classes/{training_class.pk}/cancel-booking")
    _refused(response, 409, "closed")


def test_the_trainer_cannot_sign_up_for_their_own_class(api_client, clock, lecturer):
    training_class = make_class(trainer=lecturer, capacity=5)
    response = api_client.as_user(lecturer).post(f"/api/v1/classes/{training_class.pk}/sign-up")
    _refused(response, 403, "permission_denied")
    assert not Booking.objects.exists()


def test_a_cohorts_class_is_not_found_for_a_non_member(api_client, clock, trainee):
    from courses.models import Cohort

    cohort = Cohort.objects.create(
        name="2027 春季班",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 6, 30),
    )
    training_class = make_class(capacity=5, audience=Audience.COHORT, cohort=cohort)
    response = api_client.as_user(trainee).post(f"/api/v1/classes/{training_class.pk}/sign-up")
    _refused(response, 404, "not_found")
    _refused(
        api_client.as_user(trainee).get(f"/api/v1/classes/{training_class.pk}"), 404, "not_found"
    )
    assert not Booking.objects.exists()
