"""A trainee goes from the checklist to the PDF and the public verification page (real Chromium)."""

import pytest

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def eligible_trainee(seeded_site, monkeypatch):
    """The demo trainee meets every family-education requirement (other apps' data faked)."""
    from django.contrib.auth import get_user_model

    from certification.tests.factories import FakeSources

    trainee = get_user_model().objects.get(username="trainee")
    sources = FakeSources()
    sources.make_eligible(trainee)
    monkeypatch.setattr("certification.selectors.default_sources", lambda: sources)
    return trainee


def _initial_requirements(code: str) -> int:
    """The seeded type's initial requirements (courses, exams, practicum, evaluation, and
    the face-to-face class hours the classes seed adds)."""
    from certification.models import CertificationType, RequirementStage

    certification = CertificationType.objects.get(code=code)
    return certification.requirements.filter(stage=RequirementStage.INITIAL).count()


def test_trainee_claims_downloads_and_verifies(
    phone, live_server, eligible_trainee, tmp_path, settings
):
    # Verification links (and the QR code) carry the site's address: here, the test server's.
    settings.SITE_URL = live_server.url
    page = phone
    log_in(page, live_server, "trainee")
    page.goto(f"{live_server.url}/certification/")
    section = page.locator("[data-testid=checklist-family_educator]")
    states = section.locator("[data-testid=requirement]")
    count = _initial_requirements("family_educator")
    assert count >= 4 and states.count() == count
    assert {states.nth(i).get_attribute("data-state") for i in range(count)} == {"met"}
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/certification/certificates/FE-" in page.url

    with page.expect_download() as download_info:
        page.locator("[data-testid=download-pdf]").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.name.startswith("FE-") and saved.read_bytes().startswith(b"%PDF")

    page.locator("[data-testid=verification-link]").click()
    page.wait_for_load_state()
    card = page.locator("[data-testid=verification]")
    assert card.get_attribute("data-status") == "valid"
    assert eligible_trainee.real_name in card.inner_text()
    assert saved.stem in card.inner_text()
    page.screenshot(path="/tmp/lms-certification-verify.png", full_page=True)
