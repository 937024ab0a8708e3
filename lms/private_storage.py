"""Private files: never under MEDIA_ROOT, never at a public URL, read back only through
permission-checked views (with ``lms.uploads.private_file_response``).

Every app that keeps private files (practicum evidence; the lecturer corps' former
sign-in sheet photos) declares an *area* here instead of its own storage class:

* the root is the ``PRACTICUM_PRIVATE_ROOT`` setting (its own setting, never derived from
  MEDIA_ROOT, so a web server that serves MEDIA_ROOT never serves these; production
  refuses a folder inside MEDIA_ROOT or a world-writable one);
* an area is a folder inside it (``area``), or wherever its own setting says
  (``root_setting``, e.g. ``LECTURER_CORPS_PRIVATE_ROOT``);
* the root follows the settings at each use (tests and the restore drill change them),
  and ``url()`` refuses: there is no public address to give.

An app subclasses ``PrivateStorage`` with ``@deconstructible(path=...)`` at its old import
path, so its migrations keep referring to the same class.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file-system storage without a URL, rooted in the private files' folder."""

    area = ""  # a folder inside the private root ("" = the root itself)
    root_setting: str | None = None  # a setting that puts this area elsewhere
    description = "Private files"

    def __init__(self):
        super().__init__(base_url=None)

    def root(self) -> Path:
        configured = getattr(settings, self.root_setting, None) if self.root_setting else None
        if configured:
            return Path(configured)
        base = Path(settings.PRACTICUM_PRIVATE_ROOT)
        return base / self.area if self.area else base

    @property
    def base_location(self):
        return str(self.root())

    @property
    def location(self):
        return str(self.root().resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(f"{self.description} have no public URL; use the permission-checked view.")
