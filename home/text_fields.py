"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

EXEMPT = {
    "HomePage.intro": "site content written by editors and published through moderation",
}
