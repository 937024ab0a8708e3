"""Re-checking stored free text with the children's-data guard, and its review list.

``recheck_stored_text`` runs every check registered for ``NARRATIVE`` text in
``lms.textinput`` (the guard plugs in there, so a better guard is used as soon as it
is installed) over each field of ``free_text.STORED_FREE_TEXT``. What it flags becomes
a ``FlaggedText`` row; the text itself is never changed, copied or logged. Running it
again is safe: a flag is kept while the text is unchanged, reopened when the text
changed and is still flagged, and marked *no longer flagged* when the text passes.

Reviewers are coordinators (their district; city-wide ones see every flag) and
administrators. They mark a flag handled (e.g. after returning a delivery report to its
lecturer) or a false alarm; each review is audited.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from lms.textinput import NARRATIVE, registered_checks

from .free_text import STORED_FREE_TEXT, StoredText
from .models import FlaggedText, FlagState
from .permissions import check_review_flags, flags_in_scope

logger = logging.getLogger(__name__)

BATCH = 500


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def guard_message(text: str) -> str | None:
    """The registered checks' refusal for ``text`` (masked by the guard), or None."""
    for check in registered_checks(NARRATIVE):
        try:
            check(text)
        except ValidationError as error:
            return " ".join(error.messages)
    return None


def _rows(entry: StoredText):
    model = apps.get_model(entry.model)
    rows = model.objects.all()
    if entry.only:
        rows = rows.filter(**entry.only)
    if entry.read is None:
        rows = rows.exclude(**{entry.field: ""})
    else:
        rows = rows.filter(**{f"{entry.field}__isnull": False})
    columns = ["pk", entry.field] + ([entry.district_path] if entry.district_path else [])
    return model, rows.order_by("pk").values_list(*columns)


def recheck_stored_text(*, entries=STORED_FREE_TEXT, now=None) -> dict:
    """Check every stored text of ``entries``; returns counts per field key:
    ``{"lecturer_corps.DeliveryReport.notes": {"checked": n, "flagged": n, ...}}``.

    Idempotent. Writes no audit row per text (there may be thousands); one audit row
    with the totals when anything was newly flagged or reopened.
    """
    now = now or timezone.now()
    totals: dict[str, Counter] = {}
    for entry in entries:
        model, rows = _rows(entry)
        content_type = ContentType.objects.get_for_model(model)
        existing = {
            flag.object_id: flag
            for flag in FlaggedText.objects.filter(content_type=content_type, field=entry.field)
        }
        counts = totals.setdefault(entry.key, Counter())
        for row in rows.iterator(chunk_size=BATCH):
            pk, value = row[0], row[1]
            district_id = row[2] if entry.district_path else None
            text = entry.read(value) if entry.read else (value or "")
            if not text:
                continue
            counts["checked"] += 1
            message = guard_message(text)
            flag = existing.get(pk)
            if message is None:
                if flag is not None and flag.state == FlagState.OPEN:
                    FlaggedText.objects.filter(pk=flag.pk).update(
                        state=FlagState.CLEARED, checked_at=now
                    )
                    counts["cleared"] += 1
                continue
            counts["flagged"] += 1
            digest = _digest(text)
            if flag is None:
                FlaggedText.objects.create(
                    content_type=content_type,
                    object_id=pk,
                    field=entry.field,
                    district_id=district_id,
                    message=message,
                    text_digest=digest,
                    found_at=now,
                    checked_at=now,
                )
                counts["new"] += 1
            elif flag.text_digest != digest or flag.state == FlagState.CLEARED:
                # The text changed since it was reviewed (or had passed): look again.
                FlaggedText.objects.filter(pk=flag.pk).update(
                    state=FlagState.OPEN,
                    message=message,
                    text_digest=digest,
                    district_id=district_id,
                    checked_at=now,
                    reviewed_at=None,
                    reviewed_by=None,
                )
                counts["reopened"] += 1
            else:
                FlaggedText.objects.filter(pk=flag.pk).update(checked_at=now, message=message)
    summary = {key: dict(counts) for key, counts in totals.items()}
    new = sum(c.get("new", 0) + c.get("reopened", 0) for c in totals.values())
    if new:
        record("privacy.free_text.recheck", changes={"flagged": new})
    logger.info("privacy.free_text.recheck", extra={"flagged_or_reopened": new})
    return summary


# --- review --------------------------------------------------------------------------


def flag_target(flag: FlaggedText):
    """The stored object a flag is about (None if it was deleted since)."""
    model = flag.content_type.model_class()
    return model.objects.filter(pk=flag.object_id).first() if model else None


def flag_text(flag: FlaggedText) -> str:
    """The flagged text as it is stored now (shown to the reviewer, never copied)."""
    target = flag_target(flag)
    if target is None:
        return ""
    entry = next(
        (
            e
            for e in STORED_FREE_TEXT
            if e.model == flag.content_type.model_class()._meta.label and e.field == flag.field
        ),
        None,
    )
    value = getattr(target, flag.field, "")
    return entry.read(value) if entry and entry.read else (value or "")


@transaction.atomic
def review_flag(*, actor, flag: FlaggedText, state: str) -> FlaggedText:
    """A reviewer in scope marks an open flag handled or a false alarm. Audited."""
    check_review_flags(actor)
    if state not in (FlagState.HANDLED, FlagState.FALSE_ALARM):
        raise ValidationError(_("Choose handled or false alarm."))
    flag = FlaggedText.objects.select_for_update().get(pk=flag.pk)
    if not flags_in_scope(actor).filter(pk=flag.pk).exists():
        raise PermissionDenied(_("This record is outside the district you coordinate."))
    if flag.state != FlagState.OPEN:
        raise ValidationError(_("This flag has already been reviewed."))
    flag.state = state
    flag.reviewed_at = timezone.now()
    flag.reviewed_by = actor
    flag.save(update_fields=["state", "reviewed_at", "reviewed_by"])
    record(
        "privacy.free_text.review",
        actor=actor,
        obj=flag,
        changes={"state": state, "record": str(flag)},
    )
    return flag
