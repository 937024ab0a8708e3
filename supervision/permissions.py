"""Who may record, see and answer supervision, inspections, stages and publicity. Pages,
the API, the Wagtail admin and the services all ask here; a refusal raises
``PermissionDenied``. Reads go through the ``visible_*`` scopes, so a record someone may
not see is not found (404), never revealed by a 403.

- **Supervision sessions**: a supervising expert records them for their own trainees
  (a current placement with them); the expert, the trainees present and administrators
  see them; only the trainee present answers (confirm or dispute).
- **Inspections** are recorded by the leading group; the inspectors verify the corrective
  actions. The leading group and administrators see every inspection; a coordinator those
  in their district; an action's owner the inspection of their action.
- **Stages** are defined by administrators (Wagtail admin) and signed off by the leading
  group; everyone who sees the reports sees them.
- **Publicity**: a unit's reporters, the coordinators of its district and administrators
  upload and remove its items; the leading group sees all units' returns.

Staff roles (coordinator, supervising expert, administrator) count only once two-factor
authentication is set up, as everywhere else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import needs_two_factor_setup
from practicum.models import Placement

from .models import (
    CorrectiveAction,
    Inspection,
    PublicityItem,
    PublicityRule,
    Stage,
    SupervisionAttendance,
    SupervisionSession,
    Unit,
)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _codes(user) -> frozenset[str]:
    """The roles a user may act in now: staff roles only once two-factor is set up."""
    if not _active(user):
        return frozenset()
    codes = roles.role_codes(user)
    if codes & roles.STAFF_ROLES and needs_two_factor_setup(user):
        return codes - roles.STAFF_ROLES
    return codes


def is_administrator(user) -> bool:
    return roles.ADMINISTRATOR in _codes(user)


def is_leading_group(user) -> bool:
    return roles.LEADING_GROUP in _codes(user)


def is_supervisor(user) -> bool:
    return roles.SUPERVISOR in _codes(user)


def coordinator_district_id(user) -> int | None | bool:
    """The district a coordinator covers (None: the whole city); False when not one."""
    if roles.COORDINATOR not in _codes(user):
        return False
    return user.coordinator_district_id


def covers_district(user, district_id) -> bool:
    """An administrator, or a coordinator whose scope includes the district."""
    if is_administrator(user):
        return True
    scope = coordinator_district_id(user)
    return scope is None or (scope is not False and scope == district_id)


# --- supervision sessions ---------------------------------------------------------------


def can_record_session(user) -> bool:
    return is_supervisor(user)


def check_record_session(user) -> None:
    if not can_record_session(user):
        raise PermissionDenied(_("Only supervising experts record supervision sessions."))


def own_trainee_placements(user):
    """The current placements whose supervising expert is ``user`` (whom they may record
    supervision for), trainees active."""
    if not is_supervisor(user):
        return Placement.objects.none()
    return Placement.objects.current().filter(supervisor=user, trainee__is_active=True)


def visible_sessions(user, queryset=None):
    """Sessions the user may read: those they gave, those they were present at, or all
    (administrators)."""
    queryset = SupervisionSession.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if is_administrator(user):
        return queryset
    present = SupervisionAttendance.objects.filter(session=OuterRef("pk"), trainee=user)
    condition = Q(Exists(present))
    if is_supervisor(user):
        condition |= Q(expert=user)
    return queryset.filter(condition)


def check_answer(user, attendance: SupervisionAttendance) -> None:
    """Only the trainee present confirms or disputes their attendance."""
    if attendance.trainee_id != getattr(user, "pk", None) or not _active(user):
        raise PermissionDenied(_("Only the trainee present answers for this supervision."))


# --- inspections and corrective actions ------------------------------------------------------


def can_record_inspection(user) -> bool:
    return is_leading_group(user)


def check_record_inspection(user) -> None:
    if not can_record_inspection(user):
        raise PermissionDenied(_("Only the leading group records inspections."))


def visible_inspections(user, queryset=None):
    queryset = Inspection.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if is_administrator(user) or is_leading_group(user):
        return queryset
    condition = Q(inspectors=user) | Q(
        Exists(CorrectiveAction.objects.filter(finding__inspection=OuterRef("pk"), owner=user))
    )
    scope = coordinator_district_id(user)
    if scope is None:
        return queryset
    if scope is not False:
        condition |= Q(district_id=scope)
    return queryset.filter(condition).distinct()


def visible_actions(user, queryset=None):
    queryset = CorrectiveAction.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if is_administrator(user) or is_leading_group(user):
        return queryset
    condition = Q(owner=user) | Q(
        Exists(
            Inspection.inspectors.through.objects.filter(
                inspection_id=OuterRef("finding__inspection_id"), user_id=user.pk
            )
        )
    )
    scope = coordinator_district_id(user)
    if scope is None:
        return queryset
    if scope is not False:
        condition |= Q(finding__inspection__district_id=scope)
    return queryset.filter(condition)


def check_add_finding(user, inspection: Inspection) -> None:
    """The leading group adds findings (and their actions) to an inspection."""
    check_record_inspection(user)


def can_submit_evidence(user, action: CorrectiveAction) -> bool:
    """The action's owner, or a coordinator covering the inspected district."""
    if not _active(user) or action.state == "verified":
        return False
    if action.owner_id == user.pk:
        return True
    return coordinator_district_id(user) is not False and covers_district(
        user, action.finding.inspection.district_id
    )


def check_submit_evidence(user, action: CorrectiveAction) -> None:
    if not can_submit_evidence(user, action):
        raise PermissionDenied(
            _("Only the action's owner or the district's coordinators submit its evidence.")
        )


def can_verify(user, action: CorrectiveAction) -> bool:
    """An inspector of the inspection who is in the leading group verifies (or returns) it."""
    if not is_leading_group(user):
        return False
    return action.finding.inspection.inspectors.filter(pk=user.pk).exists()


def check_verify(user, action: CorrectiveAction) -> None:
    if not can_verify(user, action):
        raise PermissionDenied(_("Only an inspector of this inspection verifies its actions."))


def can_be_owner(user, district_id, unit: Unit | None) -> bool:
    """Who may own a corrective action: a coordinator covering the district, or a reporter
    of the inspected unit (active accounts only)."""
    if not getattr(user, "is_active", False):
        return False
    codes = roles.role_codes(user)
    if roles.COORDINATOR in codes and user.coordinator_district_id in (None, district_id):
        return True
    return unit is not None and unit.reporters.filter(pk=user.pk).exists()


def can_be_inspector(user) -> bool:
    return bool(getattr(user, "is_active", False)) and roles.has_role(
        user, roles.LEADING_GROUP, roles.SUPERVISOR
    )


# --- stages -----------------------------------------------------------------------------------


def can_view_stages(user) -> bool:
    codes = _codes(user)
    return bool(codes & {roles.COORDINATOR, roles.ADMINISTRATOR, roles.LEADING_GROUP})


def check_view_stages(user) -> None:
    if not can_view_stages(user):
        raise PermissionDenied(_("Your role does not give access to the programme's stages."))


def can_sign_off(user) -> bool:
    return is_leading_group(user)


def check_sign_off(user) -> None:
    if not can_sign_off(user):
        raise PermissionDenied(_("Only the leading group accepts a stage."))


def check_stage_admin(user, action: str = "change", instance=None) -> None:
    """Administrators define the stages and their criteria (the Wagtail admin's door);
    the leading group and coordinators may look at them there."""
    if action == "view" and can_view_stages(user):
        return
    if not is_administrator(user):
        raise PermissionDenied(_("Only administrators define the programme's stages."))


def stages_in_scope(user):
    return Stage.objects.all() if can_view_stages(user) else Stage.objects.none()


# --- units and publicity -------------------------------------------------------------------


def check_unit_admin(user, action: str = "change", instance: Unit | None = None) -> None:
    """Administrators and coordinators (their district) manage the units."""
    if is_administrator(user):
        return
    scope = coordinator_district_id(user)
    if scope is False:
        raise PermissionDenied(_("Only administrators and coordinators manage units."))
    if instance is not None and scope is not None and instance.district_id not in (None, scope):
        raise PermissionDenied(_("This unit is outside your district."))


def units_in_scope(user):
    """The units a user manages (the admin's listing)."""
    queryset = Unit.objects.select_related("district", "township")
    if is_administrator(user):
        return queryset
    scope = coordinator_district_id(user)
    if scope is False:
        return queryset.none()
    return queryset if scope is None else queryset.filter(district_id=scope)


def visible_units(user, queryset=None):
    """Units whose publicity the user may see: as ``units_in_scope``, plus every unit for
    the leading group and the units a user reports for."""
    queryset = Unit.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if is_administrator(user) or is_leading_group(user):
        return queryset
    condition = Q(reporters=user)
    scope = coordinator_district_id(user)
    if scope is None:
        return queryset
    if scope is not False:
        condition |= Q(district_id=scope)
    return queryset.filter(condition).distinct()


def can_report_publicity(user, unit: Unit) -> bool:
    if not _active(user) or not unit.is_active:
        return False
    if covers_district(user, unit.district_id) and (
        is_administrator(user) or coordinator_district_id(user) is not False
    ):
        return True
    return unit.reporters.filter(pk=user.pk).exists()


def check_report_publicity(user, unit: Unit) -> None:
    if not can_report_publicity(user, unit):
        raise PermissionDenied(
            _("Only the unit's reporters and its coordinators report its publicity.")
        )


def check_remove_publicity(user, item: PublicityItem) -> None:
    check_report_publicity(user, item.unit)


def check_rule_admin(user, action: str = "change", instance: PublicityRule | None = None) -> None:
    """Administrators set the publicity rule; coordinators and the leading group may look."""
    if action == "view" and (is_administrator(user) or coordinator_district_id(user) is not False):
        return
    if not is_administrator(user):
        raise PermissionDenied(_("Only administrators set the publicity rule."))


def rules_in_scope(user):
    try:
        check_rule_admin(user, "view")
    except PermissionDenied:
        return PublicityRule.objects.none()
    return PublicityRule.objects.all()
