"""Who may do what with people's accounts, and the two-factor rule for staff roles.

Views, the API and services ask these functions; a refusal raises ``PermissionDenied``.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import roles

# Whom a supervising expert looks after is known by the apps above accounts (practicum's
# placements); each adds its relation when its app is ready, so accounts imports none of
# them (the import layers in pyproject.toml).
_supervision_relations: list = []


def add_supervision_relation(relation) -> None:
    """``relation(user)`` returns a queryset of the user ids ``user`` supervises."""
    if relation not in _supervision_relations:
        _supervision_relations.append(relation)


def supervised_people_q(user):
    """A ``Q`` on users: ``user`` and the people they supervise by any relation."""
    from django.db.models import Q

    condition = Q(pk=user.pk)
    for relation in _supervision_relations:
        condition |= Q(pk__in=relation(user))
    return condition


class TwoFactorRequired(PermissionDenied):
    """A staff role tried to reach a staff page before setting up two-factor authentication."""


def has_two_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_has_two_factor", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_two_factor = cached
    return cached


def needs_two_factor_setup(user) -> bool:
    """True when a staff-role user has not set up TOTP and is not waived (dev demo only)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (roles.role_codes(user) & roles.STAFF_ROLES or user.is_staff):
        return False
    if user.get_username() in settings.MFA_WAIVED_USERNAMES:
        return False
    return not has_two_factor(user)


def check_role(user, *role_codes: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles (and 2FA if staff)."""
    if not roles.has_role(user, *role_codes):
        raise PermissionDenied(_("Your role does not give access to this page."))
    if needs_two_factor_setup(user):
        raise TwoFactorRequired(_("Set up two-factor authentication to reach staff pages."))


def role_required(*role_codes: str):
    """View decorator: anonymous → log-in page; wrong role → 403; staff without 2FA → set-up."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                check_role(request.user, *role_codes)
            except TwoFactorRequired:
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def can_import_people(user) -> bool:
    return roles.has_role(user, roles.ADMINISTRATOR, roles.COORDINATOR)


def coordinator_scope(user):
    """The district a coordinator is limited to, or None for the whole city.

    Raises PermissionDenied for anyone who is neither coordinator nor administrator.
    """
    codes = roles.role_codes(user)
    if roles.ADMINISTRATOR in codes:
        return None
    if roles.COORDINATOR in codes:
        return user.coordinator_district
    raise PermissionDenied(_("Only coordinators and administrators have a scope."))


def manageable_people(user):
    """The accounts a user may change in the admin (the people import applies the same rules).

    Administrators: everyone. Coordinators: people without a staff role who are not
    staff or superusers, in their district when they have one. Anyone else: nobody.
    """
    from .models import User

    people = User.objects.all()
    codes = roles.role_codes(user)
    if roles.ADMINISTRATOR in codes:
        return people
    if roles.COORDINATOR not in codes:
        return people.none()
    people = people.filter(is_superuser=False, is_staff=False).exclude(
        groups__name__in=roles.STAFF_ROLES
    )
    if user.coordinator_district_id:
        people = people.filter(district_id=user.coordinator_district_id)
    return people


# --- the Wagtail admin (``lms.one_door``) ---------------------------------------------------


def check_can_manage_places(user, action: str = "change", place=None, *, model=None) -> None:
    """Districts and townships (the city's reference geography, which scopes coordinators):
    administrators add, change and delete them; coordinators may look at them."""
    if action == "view":
        check_role(user, roles.ADMINISTRATOR, roles.COORDINATOR)
        return
    check_role(user, roles.ADMINISTRATOR)


def places_in_scope(user, model):
    try:
        check_can_manage_places(user, "view", model=model)
    except PermissionDenied:
        return model.objects.none()
    return model.objects.all()


def visible_people(user):
    """The accounts ``user`` sees in the admin's Users listing: whom they may change
    (``manageable_people``), and for anyone else (supervising experts) themselves and the
    people they supervise."""
    from .models import User

    codes = roles.role_codes(user)
    if codes & {roles.ADMINISTRATOR, roles.COORDINATOR}:
        return manageable_people(user)
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    return User.objects.filter(supervised_people_q(user))


def check_person_admin(user, action: str = "view", person=None) -> None:
    """The admin's Users pages, by the people-import rules: administrators manage everyone;
    coordinators add people and change non-staff people of their scope (never roles or the
    Administrator box: ``check_role_change``); supervising experts only look at themselves
    and their trainees. Nobody deletes an account here (deactivate it; erasure is the
    privacy app's). Staff roles need two-factor set up."""
    if action == "delete":
        raise PermissionDenied(_("Accounts are deactivated, not deleted."))
    if action == "view":
        if person is not None and not visible_people(user).filter(pk=person.pk).exists():
            raise PermissionDenied(_("This person is outside your scope."))
        if needs_two_factor_setup(user) or not roles.role_codes(user) & roles.STAFF_ROLES:
            raise PermissionDenied(_("Your role does not give access to this page."))
        return
    check_role(user, roles.ADMINISTRATOR, roles.COORDINATOR)
    if person is not None and not manageable_people(user).filter(pk=person.pk).exists():
        raise PermissionDenied(_("Only an administrator may change this account."))


def check_role_change(user) -> None:
    """Roles (groups), the Administrator box and staff status come from an administrator."""
    if not roles.has_role(user, roles.ADMINISTRATOR) or needs_two_factor_setup(user):
        raise PermissionDenied(_("Only an administrator may give roles or make administrators."))
