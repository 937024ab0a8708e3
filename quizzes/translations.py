"""Questions in the trainee's language (issue 16): only the text shown is swapped.

A question and its translations share a ``translation_key`` (wagtail-localize); quizzes,
attempts, grading and item analysis only ever hold the source (Chinese) question. An
attempt slot keeps the **source's snapshot** (its structure, answers, grades and the
text as asked): grading, the marker's page and item analysis read that snapshot and
nothing else. When a page shows a slot to a trainee whose interface language has a
*reviewed* translation made from the snapshot's version, the question's stem, general
feedback, options' text and feedback (and a matching question's items and matches) are
read from the translation instead, matched to the snapshot's answers by the answers'
``translation_key`` — never by position — so a Uyghur trainee's choice is the same
option key, graded the same way. Otherwise the original is shown with a short notice.

Short-answer and numerical answers are what a response is compared with: they stay the
source's (only their feedback is translated), so grading is identical in every language.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery

from .models import Answer, Question, TranslationReview, source_locale_filter

# Types whose answers' text is only shown (a choice, an item to match), never compared
# with what the trainee typed.
SHOWN_ANSWER_TYPES = {"single", "multiple", "truefalse", "matching"}


@dataclass
class TranslatedQuestion:
    version: int | None
    stem: str
    general_feedback: str
    answers: dict[int, dict] = field(default_factory=dict)  # source answer pk -> texts


def reviewed_translations(question_ids, language: str) -> dict[int, TranslatedQuestion]:
    """The reviewed translations into ``language`` of the source questions ``question_ids``
    (case parts included when their ids are given), by source question pk. Two queries;
    none for the source language or no ids."""
    ids = sorted({pk for pk in question_ids if pk})
    if not ids or language == settings.LANGUAGE_CODE:
        return {}
    source_pk = Question.objects.filter(
        translation_key=OuterRef("translation_key"), **source_locale_filter()
    ).values("pk")[:1]
    rows = list(
        Question.objects.filter(
            locale__language_code=language,
            translation_review=TranslationReview.REVIEWED,
            translation_key__in=Question.objects.filter(pk__in=ids).values("translation_key"),
        )
        .annotate(source_id=Subquery(source_pk))
        .values("pk", "source_id", "translated_version", "stem", "general_feedback")
    )
    if not rows:
        return {}
    found = {
        row["pk"]: TranslatedQuestion(
            version=row["translated_version"],
            stem=row["stem"],
            general_feedback=row["general_feedback"],
        )
        for row in rows
    }
    source_answer = Answer.objects.filter(
        translation_key=OuterRef("translation_key"), **source_locale_filter()
    ).values("pk")[:1]
    for answer in (
        Answer.objects.filter(question_id__in=list(found))
        .annotate(source_id=Subquery(source_answer))
        .values("question_id", "source_id", "text", "feedback", "match_text")
    ):
        found[answer["question_id"]].answers[answer["source_id"]] = answer
    return {row["source_id"]: found[row["pk"]] for row in rows}


def question_ids_of(snapshots) -> list[int]:
    """The source question ids a list of snapshots shows (a case's parts included)."""
    ids = []
    for data in snapshots:
        ids.append(data.get("id"))
        ids.extend(part.get("id") for part in data.get("parts") or [])
    return [pk for pk in ids if pk]


def _translate_part(data: dict, found: dict[int, TranslatedQuestion]) -> dict | None:
    translation = found.get(data.get("id"))
    if translation is None or translation.version != data.get("version"):
        return None  # none, or made from another version than the one asked
    answers = data.get("answers") or []
    if any(answer.get("id") not in translation.answers for answer in answers):
        return None  # the snapshot's answers are not all in the translation
    display = copy.deepcopy(data)
    display["stem"] = translation.stem
    display["general_feedback"] = translation.general_feedback
    shown = data["qtype"] in SHOWN_ANSWER_TYPES
    for answer in display.get("answers") or []:
        texts = translation.answers[answer["id"]]
        answer["feedback"] = texts["feedback"]
        if shown:
            answer["text"] = texts["text"]
            if data["qtype"] == "matching":
                answer["match_text"] = texts["match_text"]
    return display


def display_data(data: dict, found: dict[int, TranslatedQuestion]) -> dict | None:
    """The snapshot ``data`` with its shown text in the translation's language, or None
    when any part of it (a case and every one of its parts) has no usable translation:
    a question is never shown half in one language."""
    display = _translate_part(data, found)
    if display is None:
        return None
    if data.get("parts"):
        parts = [_translate_part(part, found) for part in data["parts"]]
        if any(part is None for part in parts):
            return None
        display["parts"] = parts
    return display


def match_texts(data: dict, display: dict) -> dict[str, str]:
    """A matching question's matches (the layout holds the source's text) in the
    display's language."""
    return {
        source["match_text"]: shown["match_text"]
        for source, shown in zip(
            data.get("answers") or [], display.get("answers") or [], strict=False
        )
    }
