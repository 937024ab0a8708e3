"""Field types the API's schemas share."""

from __future__ import annotations

import datetime
import typing
from typing import Annotated, Any

import ninja.pagination
from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema

from lms.textinput import CODE, COMMENT, LONG_TEXT, NOTE, REASON, TITLE, USERNAME, api_text


def _without_offset(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise ValueError("Give a local time without an offset, e.g. 09:30.")
    return value


# A wall-clock time of day without an offset ("09:30" or "09:30:00"), as the
# models store it. JSON Schema's "time" format is RFC 3339's full-time, which
# requires an offset, so the schema says what the API really sends and takes;
# a time with an offset is refused (422) rather than silently reinterpreted.
LocalTime = Annotated[
    datetime.time,
    AfterValidator(_without_offset),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "Local time of day, HH:MM[:SS], no offset.",
        }
    ),
]


# The largest value a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
# A larger id or offset never matches a row, but reaching the database with it raises
# an overflow (a 500), so the schema refuses it first (422).
MAX_DATABASE_INT = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_DATABASE_INT, description="An object's id.")]
"""A primary key in a path, query or body: 1 to 2^63 - 1, anything else is a 422."""

Offset = Annotated[int, Field(ge=0, le=MAX_DATABASE_INT, description="Rows to skip.")]
"""How many rows a page skips: 0 to 2^63 - 1."""


def Limit(maximum: int) -> Any:  # noqa: N802 - a type, named like one
    """How many rows a page holds: 1 to ``maximum``; more is a 422, not silently cut."""
    return Annotated[int, Field(ge=1, le=maximum, description=f"Rows per page (1-{maximum}).")]


class LimitOffsetPagination(ninja.pagination.LimitOffsetPagination):
    """django-ninja's limit/offset paging with both numbers bounded (the default class)."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=settings.NINJA_PAGINATION_MAX_LIMIT,
            description="Rows per page.",
        )
        offset: int = Field(0, ge=0, le=MAX_DATABASE_INT, description="Rows to skip.")


# Text fields of API input schemas: each cleaned by one ``lms.textinput`` policy. Apps
# with their own limits name their own with ``api_text(TextPolicy(...))`` at module level
# (a name, not a call, in an annotation: the modules use postponed annotations).
CodeText = api_text(CODE)
ReasonText = api_text(REASON)
CommentText = api_text(COMMENT)
NoteText = api_text(NOTE)
LongText = api_text(LONG_TEXT)
OptionalLongText = api_text(LONG_TEXT.optional())
TitleText = api_text(TITLE)
UsernameText = api_text(USERNAME)


def resolve_annotations(view):
    """Resolve a view's postponed annotations now, in its own module.

    django-ninja's ``@paginate`` wraps the view and then reads the annotations as
    strings in the wrapper's module, where names like ``CodeText`` do not exist. Put
    this decorator below ``@paginate``.
    """
    view.__annotations__ = typing.get_type_hints(view, include_extras=True)
    return view
