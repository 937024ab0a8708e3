"""What a trainee may see of an attempt, and the one place that turns slots into output.

Pages and the API both render questions through :func:`present_slot`, so the
no-leakage rule is enforced once: right answers, weights, per-answer feedback and
marks leave the server only when the quiz's review options allow it at that moment.
Option keys are random per attempt and carry no meaning.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from . import grading, translations
from .models import IMMEDIATELY_WINDOW, REVIEW_ITEMS, Attempt, AttemptSlot

ALL_ITEMS = frozenset(item for item, _label in REVIEW_ITEMS)


def review_timing(attempt: Attempt, now=None) -> str:
    now = now or timezone.now()
    if not attempt.is_finished:
        return "during"
    quiz = attempt.quiz
    if attempt.submitted_at and now - attempt.submitted_at < IMMEDIATELY_WINDOW:
        return "immediately"
    if quiz.close_at and now >= quiz.close_at:
        return "closed"
    return "later"


def review_flags(attempt: Attempt, *, staff: bool = False, now=None) -> frozenset[str]:
    """The review items (correctness, marks, feedback, right_answer) visible now."""
    if staff:
        return ALL_ITEMS
    timing = review_timing(attempt, now)
    return frozenset(item for item in ALL_ITEMS if attempt.quiz.review_allows(timing, item))


def _options(data: dict, layout: dict) -> list[dict]:
    answers = data.get("answers") or []
    return [
        {"key": key, "text": answers[index]["text"]}
        for key, index in zip(layout.get("keys", []), layout.get("order", []), strict=False)
    ]


def _present_part(
    data: dict, layout: dict, response, flags, *, mark, max_mark, finished, field, display=None
):
    """One question (or case part) as plain data, revealing only what ``flags`` allow.

    ``field`` is the form field name the attempt page uses for this answer. ``display`` is
    ``data`` with its shown text in the reader's language (``quizzes.translations``):
    text is read from it, while correctness and marks are worked out on ``data``.
    """
    display = display or data
    qtype = data["qtype"]
    limits = data.get("settings") or {}
    out = {
        "field": field,
        "qtype": qtype,
        "stem": display["stem"],
        "stem_format": data.get("stem_format", "plain"),
        "response": response,
    }
    if qtype in grading.CHOICE_TYPES:
        out["options"] = _options(display, layout)
    elif qtype == "matching":
        answers = display.get("answers") or []
        matches = translations.match_texts(data, display) if display is not data else {}
        out["items"] = [
            {"key": key, "text": answers[index]["text"], "field": f"{field}-{key}"}
            for key, index in zip(
                layout.get("item_keys", []), layout.get("items", []), strict=False
            )
        ]
        out["choices"] = [
            {"key": key, "text": matches.get(text, text)}
            for key, text in zip(
                layout.get("choice_keys", []), layout.get("choices", []), strict=False
            )
        ]
    elif qtype == "essay":
        out["limits"] = {
            "min_words": limits.get("min_words"),
            "max_words": limits.get("max_words"),
            "max_chars": limits.get("max_chars"),
        }
    # Correctness and feedback are only worked out when they may be shown.
    show_state = "correctness" in flags and (finished or response is not None)
    if "marks" in flags:
        out["max_mark"] = round(max_mark, 4)
        if finished:
            out["mark"] = None if mark is None else round(mark, 4)
    if show_state or "feedback" in flags:
        fraction = grading.part_fraction(data, layout, response)
        if show_state:
            out["state"] = (
                "needs_grading" if fraction is None else grading.answer_is_correct(fraction)
            )
        if "feedback" in flags:
            out["feedback"] = grading.chosen_feedback(display, layout, response)
            if finished:
                out["general_feedback"] = display.get("general_feedback") or ""
    if "right_answer" in flags and finished:
        out["right_answer"] = grading.right_answer(display)
    return out


def present_slot(
    slot: AttemptSlot,
    flags,
    *,
    finished: bool,
    staff: bool = False,
    language: str | None = None,
    found=None,
) -> dict:
    """A slot of an attempt, ready for a template or JSON.

    ``language`` is the reader's (None: the snapshot as asked, as staff see it);
    ``found`` the reviewed translations of the page's questions
    (``translations.reviewed_translations``). ``language`` in the output is the language
    the text is in; ``untranslated`` is true when the reader's language has no usable
    translation and the original is shown (with a notice).
    """
    data = slot.question_data
    display = None
    if language and language != settings.LANGUAGE_CODE:
        display = translations.display_data(data, found or {})
    out = {
        "number": slot.number,
        "page": slot.page,
        "name": data["name"] if staff else None,
        "saved_at": slot.saved_at.isoformat() if slot.saved_at else None,
        "language": language if display is not None else settings.LANGUAGE_CODE,
        "untranslated": bool(language and language != settings.LANGUAGE_CODE and not display),
    }
    if data["qtype"] != "case":
        out.update(
            _present_part(
                data,
                slot.layout,
                slot.response,
                flags,
                mark=slot.mark,
                max_mark=slot.max_mark,
                finished=finished,
                field=f"q{slot.number}",
                display=display,
            )
        )
    else:
        out.update(
            {
                "qtype": "case",
                "field": f"q{slot.number}",
                "stem": (display or data)["stem"],
                "stem_format": data.get("stem_format", "plain"),
                "response": slot.response,
            }
        )
        maxima = grading.part_max(data, slot.max_mark)
        responses = (slot.response or {}).get("parts", {})
        out["parts"] = []
        shown_parts = (display or data).get("parts") or []
        for index, part in enumerate(grading.parts_of(data)):
            presented = _present_part(
                part.data,
                slot.layout.get(part.key, {}),
                responses.get(part.key),
                flags,
                mark=(slot.marks or {}).get(part.key),
                max_mark=maxima[part.key],
                finished=finished,
                field=f"q{slot.number}-{part.key}",
                display=shown_parts[index] if display is not None else None,
            )
            presented["key"] = part.key
            out["parts"].append(presented)
        if "marks" in flags:
            out["max_mark"] = round(slot.max_mark, 4)
            if finished:
                out["mark"] = None if slot.mark is None else round(slot.mark, 4)
        if "feedback" in flags and finished:
            out["general_feedback"] = (display or data).get("general_feedback") or ""
    if finished and "feedback" in flags and slot.comment:
        out["comment"] = slot.comment
    return out


def reader_language(viewer, attempt: Attempt, *, original: bool = False) -> str | None:
    """The language an attempt's questions are shown in to ``viewer``: the interface
    language for the trainee who owns it (unless they chose the original), None — the
    snapshot as asked — for everyone else (markers and staff mark the original)."""
    if original or viewer is None or attempt.user_id != viewer.pk:
        return None
    return get_language() or settings.LANGUAGE_CODE


def present_slots(slots, flags, *, finished: bool, staff: bool = False, language=None):
    """``present_slot`` for several slots, their translations read in two queries (none
    for a reader of the source language)."""
    slots = list(slots)
    found = {}
    if language and language != settings.LANGUAGE_CODE:
        found = translations.reviewed_translations(
            translations.question_ids_of(s.question_data for s in slots), language
        )
    return [
        present_slot(s, flags, finished=finished, staff=staff, language=language, found=found)
        for s in slots
    ]


def present_attempt(
    attempt: Attempt, *, viewer, now=None, page: int | None = None, original: bool = False
) -> dict:
    """An attempt for its owner (review options apply) or for staff (everything); its
    owner reads it in their language where a reviewed translation exists."""
    from .permissions import is_reviewer

    now = now or timezone.now()
    staff = is_reviewer(viewer, attempt)
    flags = review_flags(attempt, staff=staff, now=now)
    finished = attempt.is_finished
    slots = attempt.slots.all()
    if page is not None:
        slots = [s for s in slots if s.page == page]
    language = reader_language(viewer, attempt, original=original)
    pages = sorted({s.page for s in attempt.slots.all()})
    summary = {
        "id": attempt.pk,
        "quiz": {"id": attempt.quiz_id, "title": attempt.quiz.title},
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "seconds_left": attempt.seconds_left(now) if not finished else None,
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "auto_submitted": attempt.auto_submitted,
        "pages": len(pages),
        "questions": present_slots(slots, flags, finished=finished, staff=staff, language=language),
    }
    if finished and "marks" in flags:
        summary.update(
            {
                "needs_grading": attempt.needs_grading,
                "score": None if attempt.needs_grading else attempt.score,
                "max_score": attempt.max_score,
                "grade": attempt.grade,
                "passed": attempt.passed,
                "pass_mark": attempt.quiz.pass_mark,
            }
        )
    return summary
