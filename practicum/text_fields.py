"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import COMMENT, LABEL, LONG_TEXT, PERSON_NAME, REASON, TextPolicy

SET_UP_BY_ADMINISTRATORS = "set up by administrators: a name or wording of the programme's rules"

GUARDED = {
    "PracticumEntry.description": LONG_TEXT,
    "PracticumEntry.reflection": LONG_TEXT.optional(),
    "PracticumEntry.review_comment": COMMENT,
    "Placement.closed_reason": REASON.optional(),
    "CompetencyEvaluation.overall_comment": COMMENT,
    "CompetencyEvaluation.signed_name": PERSON_NAME.optional(),
    "EvaluationRating.comment": COMMENT,
    "EntryAttachment.original_name": TextPolicy(120, purpose=LABEL),
}
EXEMPT = {
    "ActivityType.code": "a slug, checked by the slug validator",
    "ActivityType.name": SET_UP_BY_ADMINISTRATORS,
    "ActivityType.name_en": SET_UP_BY_ADMINISTRATORS,
    "ActivityType.name_ug": SET_UP_BY_ADMINISTRATORS,
    "ActivityType.description": SET_UP_BY_ADMINISTRATORS,
    "PracticumRequirement.notes": SET_UP_BY_ADMINISTRATORS,
    "RubricItem.code": "a slug, checked by the slug validator",
    "RubricItem.name": SET_UP_BY_ADMINISTRATORS,
    "RubricItem.name_en": SET_UP_BY_ADMINISTRATORS,
    "RubricItem.descriptor_1": SET_UP_BY_ADMINISTRATORS,
    "RubricItem.descriptor_2": SET_UP_BY_ADMINISTRATORS,
    "RubricItem.descriptor_3": SET_UP_BY_ADMINISTRATORS,
    "RubricItem.descriptor_4": SET_UP_BY_ADMINISTRATORS,
    "RubricItem.descriptor_5": SET_UP_BY_ADMINISTRATORS,
    "EntryAttachment.content_type": "the file type the upload check found, never typed",
    "EvaluationRating.item_name": "a copy of the rubric item's name when the evaluation began",
    "PracticumEntry.credit_source": "a key naming what credited the hours, set by the service",
}
