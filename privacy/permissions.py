"""Who may export or anonymise a person's data: administrators only, with two-factor."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role


def can_manage_personal_data(user) -> bool:
    return roles.has_role(user, roles.ADMINISTRATOR)


def check_manage_personal_data(user) -> None:
    """Raise PermissionDenied unless the user is an administrator with two-factor set up."""
    if not can_manage_personal_data(user):
        raise PermissionDenied(_("Only administrators may export or anonymise a person's data."))
    check_role(user, roles.ADMINISTRATOR)
