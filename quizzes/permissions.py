"""Who may do what with quizzes. A refusal raises ``PermissionDenied``.

- trainees (and lecturers, who are trainees too) take quizzes and see their own attempts;
- supervising experts and administrators mark answers and manage the question bank;
- coordinators (within their district), supervising experts and administrators see
  gradebooks, item analysis and other trainees' attempts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role, coordinator_scope

GRADERS = (roles.SUPERVISOR, roles.ADMINISTRATOR)
RESULT_VIEWERS = (roles.SUPERVISOR, roles.COORDINATOR, roles.ADMINISTRATOR)


def check_can_take(user, quiz) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Log in to take a quiz."))
    if not roles.has_role(user, roles.TRAINEE, roles.LECTURER):
        raise PermissionDenied(_("Only trainees take quizzes."))
    if not quiz.is_available:
        raise PermissionDenied(_("This quiz is not available."))
    course = course_of(quiz)
    if course is not None:
        from courses.selectors import active_enrolment

        if active_enrolment(user, course) is None:
            raise PermissionDenied(
                _("Enrol in “%(course)s” to take this quiz.") % {"course": course.title}
            )


def course_of(quiz):
    """The course a quiz is linked to (None for a programme's exam or an unlinked quiz)."""
    if not quiz.page_id:
        return None
    from django.apps import apps

    if not apps.is_installed("courses"):
        return None
    from courses.models import Course

    return Course.objects.filter(pk=quiz.page_id).first()


def check_can_grade(user) -> None:
    """Supervising experts and administrators (with two-factor set up) mark answers."""
    check_role(user, *GRADERS)


def check_can_see_results(user) -> None:
    check_role(user, *RESULT_VIEWERS)


def trainee_scope(user):
    """The district whose trainees a staff user sees; None = everyone."""
    if roles.has_role(user, roles.SUPERVISOR, roles.ADMINISTRATOR):
        return None
    return coordinator_scope(user)


def can_see_attempt(user, attempt) -> bool:
    if attempt.user_id == user.pk:
        return True
    if not roles.has_role(user, *RESULT_VIEWERS):
        return False
    try:
        check_can_see_results(user)
    except PermissionDenied:
        return False
    scope = trainee_scope(user)
    return scope is None or attempt.user.district_id == scope.pk


def check_can_see_attempt(user, attempt) -> None:
    if not can_see_attempt(user, attempt):
        raise PermissionDenied(_("This attempt is not yours."))


def is_reviewer(user, attempt) -> bool:
    """Staff looking at someone else's attempt see everything (review options are for trainees)."""
    return attempt.user_id != user.pk and can_see_attempt(user, attempt)
