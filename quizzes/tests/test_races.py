"""Concurrency on PostgreSQL: simultaneous starts and submits."""

import os
import threading

import pytest
from django.db import connection, connections

from quizzes import services
from quizzes.models import Attempt
from quizzes.tests import factories as f

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


def run_together(target, count):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # collected and checked below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)  # a guard against a hung thread, not a budget
    return results, errors


def test_simultaneous_starts_do_not_exceed_attempts_allowed(trainee):
    quiz = f.quiz([f.single()], attempts_allowed=1)
    results, errors = run_together(lambda: services.start_attempt(user=trainee, quiz=quiz).pk, 6)
    assert not errors, errors
    assert len(set(results)) == 1
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1


def test_simultaneous_starts_after_last_allowed_attempt_are_refused(trainee):
    quiz = f.quiz([f.single()], attempts_allowed=2)
    first = services.start_attempt(user=trainee, quiz=quiz)
    services.submit_attempt(user=trainee, attempt=first)

    def start_and_submit():
        attempt = services.start_attempt(user=trainee, quiz=quiz)
        services.submit_attempt(user=trainee, attempt=attempt)
        return attempt.pk

    results, errors = run_together(start_and_submit, 5)
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 2
    assert all(isinstance(e, services.NoAttemptsLeft) for e in errors), errors


def test_simultaneous_submits_grade_once(trainee):
    quiz = f.quiz([f.single(), f.truefalse()])
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    results, errors = run_together(
        lambda: services.submit_attempt(user=trainee, attempt=attempt).already_submitted, 5
    )
    assert not errors, errors
    assert sorted(results) == [False, True, True, True, True]
    from audit.models import AuditLog

    assert (
        AuditLog.objects.filter(action="quizzes.attempt.submit", object_id=str(attempt.pk)).count()
        == 1
    )
