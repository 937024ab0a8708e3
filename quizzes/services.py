"""Every change to quizzes, attempts and the question bank goes through these functions.

Each is atomic, checks permissions, and writes the audit log in the same transaction.
The attempt lifecycle: ``start_attempt`` → ``save_answers`` (autosave, any number of
times) → ``submit_attempt`` (or ``finish_expired_attempts`` when time runs out) →
``mark_slot`` for answers a person must mark → final grade in ``QuizGrade``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from audit.services import record
from lms.textinput import TextPolicy

from . import grading, permissions
from .models import (
    Answer,
    Attempt,
    AttemptSlot,
    AttemptState,
    GradingMethod,
    MarkingAssignment,
    Question,
    QuestionCategory,
    QuestionType,
    Quiz,
    QuizGrade,
)

PASS_EPSILON = 1e-6


class QuizError(Exception):
    """A refusal the user can act on: an HTTP status, a stable code and a message."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class AttemptClosed(QuizError):
    status, code = 409, "attempt_closed"


class TimeUp(QuizError):
    status, code = 409, "time_up"


class NoAttemptsLeft(QuizError):
    status, code = 403, "no_attempts_left"


class QuizNotOpen(QuizError):
    status, code = 403, "quiz_not_open"


# --- starting ---------------------------------------------------------------------


def _draw_questions(quiz: Quiz, rng: random.Random) -> list[tuple[Question, float | None]]:
    """The questions of a new attempt: fixed ones, and random draws from categories."""
    chosen: list[tuple[int, float | None]] = []
    used: set[int] = {slot.question_id for slot in quiz.slot_list if slot.question_id}
    for slot in quiz.slot_list:
        if slot.question_id:
            chosen.append((slot.question_id, slot.mark))
            continue
        categories = (
            slot.category.descendant_ids() if slot.include_subcategories else [slot.category_id]
        )
        pool = sorted(
            set(
                Question.objects.in_bank()
                .filter(category_id__in=categories)
                .values_list("pk", flat=True)
            )
            - used
        )
        if len(pool) < slot.draw_count:
            raise QuizError(
                _("The category “%(category)s” has %(n)d questions left; this quiz draws %(k)d.")
                % {"category": slot.category.path, "n": len(pool), "k": slot.draw_count},
                code="not_enough_questions",
                status=409,
            )
        picked = rng.sample(pool, slot.draw_count)
        used.update(picked)
        chosen.extend((pk, slot.mark) for pk in picked)
    questions = Question.objects.in_bank().filter(pk__in=[pk for pk, _m in chosen])
    by_pk = {q.pk: q for q in questions.prefetch_related("answers", "parts__answers")}
    missing = [pk for pk, _m in chosen if pk not in by_pk]
    if missing:
        raise QuizError(
            _("A question of this quiz is no longer active; tell the quiz's author."),
            code="question_inactive",
            status=409,
        )
    return [(by_pk[pk], mark) for pk, mark in chosen]


def _snapshot(question: Question) -> dict:
    parts = None
    if question.qtype == QuestionType.CASE:
        parts = sorted(
            (p for p in question.parts.all() if p.is_active and p.locale_id == question.locale_id),
            key=lambda p: (p.sort_order, p.pk),
        )
    return question.snapshot(answers=list(question.answers.all()), parts=parts)


def start_attempt(*, user, quiz: Quiz, lesson=None, now=None) -> Attempt:
    """Start (or resume) the user's attempt at a quiz.

    Returns the attempt in progress if there is one (finishing it first if its time
    is up). Never exceeds the attempts allowed, even when two requests arrive at
    once: the user's row is locked while the attempt is numbered, and the database
    refuses a second attempt with the same number or a second one in progress.
    """
    now = now or timezone.now()
    permissions.check_can_take(user, quiz)
    if quiz.open_at and now < quiz.open_at:
        raise QuizNotOpen(_("This quiz opens on %(when)s.") % {"when": _local(quiz.open_at)})
    if quiz.is_closed(now):
        raise QuizNotOpen(_("This quiz closed on %(when)s.") % {"when": _local(quiz.close_at)})
    try:
        with transaction.atomic():
            # FOR NO KEY UPDATE: starts by the same user queue here, while inserts that
            # only reference the user (audit rows, grades) are not blocked (no deadlock
            # with a submit holding its attempt's lock).
            get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
            current = (
                Attempt.objects.select_for_update()
                .filter(quiz=quiz, user=user, state=AttemptState.IN_PROGRESS)
                .first()
            )
            if current is not None:
                if not current.is_overdue(now):
                    return current
                _finish(current, now=now, auto=True, actor=user)
            finished = (
                Attempt.objects.filter(quiz=quiz, user=user).aggregate(n=Max("number"))["n"] or 0
            )
            if quiz.attempts_allowed and finished >= quiz.attempts_allowed:
                raise NoAttemptsLeft(
                    _("You have used all %(n)d attempts allowed for this quiz.")
                    % {"n": quiz.attempts_allowed}
                )
            attempt = _create_attempt(
                quiz=quiz, user=user, number=finished + 1, lesson=lesson, now=now
            )
            record(
                "quizzes.attempt.start",
                actor=user,
                obj=attempt,
                changes={"quiz": quiz.pk, "number": attempt.number},
            )
            return attempt
    except IntegrityError:
        # Another request started an attempt at the same moment: hand back that one.
        current = Attempt.objects.filter(
            quiz=quiz, user=user, state=AttemptState.IN_PROGRESS
        ).first()
        if current is not None:
            return current
        raise NoAttemptsLeft(_("You have used all the attempts allowed for this quiz.")) from None


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _create_attempt(*, quiz: Quiz, user, number: int, lesson, now) -> Attempt:
    rng = random.Random()
    drawn = _draw_questions(quiz, rng)
    if not drawn:
        raise QuizError(_("This quiz has no questions yet."), code="empty_quiz", status=409)
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    deadline = None
    if quiz.time_limit:
        deadline = now + quiz.time_limit
    if quiz.close_at and (deadline is None or quiz.close_at < deadline):
        deadline = quiz.close_at
    attempt = Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=number,
        lesson=lesson,
        started_at=now,
        deadline=deadline,
    )
    per_page = quiz.questions_per_page or len(drawn)
    slots, max_score = [], 0.0
    for index, (question, mark) in enumerate(drawn):
        data = _snapshot(question)
        max_mark = float(mark if mark is not None else question.default_mark)
        max_score += max_mark
        slots.append(
            AttemptSlot(
                attempt=attempt,
                number=index + 1,
                page=index // per_page,
                question=question,
                question_version=question.version,
                question_data=data,
                layout=grading.build_layout(data, shuffle=quiz.shuffle_choices, rng=rng),
                max_mark=max_mark,
                marks={},
            )
        )
    AttemptSlot.objects.bulk_create(slots)
    attempt.max_score = round(max_score, 7)
    attempt.save(update_fields=["max_score"])
    return attempt


# --- answering ---------------------------------------------------------------------


def _locked_attempt(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=attempt.pk)


def _clean_answers(attempt: Attempt, answers) -> dict[int, tuple[AttemptSlot, dict | None]]:
    """Validate every answer before saving any (all or nothing)."""
    if not isinstance(answers, dict):
        raise QuizError(_("Answers must be an object keyed by question number."))
    slots = {slot.number: slot for slot in attempt.slots.all()}
    cleaned = {}
    for raw_number, response in answers.items():
        try:
            number = int(raw_number)
        except (TypeError, ValueError):
            raise QuizError(
                _("“%(key)s” is not a question number.") % {"key": str(raw_number)[:20]},
                code="unknown_question",
            ) from None
        slot = slots.get(number)
        if slot is None:
            raise QuizError(
                _("Question %(n)d is not part of this attempt.") % {"n": number},
                code="unknown_question",
            )
        try:
            cleaned[number] = (
                slot,
                grading.clean_response(slot.question_data, slot.layout, response),
            )
        except grading.ResponseError as exc:
            raise QuizError(
                _("Question %(n)d: %(reason)s") % {"n": number, "reason": exc},
                code="invalid_answer",
            ) from None
    return cleaned


def _store(cleaned, now) -> None:
    changed = []
    for slot, response in cleaned.values():
        slot.response = response
        slot.saved_at = now
        changed.append(slot)
    if changed:
        _bulk_write(changed, ["response", "saved_at"])


_SQL_TYPES = {
    "marks": "jsonb",
    "response": "jsonb",
    "mark": "double precision",
    "needs_manual": "boolean",
    "saved_at": "timestamptz",
}


def _bulk_write(slots: list[AttemptSlot], fields: list[str]) -> None:
    """Write some fields of many slots in one statement.

    On PostgreSQL an ``UPDATE … FROM (VALUES …)``: Django's ``bulk_update`` builds a
    CASE expression per row and field, which takes longer in Python than grading a
    whole 100-question attempt.
    """
    if not slots:
        return
    if connection.vendor != "postgresql":
        AttemptSlot.objects.bulk_update(slots, fields)
        return
    placeholders = ", ".join(f"%s::{_SQL_TYPES[name]}" for name in fields)
    rows = ", ".join([f"(%s, {placeholders})"] * len(slots))
    params: list = []
    for slot in slots:
        params.append(slot.pk)
        for name in fields:
            value = getattr(slot, name)
            if _SQL_TYPES[name] == "jsonb" and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            params.append(value)
    assignments = ", ".join(f'"{name}" = v."{name}"' for name in fields)
    columns = ", ".join(f'"{name}"' for name in ["id", *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{AttemptSlot._meta.db_table}" AS s SET {assignments} '
            f"FROM (VALUES {rows}) AS v({columns}) WHERE s.id = v.id",
            params,
        )


def _check_owner(user, attempt: Attempt) -> None:
    if attempt.user_id != user.pk:
        raise PermissionDenied(_("This attempt is not yours."))


def save_answers(*, user, attempt: Attempt, answers: dict, page: int | None = None, now=None):
    """Autosave: store answers (keyed by question number) of an attempt in progress.

    Refused with a 4xx for an unknown question, a malformed answer, a submitted
    attempt, or after the time limit and its grace (the attempt is then submitted
    with what was saved before).
    """
    now = now or timezone.now()
    _check_owner(user, attempt)
    expired = False
    with transaction.atomic():
        attempt = _locked_attempt(attempt)
        if attempt.is_finished:
            raise AttemptClosed(_("This attempt has already been submitted."))
        if attempt.is_overdue(now):
            _finish(attempt, now=now, auto=True, actor=user)
            expired = True
        else:
            _store(_clean_answers(attempt, answers), now)
            if page is not None and page >= 0:
                Attempt.objects.filter(pk=attempt.pk).update(last_page=page)
    if expired:
        raise TimeUp(
            _("Time is up: the attempt was submitted with the answers saved before the limit.")
        )
    return attempt


@dataclass
class SubmitResult:
    attempt: Attempt
    already_submitted: bool = False
    late: bool = False
    notes: list[str] = field(default_factory=list)


def submit_attempt(*, user, attempt: Attempt, answers: dict | None = None, now=None):
    """Submit an attempt (saving the last answers first) and grade it — exactly once.

    A second submit returns the graded attempt untouched. A submit after the time
    limit and its grace does not take the answers it carries: the attempt is
    submitted with what was saved in time.
    """
    now = now or timezone.now()
    _check_owner(user, attempt)
    with transaction.atomic():
        attempt = _locked_attempt(attempt)
        if attempt.is_finished:
            return SubmitResult(attempt, already_submitted=True)
        late = attempt.is_overdue(now)
        if answers and not late:
            _store(_clean_answers(attempt, answers), now)
        _finish(attempt, now=now, auto=late, actor=user)
        return SubmitResult(attempt, late=late)


def _finish(attempt: Attempt, *, now, auto: bool, actor=None) -> bool:
    """Close and grade an attempt in progress. Must run inside a transaction.

    The state change is a conditional update, so a concurrent caller that got here
    too grades nothing.
    """
    submitted_at = now
    if auto and attempt.deadline and attempt.deadline < now:
        submitted_at = attempt.deadline
    updated = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).update(
        state=AttemptState.FINISHED, submitted_at=submitted_at, auto_submitted=auto
    )
    if not updated:
        attempt.refresh_from_db()
        return False
    attempt.state = AttemptState.FINISHED
    attempt.submitted_at = submitted_at
    attempt.auto_submitted = auto
    slots = list(attempt.slots.all())
    for slot in slots:
        slot.marks = grading.auto_marks(
            slot.question_data, slot.layout, slot.response, slot.max_mark
        )
        slot.mark = grading.total_mark(slot.marks)
        slot.needs_manual = slot.mark is None
    _bulk_write(slots, ["marks", "mark", "needs_manual"])
    _update_attempt_grade(attempt, slots, now=now)
    record(
        "quizzes.attempt.auto_submit" if auto else "quizzes.attempt.submit",
        actor=actor,
        obj=attempt,
        changes={"grade": attempt.grade, "needs_grading": attempt.needs_grading},
    )
    return True


def _update_attempt_grade(attempt: Attempt, slots: list[AttemptSlot], *, now) -> None:
    pending = any(slot.mark is None for slot in slots)
    score = round(sum(slot.mark or 0.0 for slot in slots), 7)
    attempt.score = score
    attempt.needs_grading = pending
    if pending:
        attempt.grade = None
        attempt.passed = None
        attempt.graded_at = None
    else:
        attempt.grade = round(100.0 * score / attempt.max_score, 5) if attempt.max_score else 0.0
        attempt.passed = attempt.grade + PASS_EPSILON >= attempt.quiz.pass_mark
        attempt.graded_at = now
    Attempt.objects.filter(pk=attempt.pk).update(
        score=attempt.score,
        needs_grading=attempt.needs_grading,
        grade=attempt.grade,
        passed=attempt.passed,
        graded_at=attempt.graded_at,
    )
    update_quiz_grade(quiz=attempt.quiz, user_id=attempt.user_id, now=now)
    if attempt.passed and attempt.lesson_id:
        from outbox.services import enqueue

        from .tasks import complete_lesson_for_attempt

        enqueue(complete_lesson_for_attempt, attempt.pk)


def update_quiz_grade(*, quiz: Quiz, user_id: int, now=None) -> QuizGrade:
    """Recompute a trainee's final grade on a quiz under its grading method."""
    now = now or timezone.now()
    finished = list(
        Attempt.objects.filter(quiz=quiz, user_id=user_id, state=AttemptState.FINISHED)
        .order_by("number")
        .values("grade", "needs_grading", "graded_at")
    )
    graded = [a["grade"] for a in finished if a["grade"] is not None]
    grade = None
    if graded:
        method = quiz.grading_method
        if method == GradingMethod.HIGHEST:
            grade = max(graded)
        elif method == GradingMethod.FIRST:
            grade = finished[0]["grade"]
        elif method == GradingMethod.LAST:
            grade = finished[-1]["grade"]
        else:
            grade = round(sum(graded) / len(graded), 5)
    passed = grade is not None and grade + PASS_EPSILON >= quiz.pass_mark
    values = {
        "grade": grade,
        "best_grade": max(graded) if graded else None,
        "passed": passed,
        "attempt_count": len(finished),
        "pending": any(a["needs_grading"] for a in finished),
    }
    quiz_grade, _created = QuizGrade.objects.update_or_create(
        quiz=quiz, user_id=user_id, defaults=values
    )
    if passed and quiz_grade.first_passed_at is None:
        QuizGrade.objects.filter(pk=quiz_grade.pk).update(first_passed_at=now)
        quiz_grade.first_passed_at = now
    return quiz_grade


def finish_if_expired(attempt: Attempt, *, now=None) -> bool:
    """Submit an attempt whose time is up (on next access). True if it was finished now."""
    now = now or timezone.now()
    if attempt.is_finished or not attempt.is_overdue(now):
        return False
    with transaction.atomic():
        attempt = _locked_attempt(attempt)
        if attempt.is_finished:
            return False
        return _finish(attempt, now=now, auto=True)


def finish_expired_attempts(*, now=None, limit: int = 500) -> int:
    """Submit every attempt in progress whose time limit (plus grace) has passed.

    Idempotent: an attempt already submitted is skipped. Returns how many it submitted.
    """
    now = now or timezone.now()
    candidates = (
        Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lt=now)
        .select_related("quiz")
        .order_by("deadline")[:limit]
    )
    count = 0
    for attempt in candidates:
        if attempt.is_overdue(now) and finish_if_expired(attempt, now=now):
            count += 1
    return count


# --- manual marking ----------------------------------------------------------------


def mark_slot(*, grader, slot: AttemptSlot, marks: dict, comment: str = ""):
    """A supervising expert marks one answer (every part of it); the grade follows.

    ``marks`` maps part keys (``"main"`` or ``"p0"``…) to marks between 0 and the
    part's maximum. Parts not given keep their automatic mark. Only a grader whose scope
    holds the attempt may mark it (``permissions.markable_slots``); anyone else is refused
    with ``PermissionDenied``. Atomic, audited.
    """
    permissions.check_can_mark(grader, slot)
    return _record_marks(grader=grader, slot=slot, marks=marks, comment=comment)


def _record_marks(*, grader, slot: AttemptSlot, marks: dict, comment: str = "", now=None):
    """``mark_slot`` after its permission check (the demo seed, whose staff have no
    two-factor under the test settings, records its marks here)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(slot.attempt)
        if not attempt.is_finished:
            raise QuizError(_("The attempt is still in progress."), code="attempt_in_progress")
        slot = AttemptSlot.objects.select_for_update().get(pk=slot.pk)
        maxima = grading.part_max(slot.question_data, slot.max_mark)
        new_marks = dict(slot.marks or {})
        for key, value in (marks or {}).items():
            if key not in maxima:
                raise QuizError(_("This question has no part %(key)s.") % {"key": key})
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise QuizError(_("A mark must be a number."), code="invalid_mark") from None
            if not 0 <= number <= maxima[key] + 1e-9:
                raise QuizError(
                    _("A mark must be between 0 and %(max)s.") % {"max": f"{maxima[key]:g}"},
                    code="invalid_mark",
                )
            new_marks[key] = round(number, 7)
        if any(new_marks.get(key) is None for key in maxima):
            raise QuizError(_("Give a mark for every part."), code="incomplete_marks")
        slot.marks = new_marks
        slot.mark = grading.total_mark(new_marks)
        slot.needs_manual = False
        try:
            slot.comment = MARK_COMMENT.clean(comment)
        except ValidationError as error:
            raise QuizError(" ".join(error.messages), code="invalid_comment") from None
        slot.graded_by = grader
        slot.graded_at = now
        slot.save(
            update_fields=["marks", "mark", "needs_manual", "comment", "graded_by", "graded_at"]
        )
        attempt.quiz = Quiz.objects.get(pk=attempt.quiz_id)
        _update_attempt_grade(attempt, list(attempt.slots.all()), now=now)
        record(
            "quizzes.slot.mark",
            actor=grader,
            obj=attempt,
            changes={"slot": slot.number, "mark": slot.mark, "grade": attempt.grade},
        )
    return slot


# --- the question bank ------------------------------------------------------------


MARK_COMMENT = TextPolicy(5000, multiline=True, required=False)  # the marker's note
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a GIFT or XLSX question file (thousands of questions)


@dataclass
class ImportReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    questions: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def import_questions(
    *,
    user=None,
    parsed,
    issues,
    base_category: QuestionCategory | None,
    dry_run=False,
    source: str = "",
    label: str = "line",
) -> ImportReport:
    """Save parsed questions (GIFT or XLSX) all or nothing.

    If any question was refused (``issues`` that are not mere skips) or has no
    category, nothing is saved and the report names each line/row and reason.
    ``user`` None means a trusted caller (management command, seed).
    """
    if user is not None:
        permissions.check_can_grade(user)
    report = ImportReport(dry_run=dry_run, questions=parsed)
    for issue in issues:
        (report.skipped if issue.skipped else report.errors).append(
            _("%(label)s %(line)d: %(message)s")
            % {"label": label, "line": issue.line, "message": issue.message}
        )
    for question in parsed:
        if not question.category and base_category is None:
            report.errors.append(
                _("%(label)s %(line)d: no category (give --category or a $CATEGORY line)")
                % {"label": label, "line": question.line}
            )
    report.errors.sort(key=_issue_sort_key)
    if report.errors or dry_run:
        report.created = 0 if report.errors else len(parsed)
        return report
    with transaction.atomic():
        # Each question in a savepoint: one whose content (Question.content_hash) a question
        # of its category had before this import is rolled back, reported and skipped, so
        # importing a file twice does not double the bank. (Repeats inside one file are
        # kept, as before: Moodle's own examples repeat a question in two syntaxes.)
        last_before = Question.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for question in parsed:
            savepoint = transaction.savepoint()
            saved = _save_parsed(question, base_category=base_category, user=user)
            if _already_in_category(saved, last_before):
                transaction.savepoint_rollback(savepoint)
                report.skipped.append(
                    _("%(label)s %(line)d: already in category “%(category)s”; skipped")
                    % {"label": label, "line": question.line, "category": saved.category.path}
                )
            else:
                transaction.savepoint_commit(savepoint)
                report.created += 1
        record(
            "quizzes.questions.import",
            actor=user,
            obj=base_category,
            changes={"created": report.created, "source": source},
        )
    return report


def _already_in_category(question: Question, last_before: int) -> bool:
    """A question of the bank saved before (pk up to ``last_before``) in the same category
    has exactly this content."""
    return (
        Question.objects.in_bank()
        .filter(
            category_id=question.category_id,
            content_hash=question.content_hash,
            pk__lte=last_before,
        )
        .exists()
    )


def _issue_sort_key(text: str):
    digits = "".join(ch if ch.isdigit() else " " for ch in text).split()
    return int(digits[0]) if digits else 0


def _save_parsed(parsed, *, base_category, user, case=None, order=0) -> Question:
    if case is not None:
        category = case.category
    elif parsed.category:
        category = QuestionCategory.get_or_create_path(parsed.category, base=base_category)
    else:
        category = base_category
    settings = parsed.settings or {}
    question = Question.objects.create(
        category=category,
        qtype=parsed.qtype,
        name=parsed.name[:255],
        stem=parsed.stem,
        stem_format=parsed.stem_format,
        default_mark=parsed.default_mark,
        general_feedback=parsed.general_feedback,
        case=case,
        sort_order=order,
        created_by=user,
        **{k: v for k, v in settings.items() if k in _SETTING_FIELDS},
    )
    Answer.objects.bulk_create(
        [
            Answer(
                question=question,
                locale_id=question.locale_id,
                sort_order=index,
                text=answer.text,
                fraction=answer.fraction,
                feedback=answer.feedback,
                tolerance=answer.tolerance,
                match_text=answer.match_text[:500],
            )
            for index, answer in enumerate(parsed.answers)
        ]
    )
    for index, part in enumerate(parsed.parts):
        _save_parsed(part, base_category=base_category, user=user, case=question, order=index)
    if parsed.tags:
        question.tags.add(*parsed.tags)
    if case is None:
        question.refresh_version()
    return question


_SETTING_FIELDS = {
    "shuffle_choices",
    "case_sensitive",
    "width_insensitive",
    "min_words",
    "max_words",
    "max_chars",
    "grader_info",
}


def export_gift(*, category: QuestionCategory | None = None, include_subcategories=True):
    """GIFT text for the bank (or one category) and the names of questions GIFT cannot hold."""
    from . import gift

    questions = (
        Question.objects.in_bank()
        .select_related("category")
        .prefetch_related("answers", "tags", "parts__answers")
    )
    if category is not None:
        ids = category.descendant_ids() if include_subcategories else [category.pk]
        questions = questions.filter(category_id__in=ids)
    groups: dict[str, list[dict]] = {}
    for question in questions.order_by("category_id", "pk"):
        data = _snapshot(question)
        data["tags"] = sorted(tag.name for tag in question.tags.all())
        groups.setdefault(question.category.path, []).append(data)
    return gift.export(list(groups.items()))


def import_file(
    *, user=None, data: bytes, fmt: str, category_path: str = "", dry_run=False, filename=""
) -> ImportReport:
    """Parse a GIFT or XLSX file and import it all or nothing (see ``import_questions``)."""
    from . import gift, xlsx

    if len(data) > MAX_IMPORT_BYTES:
        report = ImportReport(dry_run=dry_run)
        report.errors.append(
            _("The file is larger than %(limit)d MB; split it into smaller files.")
            % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
        return report
    if fmt == "gift":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report = ImportReport(dry_run=dry_run)
            report.errors.append(_("The file is not UTF-8 text."))
            return report
        parsed, issues = gift.parse(text)
        label = _("line")
    elif fmt == "xlsx":
        parsed, issues = xlsx.parse(data)
        label = _("row")
    else:
        raise QuizError(_("Unknown format; use gift or xlsx."))
    with transaction.atomic():
        base = None
        if category_path:
            if dry_run:
                base = QuestionCategory.find_path(category_path) or QuestionCategory(
                    name=category_path
                )
            else:
                base = QuestionCategory.get_or_create_path(category_path)
        report = import_questions(
            user=user,
            parsed=parsed,
            issues=issues,
            base_category=base,
            dry_run=dry_run,
            source=filename,
            label=label,
        )
        if report.errors:
            transaction.set_rollback(True)
    return report


# --- the marking pool ---------------------------------------------------------------


def assign_marking(
    *, actor, supervisor, trainee=None, cohort=None, note: str = ""
) -> tuple[MarkingAssignment, bool]:
    """An administrator gives a supervising expert one trainee, or a whole cohort, to mark.

    The supervisor then sees and marks those trainees' quiz results (see
    ``permissions.visible_trainees``). Only administrators may call it
    (``PermissionDenied`` otherwise); ``supervisor`` must hold the supervising-expert role
    and ``trainee`` the trainee or lecturer role (``QuizError`` otherwise). Idempotent: an
    existing assignment is returned with ``False``. Atomic; the audit row is written in the
    same transaction.
    """
    permissions.check_can_manage_marking_pool(actor)
    if (trainee is None) == (cohort is None):
        raise QuizError(_("Choose either a trainee or a cohort."), code="invalid_target")
    if not roles.has_role(supervisor, roles.SUPERVISOR):
        raise QuizError(
            _("Only a supervising expert can be given trainees to mark."), code="not_supervisor"
        )
    if trainee is not None and not roles.has_role(trainee, roles.TRAINEE, roles.LECTURER):
        raise QuizError(_("Only trainees can be assigned for marking."), code="not_trainee")
    if trainee is not None and trainee.pk == supervisor.pk:
        raise QuizError(_("Nobody marks their own answers."), code="own_answers")
    note = (note or "").strip()
    if len(note) > 300:
        raise QuizError(_("The note is longer than 300 characters."), code="too_long")
    with transaction.atomic():
        target = {"trainee": trainee} if trainee is not None else {"cohort": cohort}
        assignment = MarkingAssignment.objects.filter(supervisor=supervisor, **target).first()
        if assignment is not None:
            return assignment, False
        assignment = MarkingAssignment.objects.create(
            supervisor=supervisor, note=note, assigned_by=actor, **target
        )
        record(
            "quizzes.marking_pool.assign",
            actor=actor,
            obj=assignment,
            changes={
                "supervisor": supervisor.pk,
                "trainee": trainee.pk if trainee is not None else None,
                "cohort": cohort.pk if cohort is not None else None,
            },
        )
    return assignment, True


def revoke_marking(*, actor, assignment: MarkingAssignment) -> None:
    """An administrator ends a marking assignment; the supervisor loses sight of those
    trainees' results at once (unless they supervise them in a placement). Only
    administrators; atomic, audited; revoking one already gone does nothing."""
    permissions.check_can_manage_marking_pool(actor)
    with transaction.atomic():
        deleted, _rows = MarkingAssignment.objects.filter(pk=assignment.pk).delete()
        if not deleted:
            return
        record(
            "quizzes.marking_pool.revoke",
            actor=actor,
            obj=assignment,
            changes={
                "supervisor": assignment.supervisor_id,
                "trainee": assignment.trainee_id,
                "cohort": assignment.cohort_id,
            },
        )


# --- the question bank and quizzes (the admin) -------------------------------------------


def _bank_code(item, verb: str) -> str:
    return f"{item._meta.label_lower}.{verb}"


def _refuse_if_protected(item, message: str) -> None:
    """Delete ``item``; a row something still needs (``PROTECT``) is a ``ValidationError``."""
    try:
        with transaction.atomic():
            item.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(message) from exc


@transaction.atomic
def save_question(*, actor, question: Question, changed=()) -> Question:
    """Add a question or save edits to one (``question`` carries them, unsaved, with its
    answers). Supervising experts and administrators (``PermissionDenied`` otherwise);
    ``ValidationError`` for invalid values. A change to the content (stem, answers,
    settings) makes a new version: attempts keep the version they were given, and a
    sub-question's change makes a new version of its case too. Atomic; one audit row."""
    creating = question.pk is None
    permissions.check_can_manage_bank(actor, "add" if creating else "change", question)
    if creating and question.created_by_id is None:
        question.created_by = actor
    question.full_clean()  # a translation: only its text may differ from the source's
    question.save()
    if question.is_translation:
        # Its text awaits review again (Question.save); versions are the source's.
        record(
            _bank_code(question, "translate"),
            actor=actor,
            obj=question,
            changes={"locale": question.locale.language_code, "fields": sorted(changed)},
        )
        return question
    bumped = question.refresh_version()
    changes = {"version": question.version, "category": question.category_id}
    if not creating:
        changes.update(fields=sorted(changed), new_version=bumped)
    record(
        _bank_code(question, "create" if creating else "update"),
        actor=actor,
        obj=question,
        changes=changes,
    )
    return question


@transaction.atomic
def delete_question(*, actor, question: Question) -> None:
    """Remove a question nobody has answered and no quiz uses; one that was given in an
    attempt is refused (``ValidationError``: mark it inactive instead), so results keep
    the question they came from. Supervising experts and administrators; audited."""
    permissions.check_can_manage_bank(actor, "delete", question)
    if (
        question.attempt_slots.exists()
        or Question.objects.filter(case=question, attempt_slots__isnull=False).exists()
    ):
        raise ValidationError(
            _("Trainees have answered this question; mark it inactive instead of deleting it.")
        )
    record(_bank_code(question, "delete"), actor=actor, obj=question)
    _refuse_if_protected(question, _("A quiz uses this question; take it out of the quiz first."))
    if not question.is_translation:
        # Its translations are the same question in other languages: they go with it.
        Question.objects.filter(translation_key=question.translation_key).exclude(
            locale_id=question.locale_id
        ).delete()


@transaction.atomic
def review_translation(*, actor, question: Question) -> Question:
    """Mark a question's translation reviewed, so trainees reading its language see it
    (``quizzes.translations``). Supervising experts and administrators
    (``PermissionDenied`` otherwise; never a translator); ``QuizError`` for a source
    question. Idempotent; one audit row when the state changes. A later change to the
    translation puts it back to awaiting review (``Question.save``)."""
    from .models import TranslationReview

    permissions.check_can_review_translation(actor, question)
    if not question.is_translation:
        raise QuizError(_("Only a translation is reviewed."), code="not_a_translation")
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.translation_review == TranslationReview.REVIEWED:
        return question
    Question.objects.filter(pk=question.pk).update(translation_review=TranslationReview.REVIEWED)
    question.translation_review = TranslationReview.REVIEWED
    record(
        _bank_code(question, "review_translation"),
        actor=actor,
        obj=question,
        changes={"locale": question.locale.language_code, "version": question.translated_version},
    )
    return question


@transaction.atomic
def save_category(*, actor, category: QuestionCategory, changed=()) -> QuestionCategory:
    """Add a question category or save edits to one (name, parent, description).
    Supervising experts and administrators; ``ValidationError`` for a duplicate name or a
    category put inside itself. Atomic; one audit row."""
    creating = category.pk is None
    permissions.check_can_manage_bank(actor, "add" if creating else "change", category)
    category.full_clean()
    category.save()
    changes = {"parent": category.parent_id}
    if not creating:
        changes["fields"] = sorted(changed)
    record(
        _bank_code(category, "create" if creating else "update"),
        actor=actor,
        obj=category,
        changes=changes,
    )
    return category


@transaction.atomic
def delete_category(*, actor, category: QuestionCategory) -> None:
    """Remove a category and its sub-categories when none holds a question and no quiz
    draws from them (``ValidationError`` otherwise). Supervising experts and
    administrators; audited."""
    permissions.check_can_manage_bank(actor, "delete", category)
    record(_bank_code(category, "delete"), actor=actor, obj=category)
    _refuse_if_protected(
        category,
        _("This category (or one inside it) still holds questions or is drawn from by a quiz."),
    )


@transaction.atomic
def save_quiz(*, actor, quiz: Quiz, changed=()) -> Quiz:
    """Add a quiz or save edits to one (``quiz`` carries them, unsaved, with its questions
    and random draws). Attempts already started keep the questions they were given; grades
    already recorded stay until the trainee's next attempt. Supervising experts and
    administrators; ``ValidationError`` for invalid values. Atomic; one audit row."""
    creating = quiz.pk is None
    permissions.check_can_manage_bank(actor, "add" if creating else "change", quiz)
    quiz.full_clean()
    quiz.save()
    changes = {"page": quiz.page_id}
    if not creating:
        changes["fields"] = sorted(changed)
    record(
        _bank_code(quiz, "create" if creating else "update"), actor=actor, obj=quiz, changes=changes
    )
    return quiz


@transaction.atomic
def delete_quiz(*, actor, quiz: Quiz) -> None:
    """Remove a quiz nobody has attempted; one with attempts is refused (``ValidationError``:
    make it unavailable instead), since deleting it would delete trainees' results.
    Supervising experts and administrators; audited."""
    permissions.check_can_manage_bank(actor, "delete", quiz)
    if quiz.attempts.exists():
        raise ValidationError(
            _("Trainees have attempted this quiz; make it unavailable instead of deleting it.")
        )
    record(_bank_code(quiz, "delete"), actor=actor, obj=quiz)
    _refuse_if_protected(quiz, _("This quiz is still in use."))
