"""Evidence uploads: images and PDF only, checked by content, images stripped of metadata.

A photo taken on a phone carries EXIF: the GPS position of a child's home, the time,
the device. Every image is decoded and re-encoded from its pixels alone, so nothing but
the picture survives. The file name and the browser's content type are never trusted.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused, not decoded
MAX_ATTACHMENTS_PER_ENTRY = 5

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Active content a PDF may carry; evidence never needs it.
PDF_ACTIVE_CONTENT = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|XFA)\b")


@dataclass(frozen=True)
class CleanUpload:
    content: bytes
    content_type: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)


def max_upload_bytes() -> int:
    return getattr(settings, "PRACTICUM_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None if not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.lstrip(b"\x00\t\r\n ")[:5] == b"%PDF-":
        return "application/pdf"
    return None


def safe_display_name(name: str) -> str:
    """A short, harmless label for the file (never used as a path)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ()\u4e00-\u9fff]", "_", base).strip(" .") or "evidence"
    return base[-100:]


def clean_upload(uploaded) -> CleanUpload:
    """Check an uploaded file and return what may be stored.

    Raises ``ValidationError`` for a file too large, of a type other than JPEG, PNG,
    WebP or PDF (judged by content), a damaged image, or a PDF with active content.
    """
    limit = max_upload_bytes()
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The file is too large; the limit is %(limit)s.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    kind = sniff(data[:16])
    name = safe_display_name(getattr(uploaded, "name", ""))
    if kind is None:
        raise ValidationError(
            _("Only photos (JPEG, PNG, WebP) and PDF documents can be attached."),
            code="file_type",
        )
    if kind == "application/pdf":
        return CleanUpload(_check_pdf(data), kind, name)
    return _strip_image(data, name)


def _check_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("The PDF looks damaged or incomplete."), code="damaged")
    if PDF_ACTIVE_CONTENT.search(data):
        raise ValidationError(
            _("The PDF contains scripts, actions or embedded files; print it to a plain PDF."),
            code="active_content",
        )
    return data


def _strip_image(data: bytes, name: str) -> CleanUpload:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise ValidationError(_("This image format is not accepted."), code="file_type")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.load()
            # Apply the EXIF orientation first, then keep nothing but the pixels.
            upright = ImageOps.exif_transpose(image)
            mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
            if image_format == "JPEG":
                mode = "RGB"
            pixels = upright.convert(mode)
            clean = Image.new(mode, pixels.size)
            clean.paste(pixels)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise ValidationError(
            _("The image could not be read; it may be damaged."), code="damaged"
        ) from error
    out = io.BytesIO()
    if image_format == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "WEBP":
        clean.save(out, "WEBP", quality=85)
    else:
        clean.save(out, "PNG", optimize=True)
    return CleanUpload(out.getvalue(), IMAGE_FORMATS[image_format], name)
