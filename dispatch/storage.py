"""Private storage for the scanned evidence of prior qualifications (``lms.private_storage``):
``dispatch/`` inside the private root. Read back only through the permission-checked view
(``dispatch.views.prior_qualification_evidence``)."""

from django.utils.deconstruct import deconstructible

from lms.private_storage import PrivateStorage as BasePrivateStorage


@deconstructible(path="dispatch.storage.PrivateStorage")
class PrivateStorage(BasePrivateStorage):
    area = "dispatch"
    description = "Prior-qualification evidence"


private_storage = PrivateStorage()
