"""Who may raise, see and handle a child-safety concern. Pages, the API and the services
all ask here.

A concern is seen only by: the person who raised it; the people it was sent to (the
reporter's supervising expert, the district's duty supervising expert and coordinators,
and whoever an escalation reached — a ``ConcernAlert`` each); the coordinators whose
scope covers its district; and administrators. Everyone else is told it does not exist
(404), never that it is forbidden. Staff roles count only once two-factor authentication
is set up, as everywhere else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import needs_two_factor_setup

from .models import Concern, ConcernAlert, SafeguardingArrangement

RAISING_ROLES = (roles.TRAINEE, roles.LECTURER)


def _staff_codes(user) -> frozenset[str]:
    """The staff roles a user may act in now (none until two-factor is set up)."""
    codes = roles.role_codes(user)
    if not codes & roles.STAFF_ROLES or needs_two_factor_setup(user):
        return frozenset()
    return codes & roles.STAFF_ROLES


def can_raise(user) -> bool:
    """Trainees and lecturers raise concerns (from a phone, in under a minute)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and roles.has_role(user, *RAISING_ROLES)
    )


def check_raise(user) -> None:
    if not can_raise(user):
        raise PermissionDenied(_("Only trainees and lecturers raise concerns here."))


def visible_concerns(user, queryset=None):
    """The concerns ``user`` may read (one scope for pages, the API and the reports' links)."""
    queryset = Concern.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    codes = _staff_codes(user)
    if roles.ADMINISTRATOR in codes:
        return queryset
    condition = Q(reporter=user)
    if not needs_two_factor_setup(user):
        # Sent to them (supervisor, duty expert, coordinator, an escalation's target).
        condition |= Q(Exists(ConcernAlert.objects.filter(concern=OuterRef("pk"), user=user)))
    if roles.COORDINATOR in codes:
        if user.coordinator_district_id is None:
            return queryset
        condition |= Q(district_id=user.coordinator_district_id)
    return queryset.filter(condition)


def can_handle(user, concern: Concern) -> bool:
    """Acknowledge, refer and close: whoever may see it, except the person who raised it."""
    if concern.reporter_id == user.pk:
        return False
    return visible_concerns(user).filter(pk=concern.pk).exists()


def check_handle(user, concern: Concern) -> None:
    if concern.reporter_id == user.pk:
        raise PermissionDenied(_("Someone else acknowledges and refers the concern you raised."))
    if not can_handle(user, concern):
        raise PermissionDenied(_("You may not act on this concern."))


# --- the arrangements (Wagtail admin, through the door) ---------------------------------


def is_administrator(user) -> bool:
    return roles.ADMINISTRATOR in _staff_codes(user)


def check_arrangement_admin(user, action: str, instance=None) -> None:
    """Only administrators set the duty experts, waiting times and escalation chains."""
    if not is_administrator(user):
        raise PermissionDenied(_("Only administrators set the safeguarding arrangements."))


def arrangements_in_scope(user):
    queryset = SafeguardingArrangement.objects.select_related("district", "duty_expert")
    return queryset if is_administrator(user) else queryset.none()
