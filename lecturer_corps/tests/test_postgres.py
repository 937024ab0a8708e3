"""No double booking on PostgreSQL: the exclusion constraint, also under concurrency.

Run with DATABASE_URL pointing at PostgreSQL; skipped on SQLite.
"""

import datetime
import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction

from lecturer_corps import services
from lecturer_corps.models import Session, SessionStatus
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session, next_weekday

# Skipped before any database set-up (a transactional test flushes the database).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (exclusion constraints); run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    assert connection.vendor == "postgresql"


def _in_threads(*functions):
    """Run the functions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=60)
            results[index] = ("ok", function())
        except Exception as exc:  # the test inspects what each thread met
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_database_refuses_an_overlapping_live_session(venue):
    profile = make_lecturer()
    day = next_weekday()
    make_session(make_request(venue=venue, date=day), profile.user)
    overlapping = make_request(
        venue=venue, date=day, start=datetime.time(10, 0), end=datetime.time(12, 0)
    )
    with pytest.raises(IntegrityError, match="session_no_double_booking"), transaction.atomic():
        make_session(overlapping, profile.user)


def test_the_database_allows_back_to_back_and_cancelled_overlaps(venue):
    profile = make_lecturer()
    day = next_weekday()
    make_session(make_request(venue=venue, date=day), profile.user)
    after = make_request(
        venue=venue, date=day, start=datetime.time(11, 0), end=datetime.time(13, 0)
    )
    make_session(after, profile.user)  # [09:00, 11:00) and [11:00, 13:00) do not overlap
    same_time = make_request(venue=venue, date=day, topic="child_02")
    make_session(same_time, profile.user, status=SessionStatus.CANCELLED)
    assert Session.objects.filter(lecturer=profile.user).count() == 3


def test_concurrent_raw_inserts_cannot_double_book(venue):
    profile = make_lecturer()
    day = next_weekday()
    first = make_request(venue=venue, date=day)
    second = make_request(
        venue=venue, date=day, start=datetime.time(10, 0), end=datetime.time(12, 0)
    )
    results = _in_threads(
        lambda: make_session(first, profile.user).pk,
        lambda: make_session(second, profile.user).pk,
    )
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    # The exclusion constraint refuses the second booking; when both inserts wait on each
    # other's index entries PostgreSQL may instead end one as a deadlock (seen on a loaded
    # machine). Either way the database refused it: one session, never two.
    deadlock = isinstance(error, OperationalError) and "deadlock" in str(error)
    assert isinstance(error, IntegrityError) or deadlock, error
    assert Session.objects.filter(lecturer=profile.user).count() == 1


def test_concurrent_assignments_fail_cleanly_with_a_message(venue, coordinator):
    profile = make_lecturer()
    day = next_weekday()
    first = make_request(venue=venue, date=day)
    second = make_request(
        venue=venue, date=day, start=datetime.time(10, 0), end=datetime.time(12, 0)
    )

    def assign(service_request):
        return lambda: (
            services.assign_lecturer(
                actor=coordinator, service_request=service_request, lecturer=profile.user
            ).pk
        )

    results = _in_threads(assign(first), assign(second))
    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError)
    message = " ".join(error.messages)
    assert "already booked" in message or "just booked" in message
    assert Session.objects.filter(lecturer=profile.user, status=SessionStatus.PROPOSED).count() == 1
