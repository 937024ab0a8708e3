"""Who may do what in dispatch planning. Views, the API, the admin's doors and the
services ask these; a refusal raises ``PermissionDenied``.

* A **venue contact** with an account (``lecturer_corps.VenueContact.user``, active, of an
  active venue) asks for sessions for that one venue and sees only that venue's requests
  and sessions. No role is needed: the contact record is the scope.
* **Coordinators** triage venue requests, plan months and read costs within their scope
  (a district coordinator: venues of their district); administrators everywhere.
* **Tariffs and budgets** are the bureau's: city-wide coordinators and administrators set
  them; district coordinators read them.
* **Prior qualifications**: the holder (a lecturer) records their own, or a coordinator
  records one for a person of their scope; a coordinator of the holder's scope who is not
  the holder approves, rejects or withdraws it; the evidence is seen by the holder and
  coordinators in scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role, coordinator_scope
from lecturer_corps.models import VenueContact
from lecturer_corps.permissions import (
    check_coordinator,
    check_district_in_scope,
    check_venue_in_scope,
    is_coordinator,
)

__all__ = [
    "check_coordinator",
    "check_district_in_scope",
    "check_venue_in_scope",
    "is_coordinator",
]

_NO_CONTACT = object()


# --- venue contacts --------------------------------------------------------------------------


def venue_contact_of(user) -> VenueContact | None:
    """The active contact record ``user`` signs in as (of an active venue), or None.
    Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_dispatch_venue_contact", _NO_CONTACT)
    if cached is _NO_CONTACT:
        cached = (
            VenueContact.objects.select_related("venue", "venue__district")
            .filter(user=user, is_active=True, venue__is_active=True)
            .first()
        )
        user._dispatch_venue_contact = cached
    return cached


def is_venue_contact(user) -> bool:
    return venue_contact_of(user) is not None


def check_venue_contact(user) -> VenueContact:
    """Raise unless ``user`` answers for a venue; return their contact record."""
    contact = venue_contact_of(user)
    if contact is None:
        raise PermissionDenied(_("Only a venue's contact person may ask for sessions here."))
    return contact


def check_own_venue_request(user, venue_request) -> VenueContact:
    """The contact of the request's venue, or ``PermissionDenied``."""
    contact = check_venue_contact(user)
    if venue_request.venue_id != contact.venue_id:
        raise PermissionDenied(_("This request belongs to another venue."))
    return contact


# --- coordinators ------------------------------------------------------------------------------


def check_request_scope(user, venue_request) -> None:
    """A coordinator of the venue's district (or of the whole city)."""
    check_venue_in_scope(user, venue_request.venue)


def check_city_wide(user) -> None:
    """City-wide coordinators and administrators (the bureau's money and rates)."""
    scope = check_coordinator(user)
    if scope is not None:
        raise PermissionDenied(_("Only a city-wide coordinator or an administrator sets this."))


def check_tariff_admin(user, action: str, tariff=None) -> None:
    """Tariffs in the admin: any coordinator looks; city-wide ones change them."""
    if action == "view":
        check_coordinator(user)
        return
    check_city_wide(user)


def tariffs_in_scope(user):
    from .models import Tariff

    return Tariff.objects.all() if is_coordinator(user) else Tariff.objects.none()


def check_budget_admin(user, action: str, budget=None) -> None:
    """Budgets in the admin: a coordinator looks at their district's; city-wide ones set
    every district's."""
    if action == "view":
        if budget is not None:
            check_district_in_scope(user, budget.district_id)
        else:
            check_coordinator(user)
        return
    check_city_wide(user)


def budgets_in_scope(user):
    from .models import Budget

    if not is_coordinator(user):
        return Budget.objects.none()
    scope = coordinator_scope(user)
    budgets = Budget.objects.all()
    return budgets if scope is None else budgets.filter(district=scope)


# --- prior qualifications ------------------------------------------------------------------


def _check_person_in_scope(user, person) -> None:
    scope = check_coordinator(user)
    if scope is not None and person.district_id != scope.pk:
        raise PermissionDenied(_("This person is outside the district you coordinate."))


def check_can_record_prior(user, holder) -> None:
    """The holder themselves (a lecturer), or a coordinator of the holder's scope."""
    if getattr(user, "pk", None) == holder.pk:
        check_role(user, roles.LECTURER)
        return
    _check_person_in_scope(user, holder)


def check_can_decide_prior(user, qualification) -> None:
    """A coordinator of the holder's scope; never the holder."""
    if getattr(user, "pk", None) == qualification.holder_id:
        raise PermissionDenied(_("You cannot approve your own qualification."))
    _check_person_in_scope(user, qualification.holder)


def can_see_prior(user, qualification) -> bool:
    if getattr(user, "pk", None) == qualification.holder_id:
        return True
    if not is_coordinator(user):
        return False
    try:
        _check_person_in_scope(user, qualification.holder)
    except PermissionDenied:
        return False
    return True


def prior_qualifications_in_scope(user):
    """The records a coordinator may read (their scope's people), else the user's own."""
    from .models import PriorQualification

    rows = PriorQualification.objects.all()
    if is_coordinator(user):
        scope = coordinator_scope(user)
        return rows if scope is None else rows.filter(holder__district=scope)
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    return rows.filter(holder=user)
