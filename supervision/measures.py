"""How far a stage's criteria have come: numbers from the product's own figures.

A stage's criterion names a ``Measure`` (trainees certified, sessions delivered in each
district, coverage, children reached); the number behind each is one of the figures the
monthly report shows, so acceptance and the report can never disagree. Those figures are
computed by the reports app, which sits above this one: it *provides* each measure here
from its ``AppConfig.ready()`` (``provide_measure``), as lecturer corps provides its
session counter to certification. This module imports no app above it.

A provider is ``provider(*, district, start, end) -> list[MeasuredValue]``: one value for
the district (or the whole city when ``district`` is None), or, for a per-district
measure, one per district. ``start``/``end`` are dates (``end`` inclusive): a flow is
counted between them, a stock (valid certificates, coverage) on ``end``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class MeasuredValue:
    value: Decimal | None  # None: the figure cannot be measured (e.g. no register yet)
    label: str = ""  # the district's name for a per-district value, else ""


Provider = Callable[..., list[MeasuredValue]]

_providers: dict[str, Provider] = {}


def provide_measure(code: str, provider: Provider) -> Provider:
    """Register the function that measures ``code`` (call once, from ``AppConfig.ready``)."""
    _providers[code] = provider
    return provider


def withdraw_measure(code: str) -> None:
    """Forget a provider (tests that provide one of their own)."""
    _providers.pop(code, None)


def is_provided(code: str) -> bool:
    return code in _providers


def measure(
    code: str, *, district, start: datetime.date, end: datetime.date
) -> list[MeasuredValue]:
    """The values of ``code``; an empty list when nothing provides it."""
    provider = _providers.get(code)
    if provider is None:
        return []
    return list(provider(district=district, start=start, end=end))
