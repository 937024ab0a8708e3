"""Background work for quizzes: finishing expired attempts, completing lessons."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="quizzes.tasks.finish_expired_attempts", time_limit=120, soft_time_limit=100)
def finish_expired_attempts() -> int:
    """Submit attempts whose time limit (and grace) has passed. Idempotent; safe to overlap."""
    from .services import finish_expired_attempts as finish

    count = finish()
    if count:
        logger.info("quizzes.expired_attempts_finished", extra={"count": count})
    return count


@shared_task(
    name="quizzes.tasks.complete_lesson_for_attempt",
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
)
def complete_lesson_for_attempt(attempt_id: int) -> bool:
    """Complete the lesson a passed attempt was started from. Idempotent.

    Returns False when there is nothing to do (attempt not passed, no lesson, or no
    courses app to tell).
    """
    from .lessons import complete_lesson_for
    from .models import Attempt

    attempt = Attempt.objects.select_related("user").filter(pk=attempt_id).first()
    if attempt is None or not attempt.passed or not attempt.lesson_id:
        return False
    return complete_lesson_for(attempt)
