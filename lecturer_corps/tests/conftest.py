import pytest

from tests.factories import TownshipFactory, VenueFactory


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
def far_venue(db, district):
    """About 60 km from ``venue`` (≈ 80 km by road, ≈ 110 minutes with the transfer)."""
    township = TownshipFactory(district=district, name="远镇", latitude=42.80, longitude=88.50)
    return VenueFactory(
        district=district,
        township=township,
        name="远镇农场",
        capacity=30,
        latitude=42.80,
        longitude=88.50,
        venue_type="farm",
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


@pytest.fixture(autouse=True)
def _english():
    """Reasons and messages are checked in English (the source language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
