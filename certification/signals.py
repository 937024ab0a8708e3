"""What certification tells the apps above it, and what it hears from below.

Certification sits below the lecturer corps and above learning (the import layers in
``pyproject.toml``), so news travels up by signal, never by import:

- ``certificate_changed`` (kwargs ``holder_id``) is sent inside the transaction that
  revoked, expired or replaced a certificate; the lecturer corps receives it and
  re-checks the holder's coming sessions. Receivers that queue work use the outbox, so
  the work exists exactly when the change commits.
- certification receives ``courses.signals.course_completed``: the trainee's
  eligibility is checked at once (``tasks.issue_eligible_for``), so a certificate that
  the last course earned is issued (or its approval requested) the same minute, not at
  the next nightly run.

Extension point (``delivered_sessions``): renewal counts the sessions a holder
delivered as a lecturer, which the lecturer corps knows; it provides the counter with
``provide_delivered_sessions`` when its app is ready. A session counts toward the
qualification whose topic it covered, never toward both.

Extension point (``attended_class_hours``): the "face-to-face class hours" requirement
counts the hours of classes a person attended, which the classes app knows; it provides
the counter with ``provide_class_hours`` when its app is ready. Without it the
requirement shows as "not available".
"""

from django.dispatch import Signal

certificate_changed = Signal()  # kwargs: holder_id

_delivered_sessions_counter = None


def provide_delivered_sessions(counter) -> None:
    """Set the counter ``counter(users, windows, qualification) -> {user_id: count}`` of
    verified sessions each user delivered within ``windows[user_id] = (first_day,
    last_day)`` whose topic belongs to ``qualification`` (a certification type's code)."""
    global _delivered_sessions_counter
    _delivered_sessions_counter = counter


def delivered_sessions(users, windows, qualification: str) -> dict[int, int]:
    if _delivered_sessions_counter is None:
        return {}
    return _delivered_sessions_counter(users, windows, qualification)


_class_hours_counter = None


def provide_class_hours(counter) -> None:
    """Set the counter ``counter(users, *, requirement_id, course_ids, windows) ->
    {user_id: Decimal}`` of the class hours each user attended in face-to-face classes
    linked to the requirement ``requirement_id`` or to one of ``course_ids``, within
    ``windows[user_id] = (first_day, last_day)`` when windows are given."""
    global _class_hours_counter
    _class_hours_counter = counter


def attended_class_hours(users, *, requirement_id, course_ids, windows):
    """``{user_id: hours}``, or None when no app provides the counter."""
    if _class_hours_counter is None:
        return None
    return _class_hours_counter(
        users, requirement_id=requirement_id, course_ids=course_ids, windows=windows
    )


def _on_course_completed(sender, enrolment, **kwargs) -> None:
    from outbox.services import enqueue

    from .tasks import issue_eligible_for

    enqueue(issue_eligible_for, enrolment.user_id)


def connect() -> None:
    from courses.signals import course_completed

    course_completed.connect(_on_course_completed, dispatch_uid="certification.course_completed")
