"""Names in two scripts (issue 16): the holder chooses the script their certificate prints;
a Uyghur-script name is shaped (Noto Naskh Arabic) and extracted as the same text."""

import shutil
import subprocess
import unicodedata

import pytest

from accounts.models import NameScript
from certification import services
from certification.pdf import is_arabic_script
from certification.tests.factories import CertificationTypeFactory, make_certificate
from tests.factories import make_user

from .test_pdf import embedded_fonts

pytestmark = pytest.mark.django_db

UYGHUR_NAME = "ئايگۈل مەمەت"
LATIN_NAME = "Aygul Memet"


def holder(script: str):
    return make_user(
        "trainee",
        username=f"aygul_{script}",
        real_name="阿依古丽·买买提",
        name_ug=UYGHUR_NAME,
        name_latin=LATIN_NAME,
        certificate_name_script=script,
        languages=["zh", "ug"],
    )


def pdftotext(content: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    # Extracted Arabic may come as presentation forms: fold them back to the letters.
    return unicodedata.normalize("NFKC", result.stdout.decode())


def test_the_certificate_name_follows_the_chosen_script():
    assert holder(NameScript.CHINESE).certificate_name == "阿依古丽·买买提"
    assert holder(NameScript.UYGHUR).certificate_name == UYGHUR_NAME
    assert holder(NameScript.LATIN).certificate_name == LATIN_NAME
    unwritten = make_user(
        "trainee", username="wang", real_name="王建华", certificate_name_script="ug"
    )
    assert unwritten.certificate_name == "王建华"


def test_issuing_prints_the_name_in_the_chosen_script():
    certificate = make_certificate(holder(NameScript.UYGHUR), CertificationTypeFactory())
    assert certificate.holder_name == UYGHUR_NAME
    assert is_arabic_script(certificate.holder_name)
    assert not is_arabic_script(LATIN_NAME) and not is_arabic_script("王建华")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_pdf_text_of_a_uyghur_script_name_is_right(tmp_path):
    certificate = make_certificate(holder(NameScript.UYGHUR), CertificationTypeFactory())

    content = services.render_certificate_pdf(certificate)

    assert any("NotoNaskhArabic" in name.replace("-", "") for name in embedded_fonts(content))
    text = pdftotext(content, tmp_path)
    words = UYGHUR_NAME.split()
    # pdftotext gives right-to-left runs in logical order; each word comes back whole
    # (shaped glyphs mapped back to their letters).
    assert all(word in text for word in words), text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_pdf_text_of_a_latin_name(tmp_path):
    certificate = make_certificate(holder(NameScript.LATIN), CertificationTypeFactory())
    text = pdftotext(services.render_certificate_pdf(certificate), tmp_path)
    assert LATIN_NAME in text


def test_the_holder_chooses_the_script_on_their_profile(client):
    person = make_user("trainee", username="aygul", real_name="阿依古丽·买买提")
    client.force_login(person)

    page = client.get("/accounts/profile/")
    assert 'name="name_ug"' in page.content.decode() and 'dir="rtl"' in page.content.decode()
    response = client.post(
        "/accounts/profile/",
        {
            "real_name": "阿依古丽·买买提",
            "name_ug": UYGHUR_NAME,
            "name_latin": LATIN_NAME,
            "certificate_name_script": "ug",
            "system": "other",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.certificate_name == UYGHUR_NAME
