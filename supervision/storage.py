"""Private storage for supervision files (``lms.private_storage``): corrective-action
evidence and publicity photos, in ``supervision/`` inside the private root.

Files are read back only through ``supervision.views`` (``action_evidence``,
``publicity_file``), which ask ``supervision.permissions`` who is asking.
"""

from django.utils.deconstruct import deconstructible

from lms.private_storage import PrivateStorage as BasePrivateStorage


@deconstructible(path="supervision.storage.PrivateStorage")
class PrivateStorage(BasePrivateStorage):
    area = "supervision"
    description = "Supervision evidence and publicity files"


private_storage = PrivateStorage()
