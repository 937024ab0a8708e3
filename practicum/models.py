"""Practicum: placements, logged practice hours, their review, and competency evaluations.

What a trainee must achieve (requirements, activity types, the rubric, the back-dating
window, the evaluation pass rule) is data that administrators edit in the CMS, never code.
No model here holds a child's name or identifying details: participants are counts by
group, and the free-text fields pass the privacy guard (``practicum.privacy``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Orderable

from lms.age_bands import count_field_names

from .storage import private_storage


class Qualification(models.TextChoices):
    COUNSELLOR = "counsellor", _("Psychological counsellor")
    FAMILY_EDUCATOR = "family_educator", _("Family-education instructor")


class ServiceKind(models.TextChoices):
    DIRECT = "direct", _("Direct service")
    INDIRECT = "indirect", _("Indirect")


class Topic(models.TextChoices):
    """The curriculum: ten children's theme activities and six caregiver courses (titles as given)."""

    CHILD_CITIZEN = "child_citizen", "我是有能力的小公民"
    CHILD_EMOTIONS = "child_emotions", "我能打败情绪小怪兽"
    CHILD_COMMUNICATION = "child_communication", "好好说话，认真听"
    CHILD_SELF = "child_self", "我不是个错误"
    CHILD_GRATITUDE = "child_gratitude", "我要说声谢谢你"
    CHILD_BODY_SAFETY = "child_body_safety", "爱护我们的身体"
    CHILD_SPEAKING = "child_speaking", "我是小小演说家"
    CHILD_GOALS = "child_goals", "我能实现我的目标"
    CHILD_ATTENTION = "child_attention", "我有专注力"
    CHILD_LEADERSHIP = "child_leadership", "我有能力成为更好的人"
    CAREGIVER_DEVELOPMENT = "caregiver_development", "把爱带回家，了解你的孩子"
    CAREGIVER_EMOTIONS = "caregiver_emotions", "做好情绪管理，成就幸福家庭"
    CAREGIVER_COMMUNICATION = "caregiver_communication", "如何说，孩子才会听"
    CAREGIVER_ETIQUETTE = "caregiver_etiquette", "最好的礼仪教育在家庭"
    CAREGIVER_CONFIDENCE = "caregiver_confidence", "怎样培养孩子的自信心"
    CAREGIVER_ACCEPTANCE = "caregiver_acceptance", "悦纳孩子的不完美"


class SessionLanguage(models.TextChoices):
    MANDARIN = "zh", _("Mandarin")
    UYGHUR = "ug", _("Uyghur")
    BOTH = "zh_ug", _("Mandarin and Uyghur")


class LocalisedNameMixin:
    """``label`` gives the English name under English and the Uyghur name under Uyghur
    (where the model has one and it is filled in), else the Chinese name."""

    @property
    def label(self) -> str:
        language = translation.get_language() or ""
        if language.startswith("en") and getattr(self, "name_en", ""):
            return self.name_en
        if language.startswith("ug") and getattr(self, "name_ug", ""):
            return self.name_ug
        return self.name


# --- Configuration edited by administrators --------------------------------------------


@register_setting(icon="time")
class PracticumSettings(BaseGenericSetting):
    """Rules of the practicum that administrators may change without a release."""

    backdating_days = models.PositiveSmallIntegerField(
        _("back-dating window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How many days back a trainee may log practice."),
    )
    supervisor_reminder_days = models.PositiveSmallIntegerField(
        _("remind supervisors after (days)"), default=7, validators=[MinValueValidator(1)]
    )
    coordinator_alert_days = models.PositiveSmallIntegerField(
        _("tell coordinators after (days)"), default=14, validators=[MinValueValidator(1)]
    )
    evaluation_min_item_rating = models.PositiveSmallIntegerField(
        _("pass rule: lowest rating allowed on any item"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    evaluation_min_mean = models.DecimalField(
        _("pass rule: minimum mean rating"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("3.50"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    panels = [
        FieldPanel("backdating_days"),
        MultiFieldPanel(
            [FieldPanel("supervisor_reminder_days"), FieldPanel("coordinator_alert_days")],
            heading=_("Review reminders"),
        ),
        MultiFieldPanel(
            [FieldPanel("evaluation_min_item_rating"), FieldPanel("evaluation_min_mean")],
            heading=_("Competency evaluation pass rule"),
        ),
    ]

    class Meta:
        verbose_name = _("practicum settings")


class ActivityType(LocalisedNameMixin, models.Model):
    """A kind of practice, and the rule of whether it counts as direct service."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    name_ug = models.CharField(_("Uyghur name"), max_length=100, blank=True)
    service_kind = models.CharField(
        _("counts as"), max_length=10, choices=ServiceKind.choices, default=ServiceKind.DIRECT
    )
    is_supervision = models.BooleanField(
        _("supervision received"),
        default=False,
        help_text=_("Hours of this type count toward the supervision requirement."),
    )
    description = models.TextField(_("what it covers"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("offered to trainees"), default=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("name_ug"),
        FieldPanel("service_kind"),
        FieldPanel("is_supervision"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("practicum activity type")
        verbose_name_plural = _("practicum activity types")

    def __str__(self) -> str:
        return self.label

    @property
    def is_direct(self) -> bool:
        return self.service_kind == ServiceKind.DIRECT


class PracticumRequirement(ClusterableModel):
    """What a trainee of one qualification must have approved before certification."""

    qualification = models.CharField(
        _("qualification"), max_length=30, choices=Qualification.choices, unique=True
    )
    total_hours = models.DecimalField(
        _("total hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    min_direct_hours = models.DecimalField(
        _("minimum direct-service hours"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    min_supervision_hours = models.DecimalField(
        _("minimum supervision hours received"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    notes = models.TextField(_("notes"), blank=True)

    panels = [
        FieldPanel("qualification"),
        FieldPanel("total_hours"),
        FieldPanel("min_direct_hours"),
        FieldPanel("min_supervision_hours"),
        InlinePanel("activity_minimums", label=_("Minimums by activity type")),
        FieldPanel("notes"),
    ]

    class Meta:
        verbose_name = _("practicum requirement")
        verbose_name_plural = _("practicum requirements")

    def __str__(self) -> str:
        return str(self.get_qualification_display())


class ActivityMinimum(Orderable):
    requirement = ParentalKey(
        PracticumRequirement, on_delete=models.CASCADE, related_name="activity_minimums"
    )
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity type")
    )
    min_hours = models.DecimalField(
        _("minimum hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )

    panels = [FieldPanel("activity_type"), FieldPanel("min_hours")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "activity_type"],
                name="unique_activity_minimum",
                violation_error_message=_(
                    "This activity type already has a minimum in this requirement."
                ),
            )
        ]
        verbose_name = _("minimum by activity type")
        verbose_name_plural = _("minimums by activity type")


class RubricItem(LocalisedNameMixin, models.Model):
    """One competency on the evaluation rubric, with a descriptor for each rating 1–5."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("competency"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    descriptor_1 = models.CharField(_("1 — descriptor"), max_length=300)
    descriptor_2 = models.CharField(_("2 — descriptor"), max_length=300)
    descriptor_3 = models.CharField(_("3 — descriptor"), max_length=300)
    descriptor_4 = models.CharField(_("4 — descriptor"), max_length=300)
    descriptor_5 = models.CharField(_("5 — descriptor"), max_length=300)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")

    def __str__(self) -> str:
        return self.label

    @property
    def descriptors(self) -> list[tuple[int, str]]:
        return [(n, getattr(self, f"descriptor_{n}")) for n in range(1, 6)]


# --- Placements ---------------------------------------------------------------------------


class PlacementQuerySet(models.QuerySet):
    def current(self):
        return self.filter(closed_on__isnull=True)

    def in_scope(self, district):
        """Placements a coordinator scoped to ``district`` may see (None = whole city)."""
        return self if district is None else self.filter(trainee__district=district)


class Placement(models.Model):
    """A trainee's practicum with one supervising expert (and optionally a venue) for a period.

    Reassignment closes the placement (``closed_on``) and opens a new one, so the history
    of who supervised what stays visible.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practicum_placements",
        verbose_name=_("trainee"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_placements",
        verbose_name=_("supervising expert"),
    )
    venue = models.ForeignKey(
        "places.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practicum_placements",
        verbose_name=_("main venue"),
    )
    qualification = models.CharField(
        _("qualification"), max_length=30, choices=Qualification.choices
    )
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_reason = models.CharField(_("why it was closed"), max_length=300, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("reassigned from"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "qualification"],
                condition=Q(closed_on__isnull=True),
                name="one_current_placement_per_qualification",
                violation_error_message=_(
                    "This trainee already has a current placement for this qualification: "
                    "reassign or close it first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="placement_ends_after_start",
                violation_error_message=_("The placement cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["supervisor", "closed_on"])]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.trainee} · {self.get_qualification_display()} · {self.supervisor}"

    @property
    def is_current(self) -> bool:
        return self.closed_on is None


# --- Log entries --------------------------------------------------------------------------


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")


EDITABLE_STATES = frozenset({EntryState.DRAFT, EntryState.RETURNED})
# States whose hours occupy the trainee's day (for the overlap and 12-hour rules).
COUNTED_STATES = (
    EntryState.DRAFT,
    EntryState.SUBMITTED,
    EntryState.APPROVED,
    EntryState.RETURNED,
)

# Children are counted in the product's age bands (``lms.age_bands``): one column a band.
CHILD_COUNT_FIELDS = count_field_names("children")
PARTICIPANT_FIELDS = (*CHILD_COUNT_FIELDS, "caregivers", "teachers")


def _count_field(label):
    return models.PositiveSmallIntegerField(label, default=0, validators=[MaxValueValidator(2000)])


class EntryQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(state=EntryState.APPROVED)

    def waiting(self):
        return self.filter(state=EntryState.SUBMITTED)


class PracticumEntry(models.Model):
    """One piece of practice a trainee logs: when, where, what, how long, with whom (counts).

    ``trainee``, ``supervisor`` and ``qualification`` repeat the placement's so that the
    review queue and the ledger are single-index reads; services keep them in step.
    ``service_kind`` is set from the activity type's rule when the entry is saved.
    """

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="entries", verbose_name=_("placement")
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practicum_entries",
        verbose_name=_("trainee"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practicum_entries_to_review",
        verbose_name=_("supervising expert"),
    )
    qualification = models.CharField(
        _("qualification"), max_length=30, choices=Qualification.choices
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    venue = models.ForeignKey(
        "places.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practicum_entries",
        verbose_name=_("venue"),
    )
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity type")
    )
    service_kind = models.CharField(
        _("direct or indirect"), max_length=10, choices=ServiceKind.choices
    )
    topic = models.CharField(
        _("curriculum topic"), max_length=40, choices=Topic.choices, blank=True
    )
    children_0_5 = _count_field(_("children aged 0–5"))
    children_6_11 = _count_field(_("children aged 6–11"))
    children_12_17 = _count_field(_("children aged 12–17"))
    caregivers = _count_field(_("caregivers"))
    teachers = _count_field(_("teachers"))
    language = models.CharField(
        _("language used"),
        max_length=10,
        choices=SessionLanguage.choices,
        default=SessionLanguage.MANDARIN,
    )
    description = models.TextField(_("what you did (anonymised)"), max_length=4000)
    reflection = models.TextField(_("reflection"), max_length=4000, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EntryState.choices, default=EntryState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    # Hours credited without the trainee logging them (supervision received in a session a
    # supervising expert recorded): the key of what they were credited from, one entry per
    # key (``services.credit_supervision``). Empty for entries a trainee logged.
    credit_source = models.CharField(
        _("credited from"), max_length=80, null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        indexes = [
            models.Index(fields=["supervisor", "state", "submitted_at"]),
            # Covers the hours arithmetic (requirement_status_bulk): an index-only scan.
            models.Index(
                fields=[
                    "trainee",
                    "qualification",
                    "state",
                    "activity_type",
                    "service_kind",
                    "minutes",
                ],
                name="practicum_entry_hours_idx",
            ),
            models.Index(fields=["trainee", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, end_time__gt=F("start_time")),
                name="entry_times_complete_and_ordered",
                violation_error_message=_(
                    "Give both the start and the end time, the end after the start (or neither, "
                    "and the duration in minutes)."
                ),
            ),
        ]
        verbose_name = _("practicum entry")
        verbose_name_plural = _("practicum entries")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.activity_type_id} {self.minutes}min"

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES and not self.credit_source

    @property
    def is_credit(self) -> bool:
        """Hours credited from a supervision session, not logged by the trainee."""
        return bool(self.credit_source)

    @property
    def state_badge_class(self) -> str:
        return {"approved": "ok", "returned": "warn", "rejected": "bad"}.get(self.state, "")

    @property
    def children_total(self) -> int:
        return sum(getattr(self, name) for name in CHILD_COUNT_FIELDS)

    @property
    def participants_total(self) -> int:
        return sum(getattr(self, name) for name in PARTICIPANT_FIELDS)

    def waiting_days(self, now=None) -> int | None:
        if self.state != EntryState.SUBMITTED or self.submitted_at is None:
            return None
        return ((now or timezone.now()) - self.submitted_at).days


def attachment_path(instance, filename: str) -> str:
    """A path the user never chooses: a random name under the entry's folder."""
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
        instance.content_type, "pdf"
    )
    return f"practicum/{instance.entry_id}/{uuid.uuid4().hex}.{extension}"


class EntryAttachment(models.Model):
    """Evidence for an entry: an image (EXIF removed) or a PDF, kept in private storage."""

    entry = models.ForeignKey(PracticumEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(_("file name"), max_length=120)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ReviewReminder(models.Model):
    """One reminder sent, so that the daily task never sends the same one twice in a day."""

    class Kind(models.TextChoices):
        SUPERVISOR = "supervisor", _("Supervisor reminder")
        COORDINATOR = "coordinator", _("Coordinator alert")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_on = models.DateField()
    entry_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "sent_on"], name="one_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.recipient_id} {self.sent_on}"


# --- Competency evaluation ----------------------------------------------------------------


class EvaluationStage(models.TextChoices):
    MIDTERM = "midterm", _("Midterm")
    FINAL = "final", _("Final")


class EvaluationQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)

    def effective(self):
        """Signed evaluations that no signed correction has replaced."""
        return self.signed().exclude(corrections__signed_at__isnull=False)


class SignedEvaluationError(Exception):
    """A signed evaluation was about to be changed."""


class CompetencyEvaluation(models.Model):
    """A supervisor's rating of a trainee on the rubric at midterm or at the end.

    Once signed (name and time recorded) it never changes: a correction is a new
    evaluation pointing at the one it corrects.
    """

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="evaluations")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practicum_evaluations"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    qualification = models.CharField(
        _("qualification"), max_length=30, choices=Qualification.choices
    )
    stage = models.CharField(_("stage"), max_length=10, choices=EvaluationStage.choices)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_name = models.CharField(_("signed by"), max_length=150, blank=True)
    mean_rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    rule_min_item = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_min_mean = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trainee", "qualification", "stage"])]
        verbose_name = _("competency evaluation")
        verbose_name_plural = _("competency evaluations")

    def __str__(self) -> str:
        return f"{self.trainee} · {self.get_stage_display()}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("signed_at", flat=True)
            if stored and stored[0] is not None:
                raise SignedEvaluationError("A signed evaluation cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed:
            raise SignedEvaluationError("A signed evaluation cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class EvaluationRating(models.Model):
    evaluation = models.ForeignKey(
        CompetencyEvaluation, on_delete=models.CASCADE, related_name="ratings"
    )
    rubric_item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    item_name = models.CharField(_("competency (as rated)"), max_length=100)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["rubric_item__sort_order", "rubric_item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "rubric_item"], name="one_rating_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_name}: {self.rating}"

    def save(self, *args, **kwargs):
        signed = CompetencyEvaluation.objects.filter(
            pk=self.evaluation_id, signed_at__isnull=False
        ).exists()
        if signed:
            raise SignedEvaluationError("A signed evaluation cannot change.")
        super().save(*args, **kwargs)
