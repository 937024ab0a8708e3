"""State changes of venue requests, their triage, venue contacts' accounts, and the
monthly mark of service requests.

The life of a venue request::

    venue contact submits ──▶ submitted ──coordinator accepts──▶ accepted
                                 │  ▲                  (one service request per date)
          coordinator asks for   │  │ the contact changes it and sends it again
                     changes ──▶ changes_requested
    submitted or changes_requested ──coordinator declines (reason)──▶ declined
                                   ──contact withdraws──────────────▶ withdrawn

Every function is atomic, asks ``dispatch.permissions`` (a contact acts for their own
venue only; a coordinator within their scope), writes the audit log in the same
transaction and tells the other side (in-site notification; e-mail through the outbox).
Pages, the API and the Wagtail admin call these; commands and tasks would too.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from lecturer_corps import delivery as corps_delivery
from lecturer_corps import services as corps_services
from lecturer_corps.models import CLASS_HOUR_MINUTES, ServiceRequest
from lecturer_corps.topics import TOPICS_BY_CODE, Audience, audiences_for
from lms.date_horizon import check_within_horizon
from lms.textinput import NOTE, REASON

from . import notifications as kinds
from . import permissions
from .models import (
    MAX_DATES,
    OPEN_VENUE_REQUEST_STATUSES,
    PlannedRequest,
    RequestSource,
    VenueRequest,
    VenueRequestStatus,
)
from .selectors import coordinators_of_district

REQUEST_FIELDS = (
    "topic",
    "audience",
    "age_band",
    "expected_size",
    "language",
    "dates",
    "start_time",
    "end_time",
    "class_hours",
    "monthly",
    "notes",
)


def _venue_url() -> str:
    return reverse("dispatch:venue_home")


def _triage_url(venue_request) -> str:
    return reverse("dispatch:triage_detail", args=[venue_request.pk])


# --- checking what a venue asks for ---------------------------------------------------------


def clean_request_fields(venue, *, today: datetime.date | None = None, **fields) -> dict:
    """The checked fields of a venue request, or ``ValidationError`` naming each field.

    ``dates`` is a list of dates (or ISO strings): 1 to ``MAX_DATES``, none in the past or
    beyond the planning horizon, no repeats. The window must hold the class hours; a
    children's session needs the age band; the venue must hold the expected people.
    """
    from accounts.models import Language

    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    topic = TOPICS_BY_CODE.get(fields.get("topic") or "")
    if topic is None:
        add("topic", _("Choose one of the programme's topics."))
    audience = fields.get("audience") or (topic.audience if topic else "")
    if audience not in Audience.values:
        add("audience", _("Choose who the session is for."))
    elif topic is not None and audience not in audiences_for(topic):
        add(
            "audience",
            _("“%(topic)s” is for %(audiences)s, not for this audience.")
            % {
                "topic": topic.title,
                "audiences": ", ".join(str(Audience(a).label) for a in audiences_for(topic)),
            },
        )
    age_band = fields.get("age_band") or ""
    if audience == Audience.CHILDREN and not age_band:
        add("age_band", _("Give the children's age band."))
    language = fields.get("language") or ""
    if language not in Language.values:
        add("language", _("Choose the language of the session."))
    size = fields.get("expected_size")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 10000:
        add("expected_size", _("Give the number of participants expected (1 or more)."))
    elif venue.capacity and size > venue.capacity:
        add(
            "expected_size",
            _("The venue holds %(capacity)s people; %(size)s are expected.")
            % {"capacity": venue.capacity, "size": size},
        )
    class_hours = fields.get("class_hours") or 2
    if class_hours not in (2, 3, 4):
        add("class_hours", _("A session has 2 to 4 class hours."))
    start, end = fields.get("start_time"), fields.get("end_time")
    if not isinstance(start, datetime.time) or not isinstance(end, datetime.time):
        add("start_time", _("Give the start and end times."))
    elif end <= start:
        add("end_time", _("The session must end after it starts."))
    else:
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        if minutes < class_hours * CLASS_HOUR_MINUTES:
            add(
                "end_time",
                _("%(hours)s class hours need at least %(minutes)s minutes.")
                % {"hours": class_hours, "minutes": class_hours * CLASS_HOUR_MINUTES},
            )
    days = []
    for value in fields.get("dates") or []:
        try:
            day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            add("dates", _("“%(value)s” is not a date.") % {"value": value})
            continue
        days.append(day)
    if not days and "dates" not in errors:
        add("dates", _("Give at least one date."))
    if len(days) > MAX_DATES:
        add("dates", _("Ask for at most %(n)d dates at a time.") % {"n": MAX_DATES})
    if len(set(days)) != len(days):
        add("dates", _("A date appears twice."))
    for day in days:
        if day < today:
            add("dates", _("%(date)s is in the past.") % {"date": day.isoformat()})
        else:
            try:
                check_within_horizon(day, field="dates")
            except ValidationError as exc:
                for message in exc.message_dict.get("dates", []):
                    add("dates", message)
    try:
        notes = NOTE.clean(fields.get("notes") or "")
    except ValidationError as exc:
        add("notes", " ".join(exc.messages))
        notes = ""
    if errors:
        raise ValidationError(errors)
    return {
        "topic": topic.code,
        "audience": audience,
        "age_band": age_band if audience == Audience.CHILDREN else "",
        "expected_size": size,
        "language": language,
        "dates": [day.isoformat() for day in sorted(days)],
        "start_time": start,
        "end_time": end,
        "class_hours": class_hours,
        "monthly": bool(fields.get("monthly")),
        "notes": notes,
    }


# --- the venue contact -------------------------------------------------------------------------


@transaction.atomic
def submit_venue_request(*, actor, today=None, **fields) -> VenueRequest:
    """The venue's contact asks for a session for their venue (``fields``: see
    ``REQUEST_FIELDS``). Checked as ``clean_request_fields``; the district's coordinators
    are told. Audited."""
    contact = permissions.check_venue_contact(actor)
    venue = contact.venue
    values = clean_request_fields(venue, today=today, **fields)
    venue_request = VenueRequest(venue=venue, contact=contact, submitted_by=actor, **values)
    venue_request.full_clean()
    venue_request.save()
    record(
        "dispatch.venue_request.submit",
        actor=actor,
        obj=venue_request,
        changes={
            "topic": values["topic"],
            "dates": values["dates"],
            "size": values["expected_size"],
        },
    )
    corps_services.notify(
        coordinators_of_district(venue.district_id),
        kinds.VENUE_REQUEST_SUBMITTED,
        kinds.venue_request_params(venue_request),
        url=_triage_url(venue_request),
    )
    return venue_request


@transaction.atomic
def update_venue_request(*, actor, venue_request, today=None, **fields) -> VenueRequest:
    """The contact changes a request still waiting (or sent back for changes) and sends it
    again: it waits for the coordinator once more (revision + 1). Audited; the district's
    coordinators are told."""
    permissions.check_own_venue_request(actor, venue_request)
    locked = (
        VenueRequest.objects.select_for_update().select_related("venue").get(pk=venue_request.pk)
    )
    if locked.status not in OPEN_VENUE_REQUEST_STATUSES:
        raise ValidationError(_("This request has been settled and can no longer be changed."))
    values = clean_request_fields(locked.venue, today=today, **fields)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.status = VenueRequestStatus.SUBMITTED
    locked.revision += 1
    locked.submitted_at = timezone.now()
    locked.full_clean()
    locked.save()
    record(
        "dispatch.venue_request.resubmit",
        actor=actor,
        obj=locked,
        changes={"revision": locked.revision, "dates": values["dates"]},
    )
    corps_services.notify(
        coordinators_of_district(locked.venue.district_id),
        kinds.VENUE_REQUEST_SUBMITTED,
        kinds.venue_request_params(locked),
        url=_triage_url(locked),
    )
    return locked


@transaction.atomic
def withdraw_venue_request(*, actor, venue_request) -> VenueRequest:
    """The contact takes back a request that is not settled yet. Audited."""
    permissions.check_own_venue_request(actor, venue_request)
    locked = VenueRequest.objects.select_for_update().get(pk=venue_request.pk)
    if locked.status not in OPEN_VENUE_REQUEST_STATUSES:
        raise ValidationError(_("This request has been settled and can no longer be withdrawn."))
    previous = locked.status
    locked.status = VenueRequestStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    record("dispatch.venue_request.withdraw", actor=actor, obj=locked, changes={"from": previous})
    return locked


# --- the coordinator's triage ---------------------------------------------------------------


def _lock_for_triage(actor, venue_request) -> VenueRequest:
    permissions.check_request_scope(actor, venue_request)
    return (
        VenueRequest.objects.select_for_update(of=("self",))
        .select_related("venue", "contact", "submitted_by")
        .get(pk=venue_request.pk)
    )


def _contact_user(venue_request):
    contact = venue_request.contact
    if contact is not None and contact.user_id and contact.is_active:
        return contact.user
    return venue_request.submitted_by


def _weekly(days: list[datetime.date]) -> bool:
    return len(days) > 1 and all(
        (later - earlier).days == 7 for earlier, later in zip(days, days[1:], strict=False)
    )


@transaction.atomic
def accept_venue_request(*, actor, venue_request, lecturers_needed: int = 1) -> list:
    """A coordinator in scope accepts a waiting request into planning: one service request
    per date (weekly dates become one series, which keeps its lecturer), created by the
    corps' own service with the coordinator as their author, and marked recurring when
    the venue asked for it every month. Only a request waiting for triage; a date that can
    no longer be planned refuses the whole acceptance (ask for changes instead). Audited;
    the contact is told."""
    locked = _lock_for_triage(actor, venue_request)
    if locked.status != VenueRequestStatus.SUBMITTED:
        raise ValidationError(_("Only a request waiting for the coordinator can be accepted."))
    if not 1 <= lecturers_needed <= 3:
        raise ValidationError({"lecturers_needed": _("A session needs 1 to 3 lecturers.")})
    days = locked.date_list
    common = {
        "venue": locked.venue,
        "topic": locked.topic,
        "audience": locked.audience,
        "age_band": locked.age_band,
        "expected_size": locked.expected_size,
        "language": locked.language,
        "start_time": locked.start_time,
        "end_time": locked.end_time,
        "class_hours": locked.class_hours,
        "lecturers_needed": lecturers_needed,
        "notes": locked.notes,
    }
    if _weekly(days):
        created = corps_services.create_service_request(
            actor=actor, date=days[0], repeat_weekly=len(days), **common
        )
    else:
        created = []
        for day in days:
            created += corps_services.create_service_request(actor=actor, date=day, **common)
    PlannedRequest.objects.bulk_create(
        PlannedRequest(
            service_request=service_request,
            source=RequestSource.VENUE,
            recurring=locked.monthly,
            venue_request=locked,
        )
        for service_request in created
    )
    locked.status = VenueRequestStatus.ACCEPTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.coordinator_message = ""
    locked.save(update_fields=["status", "decided_by", "decided_at", "coordinator_message"])
    record(
        "dispatch.venue_request.accept",
        actor=actor,
        obj=locked,
        changes={"service_requests": [r.pk for r in created], "recurring": locked.monthly},
    )
    corps_services.notify(
        [_contact_user(locked)],
        kinds.VENUE_REQUEST_ACCEPTED,
        kinds.venue_request_params(locked),
        url=_venue_url(),
    )
    return created


@transaction.atomic
def ask_for_changes(*, actor, venue_request, message: str) -> VenueRequest:
    """A coordinator in scope sends a waiting request back to the venue with what to change
    (required; the contact sees it). Audited; the contact is told."""
    locked = _lock_for_triage(actor, venue_request)
    message = REASON.optional().clean(message)
    if not message:
        raise ValidationError({"message": _("Say what the venue should change.")})
    if locked.status != VenueRequestStatus.SUBMITTED:
        raise ValidationError(_("Only a request waiting for the coordinator can be sent back."))
    locked.status = VenueRequestStatus.CHANGES_REQUESTED
    locked.coordinator_message = message
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "coordinator_message", "decided_by", "decided_at"])
    record(
        "dispatch.venue_request.ask_changes",
        actor=actor,
        obj=locked,
        changes={"message_length": len(message)},
    )
    corps_services.notify(
        [_contact_user(locked)],
        kinds.VENUE_REQUEST_CHANGES,
        kinds.venue_request_params(locked, message=message),
        url=_venue_url(),
    )
    return locked


@transaction.atomic
def decline_venue_request(*, actor, venue_request, reason: str) -> VenueRequest:
    """A coordinator in scope declines a request that is not settled, with a reason (the
    contact sees it). Audited; the contact is told."""
    locked = _lock_for_triage(actor, venue_request)
    reason = REASON.optional().clean(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for declining.")})
    if locked.status not in OPEN_VENUE_REQUEST_STATUSES:
        raise ValidationError(_("This request has been settled already."))
    previous = locked.status
    locked.status = VenueRequestStatus.DECLINED
    locked.coordinator_message = reason
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "coordinator_message", "decided_by", "decided_at"])
    record(
        "dispatch.venue_request.decline",
        actor=actor,
        obj=locked,
        changes={"from": previous, "reason_length": len(reason)},
    )
    corps_services.notify(
        [_contact_user(locked)],
        kinds.VENUE_REQUEST_DECLINED,
        kinds.venue_request_params(locked, message=reason),
        url=_venue_url(),
    )
    return locked


# --- venue contacts' accounts ----------------------------------------------------------------


def _free_username(base: str) -> str:
    User = get_user_model()
    name, number = base, 1
    while User.objects.filter(username=name).exists():
        number += 1
        name = f"{base}_{number}"
    return name


@transaction.atomic
def invite_venue_contact(*, actor, contact):
    """Give a venue contact an account to sign in with, by invitation.

    A coordinator in scope. The contact needs an e-mail address. If an account already
    uses that address it is linked (and told); otherwise a new account without a
    password is made in the venue's district (``accounts.services.create_person``, no
    role) and sent the invitation to choose a password (``accounts`` invitation, through
    the outbox). Returns the account. Audited.
    """
    from accounts import services as account_services
    from accounts.tasks import send_invitations
    from outbox.services import enqueue

    permissions.check_venue_in_scope(actor, contact.venue)
    if not contact.is_active:
        raise ValidationError(_("This contact is no longer asked; resume them first."))
    if contact.user_id is not None:
        raise ValidationError(_("This contact already has an account."))
    if not contact.email:
        raise ValidationError(
            _("Add the contact's e-mail address first: the invitation is sent by e-mail.")
        )
    User = get_user_model()
    user = User.objects.filter(email__iexact=contact.email, is_active=True).first()
    created = user is None
    if created:
        person = User(
            username=_free_username(f"venue_{contact.pk}"),
            email=contact.email,
            real_name=contact.name,
            district_id=contact.venue.district_id,
        )
        person.set_unusable_password()
        try:
            user = account_services.create_person(actor=actor, person=person)
        except PermissionDenied as exc:
            raise PermissionDenied(_("You may not create accounts in this district.")) from exc
    corps_delivery.link_venue_contact_account(actor=actor, contact=contact, user=user)
    record(
        "dispatch.venue_contact.invite",
        actor=actor,
        obj=contact.venue,
        changes={"contact": contact.pk, "user": user.pk, "new_account": created},
    )
    if created:
        enqueue(send_invitations, [user.pk])
    else:
        corps_services.notify(
            [user],
            kinds.VENUE_CONTACT_ACCOUNT,
            {"venue": contact.venue.name},
            url=_venue_url(),
        )
    return user


# --- the monthly mark ------------------------------------------------------------------------


@transaction.atomic
def set_recurring(*, actor, service_request: ServiceRequest, recurring: bool) -> PlannedRequest:
    """Mark a service request as wanted every month (copy-forward copies it), or not.
    A coordinator in scope. Audited."""
    permissions.check_venue_in_scope(actor, service_request.venue)
    plan, _created = PlannedRequest.objects.select_for_update().get_or_create(
        service_request=service_request
    )
    if plan.recurring != recurring:
        plan.recurring = recurring
        plan.save(update_fields=["recurring"])
        record(
            "dispatch.request.recurring",
            actor=actor,
            obj=service_request,
            changes={"recurring": recurring},
        )
    return plan
