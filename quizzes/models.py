"""The question bank, quizzes, attempts and final grades.

A question's content (stem, answers, settings) is versioned: every attempt keeps a
JSON snapshot of the version it was given, so editing a question never changes a
past attempt. Grades are percentages (0–100) and marks are floats rounded on display.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

CATEGORY_SEPARATOR = "/"


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple response")
    TRUE_FALSE = "truefalse", _("True/false")
    SHORT_ANSWER = "shortanswer", _("Short answer")
    NUMERICAL = "numerical", _("Numerical")
    MATCHING = "matching", _("Matching")
    ESSAY = "essay", _("Essay")
    CASE = "case", _("Case analysis")


# Types a case analysis may contain as sub-questions.
SUB_QUESTION_TYPES = [t for t in QuestionType.values if t != QuestionType.CASE]
MANUAL_TYPES = {QuestionType.ESSAY}


class TextFormat(models.TextChoices):
    PLAIN = "plain", _("Plain text")
    MOODLE = "moodle", _("Moodle auto-format")
    HTML = "html", _("HTML")
    MARKDOWN = "markdown", _("Markdown")


class QuestionCategory(models.Model):
    """A folder of the question bank ("Ethics", "Counsellor final exam/Ethics")."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["parent_id", "name"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="unique_category_per_parent",
                violation_error_message=_("This category already has a sub-category of this name."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="unique_top_category",
                violation_error_message=_("A top-level category of this name exists already."),
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return CATEGORY_SEPARATOR.join(reversed(names))

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            node = node.parent

    def descendant_ids(self) -> list[int]:
        """This category and every category below it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(
                QuestionCategory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids

    @classmethod
    def split_path(cls, path: str) -> list[str]:
        return [part.strip() for part in (path or "").split(CATEGORY_SEPARATOR) if part.strip()]

    @classmethod
    def get_or_create_path(cls, path: str, *, base: QuestionCategory | None = None):
        """The category at ``path`` (``"A/B/C"``) under ``base``, creating missing levels."""
        node = base
        for name in cls.split_path(path):
            node, _created = cls.objects.get_or_create(parent=node, name=name[:200])
        if node is None:
            raise ValueError("empty category path")
        return node

    @classmethod
    def find_path(cls, path: str, *, base: QuestionCategory | None = None):
        node = base
        for name in cls.split_path(path):
            node = cls.objects.filter(parent=node, name=name).first()
            if node is None:
                return None
        return node


def source_locale_filter(prefix: str = "") -> dict:
    """The lookup for rows in the default (Chinese) locale, the source of every translation."""
    return {f"{prefix}locale__language_code": settings.LANGUAGE_CODE}


def source_questions_only() -> dict:
    """``limit_choices_to`` of a quiz slot: a question of the bank in the source language
    (a translation is never a second question)."""
    return {"case__isnull": True, **source_locale_filter()}


class QuestionQuerySet(models.QuerySet):
    def sources(self):
        """Questions in the source language: a translation is the same question shown in
        another language, never a second one (issue 16)."""
        return self.filter(**source_locale_filter())

    def in_bank(self):
        """Questions that stand on their own (sub-questions of a case are not drawn), in the
        source language only."""
        return self.sources().filter(case__isnull=True, is_active=True)


class TranslationReview(models.TextChoices):
    """Where a question's translation stands: questions have no publish state, so a
    translation is shown to trainees only once a supervising expert or an administrator
    has marked it reviewed (``services.review_translation``); any later change to it puts
    it back to awaiting review (``Question.save``)."""

    AWAITING = "awaiting", _("Awaiting review by a native speaker")
    REVIEWED = "reviewed", _("Reviewed")


# Fields a translation takes from its source whatever the language: what grading, item
# analysis and the bank's structure rest on. Refused on a translation (Question.clean).
QUESTION_SYNCED_FIELDS = (
    "category",
    "qtype",
    "stem_format",
    "default_mark",
    "sort_order",
    "shuffle_choices",
    "case_sensitive",
    "width_insensitive",
    "min_words",
    "max_words",
    "max_chars",
    "grader_info",
    "is_active",
)
ANSWER_SYNCED_FIELDS = ("fraction", "tolerance", "sort_order")


class Question(TranslatableMixin, index.Indexed, ClusterableModel):
    """One question of the bank. Sub-questions of a case analysis point to the case."""

    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("category"),
    )
    qtype = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    name = models.CharField(_("name"), max_length=255)
    stem = models.TextField(
        _("question text"), help_text=_("For a case analysis: the vignette shared by its parts.")
    )
    stem_format = models.CharField(
        _("text format"), max_length=10, choices=TextFormat.choices, default=TextFormat.PLAIN
    )
    default_mark = models.FloatField(_("default mark"), default=1.0)
    general_feedback = models.TextField(
        _("general feedback"), blank=True, help_text=_("Shown to everyone after the attempt.")
    )
    case = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts",
        limit_choices_to={"qtype": QuestionType.CASE},
        verbose_name=_("part of case analysis"),
        help_text=_("Set this to make the question a sub-question of a case analysis."),
    )
    sort_order = models.PositiveIntegerField(_("order within the case"), default=0)
    # Type-specific settings.
    shuffle_choices = models.BooleanField(_("shuffle the choices"), default=True)
    case_sensitive = models.BooleanField(_("case sensitive"), default=False)
    width_insensitive = models.BooleanField(
        _("ignore full-width/half-width and spaces"),
        default=True,
        help_text=_("Suited to Chinese answers: ＡＢＣ equals ABC, spaces are ignored."),
    )
    min_words = models.PositiveIntegerField(_("minimum words"), null=True, blank=True)
    max_words = models.PositiveIntegerField(_("maximum words"), null=True, blank=True)
    max_chars = models.PositiveIntegerField(_("maximum characters"), null=True, blank=True)
    grader_info = models.TextField(
        _("information for graders"), blank=True, help_text=_("Never shown to trainees.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    tags = TaggableManager(blank=True)

    translation_review = models.CharField(
        _("translation review"),
        max_length=10,
        choices=TranslationReview.choices,
        blank=True,
        editable=False,
        help_text=_("Translations only: shown to trainees once reviewed."),
    )
    translated_version = models.PositiveIntegerField(
        _("translated from version"), null=True, blank=True, editable=False
    )

    objects = QuestionQuerySet.as_manager()

    # wagtail-localize: the text is translated; the structure is the source's and cannot
    # be overridden in a translation (docs/decisions.md, issue 16).
    translatable_fields = [
        TranslatableField("name"),
        TranslatableField("stem"),
        TranslatableField("general_feedback"),
        TranslatableField("case"),
        TranslatableField("answers"),
        *(SynchronizedField(name, overridable=False) for name in QUESTION_SYNCED_FIELDS),
    ]

    panels = [
        FieldRowPanel([FieldPanel("qtype"), FieldPanel("category")]),
        FieldPanel("name"),
        FieldPanel("stem"),
        FieldRowPanel([FieldPanel("default_mark"), FieldPanel("stem_format")]),
        InlinePanel("answers", label=_("Answers")),
        FieldPanel("general_feedback"),
        MultiFieldPanel(
            [
                FieldPanel("shuffle_choices"),
                FieldPanel("case_sensitive"),
                FieldPanel("width_insensitive"),
                FieldRowPanel(
                    [FieldPanel("min_words"), FieldPanel("max_words"), FieldPanel("max_chars")]
                ),
                FieldPanel("grader_info"),
            ],
            heading=_("Settings by type"),
        ),
        FieldRowPanel([FieldPanel("case"), FieldPanel("sort_order")]),
        FieldPanel("tags"),
        FieldPanel("is_active"),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("stem"),
        index.FilterField("qtype"),
        index.FilterField("category_id"),
        index.FilterField("is_active"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["category_id", "sort_order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_qtype_display()})"

    @property
    def is_manual(self) -> bool:
        return self.qtype in MANUAL_TYPES

    @property
    def is_translation(self) -> bool:
        """A copy of a source question in another language (one query on first ask)."""
        if self.locale_id is None:
            return False
        return self.locale.language_code != settings.LANGUAGE_CODE

    def source_question(self):
        """The source-language question this one translates (itself for a source)."""
        if not self.is_translation:
            return self
        return (
            Question.objects.sources()
            .select_related("case")
            .prefetch_related("answers")
            .get(translation_key=self.translation_key)
        )

    def save(self, *args, **kwargs):
        # A translation whose text is changed by anyone (the translation editor, a sync
        # from the source, the snippet editor) waits for review again before trainees see
        # it; a save that changes no text (a sync after a change to the source's grades)
        # keeps the review. The source version it was made from is kept.
        if kwargs.get("update_fields") is None and self.is_translation:
            stored = Question.objects.filter(pk=self.pk).first() if self.pk else None
            if stored is None or stored.shown_text() != self.shown_text():
                self.translation_review = TranslationReview.AWAITING
            else:  # as stored: a review made since this object was read stands
                self.translation_review = stored.translation_review
            self.translated_version = (
                Question.objects.sources()
                .filter(translation_key=self.translation_key)
                .values_list("version", flat=True)
                .first()
            )
        super().save(*args, **kwargs)

    def shown_text(self) -> tuple:
        """The text a translation gives: its own and its answers' (in memory when edited)."""
        answers = sorted(
            (str(a.translation_key), a.text, a.feedback, a.match_text) for a in self.answers.all()
        )
        return (self.name, self.stem, self.general_feedback, answers)

    def clean_translation(self) -> None:
        """Refuse, on a translation, any change to what its source decides: the fields of
        ``QUESTION_SYNCED_FIELDS``, the case it belongs to, and its answers' set, grades,
        tolerances and order (``ANSWER_SYNCED_FIELDS``). Only the text is the translator's."""
        source = Question.objects.sources().filter(translation_key=self.translation_key).first()
        if source is None:
            raise ValidationError(_("This translation's original question no longer exists."))
        message = _("A translation keeps the original question's value; change it there.")
        errors = {
            name: message
            for name in QUESTION_SYNCED_FIELDS
            if getattr(self, self._meta.get_field(name).attname)
            != getattr(source, source._meta.get_field(name).attname)
        }
        source_case_key = source.case.translation_key if source.case_id else None
        own_case_key = self.case.translation_key if self.case_id else None
        if source_case_key != own_case_key or (
            self.case_id and self.case.locale_id != self.locale_id
        ):
            # A part's translation belongs to its case's translation, never to the
            # original case (whose snapshot would then hold it).
            errors["case"] = message
        theirs = {a.translation_key: a for a in source.answers.all()}
        mine = {a.translation_key: a for a in self.answers.all()}
        if set(theirs) != set(mine):
            errors[NON_FIELD_ERRORS] = _(
                "A translation has the original question's answers: none can be added or "
                "removed here."
            )
        elif any(
            getattr(mine[key], name) != getattr(answer, name)
            for key, answer in theirs.items()
            for name in ANSWER_SYNCED_FIELDS
        ):
            errors[NON_FIELD_ERRORS] = _(
                "A translation keeps the original answers' grades, tolerances and order; "
                "change them on the original question."
            )
        if errors:
            raise ValidationError(errors)

    def clean(self):
        if self.is_translation:
            self.clean_translation()
        if self.case_id and self.qtype == QuestionType.CASE:
            raise ValidationError({"case": _("A case analysis cannot be part of another case.")})
        if self.case_id and self.case_id == self.pk:
            raise ValidationError({"case": _("A question cannot be part of itself.")})
        if self.default_mark is not None and self.default_mark < 0:
            raise ValidationError({"default_mark": _("The mark cannot be negative.")})

    # --- versioning -------------------------------------------------------
    def snapshot(self, *, answers=None, parts=None) -> dict:
        """The content of this version as plain JSON (what an attempt keeps)."""
        if answers is None:
            answers = list(self.answers.all())
        data = {
            "id": self.pk,
            "version": self.version,
            "qtype": self.qtype,
            "name": self.name,
            "stem": self.stem,
            "stem_format": self.stem_format,
            "default_mark": float(self.default_mark),
            "general_feedback": self.general_feedback,
            "settings": {
                "shuffle_choices": self.shuffle_choices,
                "case_sensitive": self.case_sensitive,
                "width_insensitive": self.width_insensitive,
                "min_words": self.min_words,
                "max_words": self.max_words,
                "max_chars": self.max_chars,
            },
            "answers": [answer.snapshot() for answer in answers],
        }
        if self.qtype == QuestionType.CASE:
            if parts is None:
                parts = list(
                    self.parts.filter(is_active=True, locale_id=self.locale_id)
                    .order_by("sort_order", "pk")
                    .prefetch_related("answers")
                )
            data["parts"] = [part.snapshot() for part in parts]
        return data

    @staticmethod
    def hash_snapshot(data: dict) -> str:
        body = {k: v for k, v in data.items() if k not in ("id", "version")}
        if "parts" in body:
            body["parts"] = [
                {k: v for k, v in part.items() if k not in ("id", "version")}
                for part in body["parts"]
            ]
        for answer in body.get("answers", []):
            answer.pop("id", None)
        encoded = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()

    def refresh_version(self) -> bool:
        """Bump the version if the content changed since the last one; True if it did.

        Call after the question and its answers are saved (admin hooks and import do).
        A part's change also bumps its case, since the case's snapshot contains it.
        """
        digest = self.hash_snapshot(self.snapshot())
        changed = False
        if not self.content_hash:
            Question.objects.filter(pk=self.pk).update(content_hash=digest)
        elif digest != self.content_hash:
            self.version += 1
            changed = True
            Question.objects.filter(pk=self.pk).update(content_hash=digest, version=self.version)
        self.content_hash = digest
        if self.case_id:
            self.case.refresh_version()
        return changed


class Answer(TranslatableMixin, Orderable):
    """One answer of a question; its meaning depends on the question type.

    - single/multiple/true-false/short answer: ``text`` and its ``fraction`` (−1…1);
    - numerical: ``text`` is the value (``*`` matches anything) ± ``tolerance``;
    - matching: ``text`` is the item, ``match_text`` its match (an empty item is a distractor).
    """

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"), blank=True)
    fraction = models.FloatField(
        _("grade"), default=0.0, help_text=_("1 = full marks, 0.5 = half, −0.5 = a penalty.")
    )
    feedback = models.TextField(_("feedback"), blank=True)
    tolerance = models.FloatField(_("tolerance"), default=0.0, help_text=_("Numerical only."))
    match_text = models.CharField(
        _("matches"), max_length=500, blank=True, help_text=_("Matching only.")
    )

    translatable_fields = [
        TranslatableField("text"),
        TranslatableField("feedback"),
        TranslatableField("match_text"),
        *(SynchronizedField(name, overridable=False) for name in ANSWER_SYNCED_FIELDS),
    ]

    panels = [
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("fraction"), FieldPanel("tolerance")]),
        FieldPanel("match_text"),
        FieldPanel("feedback"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text[:80]

    def snapshot(self) -> dict:
        return {
            "id": self.pk,
            "text": self.text,
            "fraction": float(self.fraction),
            "feedback": self.feedback,
            "tolerance": float(self.tolerance),
            "match_text": self.match_text,
        }


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest grade")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average grade")


REVIEW_TIMINGS = [
    ("during", _("During the attempt")),
    ("immediately", _("Immediately after the attempt")),
    ("later", _("Later, while the quiz is still open")),
    ("closed", _("After the quiz is closed")),
]
REVIEW_ITEMS = [
    ("correctness", _("Whether correct")),
    ("marks", _("Marks")),
    ("feedback", _("Feedback")),
    ("right_answer", _("Right answer")),
]
REVIEW_CHOICES = [
    (f"{timing}:{item}", f"{timing_label} — {item_label}")
    for timing, timing_label in REVIEW_TIMINGS
    for item, item_label in REVIEW_ITEMS
]
# Moodle's defaults: nothing during; everything after the attempt.
DEFAULT_REVIEW_OPTIONS = [
    f"{timing}:{item}" for timing in ("immediately", "later", "closed") for item, _l in REVIEW_ITEMS
]
IMMEDIATELY_WINDOW = timedelta(minutes=2)


def default_review_options():
    return list(DEFAULT_REVIEW_OPTIONS)


class ReviewOptionsField(models.JSONField):
    """A list of ``"timing:item"`` codes, edited as a matrix of checkboxes."""

    def formfield(self, **kwargs):
        from django import forms

        return forms.MultipleChoiceField(
            choices=REVIEW_CHOICES,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label=self.verbose_name,
            help_text=self.help_text,
        )


class QuizQuerySet(models.QuerySet):
    def available(self):
        return self.filter(is_available=True)


class Quiz(index.Indexed, ClusterableModel):
    """A quiz or exam: fixed questions and random draws, timing, attempts and review rules."""

    title = models.CharField(_("title"), max_length=255)
    intro = models.TextField(_("introduction"), blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course or programme"),
        help_text=_("The course (or programme, for a final exam) this quiz belongs to."),
    )
    is_available = models.BooleanField(
        _("available to trainees"), default=True, help_text=_("Untick to hide the quiz.")
    )
    open_at = models.DateTimeField(_("opens"), null=True, blank=True)
    close_at = models.DateTimeField(_("closes"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    grace_seconds = models.PositiveIntegerField(
        _("grace period (seconds)"),
        default=30,
        help_text=_("Answers arriving this long after the limit still count (slow links)."),
    )
    attempts_allowed = models.PositiveIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 = unlimited.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    pass_mark = models.FloatField(_("pass mark (%)"), default=60.0)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_choices = models.BooleanField(
        _("shuffle choices"),
        default=True,
        help_text=_("Within each question that allows it."),
    )
    questions_per_page = models.PositiveIntegerField(
        _("questions per page"), default=5, help_text=_("0 = all on one page.")
    )
    review_options = ReviewOptionsField(
        _("review options"),
        default=default_review_options,
        blank=True,
        help_text=_("What trainees may see, and when."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuizQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("intro"),
        PageChooserPanel("page"),
        FieldPanel("is_available"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("open_at"), FieldPanel("close_at")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("grace_seconds")]),
            ],
            heading=_("Timing"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("grading_method")]),
                FieldPanel("pass_mark"),
            ],
            heading=_("Grade"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
                FieldPanel("questions_per_page"),
            ],
            heading=_("Layout"),
        ),
        InlinePanel("slots", label=_("Questions and random draws"), min_num=1),
        FieldPanel("review_options"),
    ]

    search_fields = [index.SearchField("title"), index.FilterField("is_available")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.open_at and self.close_at and self.close_at <= self.open_at:
            raise ValidationError({"close_at": _("The quiz must close after it opens.")})
        if self.pass_mark is not None and not 0 <= self.pass_mark <= 100:
            raise ValidationError({"pass_mark": _("The pass mark is a percentage (0–100).")})
        unknown = set(self.review_options or []) - {code for code, _l in REVIEW_CHOICES}
        if unknown:
            raise ValidationError({"review_options": _("Unknown review option.")})

    @property
    def time_limit(self) -> timedelta | None:
        return timedelta(minutes=self.time_limit_minutes) if self.time_limit_minutes else None

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.open_at and now < self.open_at:
            return False
        return not (self.close_at and now >= self.close_at)

    def is_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.close_at and now >= self.close_at)

    def review_allows(self, timing: str, item: str) -> bool:
        return f"{timing}:{item}" in (self.review_options or [])

    @cached_property
    def slot_list(self) -> list[QuizSlot]:
        return list(self.slots.select_related("question", "category").order_by("sort_order"))


class QuizSlot(Orderable):
    """One place in a quiz: a fixed question, or N questions drawn at random from a category."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to=source_questions_only,
        verbose_name=_("fixed question"),
    )
    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("or draw at random from category"),
    )
    include_subcategories = models.BooleanField(_("include subcategories"), default=True)
    draw_count = models.PositiveIntegerField(_("how many to draw"), default=1)
    mark = models.FloatField(
        _("mark"), null=True, blank=True, help_text=_("Empty: each question's default mark.")
    )

    panels = [
        FieldPanel("question"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("draw_count")]),
        FieldPanel("include_subcategories"),
        FieldPanel("mark"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz slot")
        verbose_name_plural = _("quiz slots")

    def __str__(self) -> str:
        if self.question_id:
            return str(self.question)
        return f"{self.draw_count} × {self.category}"

    def clean(self):
        if bool(self.question_id) == bool(self.category_id):
            raise ValidationError(
                _("Choose either a fixed question or a category to draw from, not both.")
            )
        if self.category_id and not self.draw_count:
            raise ValidationError({"draw_count": _("Draw at least one question.")})
        if self.question_id and self.question.is_translation:
            raise ValidationError(
                {
                    "question": _(
                        "Choose the original question: its translations are the same question."
                    )
                }
            )


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")


class Attempt(models.Model):
    """One trainee's attempt at a quiz. ``grade`` is set once every answer is marked."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveIntegerField(_("attempt number"))
    state = models.CharField(
        _("state"), max_length=20, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    lesson = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lesson"),
        help_text=_("The lesson the attempt was started from, if any."),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    deadline = models.DateTimeField(_("time limit ends"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    auto_submitted = models.BooleanField(_("submitted automatically"), default=False)
    score = models.FloatField(_("marks"), null=True, blank=True)
    max_score = models.FloatField(_("maximum marks"), default=0.0)
    grade = models.FloatField(_("grade (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    needs_grading = models.BooleanField(_("needs manual marking"), default=False)
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    last_page = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="unique_attempt_number"
            ),
            # At most one attempt in progress per trainee and quiz.
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(state="in_progress"),
                name="one_open_attempt",
                violation_error_message=_(
                    "An attempt at this quiz is already in progress; finish it first."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="attempt_state_deadline"),
            models.Index(fields=["user", "quiz"], name="attempt_user_quiz"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.number} ({self.user_id})"

    @property
    def is_finished(self) -> bool:
        return self.state == AttemptState.FINISHED

    def hard_deadline(self):
        """The moment after which nothing the trainee sends counts (limit + grace)."""
        if self.deadline is None:
            return None
        return self.deadline + timedelta(seconds=self.quiz.grace_seconds)

    def is_overdue(self, now=None) -> bool:
        limit = self.hard_deadline()
        return limit is not None and (now or timezone.now()) > limit

    def seconds_left(self, now=None) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - (now or timezone.now())).total_seconds()))


class AttemptSlot(models.Model):
    """A question as given in one attempt: the frozen version, the layout and the answer.

    ``question_data`` is the snapshot of the version shown; ``layout`` holds the
    opaque option keys in their (shuffled) display order; ``marks`` is one mark per
    part (a case analysis has one per sub-question; others one, under ``"main"``),
    ``None`` while a part waits for manual marking.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveIntegerField(_("question number"))
    page = models.PositiveIntegerField(_("page"), default=0)
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempt_slots"
    )
    question_version = models.PositiveIntegerField(default=1)
    question_data = models.JSONField()
    layout = models.JSONField(default=dict)
    max_mark = models.FloatField(default=1.0)
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    marks = models.JSONField(default=dict, blank=True)
    mark = models.FloatField(null=True, blank=True)
    needs_manual = models.BooleanField(default=False)
    comment = models.TextField(_("grader's comment"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "number"], name="unique_slot_number")
        ]
        indexes = [models.Index(fields=["needs_manual"], name="slot_needs_manual")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.number}"


class QuizGrade(models.Model):
    """A trainee's final grade on a quiz under its grading method (kept up to date)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="grades")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_grades"
    )
    grade = models.FloatField(_("grade (%)"), null=True, blank=True)
    best_grade = models.FloatField(_("best grade (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    attempt_count = models.PositiveIntegerField(default=0)
    pending = models.BooleanField(_("awaiting marking"), default=False)
    first_passed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quiz grade")
        verbose_name_plural = _("quiz grades")
        constraints = [models.UniqueConstraint(fields=["quiz", "user"], name="unique_quiz_grade")]

    def __str__(self) -> str:
        return f"{self.quiz} – {self.user_id}: {self.grade}"


class MarkingAssignment(models.Model):
    """Trainees an administrator gives a supervising expert to mark: one trainee, or every
    member of a cohort. Beside the trainees they supervise in a practicum placement, these
    are the only trainees whose quiz results a supervising expert sees and marks
    (``quizzes.permissions.visible_trainees``), so a trainee who only takes courses still
    has someone to mark their essays. Made and removed through
    ``quizzes.services.assign_marking`` / ``revoke_marking`` (audited).
    """

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="marking_assignments",
        verbose_name=_("supervising expert"),
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="marking_supervisors",
        verbose_name=_("trainee"),
    )
    cohort = models.ForeignKey(
        "courses.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="marking_assignments",
        verbose_name=_("cohort"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        ordering = ["supervisor_id", "-assigned_at"]
        verbose_name = _("marking assignment")
        verbose_name_plural = _("marking pool")
        constraints = [
            models.CheckConstraint(
                condition=(Q(trainee__isnull=False) & Q(cohort__isnull=True))
                | (Q(trainee__isnull=True) & Q(cohort__isnull=False)),
                name="marking_assignment_one_target",
                violation_error_message=_("Assign either one trainee or one cohort."),
            ),
            models.UniqueConstraint(
                fields=["supervisor", "trainee"],
                condition=Q(trainee__isnull=False),
                name="unique_marking_trainee",
                violation_error_message=_(
                    "This supervising expert already marks this trainee's answers."
                ),
            ),
            models.UniqueConstraint(
                fields=["supervisor", "cohort"],
                condition=Q(cohort__isnull=False),
                name="unique_marking_cohort",
                violation_error_message=_(
                    "This supervising expert already marks this cohort's answers."
                ),
            ),
        ]

    def __str__(self) -> str:
        target = self.trainee if self.trainee_id else self.cohort
        return f"{self.supervisor} ← {target}"
