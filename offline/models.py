"""What the API keeps so that a request sent again is answered, not done again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """A write the API did for a person's ``Idempotency-Key``, and the answer it gave.

    A phone that sent a request and lost the answer (the link dropped) sends it again
    with the same key; the API finds this row and answers with the stored answer instead
    of doing the write a second time (``offline.idempotency``). Keys belong to one
    person: another person's request with the same key is a different request. Rows are
    kept ``IDEMPOTENCY_KEY_DAYS`` days (``offline.tasks.purge_idempotency_keys``).

    ``status_code`` 0 marks a claim whose request is still running; it is never
    committed that way (the claim and the answer are written in the request's one
    transaction).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("idempotency key"), max_length=100)
    endpoint = models.CharField(_("operation"), max_length=100)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status"), default=0)
    body = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="offline_one_answer_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
