"""A revoked or replaced certificate is shown as such wherever it is listed, never as
valid nor with a revoke button; revoking asks for confirmation and says what happens."""

import pytest
from django.urls import reverse

from certification import services
from certification.models import Certificate
from certification.tests.factories import make_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def revoked_then_reissued(trainee, coordinator):
    """v1 revoked by mistake, then reissued as v2 (how a revocation is undone)."""
    old = make_certificate(trainee)
    services.revoke_certificate(certificate=old, revoked_by=coordinator, reason="误撤销")
    old.refresh_from_db()
    new = services.reissue_certificate(certificate=old, reissued_by=coordinator, reason="恢复")
    old.refresh_from_db()
    return old, new


def test_the_list_links_each_row_to_its_own_version(
    client, english, trainee, coordinator, django_assert_max_num_queries
):
    old, new = revoked_then_reissued(trainee, coordinator)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("certification:certificate_list")).content.decode()
    old_row = html.split(f'data-testid="certificate-row-{old.pk}"', 1)[1].split("</tr>", 1)[0]
    new_row = html.split(f'data-testid="certificate-row-{new.pk}"', 1)[1].split("</tr>", 1)[0]
    assert reverse("certification:detail", args=[f"{old.serial}-v1"]) in old_row
    assert "Replaced by a newer version" in old_row and "Valid" not in old_row
    assert reverse("certification:detail", args=[f"{old.serial}-v2"]) in new_row
    assert "Valid" in new_row


def test_a_replaced_version_says_so_and_offers_no_revoke(client, english, trainee, coordinator):
    old, new = revoked_then_reissued(trainee, coordinator)
    client.force_login(coordinator)
    html = client.get(reverse("certification:detail", args=[old.version_serial])).content.decode()
    assert 'data-testid="replaced-by"' in html and new.display_serial in html
    assert ">Valid<" not in html
    assert 'data-testid="revoke"' not in html


def test_a_revoked_certificate_never_shows_valid_nor_a_revoke_button(
    client, english, trainee, coordinator
):
    certificate = make_certificate(trainee)
    services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="核查不实")
    client.force_login(coordinator)
    for serial in (certificate.serial, f"{certificate.serial}-v1"):
        html = client.get(reverse("certification:detail", args=[serial])).content.decode()
        assert 'data-testid="revoked-notice"' in html
        assert ">Valid<" not in html and 'data-testid="revoke"' not in html
        assert "Reissue (undo the revocation)" in html
    list_html = client.get(reverse("certification:certificate_list")).content.decode()
    row = list_html.split(f'data-testid="certificate-row-{certificate.pk}"', 1)[1]
    assert ">Revoked<" in row.split("</tr>", 1)[0]


def test_revoking_says_what_happens_and_needs_the_tick(client, english, trainee, coordinator):
    certificate = make_certificate(trainee)
    client.force_login(coordinator)
    url = reverse("certification:revoke", args=[certificate.version_serial])
    page = client.get(url).content.decode()
    assert 'data-testid="revoke-consequences"' in page
    assert "say “revoked” at once" in page and "Only a reissue by a coordinator undoes it." in page
    response = client.post(url, {"reason": "违反职业伦理"})
    assert response.status_code == 400
    certificate.refresh_from_db()
    assert certificate.status == "active"
    response = client.post(url, {"reason": "违反职业伦理", "confirm": "on"})
    assert response["Location"] == reverse(
        "certification:detail", args=[certificate.version_serial]
    )
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_the_revoke_page_of_a_revoked_certificate_sends_back(client, trainee, coordinator):
    certificate = make_certificate(trainee)
    services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="核查不实")
    client.force_login(coordinator)
    response = client.get(reverse("certification:revoke", args=[certificate.version_serial]))
    assert response["Location"] == reverse(
        "certification:detail", args=[certificate.version_serial]
    )
    assert Certificate.objects.get(pk=certificate.pk).status == "revoked"
