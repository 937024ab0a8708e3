"""Who may do what with quizzes. A refusal raises ``PermissionDenied``.

- trainees (and lecturers, who are trainees too) take quizzes and see their own attempts;
- supervising experts and administrators manage the question bank;
- whose quiz results a staff user sees and marks is defined once, here, by
  ``visible_trainees`` (and the querysets built on it: ``visible_attempts``,
  ``visible_grades``, ``markable_slots``), which pages, the API, exports and the
  marking queue all use:

  | role | sees the results of | marks |
  | --- | --- | --- |
  | administrator | every trainee | every answer |
  | coordinator | trainees of their district (every trainee if city-wide) | nothing |
  | supervising expert | trainees in their current practicum placements, and the marking pool an administrator gave them (``MarkingAssignment``: single trainees or whole cohorts) | the same answers |
  | anyone | their own attempts | nothing |

  Staff roles count only once two-factor is set up. Someone outside the scope gets
  "not found", so an attempt's existence is not revealed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import check_role, needs_two_factor_setup

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
    from courses.models import Course

    return Course.objects.filter(pk=quiz.page_id).first()


def check_can_grade(user) -> None:
    """Supervising experts and administrators (with two-factor set up) mark answers."""
    check_role(user, *GRADERS)


def check_can_see_results(user) -> None:
    check_role(user, *RESULT_VIEWERS)


def check_can_manage_marking_pool(user) -> None:
    """Administrators (with two-factor set up) assign trainees to supervisors for marking."""
    check_role(user, roles.ADMINISTRATOR)


def _staff_codes(user) -> frozenset[str]:
    """The staff roles a user may act in now (none until two-factor is set up)."""
    codes = roles.role_codes(user)
    if not codes & roles.STAFF_ROLES or needs_two_factor_setup(user):
        return frozenset()
    return codes & roles.STAFF_ROLES


def _marked_trainees(placements, pool):
    """Ids (a subquery) of the trainees of ``placements`` and of the ``pool`` assignments."""
    from courses.models import CohortMembership

    users = get_user_model().objects.filter(
        Q(pk__in=placements.values("trainee_id"))
        | Q(pk__in=pool.exclude(trainee=None).values("trainee_id"))
        | Q(
            pk__in=CohortMembership.objects.filter(
                cohort_id__in=pool.exclude(cohort=None).values("cohort_id")
            ).values("user_id")
        )
    )
    return users.values("pk")


def supervised_trainee_ids(supervisor):
    """Ids of the trainees ``supervisor`` sees in quizzes (a subquery, not evaluated):
    their current practicum placements' trainees and their marking pool."""
    from practicum.selectors import supervised_placements

    from .models import MarkingAssignment

    return _marked_trainees(
        supervised_placements(supervisor), MarkingAssignment.objects.filter(supervisor=supervisor)
    )


def trainees_with_a_marker():
    """Ids (a subquery) of the trainees some supervising expert marks: in a current
    placement or in a marking pool. Everyone else's answers wait for an administrator,
    who finds them with the marking queue's "nobody else marks" filter."""
    from practicum.models import Placement

    from .models import MarkingAssignment

    return _marked_trainees(Placement.objects.current(), MarkingAssignment.objects.all())


def _trainee_q(user, path: str) -> Q | None:
    """Q over ``path`` (a user relation) for other people's results ``user`` sees;
    None = everyone; ``Q(pk__in=[])`` = nobody."""
    codes = _staff_codes(user)
    if roles.ADMINISTRATOR in codes:
        return None
    condition = Q(pk__in=[])
    if roles.COORDINATOR in codes:
        if user.coordinator_district_id is None:
            return None
        condition |= Q(**{f"{path}district_id": user.coordinator_district_id})
    if roles.SUPERVISOR in codes:
        condition |= Q(**{f"{path}pk__in": supervised_trainee_ids(user)})
    return condition


def visible_trainees(user, queryset=None):
    """The people whose quiz results ``user`` may see (gradebook rows), besides themselves."""
    queryset = get_user_model().objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    condition = _trainee_q(user, "")
    return queryset if condition is None else queryset.filter(condition)


def visible_attempts(user, queryset=None):
    """Attempts ``user`` may open: their own and those of ``visible_trainees``."""
    from .models import Attempt

    queryset = Attempt.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    condition = _trainee_q(user, "user__")
    return queryset if condition is None else queryset.filter(Q(user=user) | condition)


def visible_grades(user, queryset=None):
    """Final grades (``QuizGrade``) ``user`` may see: the same people as ``visible_attempts``."""
    from .models import QuizGrade

    queryset = QuizGrade.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    condition = _trainee_q(user, "user__")
    return queryset if condition is None else queryset.filter(Q(user=user) | condition)


def markable_slots(user, queryset=None):
    """Answers ``user`` may mark: graders only, other people's attempts in their scope.

    Nobody marks their own attempt, whatever their role.
    """
    from .models import AttemptSlot

    queryset = AttemptSlot.objects.all() if queryset is None else queryset
    codes = _staff_codes(user)
    if not codes & set(GRADERS):
        return queryset.none()
    queryset = queryset.exclude(attempt__user=user)
    if roles.ADMINISTRATOR in codes:
        return queryset
    return queryset.filter(attempt__user__pk__in=supervised_trainee_ids(user))


def check_can_mark(user, slot) -> None:
    """Raise unless ``user`` may mark ``slot`` (see ``markable_slots``)."""
    check_can_grade(user)
    if not markable_slots(user).filter(pk=slot.pk).exists():
        raise PermissionDenied(_("This answer is not one you mark."))


def can_see_attempt(user, attempt) -> bool:
    if attempt.user_id == getattr(user, "pk", None):
        return True
    return visible_attempts(user).filter(pk=attempt.pk).exists()


def check_can_see_attempt(user, attempt) -> None:
    if not can_see_attempt(user, attempt):
        raise PermissionDenied(_("This attempt is not yours."))


def is_reviewer(user, attempt) -> bool:
    """Staff looking at someone else's attempt see everything (review options are for trainees)."""
    return attempt.user_id != user.pk and can_see_attempt(user, attempt)


def check_can_manage_bank(user, action: str = "change", item=None, *, model=None) -> None:
    """The question bank, its categories and the quizzes: supervising experts and
    administrators (with two-factor set up) add, change and delete them; coordinators may
    look at the quizzes (to follow their district's results), not at the bank. ``action``,
    ``item`` and ``model`` are the admin's (``lms.one_door``): ``"view"`` of a quiz is the
    only thing a coordinator gets."""
    from .models import Question, Quiz

    if action == "view" and (model or type(item)) is Quiz:
        check_role(user, *RESULT_VIEWERS)
        return
    if (model or type(item)) is Question and is_translator(user):
        check_can_translate_question(user, action, item)
        return
    check_role(user, *GRADERS)


def is_translator(user) -> bool:
    """A member of the ``translator`` group (issue 16) who holds no grader role."""
    from courses.translation import TRANSLATOR_GROUP

    if not getattr(user, "is_authenticated", False) or roles.has_role(user, *GRADERS):
        return False
    return user.groups.filter(name=TRANSLATOR_GROUP).exists()


def check_can_translate_question(user, action: str, question=None) -> None:
    """Translators see the question bank (to pick what to translate) and change a
    question's *translation* — its text only (``Question.clean`` refuses the rest); they
    never change, add or delete a source question, and never mark a translation reviewed."""
    if action == "view" or (action == "change" and (question is None or question.is_translation)):
        return
    raise PermissionDenied(_("Translators change translations of questions, not the originals."))


def check_can_review_translation(user, question) -> None:
    """Marking a question's translation reviewed (so trainees see it): supervising experts
    and administrators, as for the bank; never a translator."""
    check_role(user, *GRADERS)


def bank_in_scope(user, model):
    """The rows of ``model`` (``Question``, ``QuestionCategory``, ``Quiz``) ``user`` may see
    in the admin: every row for those who manage the bank, every quiz for coordinators."""
    from .models import Quiz

    try:
        check_can_manage_bank(user, "view" if model is Quiz else "change", model=model)
    except PermissionDenied:
        return model.objects.none()
    return model.objects.all()


def check_marking_pool_admin(user, action: str = "view", assignment=None) -> None:
    """The marking pool in the admin: administrators view, add and remove assignments;
    nobody edits one (remove it and add another)."""
    if action == "change":
        raise PermissionDenied(_("A marking assignment is removed and made anew, not edited."))
    check_can_manage_marking_pool(user)


def marking_pool_in_scope(user):
    from .models import MarkingAssignment

    try:
        check_can_manage_marking_pool(user)
    except PermissionDenied:
        return MarkingAssignment.objects.none()
    return MarkingAssignment.objects.all()
