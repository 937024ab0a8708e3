"""Certification: qualification types, their requirements, and the certificates issued.

A certificate is what makes a trainee a lecturer, so its identity is fixed at issue:
the serial, the verification code and the snapshot of what was achieved never change.
A correction (reissue) is a new *version* of the same serial; a renewal is a new
certificate (new serial) linked to the one it renews. See docs/certificates.md.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IssueMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatically when all requirements are met")
    APPROVAL = "approval", _("After a coordinator's approval")


class CertificationType(models.Model):
    """A qualification the programme certifies (psychological counsellor, family-education instructor).

    ``code`` is the qualification code other apps use (courses' target qualifications,
    practicum requirements): ``counsellor`` and ``family_educator``.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    serial_prefix = models.CharField(
        _("serial prefix"),
        max_length=6,
        unique=True,
        help_text=_("Upper-case letters that start every serial, e.g. PC for PC-2027-000123."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_ug = models.CharField(_("name (Uyghur)"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    issuing_authority = models.CharField(_("issuing authority (Chinese)"), max_length=150)
    issuing_authority_en = models.CharField(_("issuing authority (English)"), max_length=200)
    issuing_authority_ug = models.CharField(
        _("issuing authority (Uyghur)"), max_length=200, blank=True
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        default=36,
        help_text=_("How long a certificate is valid; 0 means it never expires."),
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal window (days)"),
        default=90,
        help_text=_("How many days before expiry a holder may renew."),
    )
    issue_mode = models.CharField(
        _("issuing"), max_length=20, choices=IssueMode.choices, default=IssueMode.APPROVAL
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("certification type")
        verbose_name_plural = _("certification types")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.serial_prefix and not (
            self.serial_prefix.isascii()
            and self.serial_prefix.isalpha()
            and self.serial_prefix.isupper()
        ):
            raise ValidationError({"serial_prefix": _("Use upper-case Latin letters only.")})

    def expiry_for(self, valid_from: datetime.date) -> datetime.date | None:
        """The last valid day of a certificate that starts on ``valid_from``."""
        if not self.validity_months:
            return None
        month_index = valid_from.month - 1 + self.validity_months
        year, month = valid_from.year + month_index // 12, month_index % 12 + 1
        day = min(valid_from.day, _days_in_month(year, month))
        return datetime.date(year, month, day) - datetime.timedelta(days=1)


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


def validate_signature_image(file) -> None:
    """Signatures are PNG or JPEG pictures under 1 MB, checked by content, not by name."""
    from lms.uploads import JPEG, PNG, check_upload

    check_upload(
        file,
        accept={PNG, JPEG},
        max_bytes=1024 * 1024,
        type_message=_("Upload a PNG or JPEG picture of the signature."),
        clean_images=False,
    )


class Signatory(models.Model):
    """A person whose signature is printed on a certification type's certificates."""

    certification = models.ForeignKey(
        CertificationType,
        on_delete=models.CASCADE,
        related_name="signatories",
        verbose_name=_("certification type"),
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title (Chinese)"), max_length=150)
    title_en = models.CharField(_("title (English)"), max_length=150, blank=True)
    signature = models.ImageField(
        _("signature image"),
        upload_to="certification/signatures/",
        validators=[validate_signature_image],
        help_text=_("PNG or JPEG, transparent or white background, under 1 MB."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.name} ({self.title})"


class RequirementStage(models.TextChoices):
    INITIAL = "initial", _("To be certified")
    RENEWAL = "renewal", _("To renew")


class RequirementKind(models.TextChoices):
    """Each kind is evaluated by one evaluator in ``certification.requirements``."""

    COURSES_COMPLETED = "courses_completed", _("Required courses completed")
    QUIZZES_PASSED = "quizzes_passed", _("Required quizzes passed")
    PRACTICUM_HOURS = "practicum_hours", _("Practicum requirements met")
    FINAL_EVALUATION = "final_evaluation", _("Final competency evaluation passed")
    CONTINUING_EDUCATION = "continuing_education", _("Continuing-education hours")
    SESSIONS_DELIVERED = "sessions_delivered", _("Sessions delivered as a lecturer")
    CLASS_HOURS = "class_hours", _("Face-to-face class hours attended")


class Requirement(models.Model):
    """One condition for certification or renewal, editable by administrators.

    ``targets`` lists the ids the kind works on (course page ids, quiz ids); empty
    means the kind's default (e.g. every course whose target qualification is this
    certification's code). ``minimum`` is a count or a number of hours.
    """

    certification = models.ForeignKey(
        CertificationType,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("certification type"),
    )
    stage = models.CharField(
        _("stage"),
        max_length=10,
        choices=RequirementStage.choices,
        default=RequirementStage.INITIAL,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=RequirementKind.choices)
    minimum = models.DecimalField(
        _("minimum"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Hours or count needed; empty = all targets / the kind's default."),
    )
    targets = models.JSONField(
        _("targets"),
        default=list,
        blank=True,
        help_text=_("Ids of the courses or quizzes concerned; empty = the kind's default."),
    )
    label = models.CharField(
        _("label"), max_length=150, blank=True, help_text=_("Shown instead of the kind's name.")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["certification", "stage", "sort_order", "pk"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return self.label or self.get_kind_display()

    def clean(self):
        if not isinstance(self.targets, list) or not all(
            isinstance(item, int | str) for item in self.targets
        ):
            raise ValidationError({"targets": _("Give a list of ids, e.g. [12, 15].")})
        if self.minimum is not None and self.minimum < 0:
            raise ValidationError({"minimum": _("The minimum cannot be negative.")})


class SerialCounter(models.Model):
    """The last serial number handed out for a prefix and year.

    Locked with SELECT … FOR UPDATE in the transaction that creates the certificate, so
    numbers have no gaps (a failed issue rolls the increment back) and no duplicates.
    """

    prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_serial_counter")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class StatusList(models.Model):
    """A Bitstring Status List (W3C) the site publishes; each certificate owns one bit.

    The bits are not stored: a bit is 1 when its certificate is revoked or superseded,
    so the published list is always derived from the certificates themselves.
    """

    purpose = models.CharField(max_length=20, default="revocation")
    size = models.PositiveIntegerField(default=131072)
    next_index = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"status list {self.pk} ({self.next_index}/{self.size})"


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded by a reissued version")


class CertificateQuerySet(models.QuerySet):
    def current(self):
        """Certificates that are not superseded by a newer version."""
        return self.exclude(status=CertificateStatus.SUPERSEDED)

    def valid_on(self, day: datetime.date):
        return self.filter(status=CertificateStatus.ACTIVE, valid_from__lte=day).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=day)
        )

    def in_scope(self, district):
        """Certificates a coordinator scoped to ``district`` may see (None = whole city)."""
        return self if district is None else self.filter(holder__district=district)


class Certificate(models.Model):
    """One issued certificate (one version of it).

    ``cycle`` 0 is the first certification; each renewal adds one. ``version`` counts
    reissues of the same serial (a name correction); the older version is superseded.
    """

    certification = models.ForeignKey(
        CertificationType,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("certification type"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    cycle = models.PositiveSmallIntegerField(_("certification cycle"), default=0)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    serial = models.CharField(_("serial number"), max_length=32, db_index=True)
    verification_code = models.CharField(_("verification code"), max_length=40, unique=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ACTIVE,
        db_index=True,
    )
    holder_name = models.CharField(_("holder's name as printed"), max_length=100)
    holder_languages = models.JSONField(_("holder's languages"), default=list, blank=True)
    snapshot = models.JSONField(_("achievement at issue"), default=dict, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    previous_version = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    renews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_list_index = models.PositiveIntegerField()
    expiry_recorded = models.BooleanField(default=False)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True, max_length=200)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "holder", "cycle", "version"],
                name="one_certificate_per_holder_cycle_version",
            ),
            models.UniqueConstraint(fields=["serial", "version"], name="unique_serial_version"),
            models.UniqueConstraint(
                fields=["status_list", "status_list_index"], name="unique_status_list_index"
            ),
        ]
        permissions = [
            ("issue_certificate", _("Can issue certificates")),
            ("revoke_certificate", _("Can revoke and reissue certificates")),
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.display_serial

    @property
    def display_serial(self) -> str:
        return self.serial if self.version == 1 else f"{self.serial}-v{self.version}"

    @property
    def version_serial(self) -> str:
        """The serial naming this version exactly, even the first (``PC-2027-000123-v1``):
        a bare serial opens the newest version, so a list of every version links with this."""
        return f"{self.serial}-v{self.version}"

    @property
    def list_state(self) -> str:
        """The state a list shows: ``superseded`` for a version a reissue replaced, else
        ``state`` (valid / expired / revoked / not_yet_valid)."""
        if self.status == CertificateStatus.SUPERSEDED:
            return "superseded"
        return self.state

    def state_on(self, day: datetime.date | None = None) -> str:
        """valid / expired / revoked / not_yet_valid (superseded counts as revoked)."""
        day = day or timezone.localdate()
        if self.status != CertificateStatus.ACTIVE:
            return "revoked"
        if self.valid_from > day:
            return "not_yet_valid"
        if self.expires_on is not None and self.expires_on < day:
            return "expired"
        return "valid"

    @property
    def state(self) -> str:
        return self.state_on()

    def verification_url(self) -> str:
        return f"{settings.SITE_URL}/verify/{self.verification_code}/"


class IssueRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class IssueRequest(models.Model):
    """A trainee who met every requirement of a type that is issued after approval."""

    certification = models.ForeignKey(
        CertificationType, on_delete=models.CASCADE, related_name="issue_requests"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificate_requests"
    )
    cycle = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=IssueRequestStatus.choices, default=IssueRequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    certificate = models.ForeignKey(
        Certificate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "trainee", "cycle"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_cycle",
                violation_error_message=_(
                    "A request for this certificate is already waiting for approval."
                ),
            )
        ]
        verbose_name = _("certificate request")
        verbose_name_plural = _("certificate requests")

    def __str__(self) -> str:
        return f"{self.certification} · {self.trainee} · {self.status}"


class BulkIssueJob(models.Model):
    """A coordinator's 'issue the whole cohort': one task per trainee, progress per item."""

    certification = models.ForeignKey(
        CertificationType, on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    title = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    scope_district = models.ForeignKey(
        "places.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title or f"{self.certification} #{self.pk}"


class BulkIssueItemState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    ISSUED = "issued", _("Issued")
    ALREADY = "already", _("Already certified")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    FAILED = "failed", _("Failed")


class BulkIssueItem(models.Model):
    job = models.ForeignKey(BulkIssueJob, on_delete=models.CASCADE, related_name="items")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        max_length=20, choices=BulkIssueItemState.choices, default=BulkIssueItemState.QUEUED
    )
    certificate = models.ForeignKey(
        Certificate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "trainee"], name="one_item_per_trainee_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.job_id} · {self.trainee_id} · {self.state}"


class ExpiryReminder(models.Model):
    """That the reminder ``days_before`` expiry went to the holder (one per threshold)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="one_reminder_per_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.days_before} days"
