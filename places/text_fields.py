"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import LABEL, NOTE, TITLE, TextPolicy

NAME = TextPolicy(100, purpose=LABEL)

GUARDED = {
    "District.name": NAME,
    "District.name_en": NAME,
    "District.name_ug": NAME,
    "Township.name": NAME,
    "Township.name_en": NAME,
    "Venue.name": TITLE,
    "Venue.address": TextPolicy(300, purpose=LABEL),
    "Venue.contact_name": TextPolicy(100, purpose=LABEL),
    "Venue.contact_phone": TextPolicy(30, purpose=LABEL),
    # What to know about a venue: people may write about children or families here.
    "Venue.notes": NOTE,
}
EXEMPT = {
    "District.code": "a slug, checked by the slug validator",
}
