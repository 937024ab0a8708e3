"""Factories for reporting's own models."""

import factory

from tests.factories import DistrictFactory

from ..models import RegisterCount


class RegisterCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisterCount

    year = 2026
    district = factory.SubFactory(DistrictFactory)
    township = None
    category = "left_behind"
    children = 100
