"""Queue follow-up work so that a broker outage never loses it nor fails the caller.

``enqueue(task, *args, **kwargs)`` writes an ``OutboxMessage`` in the caller's
transaction (so the message exists exactly when the change it follows does) and, once
that transaction commits, offers it to the broker at once with short timeouts. When the
broker is down the caller is not told: the row stays, and ``relay_due`` (beat, every
``OUTBOX_RELAY_SECONDS``; or ``manage.py outbox_relay``) offers it again.

Guarantees:

- **Nothing lost**: a message is marked sent only after the broker accepted it.
- **Never in the caller's way**: publishing happens after the commit and its failures
  are recorded on the row and logged, never raised (except under eager settings, where
  the task itself runs in-process and its errors propagate as before).
- **At least once, rarely twice**: publishers lock the rows they send (``SKIP LOCKED``),
  so the after-commit publish and the relay never send the same row together; a process
  that dies between the broker's acceptance and the commit of ``sent_at`` sends it again.
  Every task queued here must therefore be idempotent (re-read its rows).
- **Later is a due-time**: ``due_at`` in the future keeps the message in the database
  until then; nothing waits in the broker with a countdown (which a visibility timeout
  would redeliver).
- **Fail fast**: after a broker error this process stops publishing for
  ``OUTBOX_PUBLISH_PAUSE_SECONDS`` (the relay does not), so an outage costs one short
  connection timeout, not one per request.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


class _PublishPause:
    """Per-process: when the broker last failed, publish nothing until ``until``."""

    until = 0.0

    def active(self) -> bool:
        return time.monotonic() < self.until

    def start(self) -> None:
        self.until = time.monotonic() + settings.OUTBOX_PUBLISH_PAUSE_SECONDS

    def clear(self) -> None:
        self.until = 0.0


publish_pause = _PublishPause()


def _registered_task(name: str):
    """The task registered under ``name`` (importing every app's tasks.py first if
    needed: a web process has not necessarily imported them), else None."""
    task = current_app.tasks.get(name)
    if task is None:
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    return task


def _task_name(task) -> str:
    name = task if isinstance(task, str) else getattr(task, "name", None)
    if not name or _registered_task(name) is None:
        raise LookupError(f"No Celery task named {name!r} is registered.")
    return name


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def enqueue(task, *args, due_at=None, dedupe_key: str | None = None, **kwargs) -> OutboxMessage:
    """Queue ``task(*args, **kwargs)`` in the current transaction; send it after the commit.

    ``task`` is a Celery task or its registered name; arguments must be JSON (primary
    keys, strings, numbers). ``due_at`` (aware datetime) holds the message back until
    then. With ``dedupe_key`` a key already in the outbox writes nothing and returns the
    existing message, so a follow-up keyed by what it follows is queued once. Raises
    ``LookupError`` for a task name that is not registered.
    """
    now = timezone.now()
    fields = {
        "task": _task_name(task),
        "args": list(args),
        "kwargs": kwargs,
        "due_at": due_at or now,
        "created_at": now,
    }
    if dedupe_key is None:
        message = OutboxMessage.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(dedupe_key=dedupe_key, **fields)
        except IntegrityError:
            return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    if message.due_at <= now:
        _publish_after_commit([message.pk])
    return message


def enqueue_many(task, calls: Iterable[tuple]) -> list[int]:
    """Queue ``task(*args)`` for each tuple of ``calls`` with one insert; returns the ids.

    Same guarantees as ``enqueue`` (in the caller's transaction, sent after the commit).
    """
    name = _task_name(task)
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(task=name, args=list(args), kwargs={}, due_at=now, created_at=now)
            for args in calls
        ],
        batch_size=1000,
    )
    ids = [message.pk for message in messages]
    if ids:
        _publish_after_commit(ids)
    return ids


def _publish_after_commit(ids: list[int]) -> None:
    def publish_outbox_messages():
        publish(ids)

    transaction.on_commit(publish_outbox_messages, robust=True)


def publish(ids: list[int]) -> int:
    """Offer these messages (if still unsent) to the broker now; returns how many went.

    Called after the enqueuing transaction commits. Does nothing while this process's
    publish pause is on (a recent broker error); the relay sends them later.
    """
    if _eager():
        return _run_eagerly(ids)
    if publish_pause.active():
        return 0
    sent = 0
    for start in range(0, len(ids), BATCH_SIZE):
        count, broker_down = _publish_batch(
            OutboxMessage.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
        )
        sent += count
        if broker_down:
            break
    return sent


def relay_due(now: datetime.datetime | None = None) -> int:
    """Send every unsent message whose due-time has come; returns how many went.

    Run by beat every ``OUTBOX_RELAY_SECONDS`` and by ``manage.py outbox_relay``.
    Stops at the first broker error (the rest stay for the next run). Safe to run in
    several processes at once: each takes rows the others have not locked.
    """
    due = OutboxMessage.objects.filter(sent_at__isnull=True, due_at__lte=now or timezone.now())
    if _eager():
        return _run_eagerly(list(due.order_by("due_at", "pk").values_list("pk", flat=True)))
    sent = 0
    while True:
        count, broker_down = _publish_batch(due)
        sent += count
        if broker_down or count < BATCH_SIZE:
            break
    if sent:
        publish_pause.clear()
    return sent


def _broker_errors() -> tuple[type[BaseException], ...]:
    with current_app.connection_for_write() as connection:
        return (
            KombuOperationalError,
            ConnectionError,
            TimeoutError,
            *connection.connection_errors,
            *connection.channel_errors,
        )


def _publish_batch(queryset) -> tuple[int, bool]:
    """Lock up to BATCH_SIZE unsent rows of ``queryset`` and send them; (sent, broker down)."""
    broker_errors = _broker_errors()
    sent_ids: list[int] = []
    broker_down = False
    with transaction.atomic():
        messages = list(
            queryset.filter(sent_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("due_at", "pk")[:BATCH_SIZE]
        )
        for message in messages:
            try:
                _send(message)
            except broker_errors as exc:
                _record_failure(message, exc, back_off=False)
                broker_down = True
                break
            except Exception as exc:  # noqa: BLE001  (this message's fault: back off, go on)
                _record_failure(message, exc, back_off=True)
            else:
                sent_ids.append(message.pk)
        if sent_ids:
            OutboxMessage.objects.filter(pk__in=sent_ids).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
    if broker_down:
        publish_pause.start()
    return len(sent_ids), broker_down


def _send(message: OutboxMessage) -> None:
    """Hand one message to the broker, once (no publish retries: the outbox retries)."""
    task = _registered_task(message.task)
    if task is None:
        raise LookupError(f"No Celery task named {message.task!r} is registered.")
    task.apply_async(args=message.args, kwargs=message.kwargs, retry=False)


def _run_eagerly(ids: list[int]) -> int:
    """Eager settings (dev, tests): run each task in-process now, as ``delay`` would."""
    ran = 0
    for message in OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).order_by(
        "due_at", "pk"
    ):
        try:
            task = _registered_task(message.task)
            if task is None:
                raise LookupError(f"No Celery task named {message.task!r} is registered.")
            task.apply_async(args=message.args, kwargs=message.kwargs)
        except Exception as exc:
            _record_failure(message, exc, back_off=True)
            raise
        OutboxMessage.objects.filter(pk=message.pk).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
        ran += 1
    return ran


def retry_delay(attempts: int) -> datetime.timedelta:
    """Back-off after the ``attempts``-th failure: base × 2^(attempts-1), capped."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _record_failure(message: OutboxMessage, exc: BaseException, *, back_off: bool) -> None:
    """Count the attempt and keep the error; a message-specific failure also waits.

    A broker error is not the message's fault, so its due-time stays and the next relay
    offers it again; any other error pushes the due-time back by ``retry_delay``.
    """
    attempts = message.attempts + 1
    fields = {"attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if back_off:
        fields["due_at"] = timezone.now() + retry_delay(attempts)
    try:
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    except Exception:  # noqa: BLE001  (a broken transaction: the row stays as it was)
        logger.exception("outbox.record_failure_failed", extra={"outbox_message": message.pk})
    logger.warning(
        "outbox.publish_failed",
        extra={
            "outbox_message": message.pk,
            "task": message.task,
            "attempts": attempts,
            "broker_error": not back_off,
            "error": fields["last_error"],
        },
    )


def backlog(now: datetime.datetime | None = None) -> dict:
    """Unsent messages, how many are due, and the age in seconds of the oldest due one."""
    now = now or timezone.now()
    due = Q(due_at__lte=now)
    row = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(
        unsent=Count("pk"), due=Count("pk", filter=due), oldest=Min("due_at", filter=due)
    )
    oldest = row["oldest"]
    return {
        "unsent": row["unsent"],
        "due": row["due"],
        "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }


def purge_sent(older_than_days: int | None = None) -> int:
    """Delete messages sent more than ``OUTBOX_KEEP_SENT_DAYS`` ago; returns how many."""
    days = settings.OUTBOX_KEEP_SENT_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
