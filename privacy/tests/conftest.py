import pytest


@pytest.fixture(autouse=True)
def _signing_key(settings, tmp_path_factory):
    """Certificates sign credentials: one generated key, outside the repository."""
    settings.CERT_SIGNING_KEY = ""
    settings.CERT_SIGNING_KEY_FILE = str(
        tmp_path_factory.getbasetemp() / "keys" / "cert-signing-key.pem"
    )


@pytest.fixture(autouse=True)
def english(client, settings):
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def person(db, district):
    """A trainee and certified lecturer with something in every place personal data lives."""
    from allauth.account.models import EmailAddress
    from django.core.files.base import ContentFile
    from wagtail.models import APIToken

    from accounts import roles
    from certification.tests.factories import make_certificate
    from practicum.models import EntryAttachment, EntryState
    from practicum.tests.factories import EntryFactory, PlacementFactory
    from tests.factories import make_user

    user = make_user(
        roles.TRAINEE,
        roles.LECTURER,
        username="t_subject",
        real_name="测试学员",
        email="subject@example.org",
        mobile="13900000000",
        employer_unit="某街道办事处",
        job_title="社工",
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    APIToken.create_token(user=user, name="phone")
    certificate = make_certificate(user, holder_name="测试学员")
    certificate.pdf.save("subject.pdf", ContentFile(b"%PDF-1.4 certificate"), save=True)
    placement = PlacementFactory(trainee=user)
    entry = EntryFactory(placement=placement, state=EntryState.APPROVED, reflection="自我反思")
    attachment = EntryAttachment(
        entry=entry, content_type="image/png", size=9, original_name="a.png"
    )
    attachment.file.save("evidence.png", ContentFile(b"\\x89PNG 123"), save=False)
    attachment.save()
    user.test_certificate = certificate
    user.test_attachment = attachment
    return user
