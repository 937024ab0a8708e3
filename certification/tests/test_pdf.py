"""The certificate PDF: text, embedded fonts, Uyghur, the QR code, OCR of the rendered page."""

import io
import os
import shutil
import subprocess

import pytest

from certification import services
from certification.tests.factories import CertificationTypeFactory, make_certificate
from tests.factories import make_user

pytestmark = pytest.mark.django_db

needs_tesseract = pytest.mark.skipif(
    not (shutil.which("tesseract") and shutil.which("pdftoppm"))
    and not os.environ.get("REQUIRE_BROWSER_TESTS"),
    reason="tesseract-ocr and poppler-utils are not installed",
)


@pytest.fixture
def certificate(db):
    holder = make_user("trainee", username="wang", real_name="王建华", languages=["zh"])
    return make_certificate(holder, CertificationTypeFactory())


@pytest.fixture
def uyghur_certificate(db):
    holder = make_user(
        "trainee", username="aygul", real_name="阿依古丽·买买提", languages=["zh", "ug"]
    )
    return make_certificate(holder, CertificationTypeFactory())


def pdf_text(content: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        assert len(pdf.pages) == 1
        return pdf.pages[0].extract_text()


def embedded_fonts(content: bytes) -> set[str]:
    from pypdf import PdfReader

    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (
                descendants[0].get_object()["/FontDescriptor"]
                if descendants
                else font["/FontDescriptor"]
            )
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return fonts


def normalised(names) -> set[str]:
    return {name.replace("-", "").replace(" ", "").lower() for name in names}


def test_pdf_is_one_a4_landscape_page(certificate):
    from pypdf import PdfReader

    content = services.render_certificate_pdf(certificate)
    page = PdfReader(io.BytesIO(content)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)


def test_pdf_text_has_name_qualification_serial_and_dates(certificate):
    text = pdf_text(services.render_certificate_pdf(certificate))
    for expected in [
        "王建华",
        "心理咨询师",
        "Psychological Counsellor",
        certificate.serial,
        "吐鲁番市民政局",
        certificate.expires_on.strftime("%Y-%m-%d"),
    ]:
        assert expected in text


def test_pdf_embeds_chinese_font_and_stays_small(certificate):
    content = services.render_certificate_pdf(certificate)
    assert normalised(embedded_fonts(content)) == {"notosanscjksccertificate"}
    assert len(content) < 300 * 1024


def test_pdf_has_no_uyghur_for_a_holder_who_does_not_read_it(certificate):
    content = services.render_certificate_pdf(certificate)
    assert not any("Arabic" in name for name in embedded_fonts(content))


def test_pdf_shows_uyghur_in_an_arabic_script_font_when_holder_reads_it(uyghur_certificate):
    content = services.render_certificate_pdf(uyghur_certificate)
    assert any("NotoNaskhArabic" in name.replace("-", "") for name in embedded_fonts(content))
    text = pdf_text(content)
    assert "阿依古丽·买买提" in text


def test_qr_code_decodes_to_the_verification_url(certificate):
    import pypdfium2
    import zxingcpp

    content = services.render_certificate_pdf(certificate)
    page = pypdfium2.PdfDocument(content)[0]
    image = page.render(scale=200 / 72).to_pil()
    decoded = {result.text for result in zxingcpp.read_barcodes(image)}
    assert decoded == {certificate.verification_url()}


def test_pdf_lists_signatory_with_uploaded_signature(certificate, settings):
    from django.core.files.base import ContentFile
    from PIL import Image

    from certification.models import Signatory

    buffer = io.BytesIO()
    Image.new("RGB", (200, 60), "white").save(buffer, format="PNG")
    signatory = Signatory(certification=certificate.certification, name="张伟", title="局长")
    signatory.signature.save("sig.png", ContentFile(buffer.getvalue()), save=True)
    content = services.render_certificate_pdf(certificate)
    assert "张伟" in pdf_text(content)
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(content)).pages[0]
    assert len(page.images) == 1


@needs_tesseract
def test_ocr_of_rendered_page_reads_name_qualification_and_serial(certificate, tmp_path):
    """Text extraction is not proof: draw the page and read it back as a person would."""
    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(services.render_certificate_pdf(certificate))
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf_path), str(tmp_path / "page")],
        check=True,
    )
    png = tmp_path / "page.png"
    if os.environ.get("CERTIFICATE_PNG_OUT"):
        shutil.copy(png, os.environ["CERTIFICATE_PNG_OUT"])
    ocr = subprocess.run(
        ["tesseract", str(png), "-", "-l", "chi_sim+eng", "--psm", "3"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    squeezed = "".join(ocr.split())
    assert "王建华" in squeezed
    assert "心理咨询师" in squeezed
    assert certificate.serial in squeezed


def test_stored_pdf_replaces_atomically_and_removes_leftovers(certificate, settings, tmp_path):
    from django.core.files.storage import FileSystemStorage, default_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    assert isinstance(default_storage, FileSystemStorage)
    target = default_storage.path(services.pdf_name(certificate))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    leftover = f"{target}.999.part"
    with open(leftover, "wb") as handle:
        handle.write(b"%PDF-1.7 half")
    services.ensure_certificate_pdf(certificate)
    assert not os.path.exists(leftover)
    with open(target, "rb") as handle:
        assert handle.read().rstrip().endswith(b"%%EOF")
    certificate.refresh_from_db()
    assert certificate.pdf.name == services.pdf_name(certificate)
    assert certificate.pdf_rendered_at is not None


def test_render_certificate_command_writes_the_file(certificate, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "out.pdf"
    call_command("render_certificate", certificate.serial, "--out", str(out), stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")


def test_render_certificate_command_refuses_unknown_serial(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("render_certificate", "PC-1999-000001", "--out", str(tmp_path / "x.pdf"))


def test_every_font_is_simplified_chinese_or_arabic_script(uyghur_certificate):
    """No fallback face (e.g. Noto Sans CJK JP) may draw any glyph: SC forms only."""
    content = services.render_certificate_pdf(uyghur_certificate)
    names = normalised(embedded_fonts(content))
    assert names <= {"notosanscjksccertificate", "notosanscjksc", "notonaskharabic"}, names


def test_a_name_outside_gb2312_is_drawn_by_the_full_chinese_font(db):
    holder = make_user("trainee", username="zhe", real_name="王喆", languages=["zh"])
    content = services.render_certificate_pdf(make_certificate(holder, CertificationTypeFactory()))
    assert "王喆" in pdf_text(content)
    assert normalised(embedded_fonts(content)) == {"notosanscjksccertificate", "notosanscjksc"}
