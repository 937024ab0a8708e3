"""The demo data: every request state, lecturers in each district, idempotent."""

import pytest

from lecturer_corps import seed
from lecturer_corps.models import (
    DeliveryReport,
    LecturerProfile,
    RequestStatus,
    ServiceRequest,
    Session,
    Venue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    from accounts import seed as accounts_seed
    from places import seed as places_seed

    places_seed.seed()
    accounts_seed.seed()
    seed.seed()


def _counts():
    return (
        Venue.objects.count(),
        LecturerProfile.objects.count(),
        ServiceRequest.objects.count(),
        Session.objects.count(),
        DeliveryReport.objects.count(),
    )


def test_the_seed_has_requests_in_every_state(seeded):
    states = set(ServiceRequest.objects.values_list("status", flat=True))
    assert states == set(RequestStatus.values)


def test_the_seed_gives_the_demo_lecturer_and_twelve_more_profiles(seeded):
    profiles = LecturerProfile.objects.select_related("district")
    assert profiles.count() == 13
    assert profiles.filter(user__username="lecturer").exists()
    assert {p.district.code for p in profiles} == {"gaochang", "shanshan", "toksun"}
    languages = {tuple(sorted(p.languages)) for p in profiles}
    assert {("zh",), ("ug",), ("ug", "zh")} <= languages


def test_the_seed_is_idempotent(seeded):
    before = _counts()
    seed.seed()
    assert _counts() == before


def test_seeded_reports_count_children_by_group_and_keep_no_photo(seeded):
    for report in DeliveryReport.objects.prefetch_related("child_counts"):
        assert not report.sign_in_sheet
        assert sum(row.count for row in report.child_counts.all()) == report.children_count
        in_difficulty = sum(row.count for row in report.child_counts.all() if row.group != "other")
        assert in_difficulty == report.children_in_difficulty_count


def test_every_seeded_venue_has_a_contact_to_confirm_reports(seeded):
    assert not Venue.objects.filter(contacts__isnull=True).exists()


def test_seed_after_all_certifies_nobody_without_the_records(seeded):
    """A seeded lecturer earns a certificate through courses, exams and practicum, never by
    hand: with none of them seeded, the eligibility engine refuses. (The whole demo, where
    every lecturer earns theirs: tests/test_demo_certificates.py.)"""
    from certification.models import Certificate
    from certification.services import CertificationError
    from lecturer_corps.tests.factories import certification_type

    certification_type("counsellor")
    certification_type("family_educator")
    with pytest.raises(CertificationError):
        seed.seed_after_all()
    assert not Certificate.objects.exists()
