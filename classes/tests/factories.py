"""Factories for classes tests: a class at a fixed time, people to fill it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count

from accounts import roles
from classes.models import TrainingClass
from tests.factories import make_user

_numbers = count(1)

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# The day the tests' clock stands on (time-machine), and the class's start: the next morning.
TODAY = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)
CLASS_START = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=SHANGHAI)


def make_class(*, trainer=None, district=None, capacity=2, starts_at=None, **fields):
    """A scheduled class (saved directly: the services are what the tests exercise)."""
    number = next(_numbers)
    starts_at = starts_at or CLASS_START
    values = {
        "title": f"团体辅导技能面授第{number}期",
        "address": "高昌区文化路8号培训中心",
        "hours": Decimal("3"),
        "ends_at": starts_at + datetime.timedelta(hours=3),
        **fields,
    }
    trainer = trainer or make_user(roles.LECTURER, username=f"trainer{number}")
    return TrainingClass.objects.create(
        trainer=trainer, district=district, capacity=capacity, starts_at=starts_at, **values
    )


def learners(count_: int, district=None, prefix="learner"):
    number = next(_numbers)
    return [
        make_user(roles.TRAINEE, username=f"{prefix}{number}_{i}", district=district)
        for i in range(count_)
    ]
