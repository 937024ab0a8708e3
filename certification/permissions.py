"""Who may do what with certificates. Views, the API and services ask these functions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role, coordinator_scope


def manages_holder(user, holder) -> bool:
    """True for administrators and coordinators whose scope covers the holder's district."""
    codes = roles.role_codes(user)
    if roles.ADMINISTRATOR in codes:
        return True
    if roles.COORDINATOR not in codes:
        return False
    scope_id = user.coordinator_district_id
    return scope_id is None or scope_id == holder.district_id


def check_manage(user, holder) -> None:
    """Coordinators in scope and administrators (with two-factor set up), else 403."""
    check_role(user, roles.COORDINATOR, roles.ADMINISTRATOR)
    if not manages_holder(user, holder):
        raise PermissionDenied(_("This person is outside your district."))


def can_view_certificate(user, certificate) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if certificate.holder_id == user.pk:
        return True
    return manages_holder(user, certificate.holder)


def check_view_certificate(user, certificate) -> None:
    if not can_view_certificate(user, certificate):
        raise PermissionDenied(_("You may not see this certificate."))


def check_issue(user, trainee, certification) -> None:
    """Who may issue: the system (None), a coordinator in scope, or the trainee for an
    automatically issued type (eligibility is checked by the service)."""
    if user is None:
        return
    if user.pk == trainee.pk and not manages_holder(user, trainee):
        from .models import IssueMode

        if certification.issue_mode != IssueMode.AUTOMATIC:
            raise PermissionDenied(_("This certificate is issued after a coordinator's approval."))
        return
    check_manage(user, trainee)


def scope(user):
    """The coordinator's district (None = whole city); PermissionDenied for other roles."""
    check_role(user, roles.COORDINATOR, roles.ADMINISTRATOR)
    return coordinator_scope(user)


def check_can_manage_types(user, action: str = "change", item=None, *, model=None) -> None:
    """Certification types, their requirements and signatories: administrators (with
    two-factor set up) add and change them; coordinators may look at the types (they
    issue them). ``action``, ``item`` and ``model`` are the admin's (``lms.one_door``)."""
    from .models import CertificationType

    if action == "view" and (model or type(item)) is CertificationType:
        check_role(user, roles.ADMINISTRATOR, roles.COORDINATOR)
        return
    check_role(user, roles.ADMINISTRATOR)


def types_in_scope(user, model):
    """The rows of ``model`` (a type, requirement or signatory) ``user`` sees in the admin."""
    from .models import CertificationType

    try:
        check_can_manage_types(
            user, "view" if model is CertificationType else "change", model=model
        )
    except PermissionDenied:
        return model.objects.none()
    return model.objects.all()
