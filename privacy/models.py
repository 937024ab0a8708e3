"""The review list of stored free text the children's-data guard flags.

``manage.py recheck_free_text`` runs the guard (``lms.textinput``'s checks for
``NARRATIVE`` text) over text stored before the guard existed or changed, and lists
what it flags here for coordinators and administrators. Nothing is edited: a reviewer
returns the record to its author (a delivery report, for one), or marks the flag as
handled or as a false alarm. The flag keeps the guard's masked message and a digest
of the text, never the text itself.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FlagState(models.TextChoices):
    OPEN = "open", _("To review")
    HANDLED = "handled", _("Handled")
    FALSE_ALARM = "false_alarm", _("False alarm")
    CLEARED = "cleared", _("No longer flagged")


class FlaggedText(models.Model):
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of record")
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    field = models.CharField(_("field"), max_length=60)
    district = models.ForeignKey(
        "places.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district or county"),
    )
    message = models.TextField(_("what the guard found (masked)"))
    text_digest = models.CharField(max_length=64, editable=False)
    state = models.CharField(
        _("state"), max_length=12, choices=FlagState.choices, default=FlagState.OPEN
    )
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    checked_at = models.DateTimeField(_("last checked"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field"], name="one_flag_per_stored_text"
            )
        ]
        indexes = [models.Index(fields=["state", "district"], name="flag_state_district")]
        verbose_name = _("flagged text")
        verbose_name_plural = _("flagged texts")

    def __str__(self) -> str:
        return (
            f"{self.content_type.app_label}.{self.content_type.model} {self.object_id}.{self.field}"
        )
