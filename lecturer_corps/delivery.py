"""Delivery reports and their confirmation: every state change after a session is held.

The life of a report::

    lecturer files ──▶ filed ──venue contact confirms by link──▶ verified
                        │  ▲    or a coordinator verifies ──────▶ verified
                        │  └── lecturer corrects (revision + 1, new links)
                        └──▶ returned (coordinator, with a reason) ◀── verified

Counts only: children by group and age band (``ChildGroup`` × ``lms.age_bands``),
caregivers, teachers and other adults; never a name, never a photo of a sign-in sheet.
Notes pass the shared text-input component (the children's-data guard runs on them).

Confirmation links: when a report is filed (or corrected), each active contact of the
venue with an e-mail address — except one whose account or address is the lecturer's
own — gets a ``VenueConfirmation`` row and, through the outbox, an e-mail with a link
carrying a signed token (``lms.signed_tokens``) that names the row and its nonce. The
link expires after ``VENUE_CONFIRMATION_DAYS``, works once, and stops working when the
report is corrected, returned or verified another way. The contact confirms on a phone
without an account; the lecturer, even holding the link, cannot.

Every function here is atomic and writes the audit log in the same transaction.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from lms.age_bands import AGE_BANDS
from lms.signed_tokens import SignedTokens, TokenRefused, claim_once, new_nonce, nonces_match
from lms.textinput import LABEL, REASON, TextPolicy

from . import notifications as kinds
from . import permissions
from .models import (
    ChildAttendance,
    ChildGroup,
    DeliveryReport,
    ReportState,
    Session,
    SessionStatus,
    VenueConfirmation,
    VenueContact,
)
from .services import (
    _lock_request,
    _my_sessions_url,
    _refresh_request_status,
    coordinators_for,
    notify,
)

REPORT_NOTES = TextPolicy(2000, multiline=True, required=False)
"""The lecturer's notes on how a session went (NARRATIVE: the children's-data guard runs)."""
DISPUTE_NOTE = TextPolicy(300, multiline=True, required=False)
"""What a venue contact says is not right about the counts."""
CONTACT_NAME = TextPolicy(100, purpose=LABEL)
CONTACT_PHONE = TextPolicy(30, purpose=LABEL, required=False)

ADULT_FIELDS = ("caregivers_count", "teachers_count", "others_count")
MAX_CELL = 2000


def child_field_name(group: str, band: str) -> str:
    """The form and API name of one cell: ``children_orphan_6_11``."""
    return f"children_{group}_{band.replace('-', '_')}"


CHILD_CELLS = tuple((group, band) for group in ChildGroup.values for band in AGE_BANDS)


def confirmation_days() -> int:
    return int(getattr(settings, "VENUE_CONFIRMATION_DAYS", 7))


def confirmation_tokens() -> SignedTokens:
    return SignedTokens(
        "lecturer_corps.venue_confirmation",
        max_age=datetime.timedelta(days=confirmation_days()),
    )


# --- counts -----------------------------------------------------------------------


def clean_counts(*, venue, child_counts: dict, adults: dict) -> dict:
    """Checked counts: ``{"cells": {(group, band): n>0}, "children": n, "in_difficulty": n,
    <adult field>: n}``, or ``ValidationError`` naming the field (form names)."""
    errors = {}
    cells = {}
    for key, value in (child_counts or {}).items():
        if key not in CHILD_CELLS:
            raise ValidationError(_("Unknown group or age band: %(key)s") % {"key": key})
        name = child_field_name(*key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = _("Counts cannot be negative.")
        elif value > MAX_CELL:
            errors[name] = _("At most %(max)d in one box.") % {"max": MAX_CELL}
        elif value:
            cells[key] = value
    for field in ADULT_FIELDS:
        value = adults.get(field, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[field] = _("Counts cannot be negative.")
        elif value > MAX_CELL:
            errors[field] = _("At most %(max)d in one box.") % {"max": MAX_CELL}
    if errors:
        raise ValidationError(errors)
    children = sum(cells.values())
    in_difficulty = sum(n for (group, _band), n in cells.items() if group != ChildGroup.OTHER)
    total = children + sum(adults.get(field, 0) for field in ADULT_FIELDS)
    if total < 1:
        raise ValidationError(_("Count at least one participant."))
    if venue.capacity and total > venue.capacity:
        raise ValidationError(
            _(
                "%(total)d participants were counted, but %(venue)s holds at most "
                "%(capacity)d. Check the counts."
            )
            % {"total": total, "venue": venue.name, "capacity": venue.capacity}
        )
    return {
        "cells": cells,
        "children": children,
        "in_difficulty": in_difficulty,
        **{field: adults.get(field, 0) for field in ADULT_FIELDS},
    }


def _check_minutes(actual_minutes) -> None:
    if not isinstance(actual_minutes, int) or not 1 <= actual_minutes <= 600:
        raise ValidationError({"actual_minutes": _("Give the duration in minutes (1–600).")})


def _write_counts(report: DeliveryReport, counts: dict) -> None:
    report.children_count = counts["children"]
    report.children_in_difficulty_count = counts["in_difficulty"]
    for field in ADULT_FIELDS:
        setattr(report, field, counts[field])


def _replace_cells(report: DeliveryReport, cells: dict) -> None:
    report.child_counts.all().delete()
    ChildAttendance.objects.bulk_create(
        ChildAttendance(report=report, group=group, age_band=band, count=count)
        for (group, band), count in sorted(cells.items())
    )


def _audit_counts(counts: dict, actual_minutes: int) -> dict:
    return {
        "children": counts["children"],
        "children_in_difficulty": counts["in_difficulty"],
        **{field: counts[field] for field in ADULT_FIELDS},
        "minutes": actual_minutes,
    }


# --- filing and correcting ----------------------------------------------------------


def file_delivery_report(
    *,
    actor,
    session,
    child_counts: dict,
    caregivers_count: int = 0,
    teachers_count: int = 0,
    others_count: int = 0,
    actual_minutes: int,
    notes: str = "",
) -> DeliveryReport:
    """The session's lecturer reports it once it has ended: counts and duration.

    Atomic: the report, its child counts, the session's new state, the audit row, the
    coordinators' notifications and the confirmation e-mails to the venue's contacts
    (queued in the outbox) are written together or not at all.
    """
    permissions.check_own_session(actor, session)
    notes = REPORT_NOTES.clean(notes)
    _check_minutes(actual_minutes)
    with transaction.atomic():
        service_request = _lock_request(session.request)
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status not in (SessionStatus.CONFIRMED, SessionStatus.ACCEPTED):
            if session.status in (SessionStatus.DELIVERED, SessionStatus.VERIFIED):
                raise ValidationError(_("The delivery report has already been filed."))
            raise ValidationError(_("Only a confirmed session can be reported."))
        if timezone.now() < session.ends_at:
            raise ValidationError(
                _("The session ends at %(end)s; file the report after it.")
                % {"end": timezone.localtime(session.ends_at).strftime("%Y-%m-%d %H:%M")}
            )
        counts = clean_counts(
            venue=service_request.venue,
            child_counts=child_counts,
            adults={
                "caregivers_count": caregivers_count,
                "teachers_count": teachers_count,
                "others_count": others_count,
            },
        )
        report = DeliveryReport(
            session=session, filed_by=actor, actual_minutes=actual_minutes, notes=notes
        )
        _write_counts(report, counts)
        report.full_clean(exclude=["session", "sign_in_sheet"])
        report.save()
        _replace_cells(report, counts["cells"])
        session.status = SessionStatus.DELIVERED
        session.save(update_fields=["status"])
        record(
            "lecturer_corps.report.file",
            actor=actor,
            obj=session,
            changes=_audit_counts(counts, actual_minutes),
        )
        notify(
            coordinators_for(service_request),
            kinds.REPORT_FILED,
            kinds.session_params(
                service_request, lecturer=str(actor), person_times=report.person_times
            ),
            url=reverse("lecturer_corps:report_detail", args=[report.pk]),
        )
        send_confirmations(report)
        _refresh_request_status(service_request, actor=actor)
    return report


def correct_delivery_report(
    *,
    actor,
    report,
    child_counts: dict,
    caregivers_count: int = 0,
    teachers_count: int = 0,
    others_count: int = 0,
    actual_minutes: int,
    notes: str = "",
) -> DeliveryReport:
    """The lecturer corrects a report returned to them and files it again.

    Only its own lecturer, only while returned. The revision goes up, so any link sent
    for the earlier counts stops working; new links go to the venue's contacts.
    """
    permissions.check_own_session(actor, report.session)
    notes = REPORT_NOTES.clean(notes)
    _check_minutes(actual_minutes)
    with transaction.atomic():
        report = (
            DeliveryReport.objects.select_for_update()
            .select_related("session__request__venue")
            .get(pk=report.pk)
        )
        if report.state != ReportState.RETURNED:
            raise ValidationError(_("Only a report returned for correction can be changed."))
        counts = clean_counts(
            venue=report.session.request.venue,
            child_counts=child_counts,
            adults={
                "caregivers_count": caregivers_count,
                "teachers_count": teachers_count,
                "others_count": others_count,
            },
        )
        _write_counts(report, counts)
        report.actual_minutes = actual_minutes
        report.notes = notes
        report.revision += 1
        report.state = ReportState.FILED
        report.returned_at = None
        report.return_reason = ""
        report.full_clean(exclude=["session", "sign_in_sheet"])
        report.save()
        _replace_cells(report, counts["cells"])
        record(
            "lecturer_corps.report.correct",
            actor=actor,
            obj=report.session,
            changes={**_audit_counts(counts, actual_minutes), "revision": report.revision},
        )
        notify(
            coordinators_for(report.session.request),
            kinds.REPORT_FILED,
            kinds.session_params(
                report.session.request, lecturer=str(actor), person_times=report.person_times
            ),
            url=reverse("lecturer_corps:report_detail", args=[report.pk]),
        )
        send_confirmations(report)
    return report


# --- the coordinator -------------------------------------------------------------------


def _check_not_own(actor, report) -> None:
    if report.session.lecturer_id == actor.pk:
        raise PermissionDenied(_("You cannot verify your own report."))


@transaction.atomic
def verify_delivery_report(*, actor, report) -> DeliveryReport:
    """A coordinator in scope verifies a report: the session then counts toward the
    lecturer's renewal and the programme's person-times. Not their own session's."""
    service_request = report.session.request
    permissions.check_request_in_scope(actor, service_request)
    report = DeliveryReport.objects.select_for_update().select_related("session").get(pk=report.pk)
    if report.state == ReportState.VERIFIED:
        raise ValidationError(_("This report is already verified."))
    if report.state == ReportState.RETURNED:
        raise ValidationError(_("This report is back with its lecturer for correction."))
    _check_not_own(actor, report)
    _mark_verified(report, verified_by=actor)
    record(
        "lecturer_corps.report.verify",
        actor=actor,
        obj=report.session,
        changes={"person_times": report.person_times},
    )
    notify(
        [report.session.lecturer],
        kinds.REPORT_VERIFIED,
        kinds.session_params(service_request),
        url=_my_sessions_url(),
    )
    _refresh_request_status(_lock_request(service_request), actor=actor)
    return report


def _mark_verified(report, *, verified_by=None, contact=None) -> None:
    now = timezone.now()
    report.state = ReportState.VERIFIED
    report.verified_at = now
    report.verified_by = verified_by
    report.confirmed_by_contact = contact
    report.save(update_fields=["state", "verified_at", "verified_by", "confirmed_by_contact"])
    _withdraw_links(report, now)
    session = report.session
    session.status = SessionStatus.VERIFIED
    session.save(update_fields=["status"])


def _withdraw_links(report, now) -> int:
    return VenueConfirmation.objects.filter(
        report=report, used_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)


@transaction.atomic
def return_delivery_report(*, actor, report, reason: str) -> DeliveryReport:
    """A coordinator in scope sends a report back to its lecturer for correction.

    A reason is required (it is shown to the lecturer). A verified report loses its
    verification (the session stops counting until the corrected report is verified
    again); links sent to the venue stop working. Audited, the lecturer is notified.
    """
    service_request = report.session.request
    permissions.check_request_in_scope(actor, service_request)
    reason = REASON.clean(reason)
    report = DeliveryReport.objects.select_for_update().select_related("session").get(pk=report.pk)
    _check_not_own(actor, report)
    if report.state == ReportState.RETURNED:
        raise ValidationError(_("This report is already back with its lecturer."))
    was = report.state
    now = timezone.now()
    report.state = ReportState.RETURNED
    report.returned_at = now
    report.return_reason = reason
    report.verified_at = None
    report.verified_by = None
    report.confirmed_by_contact = None
    report.save(
        update_fields=[
            "state",
            "returned_at",
            "return_reason",
            "verified_at",
            "verified_by",
            "confirmed_by_contact",
        ]
    )
    _withdraw_links(report, now)
    session = report.session
    if session.status == SessionStatus.VERIFIED:
        session.status = SessionStatus.DELIVERED
        session.save(update_fields=["status"])
    record(
        "lecturer_corps.report.return",
        actor=actor,
        obj=session,
        changes={"from_state": was, "revision": report.revision, "reason": reason},
    )
    notify(
        [session.lecturer],
        kinds.REPORT_RETURNED,
        kinds.session_params(service_request, reason=reason),
        url=reverse("lecturer_corps:report_create", args=[session.pk]),
    )
    _refresh_request_status(_lock_request(service_request), actor=actor)
    return report


# --- venue contacts --------------------------------------------------------------------


def _clean_contact(name, phone, email) -> dict:
    from django.core.validators import validate_email

    values = {
        "name": CONTACT_NAME.clean(name),
        "phone": CONTACT_PHONE.clean(phone),
        "email": (email or "").strip(),
    }
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if not values["phone"] and not values["email"]:
        raise ValidationError(_("Give a phone number or an e-mail address."))
    return values


@transaction.atomic
def add_venue_contact(*, actor, venue, name: str, phone: str = "", email: str = "", user=None):
    """A coordinator in scope adds the adult who answers for a venue. Audited."""
    permissions.check_venue_in_scope(actor, venue)
    contact = VenueContact(venue=venue, user=user, **_clean_contact(name, phone, email))
    contact.full_clean()
    contact.save()
    record(
        "lecturer_corps.venue_contact.add",
        actor=actor,
        obj=venue,
        changes={"contact": contact.pk, "has_email": bool(contact.email)},
    )
    return contact


@transaction.atomic
def set_venue_contact_active(*, actor, contact, active: bool) -> VenueContact:
    """A coordinator in scope stops (or resumes) asking a contact; their open links stop."""
    permissions.check_venue_in_scope(actor, contact.venue)
    contact.is_active = active
    contact.save(update_fields=["is_active"])
    if not active:
        VenueConfirmation.objects.filter(
            contact=contact, used_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
    record(
        "lecturer_corps.venue_contact.activate" if active else "lecturer_corps.venue_contact.stop",
        actor=actor,
        obj=contact.venue,
        changes={"contact": contact.pk},
    )
    return contact


@transaction.atomic
def link_venue_contact_account(*, actor, contact, user) -> VenueContact:
    """A coordinator in scope gives a contact an account to sign in with (the venue's own
    pages: asking for sessions, seeing the venue's requests and sessions). An account
    answers for one venue at most; a contact keeps the account it has. Audited."""
    permissions.check_venue_in_scope(actor, contact.venue)
    contact = VenueContact.objects.select_for_update().get(pk=contact.pk)
    if contact.user_id is not None and contact.user_id != user.pk:
        raise ValidationError(_("This contact already has an account."))
    other = VenueContact.objects.filter(user=user).exclude(pk=contact.pk).first()
    if other is not None:
        raise ValidationError(_("This account already answers for another venue."))
    contact.user = user
    contact.save(update_fields=["user"])
    record(
        "lecturer_corps.venue_contact.account",
        actor=actor,
        obj=contact.venue,
        changes={"contact": contact.pk, "user": user.pk},
    )
    return contact


def _is_lecturer(contact, lecturer) -> bool:
    if contact.user_id is not None and contact.user_id == lecturer.pk:
        return True
    return bool(contact.email) and contact.email.lower() == (lecturer.email or "").lower()


def send_confirmations(report) -> list[VenueConfirmation]:
    """Ask the venue's contacts to confirm this revision of the report (call inside the
    transaction that filed it): one row and one queued e-mail per contact who can be
    reached by e-mail and is not the lecturer. Returns the rows."""
    from outbox.services import enqueue

    from .tasks import send_venue_confirmation

    session = report.session
    contacts = VenueContact.objects.filter(
        venue_id=session.request.venue_id, is_active=True
    ).exclude(email="")
    now = timezone.now()
    expires = now + datetime.timedelta(days=confirmation_days())
    created = []
    for contact in contacts:
        if _is_lecturer(contact, session.lecturer):
            continue
        confirmation = VenueConfirmation.objects.create(
            report=report,
            contact=contact,
            revision=report.revision,
            nonce=new_nonce(),
            created_at=now,
            expires_at=expires,
        )
        enqueue(send_venue_confirmation, confirmation.pk)
        created.append(confirmation)
    return created


def confirmation_link(confirmation) -> str:
    """The absolute link for one confirmation (made when the e-mail is written; the
    token itself is never stored)."""
    token = confirmation_tokens().make(c=confirmation.pk, n=confirmation.nonce)
    path = reverse("lecturer_corps:venue_confirm", args=[token])
    return f"{settings.SITE_URL}{path}"


# --- the venue's answer ----------------------------------------------------------------


class ConfirmationRefused(Exception):
    """The link cannot be used; ``code`` is stable, ``message`` is for the person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _refuse(code: str) -> ConfirmationRefused:
    messages = {
        "invalid": _("This link is not valid. Open the link from the e-mail exactly as sent."),
        "expired": _("This link has expired. Ask the coordinator to verify the session."),
        "used": _("This link has already been used. Thank you."),
        "withdrawn": _(
            "This link no longer applies: the report was changed or settled another way."
        ),
        "own": _("The lecturer cannot confirm their own session."),
    }
    return ConfirmationRefused(code, messages[code])


def open_confirmation(token: str, *, viewer=None, lock: bool = False) -> VenueConfirmation:
    """The confirmation a link's token names, if it may still be answered; otherwise
    ``ConfirmationRefused`` (invalid, expired, used, withdrawn, own). ``viewer`` is the
    signed-in user opening it, if any: the session's lecturer is refused."""
    try:
        claims = confirmation_tokens().read(token)
    except TokenRefused as refused:
        raise _refuse(refused.code) from None
    pk, nonce = claims.get("c"), claims.get("n")
    if not isinstance(pk, int):
        raise _refuse("invalid")
    rows = VenueConfirmation.objects.select_related(
        "contact", "report", "report__session", "report__session__lecturer"
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    confirmation = rows.filter(pk=pk).first()
    if confirmation is None or not nonces_match(nonce, confirmation.nonce):
        raise _refuse("invalid")
    report = confirmation.report
    lecturer = report.session.lecturer
    if _is_lecturer(confirmation.contact, lecturer) or (
        viewer is not None and getattr(viewer, "pk", None) == lecturer.pk
    ):
        raise _refuse("own")
    if confirmation.used_at is not None:
        raise _refuse("used")
    if timezone.now() >= confirmation.expires_at:
        raise _refuse("expired")
    if (
        confirmation.withdrawn_at is not None
        or not confirmation.contact.is_active
        or confirmation.revision != report.revision
        or report.state != ReportState.FILED
        or confirmation.contact.venue_id != report.session.request.venue_id
    ):
        raise _refuse("withdrawn")
    return confirmation


def confirm_by_venue(*, token: str, viewer=None) -> DeliveryReport:
    """The venue contact confirms the counts: the session is verified.

    Atomic; the token's row is spent with a conditional update, so the same link used
    twice (or two links at once) verifies once. Audited with the contact as the source
    (the actor is the contact's account if any, else none); the lecturer is told.
    """
    with transaction.atomic():
        confirmation = open_confirmation(token, viewer=viewer, lock=True)
        report = DeliveryReport.objects.select_for_update().get(pk=confirmation.report_id)
        if report.state != ReportState.FILED or report.revision != confirmation.revision:
            raise _refuse("withdrawn")
        if not claim_once(
            VenueConfirmation.objects.filter(pk=confirmation.pk),
            nonce=confirmation.nonce,
            outcome=VenueConfirmation.Outcome.CONFIRMED,
        ):
            raise _refuse("used")
        report.session = confirmation.report.session
        _mark_verified(report, contact=confirmation.contact)
        service_request = report.session.request
        record(
            "lecturer_corps.report.venue_confirm",
            actor=confirmation.contact.user,
            obj=report.session,
            changes={
                "contact": confirmation.contact_id,
                "confirmation": confirmation.pk,
                "revision": report.revision,
                "person_times": report.person_times,
            },
        )
        notify(
            [report.session.lecturer],
            kinds.REPORT_CONFIRMED_BY_VENUE,
            kinds.session_params(service_request, person_times=report.person_times),
            url=_my_sessions_url(),
        )
        _refresh_request_status(_lock_request(service_request))
    return report


def dispute_by_venue(*, token: str, note: str = "", viewer=None) -> VenueConfirmation:
    """The venue contact says the counts are not right. The link is spent; the report
    stays waiting, and the coordinators are told (they verify or return it). Audited."""
    note = DISPUTE_NOTE.clean(note)
    with transaction.atomic():
        confirmation = open_confirmation(token, viewer=viewer, lock=True)
        if not claim_once(
            VenueConfirmation.objects.filter(pk=confirmation.pk),
            nonce=confirmation.nonce,
            outcome=VenueConfirmation.Outcome.DISPUTED,
            dispute_note=note,
        ):
            raise _refuse("used")
        session = confirmation.report.session
        record(
            "lecturer_corps.report.venue_dispute",
            actor=confirmation.contact.user,
            obj=session,
            changes={"contact": confirmation.contact_id, "confirmation": confirmation.pk},
        )
        notify(
            coordinators_for(session.request),
            kinds.REPORT_DISPUTED_BY_VENUE,
            kinds.session_params(
                session.request,
                lecturer=str(session.lecturer),
                reason=note or _("no details given"),
            ),
            url=reverse("lecturer_corps:report_detail", args=[confirmation.report_id]),
        )
    confirmation.refresh_from_db()
    return confirmation


# --- reads -------------------------------------------------------------------------------


def child_count_initial(report) -> dict:
    """Form initial values from a stored report (for the lecturer's correction)."""
    initial = {
        child_field_name(row.group, row.age_band): row.count for row in report.child_counts.all()
    }
    initial.update({field: getattr(report, field) for field in ADULT_FIELDS})
    initial.update({"actual_minutes": report.actual_minutes, "notes": report.notes})
    return initial
