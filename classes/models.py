"""Face-to-face classes (集中面授): a class with a trainer, a place, a time and seats;
the people booked on it or waiting for a seat; and the rotating check-in codes the
trainer shows.

A class is either open to every trainee or for one cohort's members. Attending it earns
its ``hours`` (the linked course's class hours unless the coordinator says otherwise)
towards the certification requirement of kind "face-to-face class hours" it is linked to,
directly or through its course (``certification.requirements.ClassHoursAttended``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.textinput import LABEL, NOTE, REASON, TITLE, TextPolicy, TextValidator

ADDRESS = TITLE  # a free-text address when the class is not at a known venue (a label)
CLASS_NOTES = NOTE  # what to bring, where to meet: narrative (the children's-data guard runs)
CANCEL_REASON = REASON
# The signed code a scanned QR code carries (made by the server; a client sends it back).
CHECK_IN_CODE = TextPolicy(500, purpose=LABEL)


class Audience(models.TextChoices):
    OPEN = "open", _("Open to every trainee")
    COHORT = "cohort", _("Members of one cohort")


class ClassStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingClassQuerySet(models.QuerySet):
    def in_scope(self, district):
        """Classes a coordinator scoped to ``district`` manages (None = whole city)."""
        return self if district is None else self.filter(district=district)

    def scheduled(self):
        return self.filter(status=ClassStatus.SCHEDULED)


class TrainingClass(models.Model):
    """One face-to-face class: when, where, with whom, how many seats."""

    title = models.CharField(
        _("title"), max_length=200, validators=[TextValidator(200, purpose=LABEL)]
    )
    audience = models.CharField(
        _("who may sign up"), max_length=10, choices=Audience.choices, default=Audience.OPEN
    )
    cohort = models.ForeignKey(
        "courses.Cohort",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_classes",
        verbose_name=_("cohort"),
        help_text=_("For a cohort's class: only its members may sign up."),
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_classes",
        verbose_name=_("course"),
        help_text=_("Attending earns the course's class hours."),
    )
    requirement = models.ForeignKey(
        "certification.Requirement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_classes",
        limit_choices_to={"kind": "class_hours"},
        verbose_name=_("certification requirement"),
        help_text=_(
            "A requirement of kind 'face-to-face class hours' that attending counts towards."
        ),
    )
    hours = models.DecimalField(
        _("class hours earned"),
        max_digits=4,
        decimal_places=1,
        blank=True,  # the service fills it from the course
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("40"))],
        help_text=_("课时 a trainee earns by attending; empty = the course's class hours."),
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_classes",
        verbose_name=_("district or county"),
        help_text=_("The coordinators of this district manage the class; empty = city-wide."),
    )
    venue = models.ForeignKey(
        "places.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_classes",
        verbose_name=_("venue"),
    )
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        validators=[TextValidator(200, purpose=LABEL)],
        help_text=_("Where the class meets when it is not at a known venue."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="classes_trained",
        verbose_name=_("trainer"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    notes = models.TextField(
        _("notes for trainees"),
        blank=True,
        validators=[TextValidator(CLASS_NOTES.max_length, multiline=True)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClassStatus.choices, default=ClassStatus.SCHEDULED
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(
        _("reason for cancelling"),
        blank=True,
        validators=[TextValidator(CANCEL_REASON.max_length, multiline=True)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("face-to-face class")
        verbose_name_plural = _("face-to-face classes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_class_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="training_class_has_a_seat"
            ),
            models.CheckConstraint(
                condition=models.Q(venue__isnull=False) | ~models.Q(address=""),
                name="training_class_has_a_place",
            ),
        ]
        indexes = [models.Index(fields=["trainer", "starts_at"], name="class_trainer_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def place(self) -> str:
        return self.venue.name if self.venue_id else self.address

    @property
    def is_cancelled(self) -> bool:
        return self.status == ClassStatus.CANCELLED


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("Scanned the trainer's code")
    TRAINER = "trainer", _("Marked by the trainer")


class Booking(models.Model):
    """A person's place on a class: booked, waiting (in ``queued_at`` order) or cancelled.

    One row per person and class; signing up again after cancelling reuses it (and
    joins the end of the waiting list if the class is full)."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_bookings"
    )
    status = models.CharField(max_length=10, choices=BookingStatus.choices)
    queued_at = models.DateTimeField(_("signed up at"))
    booked_at = models.DateTimeField(_("seat confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended_at = models.DateTimeField(_("attended (checked in) at"), null=True, blank=True)
    check_in_method = models.CharField(
        max_length=10, choices=CheckInMethod.choices, blank=True, default=""
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_sent_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("class booking")
        verbose_name_plural = _("class bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "user"], name="one_booking_per_person_and_class"
            ),
            models.CheckConstraint(
                condition=models.Q(attended_at__isnull=True) | models.Q(status="booked"),
                name="only_a_booked_seat_attends",
            ),
        ]
        indexes = [
            models.Index(fields=["training_class", "status", "queued_at"], name="booking_queue"),
            models.Index(fields=["user", "attended_at"], name="booking_attended"),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id} · {self.user_id} · {self.status}"

    @property
    def attended(self) -> bool:
        return self.attended_at is not None


class CheckInCode(models.Model):
    """One code the trainer's screen showed: a nonce, spent by the first person who
    checks in with it (``lms.signed_tokens.claim_once``). The signed token shown in the
    QR code carries the class, the 30-second window and this nonce; the row makes it
    single-use and records who used it."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="check_in_codes"
    )
    nonce = models.CharField(max_length=32, unique=True)
    window = models.BigIntegerField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["issued_at", "pk"]
        indexes = [
            models.Index(fields=["training_class", "expires_at"], name="check_in_code_class")
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id} · {self.window}"
