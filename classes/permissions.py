"""Who may do what with face-to-face classes. Pages, the API, the Wagtail admin (through
the door) and the services all ask here; a refusal raises ``PermissionDenied``.

- **Coordinators** manage the classes of their scope (their district; city-wide
  coordinators every class), administrators every class. Staff roles count only once
  two-factor authentication is set up, as everywhere else.
- **Trainers** see, show the check-in code of and mark attendance on *their* classes
  only (``TrainingClass.trainer``); another class's roster is "not found".
- **Trainees and lecturers** sign up for open classes and for their cohort's classes,
  and see their own bookings.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import needs_two_factor_setup

from .models import Audience, ClassStatus, TrainingClass

LEARNER_ROLES = (roles.TRAINEE, roles.LECTURER)
TRAINER_ROLES = (roles.LECTURER, roles.SUPERVISOR, roles.COORDINATOR, roles.ADMINISTRATOR)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _staff_codes(user) -> frozenset[str]:
    """The staff roles a user may act in now (none until two-factor is set up)."""
    if not _active(user):
        return frozenset()
    codes = roles.role_codes(user)
    if not codes & roles.STAFF_ROLES or needs_two_factor_setup(user):
        return frozenset()
    return codes & roles.STAFF_ROLES


def is_manager(user) -> bool:
    """A coordinator or administrator (with two-factor set up)."""
    return bool(_staff_codes(user) & {roles.COORDINATOR, roles.ADMINISTRATOR})


def manager_district(user):
    """The district a manager is limited to (None = whole city). Call after ``is_manager``."""
    if roles.ADMINISTRATOR in _staff_codes(user):
        return None
    return user.coordinator_district


def managed_classes(user, queryset=None):
    """The classes ``user`` manages (create, edit, cancel, book a cohort, see the roster)."""
    queryset = TrainingClass.objects.all() if queryset is None else queryset
    if not is_manager(user):
        return queryset.none()
    district = manager_district(user)
    return queryset if district is None else queryset.filter(district_id=district.pk)


def in_manager_scope(user, district_id) -> bool:
    if not is_manager(user):
        return False
    district = manager_district(user)
    return district is None or district.pk == district_id


def check_manage(user, action: str = "change", instance=None) -> None:
    """Raise unless ``user`` may ``action`` (add/change/delete/view) ``instance`` (None: any).

    A district coordinator adds and changes classes of their own district only (never a
    city-wide one)."""
    if not is_manager(user):
        raise PermissionDenied(_("Only coordinators and administrators manage classes."))
    if instance is None:
        return
    if instance.pk is not None and not managed_classes(user).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("This class is outside your district."))
    if not in_manager_scope(user, instance.district_id):
        raise PermissionDenied(_("You may manage classes of your own district only."))


def may_train(user) -> bool:
    """Whether ``user`` may be named a class's trainer (an active lecturer or staff member)."""
    return bool(user is not None and user.is_active and roles.has_role(user, *TRAINER_ROLES))


def is_trainer_of(user, training_class) -> bool:
    """The class's trainer, with two-factor set up if they hold a staff role."""
    return (
        _active(user) and training_class.trainer_id == user.pk and not needs_two_factor_setup(user)
    )


def trained_classes(user, queryset=None):
    """The classes ``user`` trains (their "my classes" page)."""
    queryset = TrainingClass.objects.all() if queryset is None else queryset
    if not _active(user) or needs_two_factor_setup(user):
        return queryset.none()
    return queryset.filter(trainer=user)


def roster_classes(user, queryset=None):
    """Classes whose roster ``user`` may see and mark: the ones they train or manage."""
    queryset = TrainingClass.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    condition = Q(pk__in=trained_classes(user).values("pk"))
    if is_manager(user):
        district = manager_district(user)
        if district is None:
            return queryset
        condition |= Q(district_id=district.pk)
    return queryset.filter(condition)


def can_see_roster(user, training_class) -> bool:
    return is_trainer_of(user, training_class) or (
        is_manager(user) and in_manager_scope(user, training_class.district_id)
    )


def check_roster(user, training_class) -> None:
    """Show the check-in code, mark attendance, read the roster: the trainer or a manager."""
    if not can_see_roster(user, training_class):
        raise PermissionDenied(_("Only the class's trainer and its coordinators may do this."))


def is_learner(user) -> bool:
    return _active(user) and roles.has_role(user, *LEARNER_ROLES)


def offered_classes(user, queryset=None):
    """Scheduled classes ``user`` may sign up for: open ones and their cohorts' ones."""
    queryset = TrainingClass.objects.all() if queryset is None else queryset
    if not is_learner(user):
        return queryset.none()
    return (
        queryset.filter(status=ClassStatus.SCHEDULED)
        .filter(
            Q(audience=Audience.OPEN) | Q(audience=Audience.COHORT, cohort_id__in=_cohort_ids(user))
        )
        .exclude(trainer_id=user.pk)
    )


def _cohort_ids(user):
    from courses.models import CohortMembership

    return CohortMembership.objects.filter(user_id=user.pk).values("cohort_id")


def check_sign_up(user, training_class) -> None:
    if not is_learner(user):
        raise PermissionDenied(_("Only trainees and lecturers sign up for classes."))
    if training_class.trainer_id == user.pk:
        raise PermissionDenied(_("You train this class."))
    if training_class.audience == Audience.COHORT and not (
        training_class.cohort_id
        and _cohort_ids(user).filter(cohort_id=training_class.cohort_id).exists()
    ):
        raise PermissionDenied(_("This class is for the members of its cohort."))


def check_own_booking(user, booking) -> None:
    if not _active(user) or booking.user_id != user.pk:
        raise PermissionDenied(_("This is not your booking."))
