"""Lesson content blocks.

Every block has an icon, a template in ``templates/blocks/``, a preview value and a
description. Names and value keys are a contract with the seed curriculum
(``courses/curriculum.py``); see the course content format.

``LESSON_BLOCKS`` is the single list the lesson body is built from. A block that
shows another app's objects names their model lazily (``SnippetChooserBlock(
"quizzes.Quiz")``, like a ``ForeignKey("app.Model")``), so courses imports no app
above it (the import-linter layers in ``pyproject.toml``).

Rendering: a lesson body is rendered once per lesson revision and language and
cached (``courses.selectors.lesson_body_segments``). A block whose output depends on
who is looking (the reflection prompt, a quiz) sets ``render_per_request = True`` in
its ``Meta``; it is then rendered on each request with the page context (``request``,
``user``, ``page``, ``course``, ``enrolment``) and, for reflection prompts,
``reflection_answers`` (block id → ReflectionAnswer).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link"]
REFLECTION_MAX_LENGTH_LIMIT = 5000


class RichTextContentBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/rich_text.html"
        label = _("Text")
        description = _("Paragraphs, sub-headings, lists and links.")
        preview_value = (
            "<h3>儿童情绪的三个层次</h3><p>情绪没有好坏之分，"
            "<strong>行为</strong>才需要引导。</p><ul><li>觉察</li><li>命名</li><li>调节</li></ul>"
        )


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        required=False,
        max_length=250,
        help_text=_("What the image shows, for screen readers. Defaults to the image title."),
    )

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = _("Image")
        description = _("A picture with a caption. Never show a child's face or name.")
        preview_value = {"image": None, "caption": "团体活动场地布置示意"}


class VideoBlock(blocks.StructBlock):
    file = DocumentChooserBlock(
        label=_("uploaded video file"),
        required=False,
        help_text=_("An MP4/WebM file uploaded as a document. Plays without internet access."),
    )
    embed_url = blocks.URLBlock(
        label=_("embed URL"),
        required=False,
        help_text=_("Or the address of an embeddable player (used when no file is chosen)."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")
        description = _("An uploaded video file or an embedded player, with a caption.")
        preview_value = {"file": None, "embed_url": "", "caption": "示范：如何开场"}

    def clean(self, value):
        value = super().clean(value)
        if not value.get("file") and not value.get("embed_url"):
            raise StructBlockValidationError(
                block_errors={
                    "embed_url": ValidationError(_("Choose a video file or give an embed URL."))
                }
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"),
        required=False,
        max_length=200,
        help_text=_("Defaults to the document title."),
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/document.html"
        label = _("Document download")
        description = _("A handout or worksheet trainees can download.")
        preview_value = {"document": None, "title": "活动记录表"}


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("tip", _("Tip")), ("warning", _("Warning"))],
        default="tip",
    )
    text = blocks.TextBlock(label=_("text"))

    class Meta:
        icon = "warning"
        template = "blocks/callout.html"
        label = _("Tip or warning")
        description = _("A short highlighted tip or warning.")
        preview_value = {"kind": "tip", "text": "先建立规则，再开始游戏。"}


class ActivityStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=200)
    minutes = blocks.IntegerBlock(label=_("minutes"), min_value=1, max_value=240)
    description = blocks.TextBlock(label=_("description"))

    class Meta:
        icon = "time"
        label = _("Step")


class ActivityPlanBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=200)
    objectives = blocks.ListBlock(blocks.CharBlock(max_length=300), label=_("objectives"))
    age_band = blocks.CharBlock(label=_("age band"), max_length=50)
    group_size = blocks.CharBlock(label=_("group size"), max_length=50)
    duration_minutes = blocks.IntegerBlock(
        label=_("duration (minutes)"), min_value=5, max_value=480
    )
    materials = blocks.ListBlock(
        blocks.CharBlock(max_length=200), label=_("materials"), required=False
    )
    steps = blocks.ListBlock(ActivityStepBlock(), label=_("steps"))
    safety_notes = blocks.TextBlock(label=_("safety notes"), required=False)
    debrief_questions = blocks.ListBlock(
        blocks.CharBlock(max_length=300), label=_("debrief questions"), required=False
    )

    class Meta:
        icon = "list-ol"
        template = "blocks/activity_plan.html"
        label = _("Activity plan")
        description = _(
            "A plan for running a session with children or caregivers: objectives, age band, "
            "group size, materials, timed steps, safety notes and debrief questions."
        )
        preview_value = {
            "title": "情绪温度计",
            "objectives": ["能说出三种常见情绪", "学会一种平静下来的方法"],
            "age_band": "6–12岁",
            "group_size": "8–12人",
            "duration_minutes": 60,
            "materials": ["彩色卡片", "白板"],
            "steps": [
                {"title": "热身", "minutes": 10, "description": "围圈问好，介绍规则。"},
                {"title": "情绪卡片", "minutes": 30, "description": "抽卡表演情绪，其他人猜。"},
                {"title": "分享", "minutes": 20, "description": "说说今天学到的方法。"},
            ],
            "safety_notes": "不追问个人经历；有孩子情绪激动时安排一对一陪伴。",
            "debrief_questions": ["哪种情绪最难表达？"],
        }


class CaseStudyBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=200)
    vignette = blocks.TextBlock(
        label=_("vignette"),
        help_text=_("Anonymised: no names or identifying details (use 小A, 某儿童, 一位母亲)."),
    )
    questions = blocks.ListBlock(blocks.CharBlock(max_length=300), label=_("questions"))

    class Meta:
        icon = "user"
        template = "blocks/case_study.html"
        label = _("Case study")
        description = _("An anonymised vignette with discussion questions.")
        preview_value = {
            "title": "不愿开口的小A",
            "vignette": "小A，9岁，和祖母生活。团体活动中总是低头不说话。",
            "questions": ["你会如何邀请小A参与？", "需要和照料人沟通什么？"],
        }


class ReflectionPromptBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(label=_("prompt"))
    max_length = blocks.IntegerBlock(
        label=_("maximum length (characters)"),
        default=1000,
        min_value=50,
        max_value=REFLECTION_MAX_LENGTH_LIMIT,
    )

    class Meta:
        icon = "edit"
        template = "blocks/reflection_prompt.html"
        label = _("Reflection prompt")
        description = _(
            "A question the trainee answers in writing. Answers are private and can be "
            "shared with a supervising expert."
        )
        preview_value = {"prompt": "回想一次你安抚孩子情绪的经历。", "max_length": 1000}
        render_per_request = True

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        answers = (parent_context or {}).get("reflection_answers") or {}
        context["answer"] = answers.get((parent_context or {}).get("block_id"))
        return context


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


# The name of the quiz block: a lesson holding one is completed by passing the quiz.
QUIZ_BLOCK = "quiz"

LESSON_BLOCKS = [
    ("rich_text", RichTextContentBlock()),
    ("image", ImageBlock()),
    ("video", VideoBlock()),
    ("document", DocumentBlock()),
    ("callout", CalloutBlock()),
    ("activity_plan", ActivityPlanBlock()),
    ("case_study", CaseStudyBlock()),
    ("reflection_prompt", ReflectionPromptBlock()),
    (QUIZ_BLOCK, QuizBlock()),
]
