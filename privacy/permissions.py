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


# --- the review list of flagged free text (privacy.review) -------------------------------


def can_review_flags(user) -> bool:
    return roles.has_role(user, roles.COORDINATOR, roles.ADMINISTRATOR)


def check_review_flags(user) -> None:
    """Coordinators and administrators (with two-factor) review flagged text."""
    check_role(user, roles.COORDINATOR, roles.ADMINISTRATOR)


def flags_in_scope(user):
    """Flags a reviewer may see: a district coordinator those of their district;
    city-wide coordinators and administrators every flag."""
    from accounts.permissions import coordinator_scope

    from .models import FlaggedText

    if not can_review_flags(user):
        return FlaggedText.objects.none()
    if roles.has_role(user, roles.ADMINISTRATOR):
        return FlaggedText.objects.all()
    scope = coordinator_scope(user)
    flags = FlaggedText.objects.all()
    return flags if scope is None else flags.filter(district=scope)
