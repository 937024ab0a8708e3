"""Dispatch planning: what the venues ask for, how a month is planned, what it costs, and
the qualifications external experts bring with them.

The lecturer corps (``lecturer_corps``) owns service requests, sessions and matching;
this app sits above it and adds:

* ``VenueRequest`` — a venue contact's own request (topic, audience, language, dates),
  triaged by a coordinator: accepted into planning (it then becomes one service request
  per date), sent back for changes, or declined with a reason;
* ``PlannedRequest`` — dispatch's facts about one service request: where it came from
  (a venue, an import, a copy of last month's, a coordinator) and whether it recurs
  every month (copy-forward copies those);
* ``Tariff`` and its ``TravelBand`` rows — the lecture fee per class hour and the travel
  subsidy by road distance or travel time, from a date on; ``Budget`` — a district's
  money for a month;
* ``PriorQualification`` — a qualification an expert holds from elsewhere (issuer,
  number, dates, scanned evidence), approved by a coordinator: it makes the holder
  eligible for the topics it covers until it expires (matching reads it through
  ``lecturer_corps.eligibility.provide_prior_qualifications``). It is never a certificate
  of this programme and never appears on the certificate verification page.

State changes go through ``dispatch.services`` (and ``costs``, ``planning``,
``prior_qualifications``); reads through ``dispatch.selectors``.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from accounts.models import Language
from lecturer_corps.topics import TOPIC_CHOICES, TOPICS_BY_CODE, Audience, topic_mask
from lms.age_bands import AgeBand

from .storage import private_storage

MAX_DATES = 6  # dates one venue request may ask for


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def last_of_month(day: datetime.date) -> datetime.date:
    return next_month(day) - datetime.timedelta(days=1)


# --- what the venues ask for -------------------------------------------------------------


class VenueRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the coordinator")
    CHANGES_REQUESTED = "changes_requested", _("Changes asked for")
    ACCEPTED = "accepted", _("Accepted into planning")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A venue contact may still edit (and resubmit) or withdraw a request in these states.
OPEN_VENUE_REQUEST_STATUSES = (
    VenueRequestStatus.SUBMITTED,
    VenueRequestStatus.CHANGES_REQUESTED,
)


class VenueRequestQuerySet(models.QuerySet):
    def in_scope(self, district):
        return self if district is None else self.filter(venue__district=district)


class VenueRequest(models.Model):
    """A session asked for by the venue itself, waiting for, or after, the coordinator's triage.

    One request names one topic for one audience at one time of day, on one or more
    dates (``dates``: ISO dates, sorted, at most ``MAX_DATES``). Accepting it makes one
    service request per date (a series when there are several). Counts only: never a
    child's name or identifying detail.
    """

    venue = models.ForeignKey(
        "places.Venue",
        on_delete=models.PROTECT,
        related_name="venue_requests",
        verbose_name=_("venue"),
    )
    contact = models.ForeignKey(
        "lecturer_corps.VenueContact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="venue_requests",
        verbose_name=_("venue contact"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    topic = models.CharField(_("topic"), max_length=20, choices=TOPIC_CHOICES)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    expected_size = models.PositiveSmallIntegerField(
        _("expected number of participants"),
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    dates = models.JSONField(_("dates"), default=list)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    class_hours = models.PositiveSmallIntegerField(
        _("class hours"), default=2, validators=[MinValueValidator(2), MaxValueValidator(4)]
    )
    monthly = models.BooleanField(
        _("every month"),
        default=False,
        help_text=_("The venue would like this session every month (copied forward)."),
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=1000,
        help_text=_("Practical details only; never a child's name or identifying details."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=VenueRequestStatus.choices,
        default=VenueRequestStatus.SUBMITTED,
        db_index=True,
    )
    revision = models.PositiveSmallIntegerField(
        _("revision"), default=1, help_text=_("Goes up each time the venue changes the request.")
    )
    coordinator_message = models.CharField(
        _("coordinator's message"),
        max_length=300,
        blank=True,
        help_text=_("What to change, or why it was declined."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triaged by"),
    )
    decided_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = VenueRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="venue_request_ends_after_start",
            )
        ]
        verbose_name = _("venue request")
        verbose_name_plural = _("venue requests")

    def __str__(self) -> str:
        return f"{self.topic_title} @ {self.venue_id} ({self.status})"

    @property
    def topic_title(self) -> str:
        topic = TOPICS_BY_CODE.get(self.topic)
        return topic.title if topic else self.topic

    @property
    def date_list(self) -> list[datetime.date]:
        days = []
        for value in self.dates or []:
            try:
                days.append(datetime.date.fromisoformat(value))
            except (TypeError, ValueError):
                continue
        return days

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_VENUE_REQUEST_STATUSES


# --- the month's plan ------------------------------------------------------------------------


class RequestSource(models.TextChoices):
    VENUE = "venue", _("Asked for by the venue")
    IMPORT = "import", _("Imported from a spreadsheet")
    COPY = "copy", _("Copied from the month before")
    COORDINATOR = "coordinator", _("Entered by a coordinator")


class PlannedRequest(models.Model):
    """Dispatch's facts about one service request: where it came from, whether it recurs.

    A request marked ``recurring`` is copied to the next month by copy-forward; the copy
    names its original in ``copied_from`` (one copy per original, so copying twice makes
    nothing new). Requests entered on the corps' own pages have no row until a
    coordinator marks one recurring.
    """

    service_request = models.OneToOneField(
        "lecturer_corps.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="plan",
        verbose_name=_("service request"),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=RequestSource.choices, default=RequestSource.COORDINATOR
    )
    recurring = models.BooleanField(
        _("every month"), default=False, help_text=_("Copied to the next month by copy-forward.")
    )
    copied_from = models.OneToOneField(
        "lecturer_corps.ServiceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copied_to",
        verbose_name=_("copied from"),
    )
    venue_request = models.ForeignKey(
        VenueRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_requests",
        verbose_name=_("venue request"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["service_request"]
        indexes = [models.Index(fields=["recurring"], name="planned_request_recurring")]
        verbose_name = _("planned request")
        verbose_name_plural = _("planned requests")

    def __str__(self) -> str:
        return f"plan of request {self.service_request_id}"


# --- costs ---------------------------------------------------------------------------------


class TravelBasis(models.TextChoices):
    DISTANCE = "distance", _("Road distance (km)")
    TIME = "time", _("Travel time (minutes)")


class Tariff(ClusterableModel):
    """The lecture fee and the travel subsidy, from ``effective_from`` until the next tariff.

    A session's fee is ``fee_per_class_hour × class hours``; its travel subsidy is the
    amount of the first band whose limit the trip is within (road kilometres from the
    lecturer's home to the venue, or minutes of travel, by ``basis``; a band without a
    limit takes every longer trip). A lecturer whose home is unknown gets
    ``unknown_location_subsidy``. Amounts in yuan.
    """

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("applies from"), unique=True)
    fee_per_class_hour = models.DecimalField(
        _("lecture fee per class hour"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    basis = models.CharField(
        _("travel subsidy by"),
        max_length=10,
        choices=TravelBasis.choices,
        default=TravelBasis.DISTANCE,
    )
    unknown_location_subsidy = models.DecimalField(
        _("subsidy when the lecturer's home is unknown"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"


class TravelBand(models.Model):
    """One step of a tariff's travel subsidy: trips up to ``up_to`` (km or minutes)."""

    tariff = ParentalKey(
        Tariff, on_delete=models.CASCADE, related_name="bands", verbose_name=_("tariff")
    )
    up_to = models.PositiveIntegerField(
        _("up to (km or minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: every trip longer than the other bands."),
    )
    subsidy = models.DecimalField(
        _("travel subsidy"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["pk"]  # read in limit order by ``costs`` (the open band last)
        constraints = [
            models.UniqueConstraint(fields=["tariff", "up_to"], name="travel_band_unique_limit"),
            models.UniqueConstraint(
                fields=["tariff"],
                condition=models.Q(up_to__isnull=True),
                name="travel_band_one_open_band",
            ),
        ]
        verbose_name = _("travel band")
        verbose_name_plural = _("travel bands")

    def __str__(self) -> str:
        return (
            f"≤ {self.up_to}: {self.subsidy}" if self.up_to is not None else f"> : {self.subsidy}"
        )


class Budget(models.Model):
    """A district's money for the sessions of one month (yuan)."""

    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        related_name="dispatch_budgets",
        verbose_name=_("district or county"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-month", "district__sort_order", "district__name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], name="one_budget_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="budget_month_first_day"),
        ]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self) -> str:
        return f"{self.district_id} {self.month:%Y-%m}: {self.amount}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the first day of the month.")})


# --- prior qualifications ---------------------------------------------------------------------


class PriorQualificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    REVOKED = "revoked", _("Approval withdrawn")


def evidence_path(instance, filename) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dispatch/prior-qualifications/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class PriorQualificationQuerySet(models.QuerySet):
    def approved_between(self, first_day: datetime.date, last_day: datetime.date):
        """Approved qualifications valid on some day of [first_day, last_day]."""
        return self.filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=first_day),
            status=PriorQualificationStatus.APPROVED,
            issued_on__lte=last_day,
        )


class PriorQualification(models.Model):
    """A qualification an external expert already holds (issued elsewhere, e.g. a national
    psychological counsellor's certificate), with its scanned evidence.

    Approved by a coordinator, it makes the holder eligible for the ``topics`` it covers
    from ``issued_on`` until ``expires_on`` (no end when empty): matching treats it as
    both the certificate and the course of those topics. It is shown as a qualification
    from elsewhere, never as a certificate of this programme.
    """

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="prior_qualifications",
        verbose_name=_("holder"),
    )
    title = models.CharField(_("qualification"), max_length=200)
    issuer = models.CharField(_("issued by"), max_length=200)
    number = models.CharField(_("certificate number"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Empty: it does not expire.")
    )
    topics = models.JSONField(_("topics it covers"), default=list)
    topic_bits = models.BigIntegerField(default=0, editable=False)
    evidence = models.FileField(
        _("scanned evidence"),
        upload_to=evidence_path,
        storage=private_storage,
        max_length=200,
    )
    evidence_type = models.CharField(max_length=40, editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PriorQualificationStatus.choices,
        default=PriorQualificationStatus.PENDING,
        db_index=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)

    objects = PriorQualificationQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("issued_on")),
                name="prior_qualification_expires_after_issue",
            ),
            # One record of a given certificate at a time (a rejected one may be recorded again).
            models.UniqueConstraint(
                fields=["issuer", "number"],
                condition=models.Q(status__in=("pending", "approved")),
                name="one_live_prior_qualification_per_number",
            ),
        ]
        verbose_name = _("prior qualification")
        verbose_name_plural = _("prior qualifications")

    def __str__(self) -> str:
        return f"{self.title} ({self.issuer} {self.number})"

    def save(self, *args, **kwargs):
        self.topic_bits = topic_mask(self.topics)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "topic_bits"}
        super().save(*args, **kwargs)

    @property
    def topic_list(self):
        return [TOPICS_BY_CODE[code] for code in self.topics or [] if code in TOPICS_BY_CODE]

    def is_valid_on(self, day: datetime.date) -> bool:
        return (
            self.status == PriorQualificationStatus.APPROVED
            and self.issued_on <= day
            and (self.expires_on is None or self.expires_on >= day)
        )
