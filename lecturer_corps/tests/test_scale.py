"""seed_scale's lecturer-corps part, shrunk: bulk data that matching can use."""

import pytest

from lecturer_corps import scale, selectors
from lecturer_corps.models import LecturerProfile, Session
from lecturer_corps.tests.factories import certification_type, make_request
from places.models import Venue

pytestmark = pytest.mark.django_db


def test_seed_scale_makes_certified_lecturers_venues_and_sessions_once():
    from places import seed as places_seed

    places_seed.seed()
    certification_type("counsellor")
    certification_type("family_educator")
    options = {"corps_lecturers": 30, "corps_venues": 12, "corps_sessions": 60}
    summary = scale.seed_scale(options)
    assert summary["lecturers"] == 30 and summary["venues"] == 12
    assert summary["sessions"] == 60
    assert summary["certificates"] >= 30
    again = scale.seed_scale(options)
    assert again["sessions"] == 0 and again["certificates"] == 0
    assert LecturerProfile.objects.count() == 30
    assert Venue.objects.count() == 12
    assert Session.objects.count() == 60
    request = make_request(venue=Venue.objects.first(), topic="child_01")
    ranking = selectors.rank_candidates(request)
    assert len(ranking.candidates) + len(ranking.exclusions) == 30
