"""Requirement kinds and their evaluators: the pluggable half of the eligibility engine.

Each ``RequirementKind`` has one evaluator. An evaluator answers for a whole set of
users at once (a queryset, used as a subquery) with a fixed number of queries, and
the single-trainee checklist is the same call with one user. Evaluators never read
other apps' tables themselves: they ask ``certification.sources`` (one adapter per
owning app's selector), so that each app keeps the meaning of its own data.

To add a kind: add it to ``RequirementKind``, write an evaluator class with
``evaluate(requirement, users, context)`` returning ``{user_id: RequirementResult}``,
and register it with ``@register``.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from .models import RequirementKind

MET, MISSING, PENDING, UNAVAILABLE = "met", "missing", "pending", "unavailable"


@dataclass
class Step:
    """One thing to do for a requirement, named, with where it is done (the checklist is
    a plan: issue 17). ``percent``/``pending_percent`` draw a bar when the step counts
    hours or sessions."""

    label: str
    state: str  # MET, MISSING or PENDING
    detail: str = ""
    url: str = ""
    action: str = ""
    percent: int | None = None
    pending_percent: int = 0

    @property
    def met(self) -> bool:
        return self.state == MET


def _percent(done, needed) -> int:
    if not needed:
        return 100
    return max(0, min(100, int(Decimal(str(done or 0)) * 100 / Decimal(str(needed)))))


def _reverse(name: str, fragment: str = "") -> str:
    """The URL of a page of another app, or "" when that app offers no such page."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name) + fragment
    except NoReverseMatch:
        return ""


@dataclass
class RequirementResult:
    """The state of one requirement for one user, with a message a person understands.

    ``message`` and ``facts`` may be given as zero-argument callables: they are then
    built on first access, so a 10,000-trainee eligibility run that only needs ``met``
    does not format 10,000 messages.
    """

    kind: str
    label: str
    met: bool
    state: str
    message_source: str | Callable[[], str] = ""
    done: Decimal | None = None
    needed: Decimal | None = None
    requirement_id: int | None = None
    facts_source: dict | Callable[[], dict] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if callable(self.message_source):
            self.message_source = self.message_source()
        return self.message_source

    @property
    def facts(self) -> dict:
        if callable(self.facts_source):
            self.facts_source = self.facts_source()
        return self.facts_source

    @property
    def steps(self) -> list[Step]:
        """What to do for this requirement, one named step each (built on first access)."""
        cached = self.__dict__.get("_steps")
        if cached is None:
            evaluator = EVALUATORS.get(self.kind)
            cached = [] if evaluator is None or self.state == UNAVAILABLE else evaluator.steps(self)
            self.__dict__["_steps"] = cached
        return cached

    @property
    def missing_steps(self) -> list[Step]:
        return [step for step in self.steps if not step.met]

    @property
    def met_steps(self) -> list[Step]:
        return [step for step in self.steps if step.met]

    @property
    def percent(self) -> int:
        if self.met:
            return 100
        if not self.needed:
            return 0
        return max(0, min(100, int(Decimal(self.done or 0) * 100 / Decimal(self.needed))))

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "met": self.met,
            "state": self.state,
            "message": self.message,
            "done": float(self.done) if self.done is not None else None,
            "needed": float(self.needed) if self.needed is not None else None,
            "requirement_id": self.requirement_id,
            "percent": self.percent,
            "steps": [
                {
                    "label": step.label,
                    "state": step.state,
                    "detail": step.detail,
                    "url": step.url,
                    "action": step.action,
                    "percent": step.percent,
                    "pending_percent": step.pending_percent,
                }
                for step in self.steps
            ],
        }


@dataclass
class EvaluationContext:
    """What evaluators need besides the users: the type and, for renewals, each user's window."""

    certification: object
    sources: object
    # user id → (first day, last day) of the period that counts (renewal kinds).
    windows: dict[int, tuple[datetime.date, datetime.date]] = field(default_factory=dict)
    # ids of the users evaluated, in order (read once per evaluation).
    user_ids: list[int] = field(default_factory=list)


EVALUATORS: dict[str, Evaluator] = {}


def register(cls):
    EVALUATORS[cls.kind] = cls()
    return cls


def number(value) -> str:
    """31.5 → "31.5", 40.0 → "40"."""
    value = Decimal(str(value or 0)).quantize(Decimal("0.1"))
    text = f"{value.normalize():f}"
    return text


class Evaluator(ABC):
    """One requirement kind's evaluator (subclasses implement ``evaluate``).

    Translations are looked up once per evaluation, never once per user: with 10,000
    users a gettext per result would cost more than every query of the evaluation."""

    kind: str = ""

    def label(self, requirement) -> str:
        cache = requirement.__dict__.setdefault("_label_cache", {})
        language = get_language()
        if language not in cache:
            cache[language] = requirement.label or str(RequirementKind(self.kind).label)
        return cache[language]

    @abstractmethod
    def evaluate(self, requirement, users, context) -> dict[int, RequirementResult]:
        """``{user_id: RequirementResult}`` for every user of ``context.user_ids``."""

    def steps(self, result: RequirementResult) -> list[Step]:
        """The named steps of one user's result (from its facts); one step by default."""
        return [Step(label=result.label, state=result.state, detail=result.message)]

    def result(self, requirement, label, *, message, facts=None, **kwargs) -> RequirementResult:
        return RequirementResult(
            kind=self.kind,
            label=label,
            requirement_id=requirement.pk,
            message_source=message,
            facts_source=facts if facts is not None else {},
            **kwargs,
        )

    def unavailable(self, requirement, user_ids, message) -> dict[int, RequirementResult]:
        label = self.label(requirement)
        return {
            user_id: self.result(requirement, label, met=False, state=UNAVAILABLE, message=message)
            for user_id in user_ids
        }


@register
class CoursesCompleted(Evaluator):
    """Every target course completed (or at least ``minimum`` of them)."""

    kind = RequirementKind.COURSES_COMPLETED

    def evaluate(self, requirement, users, context):
        courses = context.sources.required_courses(context.certification, requirement.targets)
        user_ids = context.user_ids
        label = self.label(requirement)
        if courses is None:
            return self.unavailable(requirement, user_ids, _("Course records are not available."))
        completions = context.sources.course_completions(users, [c.id for c in courses])
        needed = int(requirement.minimum) if requirement.minimum is not None else len(courses)
        needed = min(needed, len(courses))
        template = ngettext(
            "%(done)s of %(needed)s required course",
            "%(done)s of %(needed)s required courses",
            needed,
        )
        results = {}
        for user_id in user_ids:
            done_ids = completions.get(user_id, {})
            done = [c for c in courses if c.id in done_ids]
            met = len(done) >= needed
            message = template % {
                "done": min(len(done), needed) if met else len(done),
                "needed": needed,
            }
            results[user_id] = self.result(
                requirement,
                label,
                met=met,
                state=MET if met else MISSING,
                message=message,
                done=Decimal(len(done)),
                needed=Decimal(needed),
                facts=partial(self.facts, done, done_ids, courses),
            )
        return results

    def steps(self, result):
        action = _("Go to the course")
        steps = []
        for course in result.facts.get("plan", []):
            if course["done"]:
                detail = (
                    _("Completed on %(date)s") % {"date": course["completed_on"]}
                    if course["completed_on"]
                    else _("Completed")
                )
                steps.append(Step(label=course["title"], state=MET, detail=detail))
            else:
                steps.append(
                    Step(
                        label=course["title"],
                        state=MISSING,
                        detail=_("Not completed yet"),
                        url=course["url"],
                        action=action if course["url"] else "",
                    )
                )
        return steps

    @staticmethod
    def facts(done, done_ids, courses) -> dict:
        return {
            "plan": [
                {
                    "id": c.id,
                    "title": c.title,
                    "url": getattr(c, "url", ""),
                    "done": c.id in done_ids,
                    "completed_on": done_ids[c.id].isoformat() if done_ids.get(c.id) else "",
                }
                for c in courses
            ],
            "courses": [
                {
                    "id": c.id,
                    "title": c.title,
                    "class_hours": float(c.class_hours or 0),
                    "completed_on": done_ids[c.id].isoformat() if done_ids[c.id] else None,
                }
                for c in done
            ],
            "class_hours": float(sum(Decimal(str(c.class_hours or 0)) for c in done)),
            "missing": [c.title for c in courses if c.id not in done_ids],
        }


@register
class QuizzesPassed(Evaluator):
    """Every target quiz passed (best grade ≥ its pass mark); by default the final exam."""

    kind = RequirementKind.QUIZZES_PASSED

    def steps(self, result):
        return _quiz_steps(result)

    def evaluate(self, requirement, users, context):
        quizzes = context.sources.required_quizzes(context.certification, requirement.targets)
        user_ids = context.user_ids
        label = self.label(requirement)
        if quizzes is None:
            return self.unavailable(requirement, user_ids, _("Quiz results are not available."))
        if not quizzes:
            return self.unavailable(requirement, user_ids, _("No final exam is set up yet."))
        grades = context.sources.quiz_grades(users, [q.id for q in quizzes])
        needed = int(requirement.minimum) if requirement.minimum is not None else len(quizzes)
        needed = min(needed, len(quizzes))
        passed_template = _("%(quiz)s passed (%(score)s)")
        failed_template = _("%(quiz)s not passed yet (best %(score)s, pass mark %(mark)s)")
        untried_template = _("%(quiz)s not passed yet")
        count_template = _("%(done)s of %(needed)s required quizzes passed")
        results = {}
        for user_id in user_ids:
            user_grades = grades.get(user_id, {})
            passed = [q for q in quizzes if user_grades.get(q.id, (None, False))[1]]
            met = len(passed) >= needed
            if len(quizzes) == 1:
                grade = user_grades.get(quizzes[0].id)
                if met:
                    message = passed_template % {
                        "quiz": quizzes[0].title,
                        "score": number(grade[0]),
                    }
                elif grade is not None and grade[0] is not None:
                    message = failed_template % {
                        "quiz": quizzes[0].title,
                        "score": number(grade[0]),
                        "mark": number(quizzes[0].pass_mark),
                    }
                else:
                    message = untried_template % {"quiz": quizzes[0].title}
            else:
                message = count_template % {
                    "done": len(passed),
                    "needed": needed,
                }
            results[user_id] = self.result(
                requirement,
                label,
                met=met,
                state=MET if met else MISSING,
                message=message,
                done=Decimal(len(passed)),
                needed=Decimal(needed),
                facts={
                    "quizzes": [
                        {
                            "id": q.id,
                            "title": q.title,
                            "url": getattr(q, "url", ""),
                            "pass_mark": float(q.pass_mark or 0),
                            "score": float(user_grades[q.id][0])
                            if user_grades.get(q.id) and user_grades[q.id][0] is not None
                            else None,
                            "passed": q in passed,
                        }
                        for q in quizzes
                    ]
                },
            )
        return results


def _quiz_steps(result) -> list[Step]:
    steps = []
    for quiz in result.facts.get("quizzes", []):
        if quiz["passed"]:
            detail = _("Passed (%(score)s%%)") % {"score": number(quiz["score"])}
            steps.append(Step(label=quiz["title"], state=MET, detail=detail))
            continue
        if quiz["score"] is not None:
            detail = _("Best %(score)s%%; the pass mark is %(mark)s%%") % {
                "score": number(quiz["score"]),
                "mark": number(quiz["pass_mark"]),
            }
        else:
            detail = _("Not taken yet; the pass mark is %(mark)s%%") % {
                "mark": number(quiz["pass_mark"])
            }
        steps.append(
            Step(
                label=quiz["title"],
                state=MISSING,
                detail=detail,
                url=quiz["url"],
                action=_("Take the quiz") if quiz["url"] else "",
            )
        )
    return steps


@register
class PracticumHours(Evaluator):
    """The practicum app's requirements for the qualification (approved hours only)."""

    kind = RequirementKind.PRACTICUM_HOURS

    @staticmethod
    def line_message(line, templates) -> str:
        message = templates[0] % {
            "what": line.label,
            "done": number(line.done),
            "needed": number(line.needed),
        }
        if not line.met and line.pending:
            message += " " + templates[1] % {"pending": number(line.pending)}
        return message

    def evaluate(self, requirement, users, context):
        user_ids = context.user_ids
        label = self.label(requirement)
        lines = context.sources.practicum_lines(users, context.certification.code)
        if lines is None:
            return self.unavailable(
                requirement, user_ids, _("Practicum records are not available.")
            )
        templates = (
            _("%(what)s: %(done)s of %(needed)s hours"),
            _("(%(pending)s waiting for review)"),
        )
        not_set = _("No practicum requirements are set for this qualification.")
        results = {}
        for user_id in user_ids:
            user_lines = lines.get(user_id, [])
            unmet = [line for line in user_lines if not line.met]
            met = bool(user_lines) and not unmet
            if not user_lines:
                message = not_set
            else:
                message = partial(self.message, unmet or user_lines[:2], templates)
            first = unmet[0] if unmet else (user_lines[0] if user_lines else None)
            results[user_id] = self.result(
                requirement,
                label,
                met=met,
                state=MET if met else MISSING,
                message=message,
                done=first.done if first else None,
                needed=first.needed if first else None,
                facts=partial(self.facts, user_lines),
            )
        return results

    @classmethod
    def message(cls, lines, templates) -> str:
        return "; ".join(cls.line_message(line, templates) for line in lines)

    def steps(self, result):
        log = _reverse("practicum:my_entries", "#log-heading")
        steps = []
        for line in result.facts.get("lines", []):
            detail = _("%(done)s of %(needed)s hours approved") % {
                "done": number(line["done"]),
                "needed": number(line["needed"]),
            }
            if line["pending"] and not line["met"]:
                detail += " · " + _("%(pending)s waiting for review") % {
                    "pending": number(line["pending"])
                }
            needed = line["needed"]
            steps.append(
                Step(
                    label=line["label"],
                    state=MET if line["met"] else MISSING,
                    detail=detail,
                    url="" if line["met"] else log,
                    action="" if line["met"] or not log else _("Log practice"),
                    percent=_percent(line["done"], needed),
                    pending_percent=0
                    if line["met"] or not needed
                    else min(
                        100 - _percent(line["done"], needed), _percent(line["pending"], needed)
                    ),
                )
            )
        return steps

    @staticmethod
    def facts(lines) -> dict:
        return {
            "lines": [
                {
                    "code": line.code,
                    "label": line.label,
                    "done": float(line.done),
                    "needed": float(line.needed),
                    "pending": float(line.pending or 0),
                    "met": line.met,
                }
                for line in lines
            ]
        }


@register
class FinalEvaluation(Evaluator):
    """The supervisor's signed-off final competency evaluation passed."""

    kind = RequirementKind.FINAL_EVALUATION

    def steps(self, result):
        outcome = result.facts.get("final_evaluation", "pending")
        details = {
            "passed": _("Signed by your supervising expert: passed."),
            "failed": _(
                "Not passed. Agree with your supervising expert on what to practise; "
                "a new final evaluation is needed."
            ),
            "pending": _(
                "Your supervising expert evaluates your competencies at the end of your "
                "placement and signs the evaluation."
            ),
        }
        met = outcome == "passed"
        url = "" if met else _reverse("practicum:my_ledger")
        return [
            Step(
                label=result.label,
                state=result.state,
                detail=str(details.get(outcome, details["pending"])),
                url=url,
                action=_("See your practicum record") if url else "",
            )
        ]

    def evaluate(self, requirement, users, context):
        user_ids = context.user_ids
        label = self.label(requirement)
        outcomes = context.sources.final_evaluations(users, context.certification.code)
        if outcomes is None:
            return self.unavailable(
                requirement, user_ids, _("Practicum evaluations are not available.")
            )
        messages = {
            "passed": _("Final evaluation passed"),
            "failed": _("Final evaluation not passed; a new evaluation is needed"),
            "pending": _("Final evaluation pending"),
        }
        results = {}
        for user_id in user_ids:
            outcome = outcomes.get(user_id) or "pending"
            met = outcome == "passed"
            results[user_id] = self.result(
                requirement,
                label,
                met=met,
                state=MET if met else (PENDING if outcome == "pending" else MISSING),
                message=str(messages.get(outcome, messages["pending"])),
                facts={"final_evaluation": outcome},
            )
        return results


class _HoursInWindow(Evaluator):
    """A count per user within their window against the requirement's minimum
    (subclasses implement ``counts``)."""

    unit_message = ""
    where = ("", "")  # (URL name, link text) of the page where more are earned

    def steps(self, result):
        url_name, action = self.where
        url = "" if result.met else _reverse(url_name)
        return [
            Step(
                label=result.label,
                state=result.state,
                detail=result.message,
                url=url,
                action=str(action) if url else "",
                percent=result.percent,
            )
        ]

    @abstractmethod
    def counts(self, users, context) -> dict[int, Decimal] | None:
        """``{user_id: count}`` within each user's window, or None if the source is absent."""

    def evaluate(self, requirement, users, context):
        user_ids = context.user_ids
        label = self.label(requirement)
        counts = self.counts(users, context)
        if counts is None:
            return self.unavailable(requirement, user_ids, _("These records are not available."))
        needed = Decimal(str(requirement.minimum or 0))
        template = self.unit_message
        results = {}
        for user_id in user_ids:
            done = Decimal(str(counts.get(user_id, 0)))
            met = done >= needed
            results[user_id] = self.result(
                requirement,
                label,
                met=met,
                state=MET if met else MISSING,
                message=template % {"done": number(done), "needed": number(needed)},
                done=done,
                needed=needed,
                facts={self.kind: float(done)},
            )
        return results


@register
class ContinuingEducation(_HoursInWindow):
    """Class hours of courses completed during the current certificate's validity."""

    kind = RequirementKind.CONTINUING_EDUCATION
    where = ("courses:catalogue", gettext_lazy("Find a course"))

    @property
    def unit_message(self):
        return _("%(done)s of %(needed)s continuing-education hours")

    def counts(self, users, context):
        return context.sources.continuing_education_hours(users, context.windows)


@register
class SessionsDelivered(_HoursInWindow):
    """Verified sessions delivered as a lecturer during the current validity (lecturer corps),
    of the topics this qualification covers: a children's activity counts toward the
    psychological counsellor's renewal, a caregivers' course toward the family-education
    instructor's, never toward both."""

    kind = RequirementKind.SESSIONS_DELIVERED
    where = ("lecturer_corps:my_sessions", gettext_lazy("My sessions"))

    @property
    def unit_message(self):
        return _("%(done)s of %(needed)s verified sessions delivered")

    def counts(self, users, context):
        from .selectors import verified_sessions_delivered

        return verified_sessions_delivered(users, context.windows, context.certification.code)


@register
class ClassHoursAttended(Evaluator):
    """Hours of face-to-face classes attended (check-in or the trainer's marking).

    A class counts when it is linked to this requirement, or to one of the target
    courses (``targets``; empty = every live course whose target qualifications include
    this certification's code). ``minimum`` is the hours needed; empty = the class hours
    of those courses added up. For renewal, only classes inside the holder's window count.
    """

    kind = RequirementKind.CLASS_HOURS

    def steps(self, result):
        url = "" if result.met else _reverse("classes:list")
        return [
            Step(
                label=result.label,
                state=result.state,
                detail=result.message,
                url=url,
                action=str(_("Sign up for a face-to-face class")) if url else "",
                percent=result.percent,
            )
        ]

    def evaluate(self, requirement, users, context):
        user_ids = context.user_ids
        label = self.label(requirement)
        courses = context.sources.required_courses(context.certification, requirement.targets)
        courses = courses or []
        counts = context.sources.class_hours(
            users,
            requirement_id=requirement.pk,
            course_ids=[course.id for course in courses],
            windows=context.windows or None,
        )
        if counts is None:
            return self.unavailable(
                requirement, user_ids, _("Face-to-face class records are not available.")
            )
        if requirement.minimum is not None:
            needed = Decimal(str(requirement.minimum))
        else:
            needed = sum((Decimal(str(c.class_hours or 0)) for c in courses), Decimal(0))
        if not needed:
            return self.unavailable(
                requirement,
                user_ids,
                _("No face-to-face class hours are set for this requirement."),
            )
        template = _("%(done)s of %(needed)s face-to-face class hours")
        results = {}
        for user_id in user_ids:
            done = Decimal(str(counts.get(user_id, 0)))
            met = done >= needed
            results[user_id] = self.result(
                requirement,
                label,
                met=met,
                state=MET if met else MISSING,
                message=template % {"done": number(done), "needed": number(needed)},
                done=done,
                needed=needed,
                facts={self.kind: float(done)},
            )
        return results
