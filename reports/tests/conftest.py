"""Fixtures of reporting's tests: the leading group, a fixed month, aware datetimes."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import roles
from reports.periods import Period
from tests.factories import make_user


@pytest.fixture
def leader(db):
    """A member of the leading group (read-only, whole city)."""
    return make_user(roles.LEADING_GROUP, username="t_leader")


@pytest.fixture
def period():
    return Period.parse("2026-10")


def at(year, month, day, hour=12):
    """An aware datetime in the site's time zone."""
    return timezone.make_aware(dt.datetime(year, month, day, hour))


@pytest.fixture(autouse=True)
def _english(settings):
    """Figures and pages in English (source strings), whatever catalogues are compiled."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def zh(text: str) -> str:
    """A source string as the report (rendered in zh-hans) writes it."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(text)
