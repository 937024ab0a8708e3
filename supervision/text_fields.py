"""How each text field of this app's models is guarded (see ``lms.text_fields``).

The fields people type carry their ``TextValidator`` on the model field itself
(``supervision.models``: narrative text for everything about the work, a label policy for
names and titles); the rest are exempt here, with the reason.
"""

EXEMPT = {
    "CorrectiveAction.evidence_content_type": "the file type the upload check found, never typed",
    "CorrectiveAction.evidence_name": "the uploaded file's name, made safe by lms.uploads",
    "PublicityItem.content_type": "the file type the upload check found, never typed",
    "PublicityItem.original_name": "the uploaded file's name, made safe by lms.uploads",
    "PublicityItem.link": "a URL, checked by the URL validator",
    "Stage.sign_off_figures": "the measured figures kept at the sign-off, never typed",
}
