"""Fixtures of the supervision tests: a clock the tests set by hand, the practicum defaults,
placements of two trainees with the supervisor, a leading-group member, a unit with a
reporter, and helpers that go through the services."""

import datetime

import pytest
from django.utils import timezone

from accounts import roles
from tests.factories import make_user

# Wednesday 10 March 2026, 10:00 in Turpan (UTC+8).
START = datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)


class Clock:
    """``django.utils.timezone.now`` fixed at ``now``; ``advance`` moves it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    frozen = Clock(START)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture(autouse=True)
def practicum_defaults(db):
    """The practicum's default rules (the supervision activity type), even after a flush."""
    from practicum.defaults import install_defaults

    install_defaults()


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assertions read English messages."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _placement(trainee, supervisor, qualification="counsellor"):
    from practicum.models import Placement

    return Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification=qualification,
        start_date=TODAY - datetime.timedelta(days=60),
    )


@pytest.fixture
def placement(trainee, supervisor):
    return _placement(trainee, supervisor)


@pytest.fixture
def other_placement(other_trainee, supervisor):
    return _placement(other_trainee, supervisor)


@pytest.fixture
def stranger(db, district, other_supervisor):
    """A trainee supervised by someone else."""
    trainee = make_user(roles.TRAINEE, username="t_stranger", district=district)
    _placement(trainee, other_supervisor)
    return trainee


@pytest.fixture
def leading_group(db):
    return make_user(roles.LEADING_GROUP, username="t_leader", real_name="领导小组甲")


@pytest.fixture
def other_leader(db):
    return make_user(roles.LEADING_GROUP, username="t_leader_other", real_name="领导小组乙")


@pytest.fixture
def unit(district):
    from supervision.models import Unit

    return Unit.objects.create(name="高昌区民政局", kind="civil_affairs", district=district)


@pytest.fixture
def reporter(db, unit, district):
    person = make_user(roles.TRAINEE, username="t_reporter", district=district)
    unit.reporters.add(person)
    return person


@pytest.fixture
def record_group(supervisor, placement, other_placement, trainee, other_trainee):
    """Record group supervision of 90 minutes yesterday for the two trainees."""
    from supervision import services

    def make(**fields):
        data = {
            "kind": "group",
            "date": TODAY - datetime.timedelta(days=1),
            "minutes": 90,
            "topics": "讨论如何回应儿童在团体活动中的情绪爆发。",
            "follow_ups": "下周每人提交一份反思。",
            "trainees": [trainee, other_trainee],
        }
        data.update(fields)
        return services.record_session(actor=supervisor, **data)

    return make


@pytest.fixture
def inspection(leading_group, district, unit):
    from supervision import services

    return services.record_inspection(
        actor=leading_group, date=TODAY, unit=unit, summary="检查宣传台账与活动记录。"
    )


@pytest.fixture
def action(inspection, leading_group, district_coordinator):
    """A finding with a corrective action owned by the district's coordinator, due in 7 days."""
    from supervision import services

    finding = services.add_finding(
        actor=leading_group,
        inspection=inspection,
        text="三月活动记录不完整。",
        required="补齐三月全部活动记录并上传目录。",
        owner=district_coordinator,
        deadline=TODAY + datetime.timedelta(days=7),
    )
    return finding.corrective_action
