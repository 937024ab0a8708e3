"""Exactly once over a link that comes and goes: the API's ``Idempotency-Key``.

A phone that sends a queued lesson completion, practicum entry or delivery report may
lose the answer when the link drops. It cannot know whether the server did the write,
so it sends the same request again with the same ``Idempotency-Key`` header (a UUID it
made when the draft was queued). An operation decorated with ``@idempotent(name)``:

- with no header, runs as always;
- with a key the person has not used, runs once and, if the answer is a success (2xx),
  stores the answer (``offline.models.IdempotentRequest``) in the same transaction as
  the write itself, so the write and the record of it are committed together or not at
  all;
- with a key the person used for the same request (same operation, path and body),
  answers with the stored answer (header ``Idempotent-Replayed: true``) and does
  nothing else;
- with a key the person used for a different request, refuses (422
  ``idempotency_key_reused``);
- with a malformed key, refuses (400 ``invalid_idempotency_key``).

Keys are per person: the same key from another person is another request, and nobody
ever receives an answer stored for someone else. Two copies of one request arriving at
the same moment are serialised by the unique (user, key) index: the second waits for the
first's transaction, then finds its answer. A refusal (4xx) or failure (5xx) stores
nothing and is rolled back whole, so the person can correct a draft and send it again
with the same key; use the decorator only on operations whose refusals write nothing.

Why a table and not a ``client_uuid`` column on each created row: see docs/decisions.md
("Idempotent API writes").
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import typing

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
DEFAULT_KEEP_DAYS = 30

HEADER_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "A key the client makes for this one request (e.g. a UUID), 8–100 letters, digits "
        "or `._:-`. Sending the same request again with the same key returns the first "
        "answer and does nothing else; the same key with another request is refused (422)."
    ),
    "schema": {"type": "string", "pattern": KEY_PATTERN.pattern},
}


def keep_days() -> int:
    return int(getattr(settings, "IDEMPOTENCY_KEY_DAYS", DEFAULT_KEEP_DAYS))


def request_fingerprint(request) -> str:
    """SHA-256 of the method, the path and the body, the body read for its meaning: a JSON
    body by its parsed value (key order and spacing do not matter), a multipart body by its
    fields and each file's name, size and content (the boundary differs between sends)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.path}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        fields = sorted(
            (name, value) for name in request.POST for value in request.POST.getlist(name)
        )
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"\n{name}\n{upload.name}\n{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        body = request.body
        try:
            canonical = json.dumps(
                json.loads(body or b"null"), sort_keys=True, separators=(",", ":")
            ).encode()
        except ValueError:
            canonical = body
        digest.update(canonical)
    return digest.hexdigest()


def _replay(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        stored.body, status=stored.status_code, content_type="application/json; charset=utf-8"
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _refusal(status: int, code: str, message: str) -> HttpResponse:
    """The API's error shape, ``{detail, code}`` (built here: ``lms.api`` mounts the routers
    that import this module, and the apps above would reach this layer through it)."""
    return HttpResponse(
        json.dumps({"detail": message, "code": code}, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _claim(request, endpoint: str):
    """This request's claim on its key (a new row), or the stored answer to send again."""
    key = request.headers[HEADER]
    if not KEY_PATTERN.match(key):
        return _refusal(
            400,
            "invalid_idempotency_key",
            _("The Idempotency-Key must be 8–100 letters, digits or ._:- characters."),
        )
    fingerprint = request_fingerprint(request)
    user = request.auth
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=user, key=key, endpoint=endpoint, fingerprint=fingerprint
            )
    except IntegrityError:
        pass
    stored = IdempotentRequest.objects.filter(user=user, key=key).first()
    if stored is None or stored.status_code == 0:
        # Only reachable when the other request's transaction is still open on a database
        # that does not make the insert wait (SQLite answers "locked" instead).
        return _refusal(
            409,
            "request_in_progress",
            _("The same request is being handled; send it again in a moment."),
        )
    if stored.endpoint != endpoint or stored.fingerprint != fingerprint:
        return _refusal(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was used for a different request; make a new key."),
        )
    return _replay(stored)


def _document_header(operation) -> None:
    extra = dict(operation.openapi_extra or {})
    parameters = [p for p in extra.get("parameters", []) if p.get("name") != HEADER]
    extra["parameters"] = [*parameters, HEADER_PARAMETER]
    operation.openapi_extra = extra


def idempotent(endpoint: str):
    """Make a django-ninja write operation honour ``Idempotency-Key`` (see the module).

    Put it below the router's decorator: ``@router.post(...)`` then ``@idempotent("app.what")``.
    ``endpoint`` is a stable name for the operation; a key is bound to it.
    """

    def decorate(view_func):
        # The wrapper lives in this module: ninja would read the view's postponed
        # annotations (``payload: EntryIn``) here, where those names do not exist.
        view_func.__annotations__ = typing.get_type_hints(view_func, include_extras=True)

        @functools.wraps(view_func)
        def claimed(request, *args, **kwargs):
            if HEADER not in request.headers:
                return view_func(request, *args, **kwargs)
            claim = _claim(request, endpoint)
            if isinstance(claim, HttpResponse):
                return claim
            request._idempotent_claim = claim
            return view_func(request, *args, **kwargs)

        def in_one_transaction(run):
            @functools.wraps(run)
            def run_once(request, **kwargs):
                if HEADER not in request.headers:
                    return run(request, **kwargs)
                with transaction.atomic():
                    response = run(request, **kwargs)
                    claim = getattr(request, "_idempotent_claim", None)
                    if claim is not None:
                        if 200 <= response.status_code < 300:
                            claim.status_code = response.status_code
                            claim.body = response.content.decode()
                            claim.save(update_fields=["status_code", "body"])
                        else:
                            # A refusal stores nothing: the draft can be corrected and
                            # sent again with the same key.
                            transaction.set_rollback(True)
                    return response

            return run_once

        contribute_operation_callback(claimed, _document_header)
        return decorate_view(in_one_transaction)(claimed)

    return decorate


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Forget answers older than ``IDEMPOTENCY_KEY_DAYS``; returns how many were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days())
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
