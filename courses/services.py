"""State changes in learning: enrolment, withdrawal, progress, reflections, cohorts.

Each function is atomic, asks ``courses.permissions`` first and writes the audit log in
the same transaction. Views, the API, the seed and other apps (quizzes) call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from lms.date_horizon import check_within_horizon

from . import permissions, selectors
from .models import (
    Cohort,
    CohortMembership,
    CompletionSource,
    Course,
    Enrolment,
    EnrolmentSource,
    LessonProgress,
    LessonStatus,
    ReflectionAnswer,
)
from .signals import course_completed


def _course_of(lesson) -> Course:
    return Course.objects.get(path=lesson.course_path)


# --- Enrolment --------------------------------------------------------------


def _prerequisites_denial(missing) -> permissions.LearningDenied:
    titles = "、".join(course.title for course in missing)
    return permissions.LearningDenied(
        _("Complete these courses first: %(courses)s.") % {"courses": titles},
        code="prerequisites_missing",
        link_url=missing[0].get_url(),
        link_text=_("Go to “%(course)s”") % {"course": missing[0].title},
    )


def enrol(
    *,
    user,
    course: Course,
    actor=None,
    source: str | None = None,
    cohort: Cohort | None = None,
    deadline=None,
    waive_prerequisites: bool = False,
) -> tuple[Enrolment, bool]:
    """Enrol ``user`` in ``course``; returns (enrolment, created).

    Self-enrolment (no actor, or actor is the user) needs a live course that allows it
    and completed prerequisites. Coordinators (in scope) and administrators enrol
    others; they may waive prerequisites, which is recorded. Idempotent: an active
    enrolment is returned unchanged; a withdrawn one is reactivated with its progress.
    """
    actor = actor or user
    course = selectors.source_page(course)  # a translation is the same course (issue 16)
    if deadline is not None:
        check_within_horizon(deadline, field="deadline")
    if actor.pk == user.pk and source in (None, EnrolmentSource.SELF):
        withdrawn = Enrolment.objects.filter(
            user=user, course=course, withdrawn_at__isnull=False
        ).first()
        if withdrawn is not None and course.live:
            return rejoin(enrolment=withdrawn, actor=user), True
        permissions.check_can_self_enrol(user, course)
        source, waive_prerequisites = EnrolmentSource.SELF, False
    else:
        permissions.check_can_enrol_others(actor, user)
        if not course.live:
            raise permissions.LearningDenied(_("This course is not published."), code="not_found")
        source = source or EnrolmentSource.COORDINATOR
    return record_enrolment(
        user=user,
        course=course,
        actor=actor,
        source=source,
        cohort=cohort,
        deadline=deadline,
        waive_prerequisites=waive_prerequisites,
    )


def record_enrolment(
    *,
    user,
    course: Course,
    actor,
    source: str,
    cohort: Cohort | None = None,
    deadline=None,
    waive_prerequisites: bool = False,
) -> tuple[Enrolment, bool]:
    """The enrolment itself, after the caller checked who may do it (``enrol`` does;
    the demo seed calls this directly). Prerequisites are still enforced unless waived."""
    existing = Enrolment.objects.filter(user=user, course=course).first()
    if existing is not None and existing.withdrawn_at is None:
        return existing, False
    missing = selectors.missing_prerequisites(user, course)
    if missing and not waive_prerequisites:
        raise _prerequisites_denial(missing)
    values = {
        "source": source,
        "cohort": cohort,
        "enrolled_at": timezone.now(),
        "enrolled_by": actor,
        "deadline": deadline,
        "prerequisites_waived": bool(missing),
        "withdrawn_at": None,
    }
    try:
        with transaction.atomic():
            enrolment, created = Enrolment.objects.select_for_update().get_or_create(
                user=user, course=course, defaults=values
            )
            if not created:
                if enrolment.withdrawn_at is None:  # enrolled meanwhile
                    return enrolment, False
                for name, value in values.items():
                    setattr(enrolment, name, value)
                enrolment.save()
                _refresh_enrolment(enrolment, course)
            record(
                "courses.enrol",
                actor=actor,
                obj=enrolment,
                changes={
                    "course": course.pk,
                    "source": source,
                    "cohort": cohort.pk if cohort else None,
                    "prerequisites_waived": bool(missing),
                    "reactivated": not created,
                },
            )
    except IntegrityError:
        return Enrolment.objects.get(user=user, course=course), False
    return enrolment, True


def rejoin(*, enrolment: Enrolment, actor) -> Enrolment:
    """Come back to a course one withdrew from: the same enrolment, active again.

    The person may always come back to their own course while it is published: neither
    a prerequisite nor "coordinator enrolment only" stands in the way (they were
    admitted once, and the withdrawal page promised that progress is kept). Who enrolled
    them, the cohort and the deadline are kept; progress is recounted against the
    course as it is now. Idempotent: an active enrolment is returned unchanged.
    """
    permissions.check_can_withdraw(actor, enrolment)  # the person, or a coordinator in scope
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.withdrawn_at is None:
            return enrolment
        if not enrolment.course.live:
            raise permissions.LearningDenied(_("This course is not published."), code="not_found")
        withdrawn_at = enrolment.withdrawn_at
        enrolment.withdrawn_at = None
        enrolment.save(update_fields=["withdrawn_at"])
        _refresh_enrolment(enrolment, enrolment.course)
        record(
            "courses.rejoin",
            actor=actor,
            obj=enrolment,
            changes={
                "course": enrolment.course_id,
                "withdrawn_at": withdrawn_at.isoformat(),
                "by_self": actor.pk == enrolment.user_id,
            },
        )
    return enrolment


def withdraw(*, enrolment: Enrolment, actor) -> Enrolment:
    """Withdraw from a course (the person themselves, or a coordinator in scope).

    Progress is kept, so re-enrolling resumes. Withdrawing twice changes nothing.
    """
    permissions.check_can_withdraw(actor, enrolment)
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.withdrawn_at is not None:
            return enrolment
        enrolment.withdrawn_at = timezone.now()
        enrolment.save(update_fields=["withdrawn_at"])
        record(
            "courses.withdraw",
            actor=actor,
            obj=enrolment,
            changes={"course": enrolment.course_id, "by_self": actor.pk == enrolment.user_id},
        )
    return enrolment


# --- Progress ---------------------------------------------------------------


def _progress_figures(outline: dict, statuses: dict[int, str]) -> tuple[int, int, int]:
    required = [row["id"] for row in outline["lessons"] if not row["is_optional"]]
    done = sum(1 for pk in required if statuses.get(pk) == LessonStatus.COMPLETE)
    percent = (done * 100) // len(required) if required else 0
    return done, len(required), percent


def _apply_progress(enrolment: Enrolment, done: int, required: int, percent: int) -> bool:
    """Store the figures; record the completion date once. Returns True on completion."""
    enrolment.completed_lessons = done
    enrolment.progress_percent = percent
    completed_now = required > 0 and done >= required and enrolment.completed_at is None
    if completed_now:
        enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["completed_lessons", "progress_percent", "completed_at"])
    if completed_now:
        record(
            "courses.course.complete",
            actor=enrolment.user,
            obj=enrolment,
            changes={"course": enrolment.course_id},
        )
        transaction.on_commit(lambda: course_completed.send(sender=Enrolment, enrolment=enrolment))
    return completed_now


def _refresh_enrolment(enrolment: Enrolment, course: Course) -> None:
    outline = selectors.course_outline(course)
    statuses = selectors.lesson_statuses(enrolment.user, [course.pk])[course.pk]
    _apply_progress(enrolment, *_progress_figures(outline, statuses))


def complete_lesson(*, user, lesson, via: str = CompletionSource.MANUAL):
    """Mark a lesson complete for ``user``; returns its LessonProgress.

    The person must be enrolled and the lesson unlocked. A lesson that requires its
    quiz can only be completed with ``via="quiz"`` (the quizzes app calls this when a
    quiz is passed). Idempotent: completing a complete lesson changes nothing. Course
    completion (all required lessons complete) is recorded once, with its date.
    """
    if via not in CompletionSource.values:
        raise ValueError(f"Unknown completion source: {via}")
    # A translation is the same lesson: progress is kept on the Chinese original (issue 16).
    lesson = selectors.source_page(lesson)
    course = _course_of(lesson)
    enrolment = selectors.active_enrolment(user, course)
    if enrolment is None:
        raise permissions.LearningDenied(
            _("Enrol in “%(course)s” to record progress.") % {"course": course.title},
            code="not_enrolled",
            link_url=course.get_url(),
            link_text=_("Go to the course page to enrol"),
        )
    outline = selectors.course_outline(course)
    progress = selectors.course_progress(user, course, outline)
    state = progress.by_id.get(lesson.pk)
    permissions.check_lesson_access(user, course=course, state=state, enrolment=enrolment)
    if state.locked:  # authors are not exempt from locks on their own progress
        raise permissions.LearningDenied(
            _("This lesson is locked."), code="lesson_locked", link_url=state.unlocked_by["url"]
        )
    if via == CompletionSource.MANUAL and lesson.completed_by_quiz:
        raise permissions.LearningDenied(
            _("This lesson is completed by passing its quiz; it cannot be marked done by hand."),
            code="quiz_required",
        )
    now = timezone.now()
    with transaction.atomic():
        row, _created = LessonProgress.objects.select_for_update().get_or_create(
            user=user,
            lesson=lesson,
            defaults={"course": course, "status": LessonStatus.IN_PROGRESS, "started_at": now},
        )
        if row.status == LessonStatus.COMPLETE:
            return row
        row.status = LessonStatus.COMPLETE
        row.completed_at = now
        row.completed_via = via
        row.started_at = row.started_at or now
        row.save()
        statuses = {state.id: state.status for state in progress.states}
        statuses[lesson.pk] = LessonStatus.COMPLETE
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        enrolment.last_activity_at = now
        enrolment.save(update_fields=["last_activity_at"])
        _apply_progress(enrolment, *_progress_figures(outline, statuses))
        record(
            "courses.lesson.complete",
            actor=user,
            obj=row,
            changes={"lesson": lesson.pk, "course": course.pk, "via": via},
        )
    return row


def start_lesson(*, user, lesson, enrolment: Enrolment, status: str) -> None:
    """Note that the person opened a lesson: in progress, and where to resume.

    Called on each lesson view, so it writes only when something changes (the first
    visit, or a different lesson than last time). Not audited: reading is not a change
    of record.
    """
    now = timezone.now()
    if status == LessonStatus.NOT_STARTED:
        try:
            with transaction.atomic():
                LessonProgress.objects.get_or_create(
                    user=user,
                    lesson=lesson,
                    defaults={
                        "course_id": enrolment.course_id,
                        "status": LessonStatus.IN_PROGRESS,
                        "started_at": now,
                    },
                )
        except IntegrityError:
            pass
    if enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_activity_at=now)
        enrolment.last_lesson_id = lesson.pk


def refresh_course_progress(course: Course) -> int:
    """Recompute stored progress of every active enrolment after the course changed.

    Completion dates already recorded are kept. Returns the number of enrolments updated.
    """
    outline = selectors.course_outline(course)
    required = [row["id"] for row in outline["lessons"] if not row["is_optional"]]
    done_by_user = dict(
        LessonProgress.objects.filter(
            course=course, lesson_id__in=required, status=LessonStatus.COMPLETE
        )
        .values("user_id")
        .annotate(done=Count("id"))
        .values_list("user_id", "done")
    )
    changed = []
    completed = []
    now = timezone.now()
    with transaction.atomic():
        for enrolment in Enrolment.objects.active().filter(course=course).select_for_update():
            done = done_by_user.get(enrolment.user_id, 0)
            percent = (done * 100) // len(required) if required else 0
            if (enrolment.completed_lessons, enrolment.progress_percent) != (done, percent):
                enrolment.completed_lessons, enrolment.progress_percent = done, percent
                changed.append(enrolment)
            if required and done >= len(required) and enrolment.completed_at is None:
                enrolment.completed_at = now
                completed.append(enrolment)
                if enrolment not in changed:
                    changed.append(enrolment)
        Enrolment.objects.bulk_update(
            changed, ["completed_lessons", "progress_percent", "completed_at"]
        )
        for enrolment in completed:
            record(
                "courses.course.complete",
                obj=enrolment,
                changes={"course": course.pk, "reason": "content_changed"},
            )
    return len(changed)


# --- Reflections ------------------------------------------------------------


def save_reflection(
    *, user, lesson, block_id: str, text: str, shared: bool = False
) -> ReflectionAnswer:
    """Save the person's private answer to a reflection prompt of a lesson they may open.

    An answer longer than the prompt's limit is refused with a message; it is never cut.
    The audit record holds the length and sharing flag, never the text.
    """
    prompt = selectors.reflection_prompts(lesson).get(block_id)
    if prompt is None:
        raise ValidationError({"block_id": _("This reflection prompt no longer exists.")})
    course = _course_of(lesson)
    enrolment = selectors.active_enrolment(user, course)
    state = selectors.course_progress(user, course).by_id.get(lesson.pk)
    if enrolment is None:
        raise permissions.LearningDenied(
            _("Enrol in “%(course)s” to write reflections.") % {"course": course.title},
            code="not_enrolled",
            link_url=course.get_url(),
        )
    permissions.check_lesson_access(user, course=course, state=state, enrolment=enrolment)
    text = (text or "").strip()
    limit = prompt["max_length"]
    if not text:
        raise ValidationError({"text": _("Write an answer before saving.")})
    if len(text) > limit:
        raise ValidationError(
            {
                "text": _(
                    "Your answer has %(length)d characters; the limit is %(limit)d. "
                    "Shorten it and save again (nothing was saved or cut)."
                )
                % {"length": len(text), "limit": limit}
            }
        )
    with transaction.atomic():
        answer, created = ReflectionAnswer.objects.update_or_create(
            user=user,
            lesson=lesson,
            block_id=block_id,
            defaults={"text": text, "shared_with_supervisor": bool(shared)},
        )
        record(
            "courses.reflection.save",
            actor=user,
            obj=answer,
            changes={"lesson": lesson.pk, "length": len(text), "shared": bool(shared)},
        )
    return answer


# --- Cohorts ----------------------------------------------------------------


def create_cohort(*, actor, name, starts_on, ends_on, district=None, programme=None) -> Cohort:
    """Create a cohort in the coordinator's scope (district coordinators: their district)."""
    permissions.check_can_create_cohort(actor, district)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    with transaction.atomic():
        cohort = Cohort.objects.create(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            district=district,
            programme=programme,
            coordinator=actor,
        )
        record(
            "courses.cohort.create",
            actor=actor,
            obj=cohort,
            changes={"district": district.pk if district else None},
        )
    return cohort


@transaction.atomic
def update_cohort(*, actor, cohort: Cohort, changed=()) -> Cohort:
    """Save edits to a cohort (``cohort`` carries them, unsaved). The actor must manage the
    cohort's district before and after the change. One audit row naming the fields."""
    stored = Cohort.objects.select_for_update().get(pk=cohort.pk)
    permissions.check_can_manage_cohort(actor, stored)
    permissions.check_can_create_cohort(actor, cohort.district)
    if cohort.ends_on < cohort.starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    cohort.save()
    record(
        "courses.cohort.update",
        actor=actor,
        obj=cohort,
        changes={"fields": sorted(changed), "district": cohort.district_id},
    )
    return cohort


@transaction.atomic
def delete_cohort(*, actor, cohort: Cohort) -> None:
    """Remove a cohort (its memberships go with it; enrolments made through it stay)."""
    permissions.check_can_manage_cohort(actor, cohort)
    record(
        "courses.cohort.delete",
        actor=actor,
        obj=cohort,
        changes={"members": cohort.members.count()},
    )
    cohort.delete()


@transaction.atomic
def set_enrolment_deadline(*, actor, enrolment: Enrolment, changed=()) -> Enrolment:
    """Change an enrolment's deadline (the only field the admin edits). Coordinators in
    scope of the learner, administrators anyone."""
    permissions.check_can_enrol_others(actor, enrolment.user)
    Enrolment.objects.filter(pk=enrolment.pk).update(deadline=enrolment.deadline)
    record(
        "courses.enrolment.deadline",
        actor=actor,
        obj=enrolment,
        changes={"deadline": enrolment.deadline.isoformat() if enrolment.deadline else None},
    )
    return enrolment


@dataclass
class BulkEnrolResult:
    members_added: int = 0
    enrolments_created: int = 0
    already_enrolled: int = 0
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (person, course, reason)


def bulk_enrol(
    *,
    actor,
    cohort: Cohort,
    users,
    courses,
    deadline=None,
    waive_prerequisites: bool = False,
) -> BulkEnrolResult:
    """Add people to a cohort and enrol each in the given courses.

    The actor must manage the cohort, and every person must be in the actor's scope:
    if anyone is outside it, nothing is done. Enrolments whose prerequisites are
    missing are skipped and reported unless ``waive_prerequisites``.
    """
    permissions.check_can_manage_cohort(actor, cohort)
    users = list(users)
    outside = []
    for user in users:
        try:
            permissions.check_can_enrol_others(actor, user)
        except permissions.LearningDenied:
            outside.append(user.username)
    if outside:
        raise permissions.LearningDenied(
            _("These people are outside your district or county: %(names)s. Nothing was changed.")
            % {"names": ", ".join(outside)},
            code="out_of_scope",
        )
    result = BulkEnrolResult()
    with transaction.atomic():
        existing = set(cohort.memberships.values_list("user_id", flat=True))
        new_members = [
            CohortMembership(cohort=cohort, user=user, added_by=actor)
            for user in users
            if user.pk not in existing
        ]
        CohortMembership.objects.bulk_create(new_members)
        result.members_added = len(new_members)
        for user in users:
            for course in courses:
                try:
                    _enrolment, created = enrol(
                        user=user,
                        course=course,
                        actor=actor,
                        source=EnrolmentSource.COHORT,
                        cohort=cohort,
                        deadline=deadline or cohort.ends_on,
                        waive_prerequisites=waive_prerequisites,
                    )
                except permissions.LearningDenied as denial:
                    result.skipped.append((user.username, course.title, denial.message))
                    continue
                if created:
                    result.enrolments_created += 1
                else:
                    result.already_enrolled += 1
        record(
            "courses.cohort.bulk_enrol",
            actor=actor,
            obj=cohort,
            changes={
                "people": len(users),
                "courses": len(courses),
                "members_added": result.members_added,
                "enrolments_created": result.enrolments_created,
                "skipped": len(result.skipped),
            },
        )
    return result
