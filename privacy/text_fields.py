"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

EXEMPT = {
    "FlaggedText.field": "the name of the field that was flagged, set by the re-check",
    "FlaggedText.message": "the guard's masked description of what it found, never the text",
    "FlaggedText.text_digest": "a digest of the flagged text, so a changed text is seen",
}
