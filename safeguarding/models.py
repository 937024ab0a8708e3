"""Child-safety concerns (告知督导) and the arrangements that route and escalate them.

A concern never holds a child's name or identifiers: its two free-text fields are
narrative text (``lms.textinput`` NARRATIVE), so the children's-data guard refuses
names, ID numbers, phone numbers and house-level addresses before anything is stored.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.textinput import NARRATIVE, TextPolicy, TextValidator

SEEN_TEXT = TextPolicy(2000, multiline=True, purpose=NARRATIVE)
"""What the reporter saw or heard (required; anonymised)."""
DONE_TEXT = TextPolicy(2000, multiline=True, required=False, purpose=NARRATIVE)
"""What the reporter has done so far (optional; anonymised)."""
STEP_NOTE = TextPolicy(1000, multiline=True, purpose=NARRATIVE)
"""The note on a referral or a closing (required; anonymised)."""

DEFAULT_URGENT_HOURS = 4
DEFAULT_OTHER_HOURS = 24


class Category(models.TextChoices):
    ABUSE_OR_NEGLECT = "abuse_neglect", _("Signs of abuse or neglect")
    SELF_HARM = "self_harm", _("Risk of self-harm")
    UNSAFE_HOME = "unsafe_home", _("Unsafe home")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent: the child may be in danger now")
    NOT_URGENT = "not_urgent", _("Not urgent")


class ConcernState(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class ReferredTo(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    SCHOOL = "school", _("School")
    POLICE = "police", _("Police")
    HOSPITAL = "hospital", _("Hospital")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    OTHER = "other", _("Other")


class EscalationStep(models.TextChoices):
    """Who a concern goes to next when nobody has acknowledged it in time."""

    DUTY_EXPERT = "duty_expert", _("The district's duty supervising expert")
    COORDINATORS = "coordinators", _("The district's coordinators")
    LEADING_GROUP = "leading_group", _("The leading group")
    ADMINISTRATORS = "administrators", _("Administrators")


DEFAULT_CHAIN = (
    EscalationStep.DUTY_EXPERT,
    EscalationStep.COORDINATORS,
    EscalationStep.LEADING_GROUP,
)


class SafeguardingArrangement(models.Model):
    """One district's arrangements: its duty supervising expert, how long a concern may
    wait for an acknowledgement, and whom it goes to next (set by an administrator in
    the Wagtail admin, through ``services.save_arrangement``). A district without a row
    uses the defaults (``Arrangement.for_district``)."""

    district = models.OneToOneField(
        "places.District",
        on_delete=models.CASCADE,
        related_name="safeguarding_arrangement",
        verbose_name=_("district or county"),
    )
    duty_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"groups__name": "supervisor", "is_active": True},
        verbose_name=_("duty supervising expert"),
        help_text=_("Receives the concerns of reporters who have no practicum supervisor."),
    )
    urgent_hours = models.PositiveSmallIntegerField(
        _("urgent: escalate after (hours)"),
        default=DEFAULT_URGENT_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )
    other_hours = models.PositiveSmallIntegerField(
        _("not urgent: escalate after (hours)"),
        default=DEFAULT_OTHER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    step_1 = models.CharField(
        _("first escalation"),
        max_length=20,
        choices=EscalationStep.choices,
        default=EscalationStep.DUTY_EXPERT,
    )
    step_2 = models.CharField(
        _("second escalation"),
        max_length=20,
        choices=EscalationStep.choices,
        blank=True,
        default=EscalationStep.COORDINATORS,
    )
    step_3 = models.CharField(
        _("third escalation"),
        max_length=20,
        choices=EscalationStep.choices,
        blank=True,
        default=EscalationStep.LEADING_GROUP,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["district__sort_order", "district__name"]
        verbose_name = _("safeguarding arrangement")
        verbose_name_plural = _("safeguarding arrangements")

    def __str__(self) -> str:
        return str(self.district)

    @property
    def chain(self) -> tuple[str, ...]:
        return tuple(step for step in (self.step_1, self.step_2, self.step_3) if step)

    def wait_for(self, urgency: str) -> datetime.timedelta:
        hours = self.urgent_hours if urgency == Urgency.URGENT else self.other_hours
        return datetime.timedelta(hours=hours)

    @classmethod
    def for_district(cls, district_id) -> SafeguardingArrangement:
        """The district's arrangement, or an unsaved one with the defaults."""
        found = cls.objects.select_related("duty_expert").filter(district_id=district_id).first()
        return found or cls(district_id=district_id)


class ConcernQuerySet(models.QuerySet):
    def waiting(self):
        """Raised and not yet acknowledged."""
        return self.filter(state=ConcernState.RAISED)

    def open(self):
        return self.exclude(state=ConcernState.CLOSED)

    def due_for_escalation(self, now=None):
        now = now or timezone.now()
        return self.filter(state=ConcernState.RAISED, next_escalation_at__lte=now)


class Concern(models.Model):
    """A child-safety concern a trainee or lecturer raised (告知督导), and what became of it.

    The state only moves forward: raised → acknowledged → referred → closed (a concern
    may be closed without a referral). Every step is a ``ConcernStep`` with its note and
    an audit record. ``next_escalation_at`` is when the beat task sends it further up the
    arrangement's chain if nobody has acknowledged it; None once acknowledged or when
    the chain is spent.
    """

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="raised_concerns",
        verbose_name=_("raised by"),
    )
    category = models.CharField(_("what kind of concern"), max_length=20, choices=Category.choices)
    urgency = models.CharField(_("how urgent"), max_length=12, choices=Urgency.choices)
    what_seen = models.TextField(
        _("what you saw or heard"),
        max_length=SEEN_TEXT.max_length,
        validators=[TextValidator(SEEN_TEXT.max_length, multiline=True)],
    )
    what_done = models.TextField(
        _("what you have done so far"),
        max_length=DONE_TEXT.max_length,
        blank=True,
        validators=[TextValidator(DONE_TEXT.max_length, multiline=True)],
    )
    venue = models.ForeignKey(
        "places.Venue",
        on_delete=models.PROTECT,
        related_name="safeguarding_concerns",
        verbose_name=_("where"),
    )
    # The venue's district when the concern was raised: routing, scope and the counts.
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        related_name="safeguarding_concerns",
        verbose_name=_("district or county"),
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ConcernState.choices,
        default=ConcernState.RAISED,
        db_index=True,
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    referred_to = models.CharField(
        _("referred to"), max_length=20, choices=ReferredTo.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    next_escalation_at = models.DateTimeField(_("escalates at"), null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_escalation_at"],
                condition=Q(state="raised"),
                name="concern_escalation_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True)
                | Q(acknowledged_at__gte=models.F("raised_at")),
                name="concern_acknowledged_after_raised",
                violation_error_message=_("A concern cannot be acknowledged before it was raised."),
            ),
        ]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")

    def __str__(self) -> str:
        # Codes only: the string reaches the audit log.
        return f"concern {self.pk} ({self.category}, {self.urgency})"


class StepKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    ESCALATED = "escalated", _("Escalated")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class ConcernStep(models.Model):
    """One step in a concern's history, with its note (append-only)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=12, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(
        _("note"),
        max_length=STEP_NOTE.max_length,
        blank=True,
        validators=[TextValidator(STEP_NOTE.max_length, multiline=True)],
    )
    referred_to = models.CharField(
        _("referred to"), max_length=20, choices=ReferredTo.choices, blank=True
    )
    escalation_step = models.CharField(
        _("sent to"), max_length=20, choices=EscalationStep.choices, blank=True
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("concern step")
        verbose_name_plural = _("concern steps")

    def __str__(self) -> str:
        return f"{self.kind} of concern {self.concern_id}"


class AlertReason(models.TextChoices):
    SUPERVISOR = "supervisor", _("Your trainee raised it")
    DUTY_EXPERT = "duty_expert", _("You are the district's duty supervising expert")
    COORDINATOR = "coordinator", _("You coordinate the district")
    ESCALATED = "escalated", _("Nobody acknowledged it in time")


class ConcernAlert(models.Model):
    """A concern sent to one person: the in-product notification (on their dashboard and
    in their concerns list), the e-mail (``emailed_at``) and their right to see it."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="alerts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="concern_alerts",
        verbose_name=_("recipient"),
    )
    reason = models.CharField(_("why"), max_length=12, choices=AlertReason.choices)
    level = models.PositiveSmallIntegerField(_("escalation"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "user"], name="one_alert_per_person")
        ]
        verbose_name = _("concern alert")
        verbose_name_plural = _("concern alerts")

    def __str__(self) -> str:
        return f"alert of concern {self.concern_id} → {self.user_id}"
