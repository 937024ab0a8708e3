"""Fixtures of the safeguarding tests: a venue in the district, the trainee's placement,
a duty expert, a leading-group member and a clock the tests move by hand."""

import datetime

import pytest
from django.utils import timezone

from accounts import roles
from tests.factories import VenueFactory, make_user

START = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)


class Clock:
    """``django.utils.timezone.now`` fixed at ``now``; ``advance`` moves it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(START)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def venue(district):
    return VenueFactory(district=district, name="第一小学", township__district=district)


@pytest.fixture
def other_venue(other_district):
    return VenueFactory(district=other_district, name="鄯善第二小学")


@pytest.fixture
def placement(trainee, supervisor):
    from practicum.tests.factories import PlacementFactory

    return PlacementFactory(trainee=trainee, supervisor=supervisor)


@pytest.fixture
def duty_expert(db):
    return make_user(roles.SUPERVISOR, username="t_duty_expert")


@pytest.fixture
def leading_group(db):
    return make_user(roles.LEADING_GROUP, username="t_leading_group")


@pytest.fixture
def arrangement(district, duty_expert):
    from safeguarding.models import SafeguardingArrangement

    return SafeguardingArrangement.objects.create(district=district, duty_expert=duty_expert)


@pytest.fixture
def raise_one(venue):
    """Raise a concern with sensible defaults (override any field)."""
    from safeguarding import services

    def make(actor, **fields):
        data = {
            "category": "abuse_neglect",
            "urgency": "urgent",
            "what_seen": "一名约10岁的女孩手臂上有多处淤青，说不想回家。",
            "what_done": "陪她到老师办公室，告知了班主任。",
            "venue": venue,
        }
        data.update(fields)
        return services.raise_concern(actor=actor, **data)

    return make
