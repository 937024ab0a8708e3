"""A coordinator's dashboard cards name their scope: the whole city, or their district;
never "your district" to a city-wide coordinator."""

import pytest
from django.utils import translation

from accounts import roles
from home.selectors import role_destinations
from tests.factories import make_user


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def descriptions(user) -> str:
    return " ".join(d.description for _label, pages in role_destinations(user) for d in pages)


def test_city_wide_coordinator_is_told_the_whole_city(db, coordinator):
    text = descriptions(coordinator)
    assert "Figures for the whole city and the monthly report." in text
    assert "Concerns raised anywhere in the city" in text
    assert "your district" not in text


def test_district_coordinator_is_told_their_district_by_name(db, district_coordinator, district):
    text = descriptions(district_coordinator)
    assert f"Figures for {district.label} and the monthly report." in text
    assert f"Concerns raised in {district.label}" in text


def test_the_dashboard_page_says_the_scope(client, db, district):
    coordinator = make_user(roles.COORDINATOR, username="city_wide")
    client.force_login(coordinator)
    client.cookies["django_language"] = "en"
    body = client.get("/dashboard/").content.decode()
    assert "Figures for the whole city" in body and "your district" not in body
