"""Private storage for practicum evidence: never under MEDIA_ROOT, never at a public URL.

Files are read back only through ``practicum.views.attachment``, which checks who is
asking. The location is the ``PRACTICUM_PRIVATE_ROOT`` setting (its own setting, never
derived from MEDIA_ROOT, so a web server that serves MEDIA_ROOT never serves these;
production refuses a folder inside MEDIA_ROOT or a world-writable one).
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


def private_root() -> Path:
    return Path(settings.PRACTICUM_PRIVATE_ROOT)


@deconstructible(path="practicum.storage.PrivateStorage")
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

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Practicum evidence has no public URL; use the attachment view.")


private_storage = PrivateStorage()
