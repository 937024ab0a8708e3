"""Factories for reporting's own models."""

import datetime as dt

import factory

from tests.factories import DistrictFactory

from ..models import CoverageFigure


class CoverageFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageFigure

    district = factory.SubFactory(DistrictFactory)
    period = dt.date(2026, 1, 1)
    children_known = 100
    target_percent = 80
