"""The programme's supervision: sessions a supervising expert gives, the leading group's
inspections and the corrective actions they ask for (督导检查、整改), the stages of the
programme and their acceptance (阶段性验收), and each unit's monthly publicity return.

No model here holds a child's name or identifiers. Every free-text field a person types
is narrative text (``lms.textinput`` NARRATIVE, a ``TextValidator`` on the field too), so
the children's-data guard refuses names, ID numbers, phone numbers and house addresses.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from lms.textinput import LABEL, NARRATIVE, TextPolicy, TextValidator

from .storage import private_storage

# --- the text policies (forms, API, services and model validators share them) -------------

TOPICS_TEXT = TextPolicy(2000, multiline=True, purpose=NARRATIVE)
"""What a supervision session was about (required; anonymised)."""
FOLLOW_UPS_TEXT = TextPolicy(2000, multiline=True, required=False, purpose=NARRATIVE)
"""What is to be done after a supervision session (optional; anonymised)."""
DISPUTE_TEXT = TextPolicy(300, multiline=True, purpose=NARRATIVE)
"""Why a trainee disputes a supervision session recorded for them (required)."""
SUMMARY_TEXT = TextPolicy(2000, multiline=True, required=False, purpose=NARRATIVE)
"""An inspection's summary (optional)."""
FINDING_TEXT = TextPolicy(1000, multiline=True, purpose=NARRATIVE)
"""One finding of an inspection (required)."""
ACTION_TEXT = TextPolicy(1000, multiline=True, purpose=NARRATIVE)
"""What a corrective action must achieve (required)."""
EVIDENCE_TEXT = TextPolicy(1000, multiline=True, purpose=NARRATIVE)
"""What was done, submitted with the evidence (required)."""
VERIFY_TEXT = TextPolicy(1000, multiline=True, required=False, purpose=NARRATIVE)
"""The inspector's note on verifying or returning a corrective action."""
RETURN_TEXT = TextPolicy(1000, multiline=True, purpose=NARRATIVE)
"""What is missing, when the inspector returns a corrective action (required)."""
STAGE_TEXT = TextPolicy(2000, multiline=True, required=False, purpose=NARRATIVE)
"""A stage's description or the leading group's sign-off note."""
NAME_TEXT = TextPolicy(200, purpose=LABEL)
"""The name of a unit or a stage, or the title of a piece of publicity."""

MIN_SESSION_MINUTES = 15
MAX_SESSION_MINUTES = 480


def _text_field(label, policy: TextPolicy, **extra):
    return models.TextField(
        label,
        max_length=policy.max_length,
        blank=not policy.required,
        validators=[TextValidator(policy.max_length, multiline=policy.multiline)],
        **extra,
    )


# --- units ---------------------------------------------------------------------------------


class UnitKind(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs office")
    EDUCATION = "education", _("Education office")
    TOWNSHIP = "township", _("Township or street office")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community")
    FARM = "farm", _("Farm")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """A unit (单位) taking part in the programme: it reports its publicity every month and
    may be inspected. Its ``reporters`` are the people who upload for it (besides the
    district's coordinators). Managed by administrators and coordinators (their district)
    in the Wagtail admin, through ``services.create_unit``/``update_unit``."""

    name = models.CharField(
        _("name"),
        max_length=NAME_TEXT.max_length,
        validators=[TextValidator(NAME_TEXT.max_length, purpose=LABEL)],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        related_name="supervision_units",
        verbose_name=_("district or county"),
    )
    township = models.ForeignKey(
        "places.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_units",
        verbose_name=_("township"),
    )
    reporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="publicity_units",
        verbose_name=_("who reports its publicity"),
    )
    is_active = models.BooleanField(_("taking part"), default=True)

    class Meta:
        ordering = ["district__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="unique_unit_per_district")
        ]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


# --- supervision sessions ------------------------------------------------------------------


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual supervision")
    GROUP = "group", _("Group supervision")


class SupervisionSession(models.Model):
    """Supervision a supervising expert gave to their own trainees: when, how long, what
    about and what follows. Each trainee present has a ``SupervisionAttendance``, through
    which the hours are credited toward their practicum (``services.record_session``)."""

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_sessions_given",
        verbose_name=_("supervising expert"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SessionKind.choices)
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"),
        validators=[
            MinValueValidator(MIN_SESSION_MINUTES),
            MaxValueValidator(MAX_SESSION_MINUTES),
        ],
    )
    topics = _text_field(_("topics"), TOPICS_TEXT)
    follow_ups = _text_field(_("follow-ups"), FOLLOW_UPS_TEXT)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["expert", "date"])]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")

    def __str__(self) -> str:
        return f"supervision {self.pk} ({self.kind}, {self.date:%Y-%m-%d})"


class AttendanceResponse(models.TextChoices):
    PENDING = "pending", _("Waiting for the trainee")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


class SupervisionAttendance(models.Model):
    """One trainee present at a supervision session: the placement the hours were credited
    in, the credited practicum entry, and the trainee's answer (confirm or dispute; a
    dispute withdraws the credit)."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="attendances"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_attendances",
        verbose_name=_("trainee"),
    )
    placement = models.ForeignKey(
        "practicum.Placement",
        on_delete=models.PROTECT,
        related_name="supervision_attendances",
        verbose_name=_("placement"),
    )
    credited_entry = models.OneToOneField(
        "practicum.PracticumEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervision_attendance",
        verbose_name=_("credited hours"),
    )
    response = models.CharField(
        _("trainee's answer"),
        max_length=10,
        choices=AttendanceResponse.choices,
        default=AttendanceResponse.PENDING,
    )
    dispute_reason = _text_field(_("why it is disputed"), DISPUTE_TEXT.optional())
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="one_attendance_each")
        ]
        verbose_name = _("supervision attendance")
        verbose_name_plural = _("supervision attendances")

    def __str__(self) -> str:
        return f"attendance {self.pk} of supervision {self.session_id}"

    @property
    def credit_source(self) -> str:
        """The practicum's key for the hours credited from this attendance (one credit each)."""
        return f"supervision-attendance:{self.pk}"


# --- inspections and corrective actions ----------------------------------------------------


class Inspection(models.Model):
    """The leading group's inspection (督导检查) of a unit or of a district as a whole."""

    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("district or county"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("unit inspected"),
        help_text=_("Empty when the district as a whole was inspected."),
    )
    date = models.DateField(_("date"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections_made", verbose_name=_("inspectors")
    )
    summary = _text_field(_("summary"), SUMMARY_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"inspection {self.pk} ({self.date:%Y-%m-%d})"


class Finding(models.Model):
    """One finding of an inspection; it may carry one corrective action."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    text = _text_field(_("finding"), FINDING_TEXT)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"finding {self.pk} of inspection {self.inspection_id}"


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Evidence waiting for verification")
    VERIFIED = "verified", _("Verified")


class CorrectiveActionQuerySet(models.QuerySet):
    def overdue(self, day: datetime.date | None = None):
        """Past the deadline on ``day`` (today) and not verified: evidence waiting for the
        inspector does not stop the clock (the action is not closed until verified)."""
        day = day or timezone.localdate()
        return self.filter(deadline__lt=day).exclude(state=ActionState.VERIFIED)

    def not_verified(self):
        return self.exclude(state=ActionState.VERIFIED)


def evidence_path(instance, filename: str) -> str:
    """A path nobody chooses: a random name in the month's folder."""
    return f"supervision/evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class CorrectiveAction(models.Model):
    """A corrective action (整改) a finding asks for: what must be done, by whom, by when;
    the owner's evidence; the inspector's verification. Open → evidence submitted →
    verified, or back to open when the inspector returns it."""

    finding = models.OneToOneField(
        Finding, on_delete=models.CASCADE, related_name="corrective_action"
    )
    required = _text_field(_("what must be done"), ACTION_TEXT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("owner"),
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=ActionState.choices, default=ActionState.OPEN
    )
    evidence_note = _text_field(_("what was done"), EVIDENCE_TEXT.optional())
    evidence_file = models.FileField(
        _("evidence file"),
        upload_to=evidence_path,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    evidence_content_type = models.CharField(max_length=50, blank=True, editable=False)
    evidence_name = models.CharField(max_length=200, blank=True, editable=False)
    evidence_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification_note = _text_field(_("inspector's note"), VERIFY_TEXT)
    created_at = models.DateTimeField(_("set at"), default=timezone.now)
    # The owner's e-mails before and after the deadline: ``next_notice_at`` is when beat
    # next looks at this action (``services.send_due_notices``); the two stamps make each
    # e-mail once. Set by the services from the deadline, never typed.
    next_notice_at = models.DateTimeField(_("next reminder at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("told it is overdue at"), null=True, blank=True)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(
                fields=["deadline"], condition=~Q(state="verified"), name="action_open_deadline"
            ),
            models.Index(
                fields=["next_notice_at"],
                condition=Q(next_notice_at__isnull=False),
                name="action_notice_due",
            ),
        ]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self) -> str:
        return f"corrective action {self.pk} (due {self.deadline:%Y-%m-%d})"

    def is_overdue(self, day: datetime.date | None = None) -> bool:
        return self.state != ActionState.VERIFIED and self.deadline < (day or timezone.localdate())

    def days_overdue(self, day: datetime.date | None = None) -> int:
        return max(((day or timezone.localdate()) - self.deadline).days, 0)

    @property
    def reminder_at(self) -> datetime.datetime:
        """09:00 local time, ``REMINDER_DAYS`` before the deadline: the owner's reminder."""
        day = self.deadline - datetime.timedelta(days=reminder_days())
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))

    @property
    def overdue_at(self) -> datetime.datetime:
        """The first moment after the deadline day (local time): overdue from then on."""
        day = self.deadline + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))


DEFAULT_REMINDER_DAYS = 3


def reminder_days() -> int:
    """How many days before its deadline an open action's owner is reminded
    (``SUPERVISION_ACTION_REMINDER_DAYS``, default 3)."""
    return int(getattr(settings, "SUPERVISION_ACTION_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


# --- staged acceptance ---------------------------------------------------------------------


class Measure(models.TextChoices):
    """What a stage's criterion measures; the numbers come from the product's own figures
    (``supervision.measures``; the reports app provides them)."""

    CERTIFIED = "certified", _("Trainees certified (holding a valid certificate)")
    SESSIONS = "sessions_each_district", _("Sessions delivered in each district")
    COVERAGE = "coverage", _("Coverage of children in difficulty (%)")
    CHILDREN_REACHED = "children_reached", _("Children in difficulty reached since the start")


class Stage(ClusterableModel):
    """A stage of the programme (阶段) and its acceptance (验收): criteria measured from the
    product's figures, and the leading group's sign-off once they are met. Defined by
    administrators in the Wagtail admin (``services.create_stage``…); signed off in the site
    (``services.sign_off_stage``), after which it no longer changes."""

    name = models.CharField(
        _("name"),
        max_length=NAME_TEXT.max_length,
        validators=[TextValidator(NAME_TEXT.max_length, purpose=LABEL)],
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    starts_on = models.DateField(_("starts"))
    due_on = models.DateField(_("to be accepted by"))
    description = _text_field(_("description"), STAGE_TEXT)
    signed_off_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    sign_off_note = models.TextField(
        _("acceptance note"),
        max_length=STAGE_TEXT.max_length,
        blank=True,
        editable=False,
        validators=[TextValidator(STAGE_TEXT.max_length, multiline=True)],
    )
    # The measured values at the sign-off, as they were (criterion pk → value, target, met).
    sign_off_figures = models.JSONField(_("figures at acceptance"), default=dict, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("sort_order"),
        FieldPanel("starts_on"),
        FieldPanel("due_on"),
        FieldPanel("description"),
        InlinePanel("criteria", label=_("Criteria"), min_num=1),
    ]

    class Meta:
        ordering = ["sort_order", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="stage_due_after_start"
            )
        ]
        verbose_name = _("programme stage")
        verbose_name_plural = _("programme stages")

    def __str__(self) -> str:
        return self.name

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class StageCriterion(Orderable):
    """One criterion of a stage: a measure, its target, and the district it is measured in
    (empty: the whole city; for sessions, every district must reach the target)."""

    stage = ParentalKey(Stage, on_delete=models.CASCADE, related_name="criteria")
    measure = models.CharField(_("measure"), max_length=30, choices=Measure.choices)
    target = models.DecimalField(
        _("target"), max_digits=8, decimal_places=1, validators=[MinValueValidator(0)]
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district or county"),
        help_text=_("Empty: the whole city (sessions: every district)."),
    )

    panels = [FieldPanel("measure"), FieldPanel("target"), FieldPanel("district")]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.measure} ≥ {self.target}"


# --- publicity returns -----------------------------------------------------------------------


class PublicityForm(models.TextChoices):
    ARTICLE = "article", _("Article")
    VIDEO = "video", _("Video")
    POSTER = "poster", _("Poster")
    SOCIAL_POST = "social_post", _("Social media post")
    LEAFLET = "leaflet", _("Leaflet or handbook")
    BROADCAST = "broadcast", _("Radio or television")
    EVENT = "event", _("Publicity event")
    OTHER = "other", _("Other")


DEFAULT_MIN_FORMS = 3
DEFAULT_MIN_ITEMS = 5


class PublicityRule(models.Model):
    """How much publicity a unit must report in a month: at least ``min_forms`` different
    forms and ``min_items`` items. A rule holds from its month until a later one; before
    any rule, the programme's own (3 forms, 5 items). Administrators set it in the Wagtail
    admin (``services.create_publicity_rule``…)."""

    applies_from = models.DateField(
        _("from the month of"), unique=True, help_text=_("The first day of a month.")
    )
    min_forms = models.PositiveSmallIntegerField(
        _("at least this many forms"),
        default=DEFAULT_MIN_FORMS,
        validators=[MinValueValidator(1), MaxValueValidator(len(PublicityForm.values))],
    )
    min_items = models.PositiveSmallIntegerField(
        _("at least this many items"),
        default=DEFAULT_MIN_ITEMS,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-applies_from"]
        verbose_name = _("publicity rule")
        verbose_name_plural = _("publicity rules")

    def __str__(self) -> str:
        return f"{self.applies_from:%Y-%m}: {self.min_forms} / {self.min_items}"


def publicity_path(instance, filename: str) -> str:
    return f"supervision/publicity/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class PublicityItem(models.Model):
    """One piece of publicity a unit published in a month: its form, title and where it can
    be seen (a link, or a photo or PDF of it kept privately)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="publicity_items", verbose_name=_("unit")
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    form = models.CharField(_("form"), max_length=20, choices=PublicityForm.choices)
    title = models.CharField(
        _("title"),
        max_length=NAME_TEXT.max_length,
        validators=[TextValidator(NAME_TEXT.max_length, purpose=LABEL)],
    )
    published_on = models.DateField(_("published on"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("photo or PDF"),
        upload_to=publicity_path,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    content_type = models.CharField(max_length=50, blank=True, editable=False)
    original_name = models.CharField(max_length=200, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="publicity_uploads",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["period", "unit", "published_on", "pk"]
        indexes = [models.Index(fields=["period", "unit"])]
        verbose_name = _("publicity item")
        verbose_name_plural = _("publicity items")

    def __str__(self) -> str:
        return f"publicity {self.pk} ({self.form}, {self.period:%Y-%m})"
