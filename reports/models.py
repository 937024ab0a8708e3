"""What reporting stores: the register of children in difficulty (counts), the venues' yearly
returns of children served (counts), the programme's targets, and the report archive.

Every other figure is computed live from the owning apps' models (see ``selectors.py``
and ``docs/metrics.md``); nothing here holds a child's personal data, only counts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lecturer_corps.models import CHILD_GROUPS_IN_DIFFICULTY, ChildGroup

DEFAULT_TARGET_PERCENT = 80
# The categories of children in difficulty (the delivery reports' groups, "other children"
# aside). "" is a count the register gave without its category (figures entered before
# the register was kept by category).
CATEGORY_CHOICES = [
    ("", _("Category not given")),
    *[(code, label) for code, label in ChildGroup.choices if code in CHILD_GROUPS_IN_DIFFICULTY],
]
SERVED_CATEGORY_CHOICES = CATEGORY_CHOICES[1:]


# --- honest coverage (docs/metrics.md, "Coverage") ---------------------------------------

DEFAULT_TARGET_CHILDREN = 4000
DEFAULT_PROGRAMME_YEARS = 5


def _year_validators():
    return [MinValueValidator(2000), MaxValueValidator(2100)]


class RegisterCount(models.Model):
    """How many children in difficulty of one category the civil-affairs register holds in
    a district's township (or the district as a whole, ``township`` empty) for a year.

    A count, never children: the register itself stays with civil affairs. Entered by
    coordinators (their district) and administrators (``services.save_register_count``).
    It is coverage's denominator and the cap of what a township's venues can have reached.
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators())
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        related_name="register_counts",
        verbose_name=_("district or county"),
    )
    township = models.ForeignKey(
        "places.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_counts",
        verbose_name=_("township"),
        help_text=_("Empty when the register gives the district's count only."),
    )
    category = models.CharField(_("category"), max_length=20, choices=CATEGORY_CHOICES, blank=True)
    children = models.PositiveIntegerField(
        _("children on the register"), validators=[MaxValueValidator(1_000_000)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year", "district__sort_order", "township__name", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "district", "township", "category"],
                condition=models.Q(township__isnull=False),
                name="one_register_count_per_township",
            ),
            models.UniqueConstraint(
                fields=["year", "district", "category"],
                condition=models.Q(township__isnull=True),
                name="one_register_count_per_district",
            ),
        ]
        verbose_name = _("register count")
        verbose_name_plural = _("register counts")

    def __str__(self) -> str:
        return f"{self.year} {self.district_id}/{self.township_id or '-'} {self.category}: {self.children}"


class ChildrenServed(models.Model):
    """A venue's yearly return: how many *distinct* children in difficulty of one category
    it served in the year (a count the venue makes from its own roll, never names), and how
    many of them it had not counted in an earlier year's return.

    Entered once a year per venue and category by the coordinators of the venue's district
    or administrators (``services.save_children_served``). Coverage never counts more than
    the register holds nor more than the verified sessions there counted (docs/metrics.md).
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=_year_validators())
    venue = models.ForeignKey(
        "places.Venue",
        on_delete=models.PROTECT,
        related_name="children_served",
        verbose_name=_("venue"),
    )
    category = models.CharField(_("category"), max_length=20, choices=SERVED_CATEGORY_CHOICES)
    children = models.PositiveIntegerField(
        _("distinct children served"), validators=[MaxValueValidator(100_000)]
    )
    new_children = models.PositiveIntegerField(
        _("of whom not counted in an earlier year"), validators=[MaxValueValidator(100_000)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year", "venue__name", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "year", "category"], name="one_return_per_venue_year_category"
            ),
            models.CheckConstraint(
                condition=models.Q(new_children__lte=models.F("children")),
                name="served_new_within_served",
            ),
        ]
        verbose_name = _("children served (yearly return)")
        verbose_name_plural = _("children served (yearly returns)")

    def __str__(self) -> str:
        return f"{self.year} venue {self.venue_id} {self.category}: {self.children}"


class CoverageTarget(models.Model):
    """The programme's targets: its first year and length, how many children in difficulty
    it is to reach in that time (the five-year target: 4,000), and the coverage each
    district aims at (80%). The row with the latest first year applies; without one, the
    defaults do. Administrators set it in the Wagtail admin (``services.create_target``…)."""

    first_year = models.PositiveSmallIntegerField(
        _("first year"), unique=True, validators=_year_validators()
    )
    years = models.PositiveSmallIntegerField(
        _("years"),
        default=DEFAULT_PROGRAMME_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    children = models.PositiveIntegerField(
        _("children to reach"),
        default=DEFAULT_TARGET_CHILDREN,
        validators=[MinValueValidator(1), MaxValueValidator(10_000_000)],
    )
    coverage_percent = models.PositiveSmallIntegerField(
        _("coverage target (%)"),
        default=DEFAULT_TARGET_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-first_year"]
        verbose_name = _("programme target")
        verbose_name_plural = _("programme targets")

    def __str__(self) -> str:
        return f"{self.first_year}–{self.first_year + self.years - 1}: {self.children}"

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1


def report_upload_to(instance: MonthlyReport, filename: str) -> str:
    scope = instance.district.code if instance.district_id else "city"
    return f"reports/monthly/{instance.period:%Y-%m}/{scope}/{filename}"


class MonthlyReport(models.Model):
    """One archived monthly supervision report (PDF + XLSX) for a period and a scope.

    There is at most one per period and scope (a district, or the whole city when
    ``district`` is empty): regenerating replaces the files and the figures in place.
    """

    period = models.DateField(_("month"))
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monthly_reports",
        verbose_name=_("district or county"),
        help_text=_("Empty for the whole city."),
    )
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("generated by"),
    )
    pdf_file = models.FileField(_("PDF"), upload_to=report_upload_to, max_length=300)
    xlsx_file = models.FileField(_("workbook"), upload_to=report_upload_to, max_length=300)
    figures = models.JSONField(_("figures"), default=dict)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "district__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "district"],
                condition=models.Q(district__isnull=False),
                name="unique_monthly_report_per_district",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(district__isnull=True),
                name="unique_monthly_report_city",
            ),
        ]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.district) if self.district_id else str(_("Whole city"))
