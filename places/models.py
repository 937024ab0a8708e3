"""Reference geography: the districts and counties of the city, their townships, and the
venues (schools, communities, farms, townships) where sessions and practice take place."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """A district or county (区/县). Coordinators are scoped by district."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    name_ug = models.CharField(_("Uyghur name"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("district or county")
        verbose_name_plural = _("districts and counties")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language (Uyghur or English name when filled in)."""
        language = translation.get_language() or ""
        if language.startswith("ug") and self.name_ug:
            return self.name_ug
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Township(models.Model):
    """A township (乡镇), town or street office within a district."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="townships", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True)

    class Meta:
        ordering = ["district__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="unique_township_per_district",
                violation_error_message=_(
                    "This district or county already has a township of this name."
                ),
            )
        ]
        verbose_name = _("township")
        verbose_name_plural = _("townships")

    def __str__(self) -> str:
        return f"{self.district.name} {self.name}"


# --- Venues ---------------------------------------------------------------------


class VenueType(models.TextChoices):
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community")
    FARM = "farm", _("Farm")
    TOWNSHIP = "township", _("Township")


class VenueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_scope(self, district):
        """Venues a coordinator scoped to ``district`` may see (None = whole city)."""
        return self if district is None else self.filter(district=district)


class Venue(models.Model):
    """A place where sessions are held. Contact details are of the adult in charge."""

    name = models.CharField(_("name"), max_length=200)
    venue_type = models.CharField(_("type"), max_length=20, choices=VenueType.choices)
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        related_name="venues",
        verbose_name=_("district or county"),
    )
    township = models.ForeignKey(
        "places.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
        verbose_name=_("township"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when venues lived in the lecturer corps
        # (moved here so that practicum and the corps both use them from below).
        db_table = "lecturer_corps_venue"
        ordering = ["district__sort_order", "venue_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="unique_venue_name_per_district",
                violation_error_message=_(
                    "This district or county already has a venue of this name."
                ),
            )
        ]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.township_id and self.district_id:
            # Read the township's district without loading it: an unknown township is
            # already a field error, not a crash here.
            township_district = (
                Township.objects.filter(pk=self.township_id)
                .values_list("district_id", flat=True)
                .first()
            )
            if township_district is not None and township_district != self.district_id:
                raise ValidationError(
                    {"township": _("This township is not in the venue's district or county.")}
                )
