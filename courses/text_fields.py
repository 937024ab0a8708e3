"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

from lms.textinput import ESSAY, TITLE

CONTENT = (
    "course content written by authors and published through moderation; its teaching "
    "cases are fictional"
)

GUARDED = {
    # A trainee's reflection on a lesson, which they may share with their supervisor.
    "ReflectionAnswer.text": ESSAY,
    "Cohort.name": TITLE,
}
EXEMPT = {
    "CourseCatalogue.intro": CONTENT,
    "Programme.summary": CONTENT,
    "Programme.title_en": CONTENT,
    "Programme.qualifications": "qualification codes chosen from a fixed list",
    "Course.summary": CONTENT,
    "Course.objectives": CONTENT,
    "Course.qualifications": "qualification codes chosen from a fixed list",
    "Module.summary": CONTENT,
    "Lesson.body": CONTENT,
    "ReflectionAnswer.block_id": "the id of a lesson block, set by the page",
}
