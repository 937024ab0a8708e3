"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import TITLE

from .models import ADDRESS, CANCEL_REASON, CLASS_NOTES

GUARDED = {
    "TrainingClass.title": TITLE,
    "TrainingClass.address": ADDRESS,
    # What to bring, where to meet: people may write about children or families here.
    "TrainingClass.notes": CLASS_NOTES,
    "TrainingClass.cancel_reason": CANCEL_REASON,
}
EXEMPT = {
    "CheckInCode.nonce": "random hex made by the system, never typed",
}
