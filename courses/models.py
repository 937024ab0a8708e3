"""Learning: the page tree (catalogue → programme → course → module → lesson), enrolment,
progress, reflection answers and cohorts.

Pages stay thin: fields, panels, parent/child rules and small helpers. Rendering
context comes from ``courses.selectors``; state changes from ``courses.services``.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.url_routing import RouteResult

from .blocks import LESSON_BLOCKS, QUIZ_BLOCK
from .native_review import NativeReviewPanel


class Qualification(models.TextChoices):
    COUNSELLOR = "counsellor", _("Psychological counsellor")
    FAMILY_EDUCATOR = "family_educator", _("Family-education instructor")


class NavigationMode(models.TextChoices):
    SEQUENTIAL = "sequential", _("Sequential: a lesson unlocks when the previous one is complete")
    FREE = "free", _("Free: lessons in any order")


class QualificationCodesField(models.JSONField):
    """A list of qualification codes, edited as checkboxes."""

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=Qualification.choices,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=self.verbose_name.capitalize() if self.verbose_name else None,
            help_text=self.help_text,
        )


# Chinese is written without spaces, and the search backends split words on spaces:
# indexed text and queries get a space around each CJK character, so a query of
# two characters matches any text holding both.
CJK_CHARACTER = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def spaced_for_search(text: str) -> str:
    return " ".join(CJK_CHARACTER.sub(r" \1 ", text or "").split())


def plain_text(value) -> str:
    """The words in a block value (rich text, struct, list, stream), for the search index."""
    if value is None:
        return ""
    if hasattr(value, "source"):  # RichText
        return strip_tags(value.source)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) or hasattr(value, "items"):
        return " ".join(plain_text(item) for _key, item in value.items())
    if isinstance(value, list | tuple) or hasattr(value, "__iter__"):
        return " ".join(plain_text(getattr(item, "value", item)) for item in value)
    return ""


def qualification_labels(codes) -> list[str]:
    labels = dict(Qualification.choices)
    return [str(labels.get(code, code)) for code in codes or []]


# --- Pages -----------------------------------------------------------------


class CourseCatalogue(Page):
    """The root of the learning tree. Its URLs are routed in one step (see ``route``)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.Programme"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def route(self, request, path_components):
        """Find a programme, course, module or lesson in one query by its URL path.

        The parent/child rules fix the page type at each depth, so the specific page is
        fetched directly instead of level by level. A page is served only when it and
        every ancestor below the catalogue are live.
        """
        if not path_components:
            return super().route(request, path_components)
        models_by_level = [Programme, Course, Module, Lesson]
        if len(path_components) > len(models_by_level):
            raise Http404
        model = models_by_level[len(path_components) - 1]
        url_path = self.url_path + "/".join(path_components) + "/"
        page = (
            model.objects.filter(
                slug=path_components[-1], url_path=url_path, path__startswith=self.path
            )
            .select_related("locale")
            .first()
        )
        if page is None or not page.live:
            raise Http404
        step = self.steplen
        ancestor_paths = [page.path[: step * depth] for depth in range(self.depth + 1, page.depth)]
        if model is Lesson:
            # One query: the lesson's course, and whether its programme and module are live.
            course = (
                Course.objects.filter(path=page.course_path, live=True)
                .annotate(
                    hidden_ancestors=models.Exists(
                        Page.objects.filter(path__in=ancestor_paths, live=False)
                    )
                )
                .first()
            )
            if course is None or course.hidden_ancestors:
                raise Http404
            page.route_course = course
        elif ancestor_paths and Page.objects.filter(path__in=ancestor_paths, live=False).exists():
            raise Http404
        return RouteResult(page)

    def serve(self, request, *args, **kwargs):
        return redirect("courses:catalogue")


class Programme(Page):
    """A qualification track, e.g. psychological counsellor, with its courses."""

    summary = models.TextField(_("summary"), blank=True)
    title_en = models.CharField(_("English title"), max_length=255, blank=True)
    qualifications = QualificationCodesField(
        _("qualifications"),
        default=list,
        blank=True,
        help_text=_("The qualifications this programme prepares for."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("summary"),
        FieldPanel("qualifications"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["courses.CourseCatalogue"]
    # The catalogue lives at /learn/, beside these pages of the courses app.
    RESERVED_SLUGS = frozenset({"my", "search", "courses", "lessons", "reflections", "cohorts"})
    subpage_types = ["courses.Course"]

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    @property
    def qualification_labels(self) -> list[str]:
        return qualification_labels(self.qualifications)

    def clean(self):
        super().clean()
        if self.slug in self.RESERVED_SLUGS:
            raise ValidationError(
                {"slug": _("This address is used by the learning pages; choose another.")}
            )

    def get_context(self, request, *args, **kwargs):
        from .selectors import programme_courses

        context = super().get_context(request, *args, **kwargs)
        context["course_rows"] = programme_courses(request.user, self)
        return context


class CourseQuerySet(PageQuerySet):
    def originals(self):
        """Courses of the default (Chinese) locale only. A translation is the same course
        (issue 16): lists that count, require or offer courses — requirements, reports,
        forms, seeds — read originals, or a published Uyghur copy would be a second
        required course with the same qualifications."""
        return self.filter(locale__language_code=settings.LANGUAGE_CODE)


class Course(Page):
    """A course of 2–4 class hours, made of modules of lessons."""

    objects = PageManager.from_queryset(CourseQuerySet)()

    summary = models.TextField(_("summary"))
    objectives = models.TextField(
        _("learning objectives"), blank=True, help_text=_("One objective per line.")
    )
    class_hours = models.PositiveSmallIntegerField(
        _("class hours"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text=_("课时: teaching periods a lecturer needs to deliver this course."),
    )
    qualifications = QualificationCodesField(
        _("target qualifications"),
        default=list,
        blank=True,
        help_text=_("A course may count towards both qualifications."),
    )
    prerequisites = ParentalManyToManyField(
        "courses.Course",
        blank=True,
        related_name="required_for",
        verbose_name=_("prerequisites"),
        help_text=_("Courses a trainee must complete before enrolling in this one."),
    )
    navigation = models.CharField(
        _("navigation"),
        max_length=12,
        choices=NavigationMode.choices,
        default=NavigationMode.SEQUENTIAL,
    )
    self_enrol = models.BooleanField(
        _("self-enrolment allowed"),
        default=True,
        help_text=_("When off, only coordinators can enrol people."),
    )
    # Bumped whenever a module or lesson below is published, unpublished, moved or
    # deleted: the cached outline is keyed by it.
    outline_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    content_panels = [
        NativeReviewPanel(),
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("objectives"),
        MultiFieldPanel(
            [
                FieldPanel("class_hours"),
                FieldPanel("qualifications"),
                FieldPanel("prerequisites", widget=forms.SelectMultiple(attrs={"size": 8})),
            ],
            heading=_("Qualification"),
        ),
        MultiFieldPanel(
            [FieldPanel("navigation"), FieldPanel("self_enrol")], heading=_("Learning")
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.SearchField("search_text"),
        index.AutocompleteField("title"),
    ]
    parent_page_types = ["courses.Programme"]
    subpage_types = ["courses.Module"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def search_text(self) -> str:
        return spaced_for_search(" ".join([self.title, self.summary, self.objectives]))

    @property
    def objective_list(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    @property
    def qualification_labels(self) -> list[str]:
        return qualification_labels(self.qualifications)

    @property
    def is_sequential(self) -> bool:
        return self.navigation == NavigationMode.SEQUENTIAL

    def outline_version(self) -> str:
        stamp = self.outline_changed_at or self.last_published_at
        return f"{self.pk}-{stamp.timestamp() if stamp else 0}"

    def get_context(self, request, *args, **kwargs):
        from django.utils import translation

        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.course_page_context(request.user, self))
        # The reader's language first (issue 16), as on lessons: the title, summary and
        # objectives of the live translation, else the original with a notice;
        # ?original=1/0 switches per course (the lessons follow the same choice).
        if "original" in request.GET:
            selectors.set_reads_original(request, self, request.GET["original"] == "1")
        context["content"] = selectors.translated_content(
            self,
            translation.get_language(),
            original=selectors.reads_original(request, self),
        )
        return context


class Module(Page):
    """A group of lessons within a course. It has no page of its own: it links to the course."""

    summary = models.TextField(_("summary"), blank=True)

    content_panels = [NativeReviewPanel(), *Page.content_panels, FieldPanel("summary")]
    parent_page_types = ["courses.Course"]
    subpage_types = ["courses.Lesson"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def serve(self, request, *args, **kwargs):
        parent = self.get_parent()
        return redirect(f"{parent.get_url(request)}#module-{self.pk}")


class Lesson(Page):
    """One lesson: StreamField content, an estimated time, optional quiz requirement."""

    body = StreamField(LESSON_BLOCKS, blank=True, verbose_name=_("content"))
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    requires_quiz_pass = models.BooleanField(
        _("completed by passing its quiz"),
        default=False,
        help_text=_(
            "When on, trainees cannot mark the lesson done themselves. Always on for a "
            "lesson with a quiz in its content."
        ),
    )
    is_optional = models.BooleanField(
        _("optional"),
        default=False,
        help_text=_("Optional lessons do not count towards course completion or unlocking."),
    )

    content_panels = [
        NativeReviewPanel(),
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("estimated_minutes"),
                FieldPanel("requires_quiz_pass"),
                FieldPanel("is_optional"),
            ],
            heading=_("Lesson settings"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("search_text")]
    parent_page_types = ["courses.Module"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def search_text(self) -> str:
        return spaced_for_search(f"{self.title} {plain_text(self.body)}")

    @property
    def holds_quiz(self) -> bool:
        """Whether the content places a quiz (the quiz block, anywhere at the top level)."""
        return any(child.block_type == QUIZ_BLOCK for child in self.body or [])

    @property
    def completed_by_quiz(self) -> bool:
        """Only passing the quiz completes this lesson: no "mark as done" (issue 17)."""
        return self.requires_quiz_pass or self.holds_quiz

    def clean(self):
        super().clean()
        # A lesson with a quiz is done when the quiz is passed, never by a button: a
        # course whose required lesson holds a quiz completes only once it is passed.
        if self.holds_quiz:
            self.requires_quiz_pass = True

    @property
    def course_path(self) -> str:
        """The tree path of the course this lesson belongs to (lesson → module → course)."""
        return self.path[: self.steplen * (self.depth - 2)]

    def body_cache_version(self) -> str:
        stamp = self.last_published_at.timestamp() if self.last_published_at else 0
        return f"{self.pk}-{self.live_revision_id or 0}-{stamp}"

    def serve(self, request, *args, **kwargs):
        from .views import serve_lesson

        return serve_lesson(request, self)

    def serve_preview(self, request, mode_name):
        from .views import serve_lesson

        return serve_lesson(request, self, preview=True)


# --- Learning records ------------------------------------------------------


class EnrolmentSource(models.TextChoices):
    SELF = "self", _("Self-enrolled")
    COORDINATOR = "coordinator", _("Enrolled by a coordinator")
    COHORT = "cohort", _("Enrolled with a cohort")


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Enrolment(models.Model):
    """A person taking a course. Progress figures are stored and kept current by services."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("trainee"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("course")
    )
    source = models.CharField(
        _("source"), max_length=12, choices=EnrolmentSource.choices, default=EnrolmentSource.SELF
    )
    cohort = models.ForeignKey(
        "courses.Cohort",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("cohort"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    deadline = models.DateField(_("completion deadline"), null=True, blank=True)
    prerequisites_waived = models.BooleanField(_("prerequisites waived"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_lessons = models.PositiveIntegerField(_("lessons complete"), default=0)
    last_lesson = models.ForeignKey(
        Lesson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last lesson opened"),
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="unique_enrolment_per_course")
        ]
        indexes = [models.Index(fields=["course", "withdrawn_at"], name="enrolment_course_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.course_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.completed_at is None
            and self.deadline < timezone.localdate()
        )


class LessonStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")


class CompletionSource(models.TextChoices):
    MANUAL = "manual", _("Marked done")
    QUIZ = "quiz", _("Quiz passed")


class LessonProgress(models.Model):
    """One person's progress in one lesson. A missing row means not started."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=LessonStatus.choices, default=LessonStatus.NOT_STARTED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_via = models.CharField(
        _("completed by"), max_length=10, choices=CompletionSource.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="unique_progress_per_lesson")
        ]
        indexes = [models.Index(fields=["user", "course"], name="progress_user_course_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id} · {self.status}"


class ReflectionAnswer(models.Model):
    """A trainee's private written answer to a reflection prompt in a lesson."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflection_answers"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="reflections")
    block_id = models.CharField(_("prompt"), max_length=64)
    text = models.TextField(_("answer"))
    shared_with_supervisor = models.BooleanField(
        _("share with my supervising expert"),
        default=False,
        help_text=_("Supervising experts can read shared answers to guide your practice."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reflection answer")
        verbose_name_plural = _("reflection answers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "block_id"], name="unique_reflection_per_prompt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id} · {self.block_id}"


class CohortQuerySet(models.QuerySet):
    def in_scope(self, district):
        """Cohorts a coordinator scoped to ``district`` manages (None = whole city)."""
        return self if district is None else self.filter(district=district)


class Cohort(models.Model):
    """A training class: people who learn a programme together between two dates."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("district or county"),
        help_text=_("Leave empty for a city-wide cohort."),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("programme"),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_cohorts",
        verbose_name=_("coordinator"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="courses.CohortMembership",
        through_fields=("cohort", "user"),
        related_name="cohorts",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_start",
                violation_error_message=_("The cohort cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CohortMembership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="unique_cohort_member")
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id} · {self.user_id}"


class NativeReview(models.Model):
    """A translated course page awaiting review by a native speaker (issue 16).

    Made for a translation that was prepared with care but not by a native speaker (the
    seed's Uyghur drafts). The page editor shows it at the top of the form
    (``courses.native_review.NativeReviewPanel``) until an editor of the page clears it
    after a native speaker has read the translation; clearing keeps the row
    (``reviewed_at``) and writes the page's history (who cleared it), so a re-seed never
    opens it again. A row belongs to its page (the translation), never to the original.
    """

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="native_review",
        verbose_name=_("page"),
    )
    requested_at = models.DateTimeField(_("awaiting review since"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review by a native speaker")
        verbose_name_plural = _("reviews by a native speaker")

    def __str__(self) -> str:
        return f"{self.page_id} · {'reviewed' if self.reviewed_at else 'awaiting'}"

    @property
    def awaiting(self) -> bool:
        return self.reviewed_at is None


# The workflow task of course moderation lives beside its rules (see ``courses.moderation``).
from .moderation import IndependentReviewTask  # noqa: E402, F401
