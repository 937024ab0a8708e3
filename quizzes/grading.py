"""Grading: pure functions on a question snapshot, its layout and a response.

Nothing here touches the database, so grading a 100-question attempt is a loop
over dictionaries. A *part* is what gets one mark: a question has one part
(``"main"``); a case analysis has one per sub-question (``"p0"``, ``"p1"``…).

Responses (what the browser and the API send), by type:
    single       {"choice": key}
    multiple     {"choices": [key, ...]}
    truefalse    {"value": true | false}
    shortanswer  {"text": "..."}
    numerical    {"value": "3.14"}
    matching     {"pairs": {item_key: choice_key, ...}}
    essay        {"text": "..."}
    case         {"parts": {"p0": <response of part 0>, ...}}
Option keys are random per attempt, so they reveal nothing about correctness.
"""

from __future__ import annotations

import math
import random
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lms.textinput import ESSAY

CHOICE_TYPES = {"single", "multiple"}
AUTO_TYPES = {"single", "multiple", "truefalse", "shortanswer", "numerical", "matching"}
MANUAL_TYPES = {"essay"}
MAIN = "main"


class ResponseError(ValueError):
    """A response that does not fit its question (unknown option, wrong shape, too long)."""


@dataclass(frozen=True)
class Part:
    key: str
    data: dict
    weight: float  # share of the slot's mark, 0..1


def _new_key() -> str:
    return secrets.token_hex(4)


# --- parts and layout --------------------------------------------------------


def parts_of(data: dict) -> list[Part]:
    """The gradable parts of a question snapshot, each with its share of the mark."""
    if data["qtype"] != "case":
        return [Part(MAIN, data, 1.0)]
    subs = data.get("parts") or []
    total = sum(max(0.0, float(p.get("default_mark") or 0)) for p in subs)
    parts = []
    for index, sub in enumerate(subs):
        share = (max(0.0, float(sub.get("default_mark") or 0)) / total) if total else 1 / len(subs)
        parts.append(Part(f"p{index}", sub, share))
    return parts


def build_layout(data: dict, *, shuffle: bool, rng: random.Random | None = None) -> dict:
    """Opaque option keys in display order for one question (shuffled if allowed)."""
    rng = rng or random.Random()
    if data["qtype"] == "case":
        return {
            part.key: _part_layout(part.data, shuffle=shuffle, rng=rng) for part in parts_of(data)
        }
    return _part_layout(data, shuffle=shuffle, rng=rng)


def _part_layout(data: dict, *, shuffle: bool, rng: random.Random) -> dict:
    qtype = data["qtype"]
    answers = data.get("answers") or []
    may_shuffle = shuffle and data.get("settings", {}).get("shuffle_choices", True)
    if qtype in CHOICE_TYPES:
        order = list(range(len(answers)))
        if may_shuffle:
            rng.shuffle(order)
        return {"order": order, "keys": [_new_key() for _i in order]}
    if qtype == "matching":
        items = [i for i, a in enumerate(answers) if a.get("text", "").strip()]
        if may_shuffle:
            rng.shuffle(items)
        choices = []
        for answer in answers:
            text = answer.get("match_text", "")
            if text not in choices:
                choices.append(text)
        rng.shuffle(choices)  # always: the order of matches must not mirror the items
        return {
            "items": items,
            "item_keys": [_new_key() for _i in items],
            "choices": choices,
            "choice_keys": [_new_key() for _c in choices],
        }
    return {}


# --- text helpers ------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_WORD = re.compile(r"[^\s\u3400-\u9fff\uf900-\ufaff]+")


def normalise(text: str, *, case_sensitive: bool, width_insensitive: bool) -> str:
    text = (text or "").strip()
    if width_insensitive:
        text = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    else:
        text = _SPACE.sub(" ", text)
    if not case_sensitive:
        text = text.casefold()
    return text


def _pattern(answer_text: str, *, case_sensitive: bool, width_insensitive: bool):
    """A compiled regex for a short-answer pattern; ``*`` matches anything, ``\\*`` a star."""
    pieces = re.split(r"(\\\*|\*)", answer_text or "")
    regex = []
    for piece in pieces:
        if piece == "*":
            regex.append(".*")
        elif piece == "\\*":
            regex.append(re.escape("*"))
        else:
            norm = normalise(
                piece, case_sensitive=case_sensitive, width_insensitive=width_insensitive
            )
            regex.append(re.escape(norm))
    return re.compile("".join(regex), re.DOTALL)


def count_words(text: str) -> int:
    """Words as a Chinese reader counts them: each CJK character, plus other words."""
    text = text or ""
    return len(_CJK.findall(text)) + len(_WORD.findall(text))


def parse_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value or "")).strip().replace(" ", "")
        text = text.replace("，", ",").replace("。", ".")
        if re.fullmatch(r"[-+]?\d+,\d+", text):
            text = text.replace(",", ".")  # decimal comma
        else:
            text = text.replace(",", "")  # thousands separators
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def within(value: float, answer: float, tolerance: float) -> bool:
    slack = 1e-9 * max(1.0, abs(answer))
    return abs(value - answer) <= abs(tolerance) + slack


# --- validating responses ----------------------------------------------------


def clean_response(data: dict, layout: dict, raw):
    """The response in canonical form, or ``None`` for no answer; ``ResponseError`` if bad."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        raise ResponseError(_("An answer must be an object."))
    if data["qtype"] == "case":
        parts = raw.get("parts")
        if not isinstance(parts, dict):
            raise ResponseError(_("A case analysis answer needs 'parts'."))
        known = {part.key: part for part in parts_of(data)}
        cleaned = {}
        for key, value in parts.items():
            if key not in known:
                raise ResponseError(_("This case analysis has no part %(key)s.") % {"key": key})
            part_value = _clean_part(known[key].data, layout.get(key, {}), value)
            if part_value is not None:
                cleaned[key] = part_value
        return {"parts": cleaned} if cleaned else None
    return _clean_part(data, layout, raw)


def _clean_part(data: dict, layout: dict, raw):
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        raise ResponseError(_("An answer must be an object."))
    qtype = data["qtype"]
    settings = data.get("settings") or {}
    if qtype == "single":
        choice = raw.get("choice")
        if choice in (None, ""):
            return None
        if choice not in layout.get("keys", []):
            raise ResponseError(_("That choice is not one of this question's options."))
        return {"choice": choice}
    if qtype == "multiple":
        choices = raw.get("choices")
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise ResponseError(_("'choices' must be a list of option keys."))
        keys = layout.get("keys", [])
        if any(c not in keys for c in choices):
            raise ResponseError(_("That choice is not one of this question's options."))
        ordered = [k for k in keys if k in set(choices)]
        return {"choices": ordered} if ordered else None
    if qtype == "truefalse":
        value = raw.get("value")
        if value in ("true", "True"):
            value = True
        elif value in ("false", "False"):
            value = False
        if value is None or value == "":
            return None
        if not isinstance(value, bool):
            raise ResponseError(_("A true/false answer must be true or false."))
        return {"value": value}
    if qtype in ("shortanswer", "essay"):
        text = raw.get("text")
        if text is None:
            return None
        if not isinstance(text, str):
            raise ResponseError(_("The answer must be text."))
        try:
            text = ESSAY.clean(text)
        except ValidationError as error:
            raise ResponseError(" ".join(error.messages)) from None
        if qtype == "essay":
            max_chars = settings.get("max_chars")
            if max_chars and len(text) > max_chars:
                raise ResponseError(
                    _("The answer has %(n)d characters; at most %(max)d are allowed.")
                    % {"n": len(text), "max": max_chars}
                )
            max_words = settings.get("max_words")
            if max_words and count_words(text) > max_words:
                raise ResponseError(
                    _("The answer has %(n)d words; at most %(max)d are allowed.")
                    % {"n": count_words(text), "max": max_words}
                )
        if not text.strip():
            return None
        return {"text": text}
    if qtype == "numerical":
        value = raw.get("value")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ResponseError(_("The answer must be a number."))
        if parse_number(value) is None:
            raise ResponseError(_("“%(value)s” is not a number.") % {"value": str(value)[:40]})
        return {"value": str(value).strip()[:100]}
    if qtype == "matching":
        pairs = raw.get("pairs")
        if not isinstance(pairs, dict):
            raise ResponseError(_("A matching answer needs 'pairs'."))
        item_keys = set(layout.get("item_keys", []))
        choice_keys = set(layout.get("choice_keys", []))
        cleaned = {}
        for item, choice in pairs.items():
            if item not in item_keys:
                raise ResponseError(_("That item is not part of this question."))
            if choice in (None, ""):
                continue
            if choice not in choice_keys:
                raise ResponseError(_("That choice is not one of this question's options."))
            cleaned[item] = choice
        return {"pairs": cleaned} if cleaned else None
    raise ResponseError(_("Unknown question type."))


# --- marking -----------------------------------------------------------------


def _chosen_answers(data: dict, layout: dict, response: dict) -> list[int]:
    """Indexes of the answers a response picked (choice types)."""
    keys = layout.get("keys", [])
    order = layout.get("order", [])
    by_key = dict(zip(keys, order, strict=False))
    if data["qtype"] == "single":
        return [by_key[response["choice"]]] if response.get("choice") in by_key else []
    return [by_key[k] for k in response.get("choices", []) if k in by_key]


def _matching_answer(data: dict, response: dict | None) -> int | None:
    """Index of the answer a short-answer or numerical response matches (first in order)."""
    if not response:
        return None
    answers = data.get("answers") or []
    settings = data.get("settings") or {}
    if data["qtype"] == "shortanswer":
        case_sensitive = settings.get("case_sensitive", False)
        width_insensitive = settings.get("width_insensitive", True)
        given = normalise(
            response.get("text", ""),
            case_sensitive=case_sensitive,
            width_insensitive=width_insensitive,
        )
        for index, answer in enumerate(answers):
            pattern = _pattern(
                answer["text"], case_sensitive=case_sensitive, width_insensitive=width_insensitive
            )
            if pattern.fullmatch(given):
                return index
        return None
    value = parse_number(response.get("value"))
    if value is None:
        return None
    for index, answer in enumerate(answers):
        if answer["text"].strip() == "*":
            return index
        target = parse_number(answer["text"])
        if target is not None and within(value, target, answer.get("tolerance") or 0.0):
            return index
    return None


def part_fraction(data: dict, layout: dict, response) -> float | None:
    """The fraction (0..1) a response earns on one part; ``None`` if it needs a person."""
    qtype = data["qtype"]
    if qtype in MANUAL_TYPES:
        return None
    if not response:
        return 0.0
    answers = data.get("answers") or []
    if qtype in CHOICE_TYPES:
        total = sum(answers[i]["fraction"] for i in _chosen_answers(data, layout, response))
        return min(1.0, max(0.0, total))
    if qtype == "truefalse":
        chosen = 0 if response.get("value") else 1
        return min(1.0, max(0.0, answers[chosen]["fraction"])) if len(answers) > chosen else 0.0
    if qtype in ("shortanswer", "numerical"):
        index = _matching_answer(data, response)
        return 0.0 if index is None else min(1.0, max(0.0, answers[index]["fraction"]))
    if qtype == "matching":
        items = layout.get("items", [])
        if not items:
            return 0.0
        choice_text = dict(
            zip(layout.get("choice_keys", []), layout.get("choices", []), strict=False)
        )
        pairs = response.get("pairs", {})
        right = 0
        for item_key, index in zip(layout.get("item_keys", []), items, strict=False):
            chosen = pairs.get(item_key)
            if chosen is not None and choice_text.get(chosen) == answers[index]["match_text"]:
                right += 1
        return right / len(items)
    return 0.0


def auto_marks(data: dict, layout: dict, response, max_mark: float) -> dict[str, float | None]:
    """Marks per part for a response; ``None`` for parts that need manual marking."""
    marks: dict[str, float | None] = {}
    for part in parts_of(data):
        if part.key == MAIN:
            part_layout, part_response = layout, response
        else:
            part_layout = layout.get(part.key, {})
            part_response = (response or {}).get("parts", {}).get(part.key)
        fraction = part_fraction(part.data, part_layout, part_response)
        marks[part.key] = None if fraction is None else round(fraction * max_mark * part.weight, 7)
    return marks


def part_max(data: dict, max_mark: float) -> dict[str, float]:
    return {part.key: round(max_mark * part.weight, 7) for part in parts_of(data)}


def needs_manual(data: dict) -> bool:
    return any(part.data["qtype"] in MANUAL_TYPES for part in parts_of(data))


def total_mark(marks: dict) -> float | None:
    if any(value is None for value in marks.values()):
        return None
    return round(sum(marks.values()), 7)


# --- review helpers (only called once review options allow them) --------------


def chosen_feedback(data: dict, layout: dict, response) -> list[str]:
    """Feedback of the answers this response chose (specific feedback)."""
    if not response:
        return []
    answers = data.get("answers") or []
    qtype = data["qtype"]
    if qtype in CHOICE_TYPES:
        return [
            answers[i]["feedback"]
            for i in _chosen_answers(data, layout, response)
            if answers[i]["feedback"]
        ]
    if qtype == "truefalse":
        chosen = 0 if response.get("value") else 1
        return (
            [answers[chosen]["feedback"]]
            if len(answers) > chosen and answers[chosen]["feedback"]
            else []
        )
    if qtype in ("shortanswer", "numerical"):
        index = _matching_answer(data, response)
        if index is not None and answers[index]["feedback"]:
            return [answers[index]["feedback"]]
    return []


def right_answer(data: dict) -> str:
    """The right answer in words, for review."""
    answers = data.get("answers") or []
    qtype = data["qtype"]
    if qtype == "single":
        best = max(answers, key=lambda a: a["fraction"], default=None)
        return best["text"] if best else ""
    if qtype == "multiple":
        return "; ".join(a["text"] for a in answers if a["fraction"] > 0)
    if qtype == "truefalse":
        return _("True") if answers and answers[0]["fraction"] >= 1 else _("False")
    if qtype == "shortanswer":
        full = [a["text"] for a in answers if a["fraction"] >= 1]
        return " / ".join(full)
    if qtype == "numerical":
        out = []
        for answer in answers:
            if answer["fraction"] >= 1 and answer["text"].strip() != "*":
                tol = answer.get("tolerance") or 0
                out.append(f"{answer['text']} ± {tol:g}" if tol else answer["text"])
        return " / ".join(out)
    if qtype == "matching":
        return "; ".join(f"{a['text']} → {a['match_text']}" for a in answers if a["text"].strip())
    return ""


def answer_is_correct(fraction: float | None) -> str | None:
    """'correct', 'partial' or 'incorrect' for a fraction; None when not marked yet."""
    if fraction is None:
        return None
    if fraction >= 1 - 1e-9:
        return "correct"
    if fraction > 1e-9:
        return "partial"
    return "incorrect"
