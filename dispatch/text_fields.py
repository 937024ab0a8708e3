"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import LABEL, NOTE, REASON, TextPolicy

from .prior_qualifications import ISSUER, NUMBER, TITLE

GUARDED = {
    "VenueRequest.notes": NOTE,
    "VenueRequest.coordinator_message": REASON.optional(),
    "PriorQualification.title": TITLE,
    "PriorQualification.issuer": ISSUER,
    "PriorQualification.number": NUMBER,
    "PriorQualification.decision_note": REASON.optional(),
    "Tariff.name": TextPolicy(100, purpose=LABEL),
}
EXEMPT = {
    "VenueRequest.dates": "ISO dates, checked by the venue-request service",
    "PriorQualification.topics": "codes chosen from the programme's topics",
    "PriorQualification.evidence_type": "the content type the upload check found",
}
