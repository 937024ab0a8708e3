"""Venues in the Wagtail admin: listed as snippets, scoped to the coordinator's district."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_district_coordinator_sees_only_their_venues_in_the_admin(
    client, district_coordinator, venue, other_venue
):
    client.force_login(district_coordinator)
    response = client.get("/cms/snippets/places/venue/")
    assert response.status_code == 200
    content = response.content.decode()
    assert venue.name in content
    assert other_venue.name not in content


def test_the_import_menu_item_is_for_coordinators(client, district_coordinator, supervisor):
    client.force_login(district_coordinator)
    assert "/corps/venues/import/" in client.get("/cms/").content.decode()
    client.force_login(supervisor)
    assert "/corps/venues/import/" not in client.get("/cms/").content.decode()
