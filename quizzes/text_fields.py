"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import REASON, TITLE

from .services import MARK_COMMENT

QUESTION_BANK = (
    "question-bank content written by authors (or imported from GIFT/XLSX files) and "
    "reviewed before use; its case vignettes are fictional"
)

GUARDED = {
    # A marker's comment on an answer, and why a marking assignment was made or moved.
    "AttemptSlot.comment": MARK_COMMENT,
    "MarkingAssignment.note": REASON.optional(),
    "QuestionCategory.name": TITLE,
}
EXEMPT = {
    "QuestionCategory.description": QUESTION_BANK,
    "Question.name": QUESTION_BANK,
    "Question.stem": QUESTION_BANK,
    "Question.general_feedback": QUESTION_BANK,
    "Question.grader_info": QUESTION_BANK,
    "Question.content_hash": "a digest computed from the question, never typed",
    "Answer.text": QUESTION_BANK,
    "Answer.feedback": QUESTION_BANK,
    "Answer.match_text": QUESTION_BANK,
    "Quiz.title": QUESTION_BANK,
    "Quiz.intro": QUESTION_BANK,
    "Quiz.review_options": "review settings chosen from fixed options",
    "AttemptSlot.question_data": "a frozen copy of the question as it was asked",
    "AttemptSlot.layout": "the order of the options, made by the attempt",
    "AttemptSlot.response": (
        "a trainee's answer; written answers (essay, short answer) are cleaned with the ESSAY "
        "policy, children's-data guard included, before they are stored "
        "(quizzes.grading; tested in tests/test_model_text_fields.py)"
    ),
    "AttemptSlot.marks": "marks computed by the grader",
}
