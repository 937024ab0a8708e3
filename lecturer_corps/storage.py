"""Private storage for sign-in sheet photos (``lms.private_storage``): ``lecturer_corps/``
inside the private root, or ``LECTURER_CORPS_PRIVATE_ROOT`` if set.

No new files are stored: sign-in sheet photos are no longer collected, nothing serves
them, and privacy's evidence retention deletes those stored before
(docs/data-protection.md, "Sign-in sheets").
"""

from pathlib import Path

from django.utils.deconstruct import deconstructible

from lms.private_storage import PrivateStorage as BasePrivateStorage


@deconstructible(path="lecturer_corps.storage.PrivateStorage")
class PrivateStorage(BasePrivateStorage):
    area = "lecturer_corps"
    root_setting = "LECTURER_CORPS_PRIVATE_ROOT"
    description = "Sign-in sheets"


private_storage = PrivateStorage()


def private_root() -> Path:
    return private_storage.root()
