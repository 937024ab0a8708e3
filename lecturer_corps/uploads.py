"""Sign-in sheet photos: checked by ``lms.uploads``, re-encoded as JPEG without metadata.

A phone photo carries EXIF (GPS position, time, device). The image is decoded and
re-encoded from its pixels alone as JPEG, no larger than needed to read signatures.
The file name and the browser's content type are never trusted.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from lms.uploads import IMAGE_TYPES, check_upload, reencode_image

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2400  # plenty to read signatures; keeps the stored file small
PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def clean_sign_in_sheet(upload) -> ContentFile:
    """A JPEG without metadata made from the uploaded photo, or ValidationError."""
    checked = check_upload(
        upload,
        accept=IMAGE_TYPES,
        max_bytes=MAX_BYTES,
        type_message=_("Upload a photo (JPEG, PNG or WebP) of the sign-in sheet."),
        clean_images=False,
    )
    jpeg = reencode_image(
        checked.content,
        PILLOW_FORMAT[checked.content_type],
        output_format="JPEG",
        max_side=MAX_SIDE,
    )
    return ContentFile(jpeg, name="sign-in.jpg")
