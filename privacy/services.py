"""Data-protection actions: export a person's data, anonymise a person, expire evidence.

Each is one function that checks permissions (when an actor is given), changes the data
in one transaction, writes one audit record with counts only, and removes files only
after the transaction commits (so a rollback never leaves rows pointing at lost files).
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import record

from .export import build_archive
from .permissions import check_manage_personal_data

logger = logging.getLogger(__name__)

ANONYMISED_PREFIX = "anonymised-"
# Stored in English (like every stored code); the verification page says it in the reader's language.
ANONYMISED_REASON = gettext_noop("The holder's personal data was removed on request.")


class PrivacyError(Exception):
    """The action cannot be done (e.g. the person is already anonymised)."""


def is_anonymised(person) -> bool:
    return person.username == f"{ANONYMISED_PREFIX}{person.pk}" and not person.is_active


def export_person(*, person, requested_by=None) -> tuple[bytes, dict]:
    """A ZIP of everything held on ``person`` (see ``privacy.export``), and its counts.

    Administrators only when ``requested_by`` is given (commands pass None). Reads only;
    the export itself is audited with counts, never with the data.
    """
    if requested_by is not None:
        check_manage_personal_data(requested_by)
    content, summary = build_archive(person)
    with transaction.atomic():
        record(
            "privacy.person.export",
            actor=requested_by,
            obj=person,
            changes={**summary, "bytes": len(content)},
        )
    return content, summary


def _delete_files_on_commit(files: list[tuple[object, str]]) -> None:
    def delete():
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning(
                    "privacy.file_delete_failed", extra={"storage": type(storage).__name__}
                )

    transaction.on_commit(delete)


def anonymise_person(*, person, performed_by=None) -> dict[str, int]:
    """Remove a person's identity and the evidence they uploaded, keep what law requires.

    Administrators only when ``performed_by`` is given. Atomic. Afterwards the person
    cannot log in; their name, e-mail, phone, employer, job title, township, languages,
    log-in methods, API and calendar tokens, notifications, lecturer profile, venue-contact
    records, reflections, free-text practicum narratives and evidence files are gone. Certificates stay, revoked
    and without a name, so that their serials still verify (as "anonymised"). Enrolments,
    progress, quiz attempts and practicum hours stay, pseudonymous, for the programme's
    figures. The audit log keeps its past records (append-only) and gains one with counts.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from wagtail.admin.models import EditingSession, FormState
    from wagtail.models import APIToken, PageSubscription
    from wagtail.users.models import UserProfile

    from certification import services as certification_services
    from certification.models import Certificate, CertificateStatus
    from courses.models import ReflectionAnswer
    from lecturer_corps.models import (
        CalendarToken,
        DeliveryReport,
        LecturerProfile,
        Notification,
        VenueContact,
    )
    from offline.models import IdempotentRequest
    from practicum.models import (
        CompetencyEvaluation,
        EntryAttachment,
        EvaluationRating,
        PracticumEntry,
    )

    if performed_by is not None:
        check_manage_personal_data(performed_by)
        if performed_by.pk == person.pk:
            raise PrivacyError(_("You cannot anonymise your own account."))
    if is_anonymised(person):
        raise PrivacyError(_("This person has already been anonymised."))

    counts: Counter[str] = Counter()
    files: list[tuple[object, str]] = []
    with transaction.atomic():
        person = type(person).objects.select_for_update().get(pk=person.pk)

        attachments = EntryAttachment.objects.filter(entry__trainee=person)
        for attachment in attachments.only("file"):
            files.append((attachment.file.storage, attachment.file.name))
        counts["evidence_files"] = attachments.delete()[0]

        reports = DeliveryReport.objects.filter(filed_by=person)
        storage = DeliveryReport._meta.get_field("sign_in_sheet").storage
        for name in reports.exclude(sign_in_sheet="").values_list("sign_in_sheet", flat=True):
            files.append((storage, name))
            counts["sign_in_sheets"] += 1
        counts["delivery_reports"] = reports.update(sign_in_sheet="", notes="")

        certificates = Certificate.objects.filter(holder=person)
        storage = Certificate._meta.get_field("pdf").storage
        for name in certificates.exclude(pdf="").values_list("pdf", flat=True):
            files.append((storage, name))
        # Through certification's own revocation: audited, and the lecturer corps is told
        # (future sessions of a lecturer without a valid certificate are flagged).
        for certificate in certificates.filter(status=CertificateStatus.ACTIVE):
            certification_services.revoke_for_erasure(
                certificate=certificate,
                revoked_by=performed_by,
                reason=ANONYMISED_REASON,
            )
            counts["certificates_revoked"] += 1
        counts["certificates"] = certificates.update(
            holder_name="", holder_languages=[], pdf="", pdf_rendered_at=None
        )

        counts["practicum_entries"] = PracticumEntry.objects.filter(trainee=person).update(
            description="", reflection="", review_comment=""
        )
        counts["evaluations"] = CompetencyEvaluation.objects.filter(trainee=person).update(
            overall_comment=""
        )
        EvaluationRating.objects.filter(evaluation__trainee=person).update(comment="")
        counts["evaluations_signed"] = CompetencyEvaluation.objects.filter(
            supervisor=person
        ).update(signed_name="")

        profile = UserProfile.objects.filter(user=person).first()
        if profile is not None and profile.avatar:
            files.append((profile.avatar.storage, profile.avatar.name))
        for label, queryset in [
            ("reflections", ReflectionAnswer.objects.filter(user=person)),
            ("lecturer_profile", LecturerProfile.objects.filter(user=person)),
            ("notifications", Notification.objects.filter(user=person)),
            ("calendar_tokens", CalendarToken.objects.filter(user=person)),
            # As a venue's contact: their name, phone and e-mail, and the confirmation links
            # sent to them (a report they confirmed stays confirmed, without their name).
            ("venue_contacts", VenueContact.objects.filter(user=person)),
            ("api_tokens", APIToken.objects.filter(user=person)),
            ("email_addresses", EmailAddress.objects.filter(user=person)),
            ("authenticators", Authenticator.objects.filter(user=person)),
            ("admin_profile", UserProfile.objects.filter(user=person)),
            ("page_subscriptions", PageSubscription.objects.filter(user=person)),
            ("editing_sessions", EditingSession.objects.filter(user=person)),
            ("form_states", FormState.objects.filter(user=person)),
            # Stored answers to retried API requests hold copies of what the person
            # wrote (offline.idempotency).
            ("stored_api_answers", IdempotentRequest.objects.filter(user=person)),
        ]:
            counts[label] = queryset.delete()[0]

        person.username = f"{ANONYMISED_PREFIX}{person.pk}"
        for field_name in (
            "first_name",
            "last_name",
            "real_name",
            "email",
            "mobile",
            "employer_unit",
            "job_title",
        ):
            setattr(person, field_name, "")
        person.township = None
        person.coordinator_district = None
        person.languages = []
        person.is_active = False
        person.is_staff = False
        person.is_superuser = False
        person.set_unusable_password()
        person.save()
        person.groups.clear()
        person.user_permissions.clear()

        counts = {key: value for key, value in counts.items() if value}
        record(
            "privacy.person.anonymise",
            actor=performed_by,
            obj=person,
            changes={**counts, "files": len(files)},
        )
        _delete_files_on_commit(files)
    logger.info("privacy.person.anonymised", extra={"person_id": person.pk, **counts})
    return counts


def evidence_retention_days() -> int:
    return int(getattr(settings, "EVIDENCE_RETENTION_DAYS", 0) or 0)


def delete_expired_evidence(*, today: datetime.date | None = None, limit: int = 2000) -> dict:
    """Delete evidence files kept longer than ``EVIDENCE_RETENTION_DAYS``.

    Practicum evidence expires that many days after its placement ended (the earlier of
    ``closed_on`` and ``end_date``), for entries already decided (approved or rejected):
    nothing waiting for review loses its evidence. 0 days (or unset) keeps it.

    Sign-in sheet photos are no longer collected (they showed children's names), so
    every one still stored is deleted whatever its age and whatever the setting
    (docs/data-protection.md, "Sign-in sheets").

    Idempotent; at most ``limit`` files per run, so a first run on an old site is spread
    over several days. Writes one audit record with the counts when anything was deleted.
    """
    from lecturer_corps.models import DeliveryReport
    from practicum.models import EntryAttachment, EntryState

    days = evidence_retention_days()
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=max(days, 0))

    files: list[tuple[object, str]] = []
    with transaction.atomic():
        ended = Least(
            Coalesce(F("entry__placement__closed_on"), F("entry__placement__end_date")),
            Coalesce(F("entry__placement__end_date"), F("entry__placement__closed_on")),
        )
        expired = (
            EntryAttachment.objects.annotate(placement_ended=ended)
            .filter(placement_ended__lt=cutoff)
            .filter(entry__state__in=[EntryState.APPROVED, EntryState.REJECTED])
            .order_by("pk")
        )
        rows = list(expired.values_list("pk", "file", "size")[:limit]) if days > 0 else []
        storage = EntryAttachment._meta.get_field("file").storage
        files += [(storage, name) for _pk, name, _size in rows]
        total_bytes = sum(size for _pk, _name, size in rows)
        EntryAttachment.objects.filter(pk__in=[pk for pk, _name, _size in rows]).delete()

        sheets = DeliveryReport.objects.exclude(sign_in_sheet="").order_by("pk")
        sheet_rows = list(sheets.values_list("pk", "sign_in_sheet")[: max(limit - len(rows), 0)])
        storage = DeliveryReport._meta.get_field("sign_in_sheet").storage
        files += [(storage, name) for _pk, name in sheet_rows]
        DeliveryReport.objects.filter(pk__in=[pk for pk, _name in sheet_rows]).update(
            sign_in_sheet=""
        )

        counts = {
            "evidence_files": len(rows),
            "sign_in_sheets": len(sheet_rows),
            "bytes": total_bytes,
        }
        if rows or sheet_rows:
            record(
                "privacy.evidence.expire",
                changes={**counts, "retention_days": days, "cutoff": cutoff.isoformat()},
            )
            _delete_files_on_commit(files)
    logger.info("privacy.evidence.expired", extra=counts)
    return counts
