"""Who may do what in the lecturer corps. Views, the API and services ask these.

* Coordinators (and administrators) manage requests, venues and assignments within
  their scope: a district coordinator only for venues of their district.
* A lecturer sees and answers only their own sessions and files their own reports.
* A delivery report's sign-in sheet is seen by its lecturer and coordinators in scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role, coordinator_scope


def check_coordinator(user):
    """Raise unless the user coordinates (2FA included); return their scope (None = city)."""
    check_role(user, roles.COORDINATOR, roles.ADMINISTRATOR)
    return coordinator_scope(user)


def is_coordinator(user) -> bool:
    return roles.has_role(user, roles.COORDINATOR, roles.ADMINISTRATOR)


def is_lecturer(user) -> bool:
    return roles.has_role(user, roles.LECTURER)


def check_lecturer(user) -> None:
    check_role(user, roles.LECTURER)


def check_district_in_scope(user, district_id) -> None:
    scope = check_coordinator(user)
    if scope is not None and scope.pk != district_id:
        raise PermissionDenied(_("This is outside the district you coordinate."))


def check_venue_in_scope(user, venue) -> None:
    check_district_in_scope(user, venue.district_id)


def check_request_in_scope(user, service_request) -> None:
    check_district_in_scope(user, service_request.venue.district_id)


def check_own_session(user, session) -> None:
    if session.lecturer_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This session is assigned to someone else."))


def can_see_report(user, report) -> bool:
    if report.session.lecturer_id == getattr(user, "pk", None):
        return True
    if not is_coordinator(user):
        return False
    try:
        check_request_in_scope(user, report.session.request)
    except PermissionDenied:
        return False
    return True


def check_profile_editable(user, profile) -> None:
    """A lecturer edits their own profile; a coordinator one of their district."""
    if profile.user_id == getattr(user, "pk", None):
        return
    scope = check_coordinator(user)
    if scope is not None and profile.district_id != scope.pk:
        raise PermissionDenied(_("This lecturer is outside the district you coordinate."))


# --- the Wagtail admin's door (lms.one_door) -----------------------------------------------


def check_venue_admin(user, action: str, venue=None) -> None:
    """Venues in the admin: coordinators and administrators, a given venue only in scope."""
    if venue is None:
        check_coordinator(user)
    else:
        check_venue_in_scope(user, venue)


def venues_in_scope(user):
    """The venues a user manages (none for someone who does not coordinate)."""
    from places.models import Venue

    if not is_coordinator(user):
        return Venue.objects.none()
    return Venue.objects.in_scope(coordinator_scope(user))


def check_profile_admin(user, action: str, profile=None) -> None:
    """Lecturer profiles in the admin: coordinators, a given profile only in scope (the
    lecturers themselves edit theirs on the corps pages)."""
    check_coordinator(user)
    if profile is not None:
        check_profile_editable(user, profile)


def profiles_in_scope(user):
    from .models import LecturerProfile

    if not is_coordinator(user):
        return LecturerProfile.objects.none()
    scope = coordinator_scope(user)
    profiles = LecturerProfile.objects.all()
    return profiles if scope is None else profiles.filter(district=scope)
