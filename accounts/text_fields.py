"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import LABEL, PERSON_NAME, USERNAME, TextPolicy

GUARDED = {
    "User.username": USERNAME,
    "User.first_name": PERSON_NAME,
    "User.last_name": PERSON_NAME,
    "User.real_name": PERSON_NAME,
    "User.name_ug": PERSON_NAME,
    "User.name_latin": PERSON_NAME,
    "User.mobile": TextPolicy(20, purpose=LABEL),
    "User.employer_unit": TextPolicy(200, purpose=LABEL),
    "User.job_title": TextPolicy(100, purpose=LABEL),
}
EXEMPT = {
    "User.password": "a password hash made by Django, never shown",
    "User.email": "an address, checked by the e-mail validator",
    "User.languages": "language codes chosen from the offered languages",
}
