"""Private storage for sign-in sheet photos: never under MEDIA_ROOT, never at a public URL.

Files are read back only through ``lecturer_corps.views.sign_in_sheet``, which checks
who is asking. The location is ``LECTURER_CORPS_PRIVATE_ROOT`` if set, else
``lecturer_corps/`` inside ``PRACTICUM_PRIVATE_ROOT`` (never derived from MEDIA_ROOT, so a
web server serving MEDIA_ROOT never serves these).
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def private_root() -> Path:
    configured = getattr(settings, "LECTURER_CORPS_PRIVATE_ROOT", None)
    if configured:
        return Path(configured)
    return Path(settings.PRACTICUM_PRIVATE_ROOT) / "lecturer_corps"


@deconstructible(path="lecturer_corps.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """A file-system storage without a URL; its root follows the settings at each use."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(private_root())

    @property
    def location(self):
        return str(private_root().resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Sign-in sheets have no public URL; use the permission-checked view.")


private_storage = PrivateStorage()
