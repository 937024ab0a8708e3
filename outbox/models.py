"""The transactional outbox: follow-up work written in the caller's transaction."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One task call waiting to reach the broker (or already handed to it).

    Written in the same transaction as the change it follows, so it exists exactly
    when that change does. ``sent_at`` is set once the broker accepted the message;
    until then ``outbox.services`` keeps offering it (after the commit, then from the
    beat relay) from ``due_at`` on.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("positional arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("publish attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    dedupe_key = models.CharField(
        _("deduplication key"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("A second message with the same key is not written."),
    )

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent_by_due"
            )
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else f"due {self.due_at:%Y-%m-%d %H:%M}"
        return f"{self.task} #{self.pk} ({state})"
