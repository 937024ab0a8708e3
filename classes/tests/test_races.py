"""Concurrency on PostgreSQL: people racing for the last seats, and cancellations racing
with sign-ups, never over-book a class nor skip the waiting list."""

import os
import threading

import pytest
from django.db import connection, connections

from classes import services
from classes.models import Booking, BookingStatus
from classes.tests.factories import learners, make_class

# Skipped before any database set-up (a transactional test flushes the database).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    assert connection.vendor == "postgresql"


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results, errors = [], []

    def worker(function):
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # collected and checked below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)  # a guard against a hung thread, not a budget
    return results, errors


def booked(training_class):
    return Booking.objects.filter(training_class=training_class, status=BookingStatus.BOOKED)


def test_people_racing_for_two_seats_get_two_seats(clock):
    training_class = make_class(capacity=2)
    people = learners(8)
    results, errors = run_together(
        [
            lambda person=person: services.sign_up(actor=person, training_class=training_class)
            for person in people
        ]
    )
    assert not errors, errors
    assert booked(training_class).count() == 2
    assert Booking.objects.filter(training_class=training_class, status="waiting").count() == 6


def test_cancellations_racing_with_sign_ups_fill_each_freed_seat_once(clock):
    training_class = make_class(capacity=3)
    holders = learners(3, prefix="holder")
    waiting = learners(3, prefix="waiting")
    for person in [*holders, *waiting]:
        services.sign_up(actor=person, training_class=training_class)
        clock.shift(1)
    latecomers = learners(3, prefix="late")
    bookings = list(Booking.objects.filter(user__in=holders))
    results, errors = run_together(
        [
            *[lambda b=b: services.cancel_booking(actor=b.user, booking=b) for b in bookings],
            *[
                lambda p=p: services.sign_up(actor=p, training_class=training_class)
                for p in latecomers
            ],
        ]
    )
    assert not errors, errors
    seated = set(booked(training_class).values_list("user_id", flat=True))
    assert len(seated) == 3
    # The freed seats went to the people already waiting, not to the latecomers.
    assert seated == {p.pk for p in waiting}
