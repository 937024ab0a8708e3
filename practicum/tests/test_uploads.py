"""Evidence uploads: type by content, size limit, EXIF (GPS) removed, active PDFs refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from practicum.uploads import clean_upload

from .factories import MINIMAL_PDF, jpeg_with_gps, upload


def test_fixture_image_really_carries_gps():
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    assert exif.get_ifd(0x8825)  # GPS IFD present
    assert exif.get(0x0110) == "PhoneCam 9"


def test_exif_and_gps_are_stripped_from_a_photo():
    clean = clean_upload(upload("sign-in.jpg", jpeg_with_gps(), "image/jpeg"))
    assert clean.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(clean.content))
    assert image.size == (64, 48)
    exif = image.getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x0110 not in exif and 0x0132 not in exif
    assert b"PhoneCam" not in clean.content
    assert "exif" not in image.info


def test_exif_orientation_is_applied_before_stripping():
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    clean = clean_upload(upload("photo.jpg", buffer.getvalue()))
    assert Image.open(io.BytesIO(clean.content)).size == (20, 40)


def test_png_metadata_is_stripped():
    image = Image.new("RGB", (10, 10), "blue")
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "GPS 42.95N 89.18E")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    clean = clean_upload(upload("sheet.png", buffer.getvalue()))
    assert clean.content_type == "image/png"
    assert b"GPS" not in clean.content


def test_pdf_is_accepted_by_its_content():
    clean = clean_upload(upload("report.pdf", MINIMAL_PDF, "application/pdf"))
    assert clean.content_type == "application/pdf"
    assert clean.content == MINIMAL_PDF


def test_type_is_judged_by_content_not_by_name():
    # An HTML page named like a photo, with the browser claiming image/jpeg.
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"))
    assert caught.value.code == "file_type"
    # A real PDF named .jpg is stored as a PDF.
    assert clean_upload(upload("photo.jpg", MINIMAL_PDF)).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
        ("page.html", b"<!DOCTYPE html><html></html>"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("notes.docx", b"PK\x03\x04\x14\x00\x06\x00"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00"),
    ],
)
def test_other_types_are_refused(name, content):
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload(name, content))
    assert caught.value.code == "file_type"


def test_too_large_file_is_refused(settings):
    settings.PRACTICUM_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload("big.pdf", MINIMAL_PDF + b"%" * 2000 + b"\n%%EOF\n"))
    assert caught.value.code == "too_large"


def test_damaged_image_is_refused():
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50))
    assert caught.value.code == "damaged"


def test_pdf_with_javascript_is_refused():
    evil = MINIMAL_PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(x)>>")
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload("evil.pdf", evil))
    assert caught.value.code == "active_content"
