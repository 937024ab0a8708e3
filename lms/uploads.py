"""Every uploaded file goes through here: type judged by content, size bounded, images cleaned.

The file name and the browser's content type are never trusted. The first bytes say
what a file is (JPEG, PNG, WebP or PDF); anything else (SVG, HTML, executables, office
files, GIF…) is refused, whatever its name. Images are then decoded by Pillow and, where
the caller keeps the file, re-encoded from their pixels alone, so EXIF (a phone's GPS
position, time, device) and any text smuggled in metadata are dropped. A PDF must end
like one and carry no active content (scripts, launch actions, embedded files).

Files are read back only through permission-checked views, with ``private_file_response``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
PILLOW_FORMATS = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused, not decoded
# Active content a PDF may carry; nothing uploaded here needs it.
PDF_ACTIVE_CONTENT = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|XFA)\b")


@dataclass(frozen=True)
class CheckedUpload:
    """What may be stored: the (cleaned) bytes, their real type and a harmless label."""

    content: bytes
    content_type: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None if not one we ever accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.lstrip(b"\x00\t\r\n ")[:5] == b"%PDF-":
        return PDF
    return None


def safe_display_name(name: str, default: str = "file") -> str:
    """A short label for the file as the user named it (shown, never used as a path)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ()\u4e00-\u9fff]", "_", base).strip(" .") or default
    return base[-100:]


def too_large_error(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is too large; the limit is %(limit)s.") % {"limit": filesizeformat(limit)},
        code="too_large",
    )


def read_bounded(upload, max_bytes: int) -> bytes:
    """The upload's bytes, refusing (without reading it all) anything over ``max_bytes``."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large_error(max_bytes)
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    try:
        data = upload.read(max_bytes + 1)
    finally:
        upload.seek(position)
    if len(data) > max_bytes:
        raise too_large_error(max_bytes)
    return data


def check_upload(
    upload,
    *,
    accept: frozenset[str] | set[str],
    max_bytes: int,
    type_message: str | None = None,
    clean_images: bool = True,
) -> CheckedUpload:
    """Check an uploaded file and return what may be stored.

    ``accept`` is a set of content types among JPEG, PNG, WebP and PDF. Raises
    ``ValidationError`` with code ``too_large``, ``file_type`` (judged by content; the
    message is ``type_message`` if given), ``damaged`` or ``active_content``. Images are
    re-encoded without metadata unless ``clean_images`` is false (a validator that may
    only look, not change the file).
    """
    data = read_bounded(upload, max_bytes)
    kind = sniff(data[:16])
    if kind is None or kind not in accept:
        raise ValidationError(
            type_message or _("This type of file is not accepted."), code="file_type"
        )
    name = safe_display_name(getattr(upload, "name", "") or "")
    if kind == PDF:
        return CheckedUpload(check_pdf(data), PDF, name)
    image_format = verify_image(data, expected=kind, type_message=type_message)
    if clean_images:
        data = reencode_image(data, image_format)
    return CheckedUpload(data, kind, name)


def check_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("The PDF looks damaged or incomplete."), code="damaged")
    if PDF_ACTIVE_CONTENT.search(data):
        raise ValidationError(
            _("The PDF contains scripts, actions or embedded files; print it to a plain PDF."),
            code="active_content",
        )
    return data


def verify_image(data: bytes, *, expected: str, type_message: str | None = None) -> str:
    """Pillow's own reading of the image agrees with its first bytes; its format name."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if PILLOW_FORMATS.get(probe.format) != expected:
                raise ValidationError(
                    type_message or _("This image format is not accepted."), code="file_type"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="too_large")
            probe.verify()
            return probe.format
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


def reencode_image(
    data: bytes,
    image_format: str,
    *,
    output_format: str | None = None,
    max_side: int | None = None,
) -> bytes:
    """The picture alone: orientation applied, then pixels copied into a fresh image.

    ``output_format`` (``JPEG``/``PNG``/``WEBP``) defaults to the input's format;
    ``max_side`` shrinks large photos. Nothing from the original file but the pixels
    survives (no EXIF, ICC, XMP or text chunks).
    """
    output_format = output_format or image_format
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
            if output_format == "JPEG":
                mode = "RGB"
            pixels = upright.convert(mode)
            if max_side:
                pixels.thumbnail((max_side, max_side))
            clean = Image.new(mode, pixels.size, "white")
            clean.paste(pixels)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("The image could not be read; it may be damaged."), code="damaged"
        ) from error
    out = io.BytesIO()
    if output_format == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    elif output_format == "WEBP":
        clean.save(out, "WEBP", quality=85)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def private_file_response(handle, *, content_type: str, filename: str) -> FileResponse:
    """Stream a stored file with headers that keep a browser from running it.

    Images are shown inline; everything else is a download. The stored type (decided
    by ``check_upload``), never a guess from the name, is sent with ``nosniff``; the
    response may not run scripts or be framed, and is never cached by a shared cache.
    """
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in IMAGE_TYPES,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


class UploadSizeLimitHandler(FileUploadHandler):
    """Refuses (400) a multipart request or a file larger than the settings allow, early.

    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds a request's form fields but not its files, so
    without this a client could stream gigabytes into temporary files. Limits, in bytes:
    ``UPLOAD_MAX_FILE_SIZE`` per file and ``UPLOAD_MAX_REQUEST_SIZE`` per request; under
    ``UPLOAD_ADMIN_PREFIXES`` (editors uploading course videos) ``UPLOAD_ADMIN_MAX_SIZE``
    for both. Each form field then applies its own, smaller limit (``check_upload``).
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        path = self.request.path_info if self.request is not None else ""
        admin = path.startswith(tuple(getattr(settings, "UPLOAD_ADMIN_PREFIXES", ())))
        if admin:
            self.max_file = self.max_request = settings.UPLOAD_ADMIN_MAX_SIZE
        else:
            self.max_file = settings.UPLOAD_MAX_FILE_SIZE
            self.max_request = settings.UPLOAD_MAX_REQUEST_SIZE
        if content_length and content_length > self.max_request:
            raise RequestDataTooBig("Upload request larger than the configured limit.")
        self.received = 0
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if start + len(raw_data) > self.max_file or self.received > self.max_request:
            raise RequestDataTooBig("Uploaded file larger than the configured limit.")
        return raw_data

    def file_complete(self, file_size):
        return None
