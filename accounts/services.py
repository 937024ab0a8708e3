"""Changes to people's accounts and to the city's reference geography made in the admin.

Each function checks permission in ``accounts.permissions`` (by the people-import rules:
coordinators look after non-staff people of their scope; only administrators give roles,
make administrators or change staff accounts), is atomic and writes one audit row —
names of changed fields only, never a password or an address. The Wagtail admin reaches
them through ``lms.one_door`` (``accounts.wagtail_hooks``, ``accounts.wagtail_users``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from audit.services import record

from . import permissions, roles
from .models import User

#: Fields of Wagtail's user forms that are not model fields: recorded as "password".
PASSWORD_FIELDS = frozenset({"password1", "password2"})


def _audit_fields(changed) -> list[str]:
    names = {("password" if name in PASSWORD_FIELDS else name) for name in changed}
    return sorted(names)


# --- districts and townships ------------------------------------------------------------------


def _place_code(place, verb: str) -> str:
    return f"{place._meta.label_lower}.{verb}"


@transaction.atomic
def save_place(*, actor, place, changed=()):
    """Add or change a district or township (``place`` carries the values, unsaved).
    Administrators only (``PermissionDenied``); ``ValidationError`` for a duplicate name
    or code. Coordinators' scopes and people's districts refer to these rows, so a
    change shows everywhere at once. Atomic; one audit row."""
    creating = place.pk is None
    permissions.check_can_manage_places(actor, "add" if creating else "change", place)
    place.full_clean()
    place.save()
    changes = {"name": place.name}
    if not creating:
        changes["fields"] = sorted(changed)
    record(
        _place_code(place, "create" if creating else "update"),
        actor=actor,
        obj=place,
        changes=changes,
    )
    return place


@transaction.atomic
def delete_place(*, actor, place) -> None:
    """Remove a district or township nothing refers to; one that people, townships,
    venues or coordinators' scopes use is refused (``ValidationError``). Administrators
    only; audited."""
    permissions.check_can_manage_places(actor, "delete", place)
    record(_place_code(place, "delete"), actor=actor, obj=place, changes={"name": place.name})
    try:
        with transaction.atomic():
            place.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(
            _("People, places or scopes still refer to this; it cannot be deleted.")
        ) from exc


# --- people (the admin's Users pages) ---------------------------------------------------------


def _check_staff_fields(actor, person, stored=None) -> None:
    """Only an administrator makes or unmakes an administrator or a staff account."""
    for name in ("is_superuser", "is_staff"):
        before = getattr(stored, name) if stored is not None else False
        if getattr(person, name) != before:
            permissions.check_role_change(actor)


def _set_roles(actor, person, groups) -> list[str]:
    """Give ``person`` exactly the role groups ``groups`` (administrators only)."""
    permissions.check_role_change(actor)
    person.groups.set(groups)
    person._role_codes = None
    return sorted(group.name for group in groups)


@transaction.atomic
def create_person(*, actor, person: User, related=None) -> User:
    """Add an account (``person``: validated, unsaved, its password already set).
    Administrators and coordinators (``PermissionDenied`` otherwise). A coordinator of a
    district adds people of that district only (an empty district becomes theirs); roles,
    the Administrator box and staff status come from an administrator only. Atomic; one
    audit row naming the roles given."""
    permissions.check_person_admin(actor, "add")
    _check_staff_fields(actor, person)
    scope = permissions.coordinator_scope(actor)
    if scope is not None:
        if person.district_id is None:
            person.district = scope
        elif person.district_id != scope.pk:
            raise PermissionDenied(
                _("You may only add people of %(scope)s.") % {"scope": scope.name}
            )
    person.full_clean(exclude=["password"])
    person.save()
    given = []
    groups = (related or {}).get("groups")
    if groups:
        given = _set_roles(actor, person, groups)
    record(
        "accounts.user.create",
        actor=actor,
        obj=person,
        changes={"roles": given, "district": person.district_id},
    )
    return person


@transaction.atomic
def update_person(*, actor, person: User, changed=(), related=None) -> User:
    """Save edits to an account (``person`` carries them, unsaved). Administrators change
    anyone; coordinators change non-staff people of their scope, and may not move them
    out of it, give roles or make them administrators (``PermissionDenied``). Atomic; one
    audit row naming the changed fields ("password" for a new password)."""
    stored = User.objects.select_for_update().get(pk=person.pk)
    permissions.check_person_admin(actor, "change", stored)
    _check_staff_fields(actor, person, stored)
    scope = permissions.coordinator_scope(actor)
    if scope is not None and person.district_id != scope.pk:
        raise PermissionDenied(
            _("This person belongs to another district; you coordinate %(scope)s only.")
            % {"scope": scope.name}
        )
    person.full_clean(exclude=["password"])
    person.save()
    changes = {"fields": _audit_fields(changed)}
    if related and "groups" in related:
        before = set(stored.groups.values_list("name", flat=True))
        after = _set_roles(actor, person, related["groups"])
        if set(after) != before:
            changes["roles"] = after
    record("accounts.user.update", actor=actor, obj=person, changes=changes)
    return person


def set_person_active(*, actor, instance: User, mark_as_active: bool, **_context) -> User:
    """The Users listing's bulk "active/inactive": one account at a time through
    ``update_person`` (same rules, one audit row each); nobody deactivates themselves."""
    if instance.pk == actor.pk and not mark_as_active:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    instance.is_active = bool(mark_as_active)
    return update_person(actor=actor, person=instance, changed=["is_active"])


@transaction.atomic
def give_role(*, actor, instance: User, role, **_context) -> User:
    """The Users listing's bulk "assign role": administrators only; one audit row each."""
    permissions.check_person_admin(actor, "change", instance)
    permissions.check_role_change(actor)
    if role.name not in roles.ALL_ROLES:
        raise PermissionDenied(_("Only the product's roles can be given here."))
    instance.groups.add(role)
    record("accounts.user.update", actor=actor, obj=instance, changes={"roles_added": [role.name]})
    return instance
