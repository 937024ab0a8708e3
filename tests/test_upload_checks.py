"""Every upload path refuses files that are not what they claim, whatever their name.

One checker (``lms.uploads``) serves the practicum evidence and the certificate signatures
(the lecturer corps no longer takes sign-in sheet photos); each path is tried with the same
hostile files.
"""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certification.models import validate_signature_image
from lms.uploads import PDF, check_upload, private_file_response, sniff
from practicum.uploads import clean_upload

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

HOSTILE = {
    "svg": ("drawing.svg", SVG),
    "svg renamed .jpg": ("photo.jpg", SVG),
    "svg renamed .pdf": ("scan.pdf", SVG),
    "svg with xml prolog renamed .png": ("photo.png", b'<?xml version="1.0"?>' + SVG),
    "html": ("page.html", HTML),
    "html renamed .jpg": ("photo.jpg", HTML),
    "html renamed .pdf": ("report.pdf", HTML),
    "windows executable renamed .jpg": ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
    "windows executable renamed .pdf": ("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
    "linux executable renamed .png": ("sheet.png", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),
    "shell script renamed .jpg": ("photo.jpg", b"#!/bin/sh\nrm -rf /\n"),
    "zip (office file) renamed .pdf": ("scan.pdf", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64),
    "gif": ("anim.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"),
    "html behind a jpeg signature": ("photo.jpg", b"\xff\xd8\xff\xe0" + HTML),
    "html behind a png signature": ("photo.png", b"\x89PNG\r\n\x1a\n" + HTML),
}


def png(size=(40, 30), **info) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG", **info)
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refuse_evidence(file):
    clean_upload(file)


def refuse_signature(file):
    validate_signature_image(file)


CHECKERS = {
    "practicum evidence": refuse_evidence,
    "certificate signature": refuse_signature,
}


@pytest.mark.parametrize("checker", CHECKERS.values(), ids=CHECKERS.keys())
@pytest.mark.parametrize("case", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_files_are_refused_on_every_upload_path(checker, case):
    name, content = case
    with pytest.raises(ValidationError) as caught:
        checker(upload(name, content))
    assert caught.value.code in {"file_type", "damaged"}


@pytest.mark.parametrize(
    ("checker", "limit"),
    [
        (refuse_evidence, 8 * 1024 * 1024),
        (refuse_signature, 1024 * 1024),
    ],
    ids=CHECKERS.keys(),
)
def test_each_path_refuses_a_file_over_its_size_limit(checker, limit):
    just_over = png() + b"\x00" * (limit - len(png()) + 1)
    with pytest.raises(ValidationError) as caught:
        checker(upload("big.png", just_over))
    assert caught.value.code == "too_large"


def test_the_image_only_path_refuses_a_real_pdf():
    with pytest.raises(ValidationError) as caught:
        refuse_signature(upload("signature.png", MINIMAL_PDF))
    assert caught.value.code == "file_type"


def test_signatures_refuse_webp_even_though_it_is_an_image():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "WEBP")
    with pytest.raises(ValidationError):
        validate_signature_image(upload("sig.webp", buffer.getvalue()))


def test_every_path_accepts_a_real_png():
    clean_upload(upload("a.png", png()))
    validate_signature_image(upload("a.png", png()))


def test_a_pdf_renamed_jpg_is_stored_as_a_pdf_for_evidence():
    checked = clean_upload(upload("photo.jpg", MINIMAL_PDF))
    assert checked.content_type == PDF
    assert checked.extension == "pdf"


def test_text_hidden_in_image_metadata_does_not_survive():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    checked = check_upload(
        upload("a.png", png(pnginfo=info)), accept={"image/png"}, max_bytes=10**6
    )
    assert b"<script>" not in checked.content


def test_the_image_format_must_agree_with_its_first_bytes():
    # A PNG signature in front of a JPEG: Pillow reads it as something else, refused.
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    with pytest.raises(ValidationError):
        check_upload(
            upload("x.png", b"\x89PNG\r\n\x1a\n" + buffer.getvalue()),
            accept={"image/png", "image/jpeg"},
            max_bytes=10**6,
        )


def test_sniff_knows_only_the_accepted_types():
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"%PDF-1.7") == PDF
    for head in (SVG[:16], HTML[:16], b"MZ\x90\x00", b"\x7fELF", b"GIF89a", b"PK\x03\x04"):
        assert sniff(head) is None


def test_checking_leaves_the_file_position_for_the_storage():
    file = upload("a.png", png())
    validate_signature_image(file)
    assert file.tell() == 0
    assert file.read(8) == b"\x89PNG\r\n\x1a\n"


# --- serving -----------------------------------------------------------------------------


def test_private_files_are_downloads_unless_images_with_safe_headers():
    response = private_file_response(
        io.BytesIO(MINIMAL_PDF), content_type=PDF, filename="evidence-1-2.pdf"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    image = private_file_response(io.BytesIO(png()), content_type="image/png", filename="a.png")
    assert image["Content-Disposition"].startswith("inline;")


@pytest.mark.django_db
def test_media_is_not_served_by_the_application(client, settings):
    (settings.MEDIA_ROOT / "practicum").mkdir(parents=True)
    (settings.MEDIA_ROOT / "practicum" / "x.pdf").write_bytes(MINIMAL_PDF)
    assert client.get("/media/practicum/x.pdf").status_code == 404


def test_private_storages_have_no_public_url():
    from lecturer_corps.storage import private_storage as sheets
    from practicum.storage import private_storage as evidence

    for storage in (evidence, sheets):
        with pytest.raises(ValueError):
            storage.url("anything.jpg")


def test_spreadsheet_imports_parse_xml_with_defusedxml():
    # Staff, venue and question imports read XLSX (zipped XML) with openpyxl, which guards
    # against entity-expansion bombs only when defusedxml is installed.
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
