"""Reporting periods (calendar months) and scopes (the whole city or one district)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A calendar month. ``start`` is its first day; ``end`` the first day of the next."""

    start: dt.date

    @classmethod
    def parse(cls, value: str) -> Period:
        """``"2027-03"`` → Period; anything else raises ``ValidationError``."""
        match = _PERIOD_RE.match((value or "").strip())
        if not match:
            raise ValidationError(_("Give the month as YYYY-MM, e.g. 2027-03."), code="period")
        year, month = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise ValidationError(_("Give the month as YYYY-MM, e.g. 2027-03."), code="period")
        return cls(dt.date(year, month, 1))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.replace(day=1))

    @classmethod
    def current(cls) -> Period:
        return cls.of(timezone.localdate())

    @classmethod
    def last_complete(cls) -> Period:
        """The latest month that has ended: what the dashboard opens on (the month that
        just started has hardly any figures yet)."""
        return cls.current().previous()

    @property
    def end(self) -> dt.date:
        """The first day of the following month (exclusive bound)."""
        if self.start.month == 12:
            return dt.date(self.start.year + 1, 1, 1)
        return dt.date(self.start.year, self.start.month + 1, 1)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        """The period's first instant, in the site's time zone."""
        return _aware(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The instant the period ends (exclusive), in the site's time zone."""
        return _aware(self.end)

    def previous(self) -> Period:
        return Period.of(self.start - dt.timedelta(days=1))

    def next(self) -> Period:
        return Period(self.end)

    def months_back(self, count: int) -> list[Period]:
        """``count`` periods ending with this one, oldest first."""
        periods = [self]
        for _i in range(count - 1):
            periods.append(periods[-1].previous())
        return list(reversed(periods))

    @property
    def code(self) -> str:
        return f"{self.start:%Y-%m}"

    def __str__(self) -> str:
        return self.code


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Scope:
    """What a figure covers: one period, and one district or (``district=None``) the city."""

    period: Period
    district: object | None = None  # places.District

    @property
    def district_id(self) -> int | None:
        return self.district.pk if self.district is not None else None

    @property
    def label(self) -> str:
        return str(self.district) if self.district is not None else _("Whole city")

    @property
    def code(self) -> str:
        return self.district.code if self.district is not None else "city"

    @cached_property
    def districts(self) -> list:
        """The districts this scope covers, in display order (one query, then cached)."""
        if self.district is not None:
            return [self.district]
        from places.models import District

        return list(District.objects.order_by("sort_order", "name"))
