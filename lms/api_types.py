"""Field types the API's schemas share."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema


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
