"""Who may do what in the practicum. Views, the API and services all ask here.

A refusal raises ``PermissionDenied``. Reads go through ``visible_entries`` and friends,
so that a record someone may not see is simply not found (404), never revealed by a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import needs_two_factor_setup

from .models import EDITABLE_STATES, EntryState, Placement, PracticumEntry


def _staff_codes(user) -> frozenset[str]:
    """The staff roles a user may act in now (none until two-factor is set up)."""
    codes = roles.role_codes(user)
    if not codes & roles.STAFF_ROLES or needs_two_factor_setup(user):
        return frozenset()
    return codes & roles.STAFF_ROLES


def _scope_q(user, trainee_path: str) -> Q | None:
    """Q for records a coordinator/administrator sees; None = everything; Q(pk__in=[]) = none."""
    codes = _staff_codes(user)
    if roles.ADMINISTRATOR in codes:
        return None
    if roles.COORDINATOR in codes:
        if user.coordinator_district_id is None:
            return None
        return Q(**{f"{trainee_path}__district_id": user.coordinator_district_id})
    return Q(pk__in=[])


def supervised_trainee_ids(user):
    """Ids of the trainees of ``user``'s placements, current and past (a subquery)."""
    return Placement.objects.filter(supervisor=user).values("trainee_id")


def visible_entries(user, queryset=None):
    """Entries the user may read: their own, their trainees', or those in their scope."""
    queryset = PracticumEntry.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    scope = _scope_q(user, "trainee")
    if scope is None:
        return queryset
    condition = Q(trainee=user) | scope
    if roles.SUPERVISOR in _staff_codes(user):
        condition |= Q(supervisor=user)
    return queryset.filter(condition)


def visible_placements(user, queryset=None):
    queryset = Placement.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    scope = _scope_q(user, "trainee")
    if scope is None:
        return queryset
    condition = Q(trainee=user) | scope
    if roles.SUPERVISOR in _staff_codes(user):
        condition |= Q(supervisor=user)
    return queryset.filter(condition)


def can_view_trainee_record(user, trainee) -> bool:
    """The ledger, evaluations and PDF record of ``trainee``."""
    if user.pk == trainee.pk:
        return True
    return visible_placements(user).filter(trainee=trainee).exists()


def is_supervisor(user) -> bool:
    return roles.SUPERVISOR in _staff_codes(user)


def check_can_log(user, placement: Placement) -> None:
    if placement.trainee_id != user.pk or not roles.has_role(user, roles.TRAINEE):
        raise PermissionDenied(_("Only the trainee of this placement can log practice in it."))
    if not placement.is_current:
        raise PermissionDenied(_("This placement is closed; log practice in your current one."))


def check_can_edit(user, entry: PracticumEntry) -> None:
    """The trainee may change their entry while it is a draft or returned, never after."""
    if entry.trainee_id != user.pk:
        raise PermissionDenied(_("Only the trainee who logged this entry can change it."))
    if entry.credit_source:
        raise PermissionDenied(
            _(
                "These hours were credited from a supervision session; confirm or dispute them there."
            )
        )
    if entry.state == EntryState.APPROVED:
        raise PermissionDenied(_("An approved entry cannot be changed."))
    if entry.state not in EDITABLE_STATES:
        raise PermissionDenied(
            _("This entry is %(state)s and cannot be changed.")
            % {"state": entry.get_state_display().lower()}
        )


def check_can_submit(user, entry: PracticumEntry) -> None:
    check_can_edit(user, entry)


def check_can_review(user, entry: PracticumEntry) -> None:
    """Only the entry's own supervising expert reviews it."""
    if not is_supervisor(user) or entry.supervisor_id != user.pk:
        raise PermissionDenied(_("Only the trainee's supervising expert can review this entry."))


def check_can_reverse(user) -> None:
    if roles.ADMINISTRATOR not in _staff_codes(user):
        raise PermissionDenied(_("Only an administrator can reverse an approval."))


def check_can_credit_supervision(user, placement: Placement) -> None:
    """Supervision hours are credited by the placement's own supervising expert, while the
    placement is current (``services.credit_supervision``)."""
    if not is_supervisor(user) or placement.supervisor_id != user.pk:
        raise PermissionDenied(
            _("Only the trainee's supervising expert can credit supervision hours.")
        )
    if not placement.is_current:
        raise PermissionDenied(_("This placement is closed."))


def check_can_withdraw_credit(user, entry: PracticumEntry) -> None:
    """Credited hours are withdrawn by the trainee (disputing them), the supervising
    expert who credited them, or an administrator."""
    if entry.trainee_id == user.pk or (entry.supervisor_id == user.pk and is_supervisor(user)):
        return
    if roles.ADMINISTRATOR in _staff_codes(user):
        return
    raise PermissionDenied(
        _("Only the trainee or their supervising expert can withdraw these hours.")
    )


def check_can_manage_placements(user, trainee) -> None:
    """Coordinators (within their scope) and administrators place trainees."""
    codes = _staff_codes(user)
    if roles.ADMINISTRATOR in codes:
        return
    if roles.COORDINATOR in codes and (
        user.coordinator_district_id is None or user.coordinator_district_id == trainee.district_id
    ):
        return
    raise PermissionDenied(_("Only a coordinator for this trainee's district can place them."))


def check_can_evaluate(user, placement: Placement) -> None:
    if not is_supervisor(user) or placement.supervisor_id != user.pk:
        raise PermissionDenied(_("Only the trainee's supervising expert can evaluate them."))
    if not placement.is_current:
        raise PermissionDenied(_("This placement is closed."))


def check_can_edit_rules(user, action: str = "change", rule=None) -> None:
    """The practicum's rules (requirements, activity types, the rubric) are the
    administrators' (with two-factor set up), for every action: seeing them in the admin
    too, since their drafts are not for others. ``action`` and ``rule`` are the admin's
    (``lms.one_door``); the answer is the same for every rule."""
    if roles.ADMINISTRATOR not in _staff_codes(user):
        raise PermissionDenied(_("Only an administrator can change the practicum's rules."))


def rules_in_scope(user, model):
    """The rows of one rule model (``model``) ``user`` manages: all of them, or none."""
    try:
        check_can_edit_rules(user)
    except PermissionDenied:
        return model.objects.none()
    return model.objects.all()
