"""The children's age bands: one definition for the whole product.

Practicum entries, service requests, delivery reports and the reports all count
children in these bands, so a figure from one can be set beside a figure from another.
The bands follow the school stages the venues know: before primary school (0–5),
primary (6–11) and secondary (12–17).

A stored band is its code (``"6-11"``). A model that counts children by band in
columns names them ``<prefix>_<low>_<high>`` (``children_6_11``): ``count_field_name``.
Service requests used other bands before (``3-6``, ``7-10``, ``11-14``, ``15-17``);
``lecturer_corps`` migration 0008 moved their stored values with ``FORMER_BANDS``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    UNDER_6 = "0-5", _("0–5 years")
    PRIMARY = "6-11", _("6–11 years")
    SECONDARY = "12-17", _("12–17 years")


AGE_BANDS: tuple[str, ...] = tuple(AgeBand.values)

# The bands service requests used before one definition, and the band each became: the
# one holding most of its years (3-6 → 0-5, 11-14 → 12-17).
FORMER_BANDS = {"3-6": "0-5", "7-10": "6-11", "11-14": "12-17", "15-17": "12-17"}


def count_field_name(prefix: str, band: str) -> str:
    """The column counting ``prefix`` in ``band``: ``("children", "6-11")`` → ``children_6_11``."""
    if band not in AGE_BANDS:
        raise ValueError(f"Unknown age band {band!r}; use one of {AGE_BANDS}.")
    return f"{prefix}_{band.replace('-', '_')}"


def count_field_names(prefix: str) -> tuple[str, ...]:
    """Every band's column for ``prefix``, youngest first."""
    return tuple(count_field_name(prefix, band) for band in AGE_BANDS)
