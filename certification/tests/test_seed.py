import io

import pytest

from accounts import roles
from certification import seed
from certification.models import Certificate, CertificationType, Signatory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(db):
    from accounts.seed import seed as seed_accounts
    from places.seed import seed as seed_places

    seed_places()
    seed_accounts()
    for username in ("lecturer_gc1", "lecturer_ss3", "lecturer_ts4", "lecturer_gc3"):
        make_user(roles.LECTURER, username=username)


def test_seed_is_idempotent_and_covers_every_state(demo_people):
    seed.seed(stdout=io.StringIO())
    first = sorted(Certificate.objects.values_list("serial", "status"))
    seed.seed(stdout=io.StringIO())
    assert sorted(Certificate.objects.values_list("serial", "status")) == first
    assert CertificationType.objects.count() == 2
    assert Signatory.objects.count() == 2
    states = {
        c.holder.username + ":" + c.certification.code: c.state for c in Certificate.objects.all()
    }
    assert states["lecturer:counsellor"] == "valid"
    assert states["lecturer_ts4:counsellor"] == "revoked"
    assert states["lecturer_ss3:family_educator"] == "expired"
    assert states["lecturer_gc3:counsellor"] == "valid"


def test_seeded_signature_is_printed(demo_people):
    from certification import services

    seed.seed()
    certificate = Certificate.objects.get(
        holder__username="lecturer", certification__code="counsellor"
    )
    content = services.render_certificate_pdf(certificate)
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(content)).pages[0].images) == 1
