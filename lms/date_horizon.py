"""How far ahead a planned date may lie.

A date years ahead is a typing mistake (9999-12-31, 2062 for 2026), and far dates break
date arithmetic (a weekly series past 9999 overflows). Services that take a planned
date (a service request, a rescheduled request, an enrolment deadline) refuse one
more than ``PLANNING_HORIZON_DAYS`` ahead (two years by default; docs/security.md).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def last_planning_day() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=settings.PLANNING_HORIZON_DAYS)


def check_within_horizon(day: datetime.date, *, field: str = "date") -> None:
    """Refuse (``ValidationError`` on ``field``, code ``beyond_horizon``) a day past the horizon."""
    last = last_planning_day()
    if day > last:
        raise ValidationError(
            {
                field: ValidationError(
                    _("The date is too far ahead; the last date that can be planned is %(last)s.")
                    % {"last": date_format(last, "DATE_FORMAT")},
                    code="beyond_horizon",
                )
            }
        )
