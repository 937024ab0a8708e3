"""Concurrent issuing on PostgreSQL: one certificate per trainee, serials without gaps or duplicates."""

import os
import threading

import pytest
from django.db import connection, connections

from accounts import roles
from certification import services
from certification.models import Certificate, SerialCounter
from certification.tests.factories import ALL_INITIAL, CertificationTypeFactory, add_requirements
from tests.factories import make_user

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
    results, errors = [None] * len(functions), []

    def worker(index, function):
        try:
            barrier.wait(timeout=60)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 — collected and reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_concurrent_issue_for_one_trainee_yields_one_certificate(sources, coordinator):
    certification = add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    trainee = make_user(roles.TRAINEE, username="race")
    sources.make_eligible(trainee)
    calls = [
        lambda: (
            services.issue_certificate(
                trainee=trainee, certification=certification, issued_by=coordinator
            ).pk
        )
        for _ in range(6)
    ]
    results, errors = run_together(calls)
    assert errors == []
    assert len(set(results)) == 1
    assert Certificate.objects.count() == 1
    assert SerialCounter.objects.get().last_number == 1


def test_concurrent_issues_get_consecutive_distinct_serials(sources, coordinator):
    certification = add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    people = [make_user(roles.TRAINEE, username=f"many{i}") for i in range(8)]
    for person in people:
        sources.make_eligible(person)
    calls = [
        (
            lambda person=person: (
                services.issue_certificate(
                    trainee=person, certification=certification, issued_by=coordinator
                ).serial
            )
        )
        for person in people
    ]
    results, errors = run_together(calls)
    assert errors == []
    numbers = sorted(int(serial.rsplit("-", 1)[1]) for serial in results)
    assert numbers == list(range(1, 9))
    assert SerialCounter.objects.get().last_number == 8
