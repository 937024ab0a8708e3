import pytest

from tests.factories import TownshipFactory, VenueFactory


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the source language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def venue(db, district):
    township = TownshipFactory(district=district, name="葡萄镇", latitude=42.95, longitude=89.18)
    return VenueFactory(
        district=district,
        township=township,
        name="葡萄镇中心小学",
        capacity=60,
        latitude=42.95,
        longitude=89.18,
    )


@pytest.fixture
def other_venue(db, other_district):
    township = TownshipFactory(
        district=other_district, name="鄯善镇", latitude=42.86, longitude=90.21
    )
    return VenueFactory(
        district=other_district,
        township=township,
        name="鄯善县第一小学",
        capacity=60,
        latitude=42.86,
        longitude=90.21,
    )


@pytest.fixture
def contact_user(db, venue):
    """A signed-in venue contact of ``venue`` (no role)."""
    from lecturer_corps.models import VenueContact
    from tests.factories import make_user

    user = make_user(username="t_venue_contact", district=venue.district)
    VenueContact.objects.create(venue=venue, name="王校长", email=user.email, user=user)
    return user


@pytest.fixture
def other_contact_user(db, other_venue):
    from lecturer_corps.models import VenueContact
    from tests.factories import make_user

    user = make_user(username="t_venue_contact_other", district=other_venue.district)
    VenueContact.objects.create(venue=other_venue, name="李主任", email=user.email, user=user)
    return user
