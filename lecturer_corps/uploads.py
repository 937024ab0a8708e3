"""Sign-in sheet photos: checked by content, re-encoded without metadata.

A phone photo carries EXIF (GPS position, time, device). The image is decoded and
re-encoded from its pixels alone as JPEG, so nothing but the picture is kept. The
file name and the browser's content type are never trusted.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 2400  # plenty to read signatures; keeps the stored file small


def _looks_like_image(head: bytes) -> bool:
    return (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )


def clean_sign_in_sheet(upload) -> ContentFile:
    """A JPEG without metadata made from the uploaded photo, or ValidationError."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(_("The photo must be smaller than 10 MB."))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The photo must be smaller than 10 MB."))
    if not _looks_like_image(data[:16]):
        raise ValidationError(_("Upload a photo (JPEG, PNG or WebP) of the sign-in sheet."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Upload a photo (JPEG, PNG or WebP) of the sign-in sheet."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            clean = Image.new("RGB", image.size, "white")
            clean.paste(image)
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The photo could not be read; take it again.")) from exc
    return ContentFile(out.getvalue(), name="sign-in.jpg")
