"""The quiz block: places a quiz in a lesson (courses' LESSON_BLOCKS lists it as "quiz")."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class QuizBlock(blocks.StructBlock):
    """A quiz inside a lesson. Passing it completes the lesson when the lesson requires it."""

    quiz = SnippetChooserBlock("quizzes.Quiz", label=_("Quiz"))
    intro = blocks.TextBlock(
        required=False, label=_("Introduction"), help_text=_("A sentence before the quiz.")
    )

    class Meta:
        icon = "form"
        label = _("Quiz")
        template = "quizzes/blocks/quiz_block.html"
        description = _("A quiz from the question bank; trainees start it from the lesson.")
        preview_value = {"intro": _("Check what you have learnt in this lesson.")}
        # Shows the trainee's own result, so the lesson renders it on each request.
        render_per_request = True

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        parent_context = parent_context or {}
        request = parent_context.get("request")
        page = parent_context.get("page") or parent_context.get("self")
        quiz = value.get("quiz")
        context["lesson_id"] = getattr(page, "pk", None)
        context["quiz_grade"] = None
        user = getattr(request, "user", None)
        if quiz is not None and user is not None and user.is_authenticated:
            context["quiz_grade"] = quiz.grades.filter(user=user).first()
        return context
