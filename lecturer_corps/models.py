"""Where the lecturer corps serves: schools, communities, farms and townships."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
        ordering = ["district__sort_order", "venue_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="unique_venue_name_per_district"
            )
        ]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name
