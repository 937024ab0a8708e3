"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import NOTE, REASON, TextPolicy

from .delivery import CONTACT_NAME, CONTACT_PHONE, DISPUTE_NOTE, REPORT_NOTES
from .forms import MATERIALS

CHOSEN_FROM_LISTS = "codes chosen from the offered topics, languages or venue types"

GUARDED = {
    "UnavailablePeriod.note": TextPolicy(200, required=False),
    "ServiceRequest.notes": NOTE,
    "ServiceRequest.materials": MATERIALS,
    "ServiceRequest.cancel_reason": REASON.optional(),
    "Session.decline_reason": REASON.optional(),
    "Session.cancel_reason": REASON.optional(),
    "DeliveryReport.notes": REPORT_NOTES,
    "DeliveryReport.return_reason": REASON.optional(),
    "VenueContact.name": CONTACT_NAME,
    "VenueContact.phone": CONTACT_PHONE,
    "VenueConfirmation.dispute_note": DISPUTE_NOTE,
}
EXEMPT = {
    "LecturerProfile.topics": CHOSEN_FROM_LISTS,
    "LecturerProfile.languages": CHOSEN_FROM_LISTS,
    "LecturerProfile.preferred_venue_types": CHOSEN_FROM_LISTS,
    "Session.match_reasons": "why the matcher proposed a lecturer, written by the matcher",
    "VenueContact.email": "an address, checked by the e-mail validator",
    "VenueConfirmation.nonce": "a random value made with the confirmation link",
    "Notification.kind": "a notification's kind, set by the code that sends it",
    "Notification.params": "ids and dates for the notification's message, set by the code",
    "Notification.url": "an address inside the site, set by the code that sends it",
    "CalendarToken.digest": "a digest of the calendar link's secret",
}
