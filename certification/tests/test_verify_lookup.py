"""Public verification by typing a serial number or a verification code at /verify/."""

import pytest
from django.urls import reverse

from certification import services
from certification.tests.factories import make_certificate

pytestmark = pytest.mark.django_db

LOOKUP = "/verify/"


def test_bare_verify_is_a_page_with_a_form(client):
    response = client.get(LOOKUP)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="q"' in page and "Serial number or verification code" in page
    assert reverse("certification:verify_lookup") == LOOKUP


def test_a_verification_code_leads_to_its_result_page(client, trainee):
    certificate = make_certificate(trainee)
    response = client.get(LOOKUP, {"q": certificate.verification_code})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "certification:verify", args=[certificate.verification_code]
    )


@pytest.mark.parametrize("typed", ["{serial}", " {lower} ", "{fullwidth}"])
def test_a_serial_however_typed_leads_to_its_result_page(client, trainee, typed):
    certificate = make_certificate(trainee)
    serial = certificate.serial
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in serial)
    text = typed.format(serial=serial, lower=serial.lower(), fullwidth=fullwidth)
    response = client.get(LOOKUP, {"q": text}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "certification:verify", args=[certificate.verification_code]
    )
    assert "This certificate is valid." in response.content.decode()


def test_a_reissued_serial_opens_the_current_version_and_v1_the_replaced_one(
    client, trainee, coordinator
):
    old = make_certificate(trainee)
    new = services.reissue_certificate(certificate=old, reissued_by=coordinator, reason="更名")
    response = client.get(LOOKUP, {"q": old.serial})
    assert response["Location"].endswith(f"/{new.verification_code}/")
    response = client.get(LOOKUP, {"q": f"{old.serial}-v1"})
    assert response["Location"].endswith(f"/{old.verification_code}/")


def test_an_unknown_serial_keeps_what_was_typed_and_says_so(client):
    response = client.get(LOOKUP, {"q": "PC-2099-999999"})
    assert response.status_code == 404
    page = response.content.decode()
    assert 'value="PC-2099-999999"' in page
    assert "No certificate has this serial number or verification code." in page
    assert 'data-testid="error-summary"' in page


def test_an_empty_lookup_is_an_error_not_a_crash(client):
    response = client.get(LOOKUP, {"q": "   "})
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in response.content.decode()


def test_lookups_share_the_verification_rate_limit(client, settings, trainee):
    settings.CERTIFICATE_VERIFY_RATE = "3/m"
    statuses = [client.get(LOOKUP, {"q": f"PC-2099-00000{i}"}).status_code for i in range(4)]
    assert statuses == [404, 404, 404, 429]
    # The window is the verification page's too: a code is refused now as well.
    certificate = make_certificate(trainee)
    url = reverse("certification:verify", args=[certificate.verification_code])
    assert client.get(url).status_code == 429


def test_the_result_page_links_back_to_the_form(client, trainee):
    certificate = make_certificate(trainee)
    page = client.get(reverse("certification:verify", args=[certificate.verification_code]))
    assert f'href="{LOOKUP}"' in page.content.decode()
