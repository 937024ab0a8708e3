"""Who may do what in learning. Views, the API and services ask these; a refusal raises
``PermissionDenied`` (or a subclass carrying a stable code and a link to what helps)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role, coordinator_scope


class LearningDenied(PermissionDenied):
    """A refusal with a stable code, a message saying why and a link to what unlocks it."""

    code = "permission_denied"

    def __init__(self, message: str, *, code: str | None = None, link_url=None, link_text=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.link_url = link_url
        self.link_text = link_text


def can_see_all_lessons(user) -> bool:
    """Supervising experts (the authors) and administrators read lessons without enrolling."""
    return roles.has_role(user, roles.SUPERVISOR, roles.ADMINISTRATOR)


def check_lesson_access(user, *, course, state, enrolment) -> None:
    """Raise unless the person may open the lesson whose outline state is ``state``.

    ``state`` is None when the lesson is not (or no longer) in the course's live outline.
    """
    if state is None:
        raise LearningDenied(_("This lesson is not published."), code="not_found")
    if can_see_all_lessons(user):
        return
    if enrolment is None:
        raise LearningDenied(
            _("Enrol in “%(course)s” to open its lessons.") % {"course": course.title},
            code="not_enrolled",
            link_url=course.get_url(),
            link_text=_("Go to the course page to enrol"),
        )
    if state.locked:
        blocker = state.unlocked_by
        raise LearningDenied(
            _("This lesson unlocks when you complete “%(lesson)s”.") % {"lesson": blocker["title"]},
            code="lesson_locked",
            link_url=blocker["url"],
            link_text=_("Open “%(lesson)s”") % {"lesson": blocker["title"]},
        )


def check_can_self_enrol(user, course) -> None:
    if not getattr(user, "is_authenticated", False):
        raise LearningDenied(_("Log in to enrol."), code="not_authenticated")
    if not course.live:
        raise LearningDenied(_("This course is not published."), code="not_found")
    if not course.self_enrol:
        raise LearningDenied(
            _("This course is open by coordinator enrolment only. Ask your coordinator."),
            code="self_enrol_closed",
        )


def _check_coordinating_role(actor) -> None:
    """Coordinators and administrators only; staff roles need two-factor set up."""
    if not roles.has_role(actor, roles.COORDINATOR, roles.ADMINISTRATOR):
        raise LearningDenied(
            _("Only coordinators and administrators can do this."), code="permission_denied"
        )
    check_role(actor, roles.COORDINATOR, roles.ADMINISTRATOR)


def check_may_enrol_others(actor) -> None:
    """Whether ``actor`` may enrol anyone but themselves (before any person is looked up,
    so the refusal says nothing about whether an account exists)."""
    _check_coordinating_role(actor)


def check_can_enrol_others(actor, user) -> None:
    """Coordinators enrol people in their scope; administrators anyone."""
    _check_coordinating_role(actor)
    scope = coordinator_scope(actor)
    if scope is not None and user.district_id != scope.pk:
        raise LearningDenied(
            _("%(person)s is outside your district or county.") % {"person": user.username},
            code="out_of_scope",
        )


def check_can_withdraw(actor, enrolment) -> None:
    if actor.pk == enrolment.user_id:
        return
    check_can_enrol_others(actor, enrolment.user)


def check_can_manage_cohorts(actor) -> None:
    _check_coordinating_role(actor)


def check_can_manage_cohort(actor, cohort) -> None:
    """A district coordinator manages the cohorts of their district; city-wide ones all."""
    check_can_manage_cohorts(actor)
    scope = coordinator_scope(actor)
    if scope is not None and cohort.district_id != scope.pk:
        raise LearningDenied(
            _("This cohort is outside your district or county."), code="out_of_scope"
        )


def check_can_create_cohort(actor, district) -> None:
    check_can_manage_cohorts(actor)
    scope = coordinator_scope(actor)
    if scope is not None and (district is None or district.pk != scope.pk):
        raise LearningDenied(
            _("You can only create cohorts for your own district or county."),
            code="out_of_scope",
        )


def can_read_reflection(user, answer) -> bool:
    """The author always; their own supervising expert when the author shared it."""
    if answer.user_id == getattr(user, "pk", None):
        return True
    if not (answer.shared_with_supervisor and roles.has_role(user, roles.SUPERVISOR)):
        return False
    from accounts.models import User
    from accounts.permissions import supervised_people_q

    return User.objects.filter(supervised_people_q(user), pk=answer.user_id).exists()


def check_can_read_shared_reflections(user) -> None:
    check_role(user, roles.SUPERVISOR)


# --- the Wagtail admin's door (lms.one_door) -----------------------------------------------


def check_cohort_admin(user, action: str, cohort=None) -> None:
    """Cohorts in the admin: coordinators (a given cohort only in their district) and
    administrators. Creating checks the chosen district in the service."""
    if cohort is None:
        check_can_manage_cohorts(user)
    else:
        check_can_manage_cohort(user, cohort)


def cohorts_in_scope(user):
    from .models import Cohort

    if not roles.has_role(user, roles.COORDINATOR, roles.ADMINISTRATOR):
        return Cohort.objects.none()
    scope = coordinator_scope(user)
    return Cohort.objects.all() if scope is None else Cohort.objects.filter(district=scope)


def check_enrolment_admin(user, action: str, enrolment=None) -> None:
    """Enrolments in the admin: coordinators for learners in scope, administrators all."""
    if enrolment is None:
        check_may_enrol_others(user)
    else:
        check_can_enrol_others(user, enrolment.user)


def enrolments_in_scope(user):
    from .models import Enrolment

    if not roles.has_role(user, roles.COORDINATOR, roles.ADMINISTRATOR):
        return Enrolment.objects.none()
    scope = coordinator_scope(user)
    enrolments = Enrolment.objects.all()
    return enrolments if scope is None else enrolments.filter(user__district=scope)
