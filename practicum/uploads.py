"""Evidence uploads: photos (JPEG, PNG, WebP) and PDF only, checked by ``lms.uploads``.

A photo taken on a phone carries EXIF: the GPS position of a child's home, the time,
the device. ``lms.uploads.check_upload`` re-encodes every image from its pixels alone
and refuses anything that is not really a photo or a plain PDF, whatever its name.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lms.uploads import IMAGE_TYPES, PDF, CheckedUpload, check_upload

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_ATTACHMENTS_PER_ENTRY = 5
ACCEPTED_TYPES = IMAGE_TYPES | {PDF}


def max_upload_bytes() -> int:
    return getattr(settings, "PRACTICUM_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def clean_upload(uploaded) -> CheckedUpload:
    """Check an evidence file and return what may be stored (see ``lms.uploads``).

    Raises ``ValidationError`` for a file too large, of a type other than JPEG, PNG,
    WebP or PDF (judged by content), a damaged image, or a PDF with active content.
    """
    return check_upload(
        uploaded,
        accept=ACCEPTED_TYPES,
        max_bytes=max_upload_bytes(),
        type_message=_("Only photos (JPEG, PNG, WebP) and PDF documents can be attached."),
    )
