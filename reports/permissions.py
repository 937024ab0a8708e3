"""Who may see and do what in reporting.

- Coordinators see the dashboard, the archive and the coverage figures for their
  scope (their district, or the whole city); they enter coverage base figures and
  generate reports within that scope.
- The leading group sees the whole city, read-only: no entry, no generation.
- Administrators see and do everything, and alone read the audit log.
- Trainees, lecturers and supervising experts see none of it.

Views, the API and services all ask these functions; a refusal raises ``PermissionDenied``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role
from places.models import District

VIEWER_ROLES = (roles.COORDINATOR, roles.ADMINISTRATOR, roles.LEADING_GROUP)
EDITOR_ROLES = (roles.COORDINATOR, roles.ADMINISTRATOR)


def check_can_view_reports(user) -> None:
    """Coordinators, administrators and the leading group (staff roles need 2FA)."""
    check_role(user, *VIEWER_ROLES)


def can_view_reports(user) -> bool:
    try:
        check_can_view_reports(user)
    except PermissionDenied:
        return False
    return True


def viewer_district(user) -> District | None:
    """The one district a viewer is limited to, or None when they see the whole city."""
    codes = roles.role_codes(user)
    if roles.ADMINISTRATOR in codes or roles.LEADING_GROUP in codes:
        return None
    if roles.COORDINATOR in codes:
        return user.coordinator_district
    raise PermissionDenied(_("Your role does not give access to reports."))


def resolve_district(user, district_code: str | None) -> District | None:
    """The district a request asks for, checked against the viewer's scope.

    An empty code means the viewer's whole scope (their district, or the city).
    A district outside a district coordinator's scope is refused; an unknown code is 404.
    """
    check_can_view_reports(user)
    limit = viewer_district(user)
    code = (district_code or "").strip()
    if not code or code == "city":
        if code == "city" and limit is not None:
            raise PermissionDenied(
                _("You may only see figures for %(district)s.") % {"district": limit}
            )
        return limit
    district = District.objects.filter(code=code).first()
    if district is None:
        raise Http404(_("No such district or county."))
    if limit is not None and district.pk != limit.pk:
        raise PermissionDenied(
            _("You may only see figures for %(district)s.") % {"district": limit}
        )
    return district


def _editor_within(user, district: District | None) -> bool:
    codes = roles.role_codes(user)
    if roles.ADMINISTRATOR in codes:
        return True
    if roles.COORDINATOR not in codes:
        return False
    limit = user.coordinator_district
    return limit is None or (district is not None and district.pk == limit.pk)


def check_can_edit_coverage(user, district: District | None = None) -> None:
    """Coordinators within their scope and administrators; the leading group is read-only."""
    check_role(user, *EDITOR_ROLES)
    if not _editor_within(user, district):
        raise PermissionDenied(_("You may only enter figures for your own district."))


def can_edit_coverage(user, district: District | None = None) -> bool:
    try:
        check_can_edit_coverage(user, district)
    except PermissionDenied:
        return False
    return True


def check_can_generate_report(user, district: District | None) -> None:
    """Generating (or regenerating) a report for a scope: coordinators in scope, administrators."""
    check_role(user, *EDITOR_ROLES)
    if not _editor_within(user, district):
        raise PermissionDenied(_("You may only generate reports for your own district."))


def can_generate_report(user, district: District | None) -> bool:
    try:
        check_can_generate_report(user, district)
    except PermissionDenied:
        return False
    return True


def check_can_view_report(user, report) -> None:
    """An archived report is visible to viewers whose scope contains the report's scope."""
    check_can_view_reports(user)
    limit = viewer_district(user)
    if limit is not None and report.district_id != limit.pk:
        raise PermissionDenied(_("This report is outside your district."))


def check_can_view_audit_log(user) -> None:
    """The audit log holds every user's actions: administrators only."""
    check_role(user, roles.ADMINISTRATOR)


def can_view_audit_log(user) -> bool:
    try:
        check_can_view_audit_log(user)
    except PermissionDenied:
        return False
    return True


def check_target_admin(user, action: str = "change", instance=None) -> None:
    """The programme's targets (the Wagtail admin's door): administrators set them; the
    other report viewers may look."""
    if action == "view" and can_view_reports(user):
        return
    check_role(user, roles.ADMINISTRATOR)


def targets_in_scope(user):
    from .models import CoverageTarget

    return CoverageTarget.objects.all() if can_view_reports(user) else CoverageTarget.objects.none()
