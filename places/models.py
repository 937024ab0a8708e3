"""Reference geography: the districts and counties of the city and their townships."""

from django.db import models
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
                fields=["district", "name"], name="unique_township_per_district"
            )
        ]
        verbose_name = _("township")
        verbose_name_plural = _("townships")

    def __str__(self) -> str:
        return f"{self.district.name} {self.name}"
