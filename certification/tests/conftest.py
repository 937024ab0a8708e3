import pytest

from certification.tests.factories import FakeSources


@pytest.fixture
def sources(monkeypatch):
    """Fake data of the other apps, used by every evaluation in the test."""
    fake = FakeSources()
    monkeypatch.setattr("certification.selectors.default_sources", lambda: fake)
    return fake


@pytest.fixture(autouse=True)
def _signing_key(settings, tmp_path_factory):
    """One generated signing key for the test session, outside the repository."""
    settings.CERT_SIGNING_KEY = ""
    settings.CERT_SIGNING_KEY_FILE = str(
        tmp_path_factory.getbasetemp() / "keys" / "cert-signing-key.pem"
    )


@pytest.fixture(autouse=True)
def english(client, api_client, settings):
    """Assertions read English messages: pages, API and services speak English in these tests."""
    from django.utils import translation

    for test_client in (client, api_client):
        test_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
