"""What the system holds on one person, gathered for a subject-access export.

Every model with a foreign key to the user model is listed here, with the lookups
that reach the person (``EXPORTED``) or the reason it is left out (``NOT_EXPORTED``).
``privacy/tests/test_export.py`` walks ``apps.get_models()`` and fails when a new
foreign key to the user is in neither list, so a new app cannot forget the export.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

FORMAT = "talent-pool-lms.person-export/1"

# model label → lookups from that model to the person; a row is exported when any matches.
EXPORTED: dict[str, tuple[str, ...]] = {
    "accounts.User": ("pk",),
    "account.EmailAddress": ("user",),
    "mfa.Authenticator": ("user",),
    "wagtailcore.APIToken": ("user",),
    "wagtailusers.UserProfile": ("user",),
    "admin.LogEntry": ("user",),
    "audit.AuditLog": ("actor",),
    "courses.Enrolment": ("user", "enrolled_by"),
    "courses.LessonProgress": ("user",),
    "courses.ReflectionAnswer": ("user",),
    "courses.Cohort": ("coordinator",),
    "courses.CohortMembership": ("user", "added_by"),
    "quizzes.Question": ("created_by",),
    "quizzes.Attempt": ("user",),
    "quizzes.AttemptSlot": ("attempt__user", "graded_by"),
    "quizzes.QuizGrade": ("user",),
    "quizzes.MarkingAssignment": ("supervisor", "trainee", "assigned_by"),
    "practicum.Placement": ("trainee", "supervisor"),
    "practicum.PracticumEntry": ("trainee", "supervisor", "reviewed_by"),
    "practicum.EntryAttachment": ("entry__trainee",),
    "practicum.ReviewReminder": ("recipient",),
    "practicum.CompetencyEvaluation": ("trainee", "supervisor"),
    "practicum.EvaluationRating": ("evaluation__trainee", "evaluation__supervisor"),
    "certification.Certificate": ("holder", "issued_by", "revoked_by"),
    "certification.IssueRequest": ("trainee", "decided_by"),
    "certification.BulkIssueJob": ("created_by",),
    "certification.BulkIssueItem": ("trainee",),
    "lecturer_corps.LecturerProfile": ("user",),
    "lecturer_corps.UnavailablePeriod": ("profile__user",),
    "lecturer_corps.ServiceRequest": ("created_by",),
    "lecturer_corps.Session": ("lecturer", "proposed_by"),
    "lecturer_corps.DeliveryReport": ("filed_by", "verified_by"),
    "lecturer_corps.Notification": ("user",),
    "classes.TrainingClass": ("trainer", "created_by"),
    "classes.Booking": ("user", "marked_by"),
    "classes.CheckInCode": ("used_by",),
    "lecturer_corps.CalendarToken": ("user",),
    "lecturer_corps.VenueContact": ("user",),
    "dispatch.VenueRequest": ("submitted_by", "decided_by"),
    "dispatch.PriorQualification": ("holder", "recorded_by", "decided_by"),
    "safeguarding.Concern": ("reporter",),
    "safeguarding.ConcernStep": ("actor",),
    "safeguarding.ConcernAlert": ("user",),
    "safeguarding.SafeguardingArrangement": ("duty_expert",),
    "supervision.Unit_reporters": ("user",),
    "supervision.SupervisionSession": ("expert",),
    "supervision.SupervisionAttendance": ("trainee",),
    "supervision.Inspection": ("recorded_by",),
    "supervision.Inspection_inspectors": ("user",),
    "supervision.CorrectiveAction": ("owner", "verified_by"),
    "supervision.Stage": ("signed_off_by",),
    "supervision.PublicityItem": ("uploaded_by",),
    "reports.RegisterCount": ("entered_by",),
    "reports.ChildrenServed": ("entered_by",),
    "reports.MonthlyReport": ("generated_by",),
    "wagtailcore.Page": ("owner", "locked_by"),
    "wagtailcore.Revision": ("user",),
    "wagtailcore.Comment": ("user", "resolved_by"),
    "wagtailcore.CommentReply": ("user",),
    "wagtailcore.PageSubscription": ("user",),
    "wagtailcore.WorkflowState": ("requested_by",),
    "wagtailcore.TaskState": ("finished_by",),
    "wagtailcore.PageLogEntry": ("user",),
    "wagtailcore.ModelLogEntry": ("user",),
    "wagtailcore.UploadedFile": ("uploaded_by_user",),
    "wagtaildocs.Document": ("uploaded_by_user",),
    "wagtailimages.Image": ("uploaded_by_user",),
    "wagtailadmin.EditingSession": ("user",),
    "wagtailadmin.FormState": ("user",),
}

# (model label, field name) → why rows reached through that foreign key are not exported.
NOT_EXPORTED: dict[tuple[str, str], str] = {
    ("wagtail_localize.StringTranslation", "last_translated_by"): (
        "who last translated a segment of course content in the translation editor: a"
        " translator's work on published content, not data about the person"
    ),
    ("wagtail_localize.SegmentOverride", "last_translated_by"): (
        "who last overrode a segment of course content in the translation editor: a"
        " translator's work on published content, not data about the person"
    ),
    ("accounts.User_groups", "user"): "roles: exported on the person's own row as `roles`",
    ("accounts.User_user_permissions", "user"): (
        "permissions: exported on the person's own row as `permissions`"
    ),
    ("privacy.FlaggedText", "reviewed_by"): (
        "the review is in the audit log (`privacy.free_text.review`); the flag describes"
        " someone else's stored text"
    ),
    ("offline.IdempotentRequest", "user"): (
        "copies of the API's answers to the person's own requests, kept at most"
        " IDEMPOTENCY_KEY_DAYS so a retried request is not done twice; the rows they"
        " describe (entries, reports, progress) are exported themselves"
    ),
    ("safeguarding.Concern", "acknowledged_by"): (
        "what they did is their own `ConcernStep` rows; the concern's text is the reporter's"
        " account of a child, not data about the person who acknowledged it"
    ),
}

# Rows matched by something other than a foreign key: audit records about the person.
EXTRA_MATCHES = {
    "audit.AuditLog": lambda person: Q(object_type="accounts.user", object_id=str(person.pk)),
}

# Columns never exported: secrets and bulky content that is not about the person.
OMITTED_FIELDS: dict[str, frozenset[str]] = {
    "accounts.User": frozenset({"password"}),
    "mfa.Authenticator": frozenset({"data"}),
    "wagtailcore.APIToken": frozenset({"key_hash"}),
    "lecturer_corps.CalendarToken": frozenset({"digest"}),
    "classes.CheckInCode": frozenset({"nonce"}),
    "wagtailcore.Revision": frozenset({"content"}),
    "wagtailadmin.FormState": frozenset({"data"}),
    "wagtailcore.Page": frozenset({"search_description", "draft_title", "url_path", "path"}),
}

# Files the person gave or was given, copied into the archive: (model, field) → owner lookup.
FILES_INCLUDED: dict[tuple[str, str], str] = {
    ("practicum.EntryAttachment", "file"): "entry__trainee",
    ("lecturer_corps.DeliveryReport", "sign_in_sheet"): "filed_by",
    ("certification.Certificate", "pdf"): "holder",
    ("dispatch.PriorQualification", "evidence"): "holder",
    ("wagtailusers.UserProfile", "avatar"): "user",
}


def person_filter(label: str, person) -> Q:
    query = Q()
    for lookup in EXPORTED[label]:
        query |= Q(**{lookup: person.pk if lookup == "pk" else person})
    extra = EXTRA_MATCHES.get(label)
    return query | extra(person) if extra else query


def _plain(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return None
    return value


def _row(model, obj, omitted: frozenset[str]) -> dict:
    return {
        field.attname: _plain(field.value_from_object(obj))
        for field in model._meta.concrete_fields
        if field.name not in omitted and field.attname not in omitted
    }


def collect(person) -> dict:
    """Every exported row about the person, by model label: ``{label: [row, …]}``.

    One query per model (a few dozen in all); rows are plain JSON values.
    """
    records = {}
    for label in EXPORTED:
        model = apps.get_model(label)
        omitted = OMITTED_FIELDS.get(label, frozenset())
        queryset = model._base_manager.filter(person_filter(label, person)).distinct()
        rows = [_row(model, obj, omitted) for obj in queryset.order_by("pk")]
        if rows:
            records[label] = rows
    if records.get("accounts.User"):
        records["accounts.User"][0]["roles"] = sorted(person.groups.values_list("name", flat=True))
        records["accounts.User"][0]["permissions"] = sorted(
            person.user_permissions.values_list("codename", flat=True)
        )
    return records


def _files(person):
    """(archive path, storage, name) for every included file that belongs to the person."""
    for (label, field_name), lookup in FILES_INCLUDED.items():
        model = apps.get_model(label)
        field = model._meta.get_field(field_name)
        names = (
            model._base_manager.filter(**{lookup: person})
            .exclude(**{field_name: ""})
            .values_list(field_name, flat=True)
        )
        for name in names:
            if name:
                yield f"files/{label}/{name}", field.storage, name


def build_archive(person) -> tuple[bytes, dict]:
    """The export as ZIP bytes (``person.json`` + ``files/…``) and its manifest summary."""
    records = collect(person)
    buffer = io.BytesIO()
    files = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, storage, name in _files(person):
            try:
                with storage.open(name, "rb") as handle:
                    content = handle.read()
            except (FileNotFoundError, OSError):
                files.append({"path": path, "missing": True})
                continue
            archive.writestr(path, content)
            files.append(
                {"path": path, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            )
        document = {
            "format": FORMAT,
            "generated_at": timezone.now().isoformat(),
            "person": {"id": person.pk, "username": person.get_username()},
            "counts": {label: len(rows) for label, rows in records.items()},
            "records": records,
            "files": files,
        }
        archive.writestr(
            "person.json",
            json.dumps(document, ensure_ascii=False, indent=2, cls=_Encoder),
        )
    summary = {"records": sum(document["counts"].values()), "files": len(files)}
    return buffer.getvalue(), summary


class _Encoder(json.JSONEncoder):
    def default(self, o):
        plain = _plain(o)
        if plain is o:
            return str(o)
        return plain


def user_foreign_keys() -> list[tuple[str, str]]:
    """Every (model label, field name) declaring a foreign key or one-to-one to the user."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                found.append((model._meta.label, field.name))
    return found
