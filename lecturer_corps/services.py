"""Every state change of the lecturer corps.

Each function is atomic, checks who may act (``lecturer_corps.permissions``), writes
the audit log in the same transaction and sends notifications (in-site at once,
e-mail through Celery after commit). Views, the API, tasks and commands call these.

The life of a request::

    requested ──assign──▶ proposed ──accept──▶ accepted ─(all seats)─▶ confirmed
        ▲                    │                                            │
        └──decline / no answer by the deadline (next candidate proposed)  │
                                                      delivery report ──▶ delivered
                                                      coordinator verifies ▶ verified
    any open or confirmed request ──▶ cancelled, or rescheduled (a new request)

No double booking: a proposal locks the lecturer's profile row (SELECT … FOR UPDATE)
and re-checks every hard constraint, including overlap and travel time, before it
writes; on PostgreSQL an exclusion constraint over (lecturer, time range) refuses an
overlapping live session even if that check were bypassed.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from audit.services import record
from lms.date_horizon import check_within_horizon
from lms.textinput import REASON

from . import notifications as kinds
from . import permissions, selectors
from .models import (
    LIVE_SESSION_STATUSES,
    OPEN_REQUEST_STATUSES,
    CalendarToken,
    LecturerProfile,
    Notification,
    RequestStatus,
    ServiceRequest,
    Session,
    SessionStatus,
    UnavailablePeriod,
    Venue,
)
from .topics import TOPICS_BY_CODE

logger = logging.getLogger(__name__)

RESPONSE_HOURS = 48
MAX_SERIES_LENGTH = 12


# --- notifications -------------------------------------------------------------------


def notify(users, kind: str, params: dict, url: str = "") -> list[Notification]:
    """In-site notifications now; e-mails (in each user's language) through the outbox,
    queued in the same transaction and sent after the commit."""
    from outbox.services import enqueue

    from .tasks import send_notification_email

    seen, created = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        created.append(Notification.objects.create(user=user, kind=kind, params=params, url=url))
    for notification in created:
        enqueue(send_notification_email, notification.pk)
    return created


def coordinators_for(service_request) -> list:
    """Who hears about a request: its creator and the coordinators of its district
    (the city-wide coordinators when the district has none)."""
    User = get_user_model()
    district_id = service_request.venue.district_id
    people = list(
        User.objects.filter(
            groups__name=roles.COORDINATOR, is_active=True, coordinator_district_id=district_id
        )
    )
    if not people:
        people = list(
            User.objects.filter(
                groups__name=roles.COORDINATOR, is_active=True, coordinator_district__isnull=True
            )
        )
    if service_request.created_by_id and service_request.created_by not in people:
        people.insert(0, service_request.created_by)
    return people


def _request_url(service_request) -> str:
    return reverse("lecturer_corps:request_detail", args=[service_request.pk])


def _my_sessions_url() -> str:
    return reverse("lecturer_corps:my_sessions")


def mark_notifications_read(*, actor, ids=None) -> int:
    rows = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


# --- lecturer profiles ---------------------------------------------------------------


def profile_defaults(user) -> dict:
    return {
        "languages": list(user.languages or []),
        "district_id": user.district_id,
        "township_id": user.township_id,
    }


def get_or_build_profile(user) -> LecturerProfile:
    """The user's profile, or an unsaved one filled from their account."""
    profile = LecturerProfile.objects.filter(user=user).select_related("township").first()
    return profile or LecturerProfile(user=user, **profile_defaults(user))


@transaction.atomic
def save_profile(*, actor, profile: LecturerProfile) -> LecturerProfile:
    """Save a lecturer profile (validated). The lecturer or a coordinator in scope — of the
    district the profile was in as well as the one it is saved with."""
    if profile.pk is not None:
        permissions.check_profile_editable(actor, LecturerProfile.objects.get(pk=profile.pk))
    permissions.check_profile_editable(actor, profile)
    if profile.township_id and (profile.latitude is None or profile.longitude is None):
        profile.latitude, profile.longitude = profile.township.latitude, profile.township.longitude
    if profile.township_id and not profile.district_id:
        profile.district_id = profile.township.district_id
    profile.full_clean()
    created = profile.pk is None
    profile.save()
    record(
        "lecturer_corps.profile.create" if created else "lecturer_corps.profile.update",
        actor=actor,
        obj=profile,
        changes={
            "topics": profile.topics,
            "languages": profile.languages,
            "monthly_cap": profile.monthly_cap,
            "active": profile.is_active,
        },
    )
    return profile


@transaction.atomic
def add_unavailable_period(*, actor, profile, starts_on, ends_on, note=""):
    permissions.check_profile_editable(actor, profile)
    if profile.pk is None:
        profile = save_profile(actor=actor, profile=profile)
    period = UnavailablePeriod(profile=profile, starts_on=starts_on, ends_on=ends_on, note=note)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day cannot be before the first.")})
    period.full_clean()
    period.save()
    record(
        "lecturer_corps.unavailable.add",
        actor=actor,
        obj=profile,
        changes={"from": starts_on.isoformat(), "until": ends_on.isoformat()},
    )
    return period


@transaction.atomic
def remove_unavailable_period(*, actor, period) -> None:
    permissions.check_profile_editable(actor, period.profile)
    record(
        "lecturer_corps.unavailable.remove",
        actor=actor,
        obj=period.profile,
        changes={"from": period.starts_on.isoformat(), "until": period.ends_on.isoformat()},
    )
    period.delete()


# --- venues --------------------------------------------------------------------------


@transaction.atomic
def create_venue(*, actor, **fields) -> Venue:
    """Add a venue in the actor's scope (coordinators of a district: that district only)."""
    venue = Venue(**fields)
    permissions.check_district_in_scope(actor, venue.district_id)
    # Validate first: an unknown district or township is a ValidationError, not a crash below.
    venue.full_clean()
    if venue.township_id and venue.latitude is None and venue.township.latitude is not None:
        venue.latitude, venue.longitude = venue.township.latitude, venue.township.longitude
    venue.save()
    record("lecturer_corps.venue.create", actor=actor, obj=venue)
    return venue


@transaction.atomic
def update_venue(*, actor, venue: Venue, changed=()) -> Venue:
    """Save edits to a venue (``venue`` carries them, unsaved). The actor must coordinate
    both the district the venue was in and the one it is moved to. Atomic; one audit row
    naming the changed fields."""
    stored = Venue.objects.select_for_update().get(pk=venue.pk)
    permissions.check_venue_in_scope(actor, stored)
    permissions.check_district_in_scope(actor, venue.district_id)
    venue.full_clean()
    if venue.township_id and venue.latitude is None and venue.township.latitude is not None:
        venue.latitude, venue.longitude = venue.township.latitude, venue.township.longitude
    venue.save()
    record(
        "lecturer_corps.venue.update",
        actor=actor,
        obj=venue,
        changes={"fields": sorted(changed)},
    )
    return venue


@transaction.atomic
def delete_venue(*, actor, venue: Venue) -> None:
    """Remove a venue no request was ever made for (one that was used is deactivated
    instead, so the record of what happened there stays). Coordinators in scope."""
    permissions.check_venue_in_scope(actor, venue)
    if venue.service_requests.exists():
        raise ValidationError(
            _("Requests were made for this venue; mark it inactive instead of deleting it.")
        )
    record("lecturer_corps.venue.delete", actor=actor, obj=venue)
    try:
        venue.delete()
    except (ProtectedError, RestrictedError) as exc:  # practicum placements or entries
        raise ValidationError(
            _("This venue is still in use; mark it inactive instead of deleting it.")
        ) from exc


# --- requests ------------------------------------------------------------------------


@transaction.atomic
def create_service_request(
    *,
    actor,
    venue,
    topic: str,
    audience: str,
    expected_size: int,
    language: str,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    class_hours: int = 2,
    lecturers_needed: int = 1,
    age_band: str = "",
    notes: str = "",
    materials: str = "",
    repeat_weekly: int = 1,
) -> list[ServiceRequest]:
    """Create a request, or a weekly series of ``repeat_weekly`` requests sharing a series
    id (so the same lecturer is kept where possible). Coordinators in scope only."""
    permissions.check_venue_in_scope(actor, venue)
    if not 1 <= repeat_weekly <= MAX_SERIES_LENGTH:
        raise ValidationError(
            {"repeat_weekly": _("A series has 1 to %(n)d sessions.") % {"n": MAX_SERIES_LENGTH}}
        )
    if date < timezone.localdate():
        raise ValidationError({"date": _("The date is in the past.")})
    check_within_horizon(date)
    check_within_horizon(date + datetime.timedelta(weeks=repeat_weekly - 1))
    series = uuid.uuid4() if repeat_weekly > 1 else None
    created = []
    for index in range(repeat_weekly):
        service_request = ServiceRequest(
            venue=venue,
            topic=topic,
            audience=audience,
            age_band=age_band or "",
            expected_size=expected_size,
            language=language,
            date=date + datetime.timedelta(weeks=index),
            start_time=start_time,
            end_time=end_time,
            class_hours=class_hours,
            lecturers_needed=lecturers_needed,
            series=series,
            series_index=index + 1,
            notes=notes,
            materials=materials,
            created_by=actor,
        )
        service_request.compute_times()
        service_request.full_clean()
        service_request.save()
        created.append(service_request)
        record(
            "lecturer_corps.request.create",
            actor=actor,
            obj=service_request,
            changes={
                "topic": topic,
                "date": service_request.date.isoformat(),
                "size": expected_size,
            },
        )
    return created


def _refresh_request_status(service_request, *, actor=None) -> str:
    """Derive the request's state from its sessions (and confirm a filled request)."""
    if service_request.status in (RequestStatus.CANCELLED, RequestStatus.RESCHEDULED):
        return service_request.status
    sessions = list(
        service_request.sessions.select_for_update().filter(status__in=LIVE_SESSION_STATUSES)
    )
    statuses = [s.status for s in sessions]
    needed = service_request.lecturers_needed
    committed = [
        s
        for s in sessions
        if s.status
        in (
            SessionStatus.ACCEPTED,
            SessionStatus.CONFIRMED,
            SessionStatus.DELIVERED,
            SessionStatus.VERIFIED,
        )
    ]
    previous = service_request.status
    if not sessions:
        status = RequestStatus.REQUESTED
    elif len(sessions) >= needed and all(s == SessionStatus.VERIFIED for s in statuses):
        status = RequestStatus.VERIFIED
    elif len(sessions) >= needed and all(
        s in (SessionStatus.DELIVERED, SessionStatus.VERIFIED) for s in statuses
    ):
        status = RequestStatus.DELIVERED
    elif len(committed) >= needed:
        status = RequestStatus.CONFIRMED
        for session in committed:
            if session.status == SessionStatus.ACCEPTED:
                session.status = SessionStatus.CONFIRMED
                session.save(update_fields=["status"])
    elif SessionStatus.PROPOSED in statuses:
        status = RequestStatus.PROPOSED
    else:
        status = RequestStatus.ACCEPTED
    if status != previous:
        service_request.status = status
        service_request.save(update_fields=["status"])
        record(
            "lecturer_corps.request.status",
            actor=actor,
            obj=service_request,
            changes={"from": previous, "to": status},
        )
        if status == RequestStatus.CONFIRMED:
            notify(
                [s.lecturer for s in committed] + coordinators_for(service_request),
                kinds.REQUEST_CONFIRMED,
                kinds.session_params(service_request),
                url=_request_url(service_request),
            )
    return status


def _lock_request(service_request) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("venue")
        .get(pk=service_request.pk)
    )


def _propose(*, service_request, lecturer, actor, reasons=None, cost=None) -> Session:
    """Propose one lecturer for a request, after locking and re-checking everything.

    Runs inside the caller's transaction. Raises ValidationError with a readable message
    when a hard constraint fails, including a booking made a moment ago by someone else.
    """
    if service_request.status not in OPEN_REQUEST_STATUSES:
        raise ValidationError(_("This request is not open for assignment."))
    now = timezone.now()
    if service_request.starts_at <= now:
        raise ValidationError(_("This session has already started."))
    live = service_request.sessions.filter(status__in=LIVE_SESSION_STATUSES).count()
    if live >= service_request.lecturers_needed:
        raise ValidationError(_("This request already has all the lecturers it needs."))
    # Serialise proposals for one lecturer: whoever locks first books first.
    profile = LecturerProfile.objects.select_for_update().filter(user=lecturer).first()
    if profile is None:
        raise ValidationError(_("%(name)s has no lecturer profile.") % {"name": lecturer})
    failures = selectors.hard_constraint_failures(service_request, lecturer)
    if failures:
        raise ValidationError(
            _("%(name)s cannot take this request: %(reasons)s")
            % {"name": lecturer, "reasons": "; ".join(str(f) for f in failures)}
        )
    if reasons is None:
        ranking = selectors.rank_evaluation(
            selectors.evaluate(
                selectors.load_matching_data([service_request], user_ids=[lecturer.pk]),
                service_request,
            )
        )
        if ranking.candidates:
            reasons = [str(r) for r in ranking.candidates[0].reasons]
            cost = ranking.candidates[0].cost
    deadline = min(now + datetime.timedelta(hours=RESPONSE_HOURS), service_request.starts_at)
    try:
        with transaction.atomic():
            session = Session.objects.create(
                request=service_request,
                lecturer=lecturer,
                status=SessionStatus.PROPOSED,
                starts_at=service_request.starts_at,
                ends_at=service_request.ends_at,
                proposed_by=actor,
                response_deadline=deadline,
                match_reasons=[str(r) for r in reasons or []],
                match_cost=cost,
            )
    except IntegrityError as exc:
        logger.info("lecturer_corps.double_booking_refused", extra={"lecturer": lecturer.pk})
        raise ValidationError(
            _(
                "%(name)s was just booked for an overlapping session; "
                "reload the candidates and choose again."
            )
            % {"name": lecturer}
        ) from exc
    record(
        "lecturer_corps.session.propose",
        actor=actor,
        obj=session,
        changes={"request": service_request.pk, "lecturer": lecturer.pk, "cost": cost},
    )
    notify(
        [lecturer],
        kinds.SESSION_PROPOSED,
        kinds.session_params(
            service_request, deadline=timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        ),
        # The offer opens on the session page: address, contact, notes and materials.
        url=reverse("lecturer_corps:session_detail", args=[session.pk]),
    )
    _refresh_request_status(service_request, actor=actor)
    return session


def assign_lecturer(*, actor, service_request, lecturer, whole_series: bool = True) -> Session:
    """One-click assignment by a coordinator in scope: propose ``lecturer``.

    With ``whole_series`` the same lecturer is also proposed for the series' other open
    requests where every hard constraint allows it (a series keeps its lecturer).
    """
    permissions.check_request_in_scope(actor, service_request)
    with transaction.atomic():
        locked = _lock_request(service_request)
        session = _propose(service_request=locked, lecturer=lecturer, actor=actor)
    if whole_series and service_request.series:
        for other in ServiceRequest.objects.filter(
            series=service_request.series, status__in=OPEN_REQUEST_STATUSES
        ).exclude(pk=service_request.pk):
            try:
                with transaction.atomic():
                    locked = _lock_request(other)
                    if not locked.sessions.filter(
                        status__in=LIVE_SESSION_STATUSES, lecturer=lecturer
                    ).exists():
                        _propose(service_request=locked, lecturer=lecturer, actor=actor)
            except ValidationError:
                continue  # kept open: the coordinator sees it among the open requests
    return session


def propose_next_candidate(service_request, *, actor=None) -> Session | None:
    """Propose the best remaining candidate for a re-opened request (inside a transaction).

    A series member prefers the series' lecturer (the continuity cost does that). When no
    one is left, the coordinators are told.
    """
    if (
        service_request.status not in OPEN_REQUEST_STATUSES
        or service_request.starts_at <= timezone.now()
    ):
        return None
    live = service_request.sessions.filter(status__in=LIVE_SESSION_STATUSES).count()
    if live >= service_request.lecturers_needed:
        return None
    User = get_user_model()
    for candidate in selectors.rank_candidates(service_request).candidates:
        lecturer = User.objects.get(pk=candidate.user_id)
        try:
            with transaction.atomic():
                return _propose(
                    service_request=service_request,
                    lecturer=lecturer,
                    actor=actor,
                    reasons=[str(r) for r in candidate.reasons],
                    cost=candidate.cost,
                )
        except ValidationError:
            continue
    notify(
        coordinators_for(service_request),
        kinds.REQUEST_UNFILLED,
        kinds.session_params(service_request),
        url=_request_url(service_request),
    )
    return None


def respond_to_session(*, actor, session, accept: bool, reason: str = "") -> Session:
    """The lecturer accepts or declines a proposal before its deadline.

    Declining needs a reason; it re-opens the request and proposes the next candidate.
    """
    permissions.check_own_session(actor, session)
    reason = REASON.optional().clean(reason)
    if not accept and not reason:
        raise ValidationError({"reason": _("Say briefly why you decline.")})
    with transaction.atomic():
        service_request = _lock_request(session.request)
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status != SessionStatus.PROPOSED:
            raise ValidationError(_("This proposal has already been answered or withdrawn."))
        if timezone.now() > session.response_deadline:
            raise ValidationError(_("The time to answer this proposal has passed."))
        session.responded_at = timezone.now()
        if accept:
            session.status = SessionStatus.ACCEPTED
            session.save(update_fields=["status", "responded_at"])
            record("lecturer_corps.session.accept", actor=actor, obj=session)
            notify(
                coordinators_for(service_request),
                kinds.SESSION_ACCEPTED,
                kinds.session_params(service_request, lecturer=str(actor)),
                url=_request_url(service_request),
            )
            _refresh_request_status(service_request, actor=actor)
        else:
            session.status = SessionStatus.DECLINED
            session.decline_reason = reason
            session.save(update_fields=["status", "responded_at", "decline_reason"])
            record(
                "lecturer_corps.session.decline",
                actor=actor,
                obj=session,
                changes={"reason_length": len(reason)},
            )
            notify(
                coordinators_for(service_request),
                kinds.SESSION_DECLINED,
                kinds.session_params(service_request, lecturer=str(actor), reason=reason),
                url=_request_url(service_request),
            )
            _refresh_request_status(service_request, actor=actor)
            propose_next_candidate(service_request, actor=None)
    session.refresh_from_db()
    return session


def expire_overdue_proposals(now=None) -> int:
    """Proposals not answered by their deadline expire; each request gets the next
    candidate. Idempotent: an expired proposal is not touched again."""
    now = now or timezone.now()
    expired = 0
    for session_id in Session.objects.filter(
        status=SessionStatus.PROPOSED, response_deadline__lt=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            session = (
                Session.objects.select_for_update()
                .select_related("lecturer")
                .filter(pk=session_id, status=SessionStatus.PROPOSED)
                .first()
            )
            if session is None:
                continue
            service_request = _lock_request(session.request)
            session.status = SessionStatus.EXPIRED
            session.save(update_fields=["status"])
            record("lecturer_corps.session.expire", obj=session)
            notify(
                [session.lecturer, *coordinators_for(service_request)],
                kinds.SESSION_EXPIRED,
                kinds.session_params(service_request, lecturer=str(session.lecturer)),
                url=_request_url(service_request),
            )
            _refresh_request_status(service_request)
            propose_next_candidate(service_request)
            expired += 1
    return expired


@transaction.atomic
def cancel_request(*, actor, service_request, reason: str) -> ServiceRequest:
    """Cancel a request that has not been delivered; its lecturers are told."""
    permissions.check_request_in_scope(actor, service_request)
    reason = REASON.optional().clean(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for cancelling.")})
    service_request = _lock_request(service_request)
    if service_request.status not in (*OPEN_REQUEST_STATUSES, RequestStatus.CONFIRMED):
        raise ValidationError(_("Only a request that has not been delivered can be cancelled."))
    lecturers = []
    for session in (
        service_request.sessions.select_for_update()
        .filter(
            status__in=(SessionStatus.PROPOSED, SessionStatus.ACCEPTED, SessionStatus.CONFIRMED)
        )
        .select_related("lecturer")
    ):
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = reason
        session.save(update_fields=["status", "cancel_reason"])
        lecturers.append(session.lecturer)
    previous = service_request.status
    service_request.status = RequestStatus.CANCELLED
    service_request.cancel_reason = reason
    service_request.save(update_fields=["status", "cancel_reason"])
    record(
        "lecturer_corps.request.cancel",
        actor=actor,
        obj=service_request,
        changes={"from": previous, "sessions_cancelled": len(lecturers)},
    )
    notify(
        lecturers,
        kinds.SESSION_CANCELLED,
        kinds.session_params(service_request, reason=reason),
        url=_my_sessions_url(),
    )
    return service_request


@transaction.atomic
def reschedule_request(
    *, actor, service_request, date, start_time, end_time, reason: str = ""
) -> ServiceRequest:
    """Move a request to a new date/time: the old one becomes ``rescheduled`` and a new one
    is created; its lecturers are re-proposed where they are still allowed, otherwise the
    best candidates are proposed."""
    permissions.check_request_in_scope(actor, service_request)
    old = _lock_request(service_request)
    if old.status not in (*OPEN_REQUEST_STATUSES, RequestStatus.CONFIRMED):
        raise ValidationError(_("Only a request that has not been delivered can be moved."))
    if date < timezone.localdate():
        raise ValidationError({"date": _("The date is in the past.")})
    check_within_horizon(date)
    new = ServiceRequest(
        venue=old.venue,
        topic=old.topic,
        audience=old.audience,
        age_band=old.age_band,
        expected_size=old.expected_size,
        language=old.language,
        date=date,
        start_time=start_time,
        end_time=end_time,
        class_hours=old.class_hours,
        lecturers_needed=old.lecturers_needed,
        series=old.series,
        series_index=old.series_index,
        notes=old.notes,
        materials=old.materials,
        created_by=old.created_by or actor,
    )
    new.compute_times()
    new.full_clean()
    new.save()
    lecturers = []
    for session in (
        old.sessions.select_for_update()
        .filter(
            status__in=(SessionStatus.PROPOSED, SessionStatus.ACCEPTED, SessionStatus.CONFIRMED)
        )
        .select_related("lecturer")
    ):
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = REASON.optional().clean(reason) or _("rescheduled")
        session.save(update_fields=["status", "cancel_reason"])
        lecturers.append(session.lecturer)
    old.status = RequestStatus.RESCHEDULED
    old.rescheduled_to = new
    old.save(update_fields=["status", "rescheduled_to"])
    record(
        "lecturer_corps.request.reschedule",
        actor=actor,
        obj=old,
        changes={"to_request": new.pk, "date": date.isoformat()},
    )
    params = kinds.session_params(old, new_date=f"{date.isoformat()} {start_time:%H:%M}")
    notify(lecturers, kinds.SESSION_RESCHEDULED, params, url=_my_sessions_url())
    for lecturer in lecturers:
        try:
            with transaction.atomic():
                _propose(service_request=new, lecturer=lecturer, actor=actor)
        except ValidationError:
            continue
    while new.sessions.filter(status__in=LIVE_SESSION_STATUSES).count() < new.lecturers_needed:
        if propose_next_candidate(new, actor=actor) is None:
            break
    return new


# --- delivery ------------------------------------------------------------------------


# Filing, correcting, returning, verifying and confirming delivery reports live in
# ``lecturer_corps.delivery``.


# --- auto-assign ---------------------------------------------------------------------


def open_requests_for_period(actor, first_day, last_day):
    scope = permissions.check_coordinator(actor)
    return list(
        ServiceRequest.objects.in_scope(scope)
        .open()
        .filter(date__gte=max(first_day, timezone.localdate()), date__lte=last_day)
        .select_related("venue")
        .prefetch_related("sessions")
        .order_by("starts_at", "pk")
    )


def apply_plan(*, actor, items) -> tuple[list[Session], list[str]]:
    """Propose each (request id, lecturer id) of a confirmed plan. Every pair is checked
    again, so a plan that went stale since it was shown fails pair by pair with a reason."""
    User = get_user_model()
    scope = permissions.check_coordinator(actor)
    created, problems = [], []
    requests = (
        ServiceRequest.objects.in_scope(scope)
        .select_related("venue")
        .in_bulk([request_id for request_id, _user in items])
    )
    users = User.objects.in_bulk([user_id for _request, user_id in items])
    for request_id, user_id in items:
        service_request, lecturer = requests.get(request_id), users.get(user_id)
        if service_request is None or lecturer is None:
            problems.append(_("Request %(id)s is not in your scope.") % {"id": request_id})
            continue
        try:
            with transaction.atomic():
                locked = _lock_request(service_request)
                created.append(_propose(service_request=locked, lecturer=lecturer, actor=actor))
        except ValidationError as exc:
            problems.append(f"{service_request}: {' '.join(exc.messages)}")
    record(
        "lecturer_corps.auto_assign.apply",
        actor=actor,
        changes={"proposed": len(created), "failed": len(problems)},
    )
    return created, problems


# --- certificates --------------------------------------------------------------------


def certificate_changed(*, user_id=None, today=None) -> int:
    """Tell coordinators which coming sessions lose their lecturer's certificate.

    The certification app calls this when a certificate is revoked or expires (with the
    holder's id); the daily task calls it for everyone. Matching already reads
    certificates live, so the lecturer is out of matching at once; this is the news.
    Each affected session is reported once (until its lecturer is valid again).
    """
    affected = selectors.future_sessions_without_certificate(
        [user_id] if user_id is not None else None, today=today
    )
    affected_ids = {s.pk for s in affected}
    # A lecturer valid again (renewed) may be reported again if it lapses later.
    Session.objects.filter(certificate_alerted_at__isnull=False).filter(
        Q(lecturer_id=user_id) if user_id is not None else Q()
    ).exclude(pk__in=affected_ids).update(certificate_alerted_at=None)
    fresh = [s for s in affected if s.certificate_alerted_at is None]
    by_coordinators: dict[tuple, list] = {}
    for session in fresh:
        by_coordinators.setdefault(
            (session.lecturer_id, session.request.venue.district_id), []
        ).append(session)
    with transaction.atomic():
        for sessions in by_coordinators.values():
            lecturer = sessions[0].lecturer
            params = {
                "lecturer": str(lecturer),
                "count": len(sessions),
                "sessions": [
                    {
                        "date": s.request.date.isoformat(),
                        "venue": s.request.venue.name,
                        "request_id": s.request_id,
                    }
                    for s in sessions
                ],
            }
            notify(
                coordinators_for(sessions[0].request),
                kinds.CERTIFICATE_AFFECTS_SESSIONS,
                params,
                url=reverse("lecturer_corps:request_list"),
            )
            record(
                "lecturer_corps.certificate.sessions_affected",
                obj=lecturer,
                changes={"sessions": [s.pk for s in sessions]},
            )
        Session.objects.filter(pk__in=[s.pk for s in fresh]).update(
            certificate_alerted_at=timezone.now()
        )
    return len(fresh)


# --- calendar ------------------------------------------------------------------------


def calendar_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_calendar_token(*, actor) -> tuple[CalendarToken, str]:
    """A new secret calendar link for the lecturer; older links stop working.

    Returns the token and its secret, which is shown once and never stored.
    """
    permissions.check_lecturer(actor)
    CalendarToken.objects.filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    secret = secrets.token_urlsafe(32)
    token = CalendarToken.objects.create(user=actor, digest=calendar_digest(secret))
    record("lecturer_corps.calendar.create", actor=actor, obj=token)
    return token, secret


@transaction.atomic
def revoke_calendar_tokens(*, actor) -> int:
    count = CalendarToken.objects.filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    record("lecturer_corps.calendar.revoke", actor=actor, changes={"count": count})
    return count


def topic_title(code: str) -> str:
    topic = TOPICS_BY_CODE.get(code)
    return topic.title if topic else code
