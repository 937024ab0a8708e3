"""The certification seed's types, requirements and signatories. Its certificate holders
earn their certificates through every app's records (``earn_demo_certificate``), so they
are tested on the whole demo site: tests/test_demo_certificates.py."""

import io

import pytest

from certification import seed
from certification.models import Certificate, CertificationType, Requirement, Signatory

pytestmark = pytest.mark.django_db


def test_types_requirements_and_signatories_are_idempotent():
    types = [seed._seed_type(spec) for spec in seed.TYPES]
    before = (
        CertificationType.objects.count(),
        Requirement.objects.count(),
        Signatory.objects.count(),
    )
    for spec in seed.TYPES:
        seed._seed_type(spec)
    assert (
        CertificationType.objects.count(),
        Requirement.objects.count(),
        Signatory.objects.count(),
    ) == before
    assert [t.code for t in types] == ["counsellor", "family_educator"]
    assert before[2] == 2


def test_a_holder_without_the_records_gets_no_certificate():
    """Nobody is certified by hand: without courses, exams and practicum the engine refuses."""
    from accounts import roles
    from certification.services import CertificationError
    from tests.factories import make_user

    certification = seed._seed_type(seed.TYPES[1])  # issued automatically
    holder = make_user(roles.LECTURER, roles.TRAINEE, username="no_records")
    with pytest.raises(CertificationError):
        seed.services.issue_certificate(
            trainee=holder, certification=certification, issued_by=None, notify=False
        )
    assert not Certificate.objects.filter(holder=holder).exists()


def test_seed_without_the_demo_people_makes_no_certificate():
    seed.seed(stdout=io.StringIO())
    assert not Certificate.objects.exists()
