"""The roles of the product. Each role is a Django group whose name is a stable code."""

from django.utils.translation import gettext_lazy as _

TRAINEE = "trainee"
LECTURER = "lecturer"
COORDINATOR = "coordinator"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
LEADING_GROUP = "leading_group"

ROLE_LABELS = {
    TRAINEE: _("Trainee"),
    LECTURER: _("Lecturer"),
    COORDINATOR: _("Coordinator"),
    SUPERVISOR: _("Supervising expert"),
    ADMINISTRATOR: _("Administrator"),
    LEADING_GROUP: _("Leading group"),
}
ALL_ROLES = tuple(ROLE_LABELS)

# Roles whose holders see other people's records: they must set up two-factor
# authentication before they reach their pages.
STAFF_ROLES = frozenset({COORDINATOR, SUPERVISOR, ADMINISTRATOR})


def role_codes(user) -> frozenset[str]:
    """The role codes a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMINISTRATOR}
        user._role_codes = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_codes(user) & set(roles))
