"""The lecturer corps: venues, lecturers, service requests, sessions and their delivery.

A service request (a venue asks for one curriculum topic at a date and time) is
filled by sessions: one per lecturer, from proposal to verification. State changes
go through ``lecturer_corps.services``; matching and figures are in ``selectors``.
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

from accounts.models import Language
from lms.age_bands import AGE_BANDS, AgeBand
from places.models import Venue, VenueType

from .storage import private_storage
from .topics import TOPIC_CHOICES, TOPICS_BY_CODE, Audience, audiences_for, topic_mask

# --- Lecturers ----------------------------------------------------------------


class DayPeriod(models.IntegerChoices):
    """A lecturer states availability by half-day blocks: simple on a phone, fast to match."""

    MORNING = 0, _("Morning (before 12:00)")
    AFTERNOON = 1, _("Afternoon (12:00–18:00)")
    EVENING = 2, _("Evening (after 18:00)")


WEEKDAY_LABELS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
PERIOD_BOUNDARIES = [(0, 12 * 60), (12 * 60, 18 * 60), (18 * 60, 24 * 60)]  # minutes of the day
# Every weekday morning and afternoon.
DEFAULT_AVAILABILITY = sum(1 << (day * 3 + period) for day in range(5) for period in (0, 1))


def availability_bit(weekday: int, period: int) -> int:
    return 1 << (weekday * 3 + period)


def availability_needed(weekday: int, start_minute: int, end_minute: int) -> int:
    """The availability bits a session on ``weekday`` from start to end minute touches."""
    mask = 0
    for period, (low, high) in enumerate(PERIOD_BOUNDARIES):
        if start_minute < high and end_minute > low:
            mask |= availability_bit(weekday, period)
    return mask


LANGUAGE_BITS = {Language.MANDARIN: 1, Language.UYGHUR: 2}
VENUE_TYPE_BITS = {code: 1 << index for index, code in enumerate(VenueType.values)}


def language_mask(codes) -> int:
    return sum(LANGUAGE_BITS.get(code, 0) for code in set(codes or ()))


def venue_type_mask(codes) -> int:
    return sum(VENUE_TYPE_BITS.get(code, 0) for code in set(codes or ()))


class LecturerProfileQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)

    def in_scope(self, district):
        return self if district is None else self.filter(district=district)


class LecturerProfile(models.Model):
    """What a corps member teaches, where they live and when they can go.

    Being a lecturer also needs a valid certificate of the right kind on the session
    date and the topic's course completed; matching checks those live
    (``lecturer_corps.eligibility``), never a copy stored here.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lecturer_profile",
        verbose_name=_("lecturer"),
    )
    topics = models.JSONField(
        _("topics"), default=list, blank=True, help_text=_("Curriculum topics they offer.")
    )
    languages = models.JSONField(
        _("teaching languages"), default=list, blank=True, help_text=_("Codes: zh, ug.")
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lecturer_profiles",
        verbose_name=_("home district or county"),
    )
    township = models.ForeignKey(
        "places.Township",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lecturer_profiles",
        verbose_name=_("home township"),
    )
    latitude = models.DecimalField(
        _("home latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("home longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    weekly_availability = models.PositiveIntegerField(
        _("weekly availability"),
        default=DEFAULT_AVAILABILITY,
        help_text=_("Bit mask: bit (weekday × 3 + period) set when available."),
    )
    monthly_cap = models.PositiveSmallIntegerField(
        _("sessions per month at most"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    preferred_venue_types = models.JSONField(
        _("preferred venue types"),
        default=list,
        blank=True,
        help_text=_("Empty = no preference."),
    )
    max_travel_km = models.PositiveSmallIntegerField(
        _("preferred travel distance at most (km)"),
        null=True,
        blank=True,
        help_text=_("A preference, not a rule: farther requests are ranked lower."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Paused lecturers are not proposed.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Bit masks of topics, languages and preferred venue types, kept in step by
    # ``save`` (and ``refresh_bits`` before a bulk insert): matching reads these integers
    # for thousands of lecturers instead of decoding their JSON lists.
    topic_bits = models.BigIntegerField(default=0, editable=False)
    language_bits = models.PositiveSmallIntegerField(default=0, editable=False)
    venue_type_bits = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = LecturerProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("lecturer profile")
        verbose_name_plural = _("lecturer profiles")

    def __str__(self) -> str:
        return str(self.user)

    def save(self, *args, **kwargs):
        self.refresh_bits()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "topic_bits",
                "language_bits",
                "venue_type_bits",
            }
        super().save(*args, **kwargs)

    def refresh_bits(self) -> None:
        self.topic_bits = topic_mask(self.topics)
        self.language_bits = language_mask(self.languages)
        self.venue_type_bits = venue_type_mask(self.preferred_venue_types)

    def clean(self):
        unknown = [code for code in self.topics or [] if code not in TOPICS_BY_CODE]
        if unknown:
            raise ValidationError({"topics": _("Unknown topic codes: %s") % ", ".join(unknown)})
        bad = [code for code in self.languages or [] if code not in Language.values]
        if bad:
            raise ValidationError({"languages": _("Unknown language codes: %s") % ", ".join(bad)})
        bad = [code for code in self.preferred_venue_types or [] if code not in VenueType.values]
        if bad:
            raise ValidationError(
                {"preferred_venue_types": _("Unknown venue types: %s") % ", ".join(bad)}
            )
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def topic_list(self):
        return [TOPICS_BY_CODE[code] for code in self.topics or [] if code in TOPICS_BY_CODE]

    def is_available(self, weekday: int, period: int) -> bool:
        return bool(self.weekly_availability & availability_bit(weekday, period))

    def coordinates(self):
        """Home coordinates, falling back to the township's."""
        if self.latitude is not None and self.longitude is not None:
            return float(self.latitude), float(self.longitude)
        if self.township_id and self.township.latitude is not None:
            return float(self.township.latitude), float(self.township.longitude)
        return None


class UnavailablePeriod(models.Model):
    """Dates a lecturer cannot go (leave, training, exams), both ends included."""

    profile = models.ForeignKey(
        LecturerProfile,
        on_delete=models.CASCADE,
        related_name="unavailable_periods",
        verbose_name=_("lecturer"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="unavailable_period_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            )
        ]
        verbose_name = _("unavailable period")
        verbose_name_plural = _("unavailable periods")

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"


# --- Requests and sessions -------------------------------------------------------


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROPOSED = "proposed", _("Proposed to a lecturer")
    ACCEPTED = "accepted", _("Accepted, waiting for more lecturers")
    CONFIRMED = "confirmed", _("Confirmed")
    DELIVERED = "delivered", _("Delivered")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")
    RESCHEDULED = "rescheduled", _("Rescheduled")


OPEN_REQUEST_STATUSES = (RequestStatus.REQUESTED, RequestStatus.PROPOSED, RequestStatus.ACCEPTED)
CLASS_HOUR_MINUTES = 45


class ServiceRequestQuerySet(models.QuerySet):
    def in_scope(self, district):
        """Requests a coordinator scoped to ``district`` may see (None = whole city)."""
        return self if district is None else self.filter(venue__district=district)

    def open(self):
        return self.filter(status__in=OPEN_REQUEST_STATUSES)


class ServiceRequest(models.Model):
    """A venue asks for a session of one curriculum topic at a date and time.

    The session occupies the whole time window, which must hold the class hours
    (45 minutes each). A series (e.g. six weekly caregiver sessions) shares ``series``.
    No child's name or identifying detail is ever written here: counts only.
    """

    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("venue")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=TOPIC_CHOICES, db_index=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    expected_size = models.PositiveSmallIntegerField(
        _("expected number of participants"), validators=[MinValueValidator(1)]
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    date = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    class_hours = models.PositiveSmallIntegerField(
        _("class hours"), default=2, validators=[MinValueValidator(2), MaxValueValidator(4)]
    )
    lecturers_needed = models.PositiveSmallIntegerField(
        _("lecturers needed"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    starts_at = models.DateTimeField(_("starts"), editable=False, db_index=True)
    ends_at = models.DateTimeField(_("ends"), editable=False)
    series = models.UUIDField(_("series"), null=True, blank=True, db_index=True)
    series_index = models.PositiveSmallIntegerField(_("number in series"), default=1)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.REQUESTED,
        db_index=True,
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=1000,
        help_text=_("Practical details only; never a child's name or identifying details."),
    )
    materials = models.TextField(
        _("materials"),
        blank=True,
        max_length=500,
        help_text=_("What the venue provides and what the lecturer brings (e.g. coloured pens)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    rescheduled_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rescheduled_from",
        verbose_name=_("rescheduled to"),
    )

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="service_request_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            )
        ]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")

    def __str__(self) -> str:
        return f"{self.date} {self.topic_title} @ {self.venue}"

    def save(self, *args, **kwargs):
        self.compute_times()
        super().save(*args, **kwargs)

    @property
    def topic_obj(self):
        return TOPICS_BY_CODE.get(self.topic)

    @property
    def topic_title(self) -> str:
        topic = self.topic_obj
        return topic.title if topic else self.topic

    @property
    def qualification(self) -> str | None:
        topic = self.topic_obj
        return topic.qualification if topic else None

    def compute_times(self) -> None:
        zone = timezone.get_default_timezone()
        self.starts_at = timezone.make_aware(
            datetime.datetime.combine(self.date, self.start_time), zone
        )
        self.ends_at = timezone.make_aware(
            datetime.datetime.combine(self.date, self.end_time), zone
        )

    @property
    def window_minutes(self) -> int:
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        return end - start

    def clean(self):
        errors = {}
        topic = self.topic_obj
        if topic is not None and self.audience and self.audience not in audiences_for(topic):
            errors["audience"] = _("“%(topic)s” is for %(audiences)s, not for this audience.") % {
                "topic": topic.title,
                "audiences": ", ".join(str(Audience(a).label) for a in audiences_for(topic)),
            }
        if self.start_time and self.end_time:
            if self.end_time <= self.start_time:
                errors["end_time"] = _("The session must end after it starts.")
            elif self.class_hours and self.window_minutes < self.class_hours * CLASS_HOUR_MINUTES:
                errors["end_time"] = _(
                    "%(hours)s class hours need at least %(minutes)s minutes."
                ) % {"hours": self.class_hours, "minutes": self.class_hours * CLASS_HOUR_MINUTES}
        if (
            self.venue_id
            and self.expected_size
            and self.venue.capacity
            and self.expected_size > self.venue.capacity
        ):
            errors["expected_size"] = _(
                "The venue holds %(capacity)s people; %(size)s are expected."
            ) % {"capacity": self.venue.capacity, "size": self.expected_size}
        if self.audience == Audience.CHILDREN and not self.age_band:
            errors["age_band"] = _("Give the children's age band.")
        if errors:
            raise ValidationError(errors)


class SessionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer in time")
    CONFIRMED = "confirmed", _("Confirmed")
    DELIVERED = "delivered", _("Delivered")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


# Sessions that hold the lecturer's time (the database's no-double-booking rule uses these).
LIVE_SESSION_STATUSES = (
    SessionStatus.PROPOSED,
    SessionStatus.ACCEPTED,
    SessionStatus.CONFIRMED,
    SessionStatus.DELIVERED,
    SessionStatus.VERIFIED,
)
# Sessions that count toward a lecturer's monthly cap and workload.
LOAD_SESSION_STATUSES = LIVE_SESSION_STATUSES


class SessionQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_SESSION_STATUSES)

    def in_scope(self, district):
        return self if district is None else self.filter(request__venue__district=district)


class Session(models.Model):
    """One lecturer's assignment to one service request, from proposal to verification."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("service request"),
    )
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corps_sessions",
        verbose_name=_("lecturer"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SessionStatus.choices,
        default=SessionStatus.PROPOSED,
        db_index=True,
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    response_deadline = models.DateTimeField(_("answer by"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    match_reasons = models.JSONField(_("why this lecturer"), default=list, blank=True)
    match_cost = models.FloatField(_("matching cost"), null=True, blank=True)
    certificate_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "lecturer"],
                condition=models.Q(status__in=LIVE_SESSION_STATUSES),
                name="one_live_session_per_request_lecturer",
                violation_error_message=_(
                    "This lecturer is already proposed for or assigned to this request."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["lecturer", "starts_at"], name="session_lecturer_time"),
            # Matching reads the sessions around a few days (ends after the window opens,
            # starts before it closes); nearly all sessions have ended long before, so an
            # index on the end finds the few that matter instead of scanning them all.
            models.Index(fields=["ends_at"], name="session_ends_at"),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.request} · {self.lecturer}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_SESSION_STATUSES

    @property
    def can_respond(self) -> bool:
        return self.status == SessionStatus.PROPOSED and timezone.now() <= self.response_deadline

    @property
    def has_ended(self) -> bool:
        return timezone.now() >= self.ends_at


# --- Delivery -------------------------------------------------------------------


def sign_in_sheet_path(instance, filename) -> str:
    return f"lecturer_corps/sign-in/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class ChildGroup(models.TextChoices):
    """Whom the children counted at a session were. A child is counted once: under the
    first category of difficulty that applies, in this order, or as another child."""

    ORPHAN = "orphan", _("Orphans")
    DISABILITY = "disability", _("Children with disabilities")
    ILLNESS = "illness", _("Children with serious illness")
    LEFT_BEHIND = "left_behind", _("Left-behind children")
    POOR_FAMILY = "poor_family", _("Children of poor families")
    OTHER_DIFFICULTY = "other_difficulty", _("Other children in difficulty")
    OTHER = "other", _("Other children")


CHILD_GROUPS_IN_DIFFICULTY = tuple(g for g in ChildGroup.values if g != ChildGroup.OTHER)


class ReportState(models.TextChoices):
    FILED = "filed", _("Waiting for confirmation")
    RETURNED = "returned", _("Returned for correction")
    VERIFIED = "verified", _("Verified")


class DeliveryReport(models.Model):
    """What happened at a delivered session: counts only, never names.

    Children are counted by group (``ChildGroup``) and age band (``lms.age_bands``) in
    ``child_counts``; ``children_count`` and ``children_in_difficulty_count`` are their
    totals, kept in step by the services that write the breakdown. Reports filed before
    the breakdown existed have totals only (every child counted as in difficulty, as
    coverage always counted them). Sign-in sheet photos are no longer collected nor
    shown; the ones stored before are deleted by privacy's evidence retention
    (docs/data-protection.md).
    """

    session = models.OneToOneField(
        Session,
        on_delete=models.CASCADE,
        related_name="delivery_report",
        verbose_name=_("session"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.FILED
    )
    revision = models.PositiveSmallIntegerField(
        _("revision"), default=1, help_text=_("Goes up each time the lecturer corrects it.")
    )
    children_count = models.PositiveIntegerField(_("children"), default=0)
    children_in_difficulty_count = models.PositiveIntegerField(
        _("children in difficulty"), default=0
    )
    caregivers_count = models.PositiveIntegerField(_("caregivers"), default=0)
    teachers_count = models.PositiveIntegerField(_("teachers"), default=0)
    others_count = models.PositiveIntegerField(_("other adults"), default=0)
    actual_minutes = models.PositiveSmallIntegerField(
        _("actual duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    sign_in_sheet = models.FileField(
        _("sign-in sheet photo (no longer collected)"),
        upload_to=sign_in_sheet_path,
        storage=private_storage,
        blank=True,
        editable=False,
        max_length=200,
    )
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    confirmed_by_contact = models.ForeignKey(
        "lecturer_corps.VenueContact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by the venue contact"),
    )

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")

    def __str__(self) -> str:
        return f"{self.session} ({self.person_times})"

    @property
    def person_times(self) -> int:
        """Person-times (人次) this session served: everyone counted, once."""
        return self.children_count + self.caregivers_count + self.teachers_count + self.others_count

    @property
    def other_children_count(self) -> int:
        return self.children_count - self.children_in_difficulty_count

    def child_count_table(self) -> list[dict]:
        """The breakdown as rows (one per group with any child), each with a count per
        age band and a total; empty for a report filed before the breakdown existed."""
        counts = {(row.group, row.age_band): row.count for row in self.child_counts.all()}
        rows = []
        for group, label in ChildGroup.choices:
            cells = [counts.get((group, band), 0) for band in AGE_BANDS]
            if any(cells):
                rows.append({"group": group, "label": label, "cells": cells, "total": sum(cells)})
        return rows


class ChildAttendance(models.Model):
    """How many children of one group and one age band a report counts (never who)."""

    report = models.ForeignKey(
        DeliveryReport,
        on_delete=models.CASCADE,
        related_name="child_counts",
        verbose_name=_("delivery report"),
    )
    group = models.CharField(_("group"), max_length=20, choices=ChildGroup.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("children"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["report", "group", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "group", "age_band"], name="one_child_count_per_cell"
            ),
            models.CheckConstraint(
                condition=models.Q(count__gte=1),
                name="child_count_positive",
                violation_error_message=_("A count of children must be at least 1."),
            ),
        ]
        verbose_name = _("children counted")
        verbose_name_plural = _("children counted")

    def __str__(self) -> str:
        return f"{self.group} {self.age_band}: {self.count}"


# --- Venue contacts and their confirmations ------------------------------------------


class VenueContact(models.Model):
    """The adult who answers for a venue: a head teacher, a community worker.

    They confirm delivery reports by a link sent to them (no account needed). ``user``
    is an optional account for the later venue login; a contact whose account or
    e-mail is the lecturer's own is never asked to confirm that lecturer's session.
    """

    venue = models.ForeignKey(
        "places.Venue",
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("venue"),
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="venue_contact",
        verbose_name=_("account"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["venue", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phone="") | ~models.Q(email=""),
                name="venue_contact_reachable",
                violation_error_message=_("Give the contact's phone number or e-mail address."),
            )
        ]
        verbose_name = _("venue contact")
        verbose_name_plural = _("venue contacts")

    def __str__(self) -> str:
        return self.name


class VenueConfirmation(models.Model):
    """One confirmation link sent to one contact for one revision of one report.

    The link carries a signed token (``lms.signed_tokens``) naming this row and its
    ``nonce``; the row makes it single-use (``used_at``) and lets a correction of the
    report withdraw it (``withdrawn_at``).
    """

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Counts disputed")

    report = models.ForeignKey(
        DeliveryReport,
        on_delete=models.CASCADE,
        related_name="venue_confirmations",
        verbose_name=_("delivery report"),
    )
    contact = models.ForeignKey(
        VenueContact,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("venue contact"),
    )
    revision = models.PositiveSmallIntegerField(_("report revision"))
    nonce = models.CharField(max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    outcome = models.CharField(_("answer"), max_length=12, choices=Outcome.choices, blank=True)
    dispute_note = models.CharField(_("what is not right"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("venue confirmation")
        verbose_name_plural = _("venue confirmations")

    def __str__(self) -> str:
        return f"confirmation {self.pk} of report {self.report_id}"


# --- Notifications and calendar ----------------------------------------------------


class Notification(models.Model):
    """An in-site message. Its text is rendered from ``kind`` and ``params`` in the
    reader's language (see ``lecturer_corps.notifications``), so it is never stored
    in one language only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="corps_notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class CalendarToken(models.Model):
    """A secret that opens one lecturer's iCalendar feed. Only its SHA-256 digest is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_tokens",
        verbose_name=_("lecturer"),
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return f"calendar token {self.pk} of {self.user_id}"
