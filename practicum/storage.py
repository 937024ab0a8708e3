"""Private storage for practicum evidence (``lms.private_storage``): the private root itself.

Files are read back only through ``practicum.views.attachment``, which checks who is asking.
"""

from pathlib import Path

from django.utils.deconstruct import deconstructible

from lms.private_storage import PrivateStorage as BasePrivateStorage


@deconstructible(path="practicum.storage.PrivateStorage")
class PrivateStorage(BasePrivateStorage):
    description = "Practicum evidence files"


private_storage = PrivateStorage()


def private_root() -> Path:
    return private_storage.root()
