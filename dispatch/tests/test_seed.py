"""The demo data of dispatch planning: made once, the same on a second run."""

import pytest

from dispatch import seed
from dispatch.models import Budget, PriorQualification, Tariff, TravelBand, VenueRequest
from lecturer_corps.models import VenueContact
from tests.factories import DistrictFactory, TownshipFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_the_seed_is_idempotent_and_gives_a_venue_login_and_an_expert():
    district = DistrictFactory(code="gaochang", name="高昌区")
    TownshipFactory(district=district, name="老城路街道", latitude=42.95, longitude=89.18)
    venue = VenueFactory(district=district, name=seed.DEMO_VENUE)

    def counts():
        return (
            Tariff.objects.count(),
            TravelBand.objects.count(),
            Budget.objects.count(),
            VenueRequest.objects.count(),
            PriorQualification.objects.count(),
            VenueContact.objects.filter(user__isnull=False).count(),
        )

    seed.seed()
    first = counts()
    seed.seed()
    assert counts() == first == (1, 4, 2, 2, 1, 1)
    contact = VenueContact.objects.get(user__username="venue")
    assert contact.venue == venue
    expert = PriorQualification.objects.get().holder
    assert expert.username == "expert" and expert.groups.filter(name="lecturer").exists()
    assert not expert.certificates.exists()
