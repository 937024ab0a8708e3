"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import LABEL, REASON, TITLE, TextPolicy

SET_UP_BY_ADMINISTRATORS = "set up by administrators: what a certificate is and who signs it"
MADE_BY_THE_SYSTEM = "made by the system when a certificate is issued, never typed"

GUARDED = {
    "Certificate.revocation_reason": REASON.optional(),
    "IssueRequest.note": REASON.optional(),
    "BulkIssueJob.title": TITLE.optional(),
    # The holder's name as printed (their real name or the name they asked for).
    "Certificate.holder_name": TextPolicy(100, purpose=LABEL),
}
EXEMPT = {
    "CertificationType.code": "a slug, checked by the slug validator",
    "CertificationType.serial_prefix": SET_UP_BY_ADMINISTRATORS,
    "CertificationType.name": SET_UP_BY_ADMINISTRATORS,
    "CertificationType.name_en": SET_UP_BY_ADMINISTRATORS,
    "CertificationType.name_ug": SET_UP_BY_ADMINISTRATORS,
    "CertificationType.description": SET_UP_BY_ADMINISTRATORS,
    "CertificationType.issuing_authority": SET_UP_BY_ADMINISTRATORS,
    "CertificationType.issuing_authority_en": SET_UP_BY_ADMINISTRATORS,
    "CertificationType.issuing_authority_ug": SET_UP_BY_ADMINISTRATORS,
    "Signatory.name": SET_UP_BY_ADMINISTRATORS,
    "Signatory.title": SET_UP_BY_ADMINISTRATORS,
    "Signatory.title_en": SET_UP_BY_ADMINISTRATORS,
    "Requirement.targets": "ids of the courses, quizzes or activity types a requirement names",
    "Requirement.label": SET_UP_BY_ADMINISTRATORS,
    "SerialCounter.prefix": MADE_BY_THE_SYSTEM,
    "StatusList.purpose": MADE_BY_THE_SYSTEM,
    "Certificate.serial": MADE_BY_THE_SYSTEM,
    "Certificate.verification_code": MADE_BY_THE_SYSTEM,
    "Certificate.holder_languages": MADE_BY_THE_SYSTEM,
    "Certificate.snapshot": MADE_BY_THE_SYSTEM,
    "BulkIssueItem.message": "the outcome of one row of a bulk issue, written by the system",
}
