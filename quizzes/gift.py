"""GIFT, Moodle's plain-text question format: a parser and an exporter.

The parser follows Moodle's own reader (question/format/gift) rule for rule, so a
file that imports into Moodle imports here with the same answers, weights,
tolerances and feedback:

- questions are blocks separated by blank lines; ``//`` lines are comments
  (``[tag:x]`` in a comment is a tag; ``[mark:2]`` is our extension for the mark);
- ``$CATEGORY: a/b`` switches the category of the questions that follow;
- ``::name::`` names a question; ``[html]``/``[markdown]``/``[plain]``/``[moodle]``
  before a text sets its format;
- the first ``{…}`` holds the answers; text after it makes a "missing word"
  question (``_____`` stands where the braces were);
- ``####`` starts general feedback; ``#`` starts an answer's feedback;
- ``\\``-escapes: ``\\~ \\= \\# \\{ \\} \\: \\n \\\\``.

Parsing never writes to the database: it returns :class:`ParsedQuestion` objects
and :class:`ImportIssue` for every block refused, with its line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

# Escaped control characters are swapped for private-use placeholders while parsing.
_ESCAPES = {
    "\\:": "\ue001",
    "\\#": "\ue002",
    "\\=": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\~": "\ue006",
    "\\n": "\ue007",
}
_BACKSLASH = "\ue000"
_RESTORE = {
    "\ue001": ":",
    "\ue002": "#",
    "\ue003": "=",
    "\ue004": "{",
    "\ue005": "}",
    "\ue006": "~",
    "\ue007": "\n",
}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_FORMATS = {"moodle", "html", "plain", "markdown"}
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")
_MARK = re.compile(r"\[mark:(\d+(?:\.\d+)?)\]")
_CATEGORY_PREFIX = re.compile(r"^\$(course|system|module|cat\d*)\$/", re.IGNORECASE)
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class ParsedAnswer:
    text: str = ""
    fraction: float = 0.0
    feedback: str = ""
    tolerance: float = 0.0
    match_text: str = ""

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "fraction": round(self.fraction, 7),
            "feedback": self.feedback,
            "tolerance": self.tolerance,
            "match_text": self.match_text,
        }


@dataclass
class ParsedQuestion:
    """A question read from a file, not yet saved. ``line`` is where it starts (1-based)."""

    line: int
    qtype: str
    name: str
    stem: str
    stem_format: str = "moodle"
    general_feedback: str = ""
    answers: list[ParsedAnswer] = field(default_factory=list)
    category: str = ""
    tags: list[str] = field(default_factory=list)
    default_mark: float = 1.0
    settings: dict = field(default_factory=dict)
    parts: list[ParsedQuestion] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Comparable content (used by the round-trip test and the dry-run report)."""
        return {
            "qtype": self.qtype,
            "name": self.name,
            "stem": self.stem,
            "stem_format": self.stem_format,
            "general_feedback": self.general_feedback,
            "category": self.category,
            "tags": sorted(self.tags),
            "default_mark": self.default_mark,
            "answers": [a.as_dict() for a in self.answers],
            "parts": [p.as_dict() for p in self.parts],
        }


@dataclass
class ImportIssue:
    line: int
    message: str
    skipped: bool = False  # True: a block ignored on purpose (e.g. a description), not an error

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class GiftError(ValueError):
    pass


def _pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for escape, placeholder in _ESCAPES.items():
        text = text.replace(escape, placeholder)
    return text.replace(_BACKSLASH, "\\")


def _post(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text


def _with_format(text: str, default: str = "moodle") -> tuple[str, str]:
    """``[html]text`` → (text, "html"); an unknown ``[x]`` is left in the text."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in _FORMATS:
            fmt, text = name, text[end + 1 :]
    return _post(text).strip(), fmt


def _weight(answer: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(answer)
    if not match:
        return None, answer
    return float(match.group(1)) / 100, answer[match.end() :]


def _split_comment(answer: str) -> tuple[str, str]:
    text, _sep, feedback = answer.partition("#")
    return _with_format(text.strip())[0], _with_format(feedback.strip())[0]


def default_name(stem: str) -> str:
    text = re.sub(r"<[^>]+>", "", stem)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:80] or _("Question")


def clean_category_path(path: str) -> str:
    path = _post(path).strip()
    path = _CATEGORY_PREFIX.sub("", path)
    parts = [p.strip() for p in path.split("/") if p.strip()]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return "/".join(parts)


def iter_blocks(source: str):
    """(first line number, lines) for each blank-line-separated block."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip() == "":
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def parse(source: str) -> tuple[list[ParsedQuestion], list[ImportIssue]]:
    """Every question in a GIFT text, and an issue for every block refused or skipped."""
    questions: list[ParsedQuestion] = []
    issues: list[ImportIssue] = []
    category = ""
    for start, lines in iter_blocks(source):
        comments = []
        body = []
        first_line = None
        for offset, line in enumerate(lines):
            if line.strip().startswith("//"):
                comments.append(line.strip())
                body.append(" ")
            else:
                if first_line is None:
                    first_line = start + offset
                body.append(line)
        text = "\n".join(body).strip()
        if not text:
            continue
        text = _pre(text)
        if text.startswith("$CATEGORY:"):
            head, _nl, rest = text.partition("\n")
            category = clean_category_path(head[len("$CATEGORY:") :])
            text = rest.strip()
            if not text:
                continue
        try:
            question = parse_question(text, line=first_line or start, comments=comments)
        except GiftError as exc:
            issues.append(ImportIssue(first_line or start, str(exc)))
            continue
        if question is None:
            issues.append(
                ImportIssue(
                    first_line or start,
                    _("text without answers (a description) is not a question; skipped"),
                    skipped=True,
                )
            )
            continue
        question.category = category
        questions.append(question)
    return questions, issues


def parse_question(text: str, *, line: int, comments: list[str]) -> ParsedQuestion | None:
    """One question block (escapes already replaced). ``None`` for a description."""
    name = None
    if text.startswith("::"):
        end = text.find("::", 2)
        if end != -1:
            name = _post(text[2:end]).strip()
            text = text[end + 2 :].strip()
        else:
            text = text[2:]

    start, finish = text.find("{"), text.find("}")
    if start == -1 and finish == -1:
        return None
    if start == -1 or finish == -1 or finish < start:
        raise GiftError(_("the answers must be enclosed in a pair of braces { }"))
    answer_text = text[start + 1 : finish].strip()
    if text.endswith("}"):
        question_text = text[:start] + text[finish + 1 :]
    else:
        question_text = text[:start] + "_____" + text[finish + 1 :]

    general_feedback = ""
    separator = answer_text.rfind("####")
    if separator != -1:
        general_feedback = answer_text[separator + 4 :]
        answer_text = answer_text[:separator].strip()

    stem, stem_format = _with_format(question_text.strip())
    general_feedback = _with_format(general_feedback.strip(), stem_format)[0]
    tags = []
    mark = 1.0
    for comment in comments:
        tags.extend(t.replace("\\]", "]").strip() for t in _TAG.findall(comment))
        found = _MARK.search(comment)
        if found:
            mark = float(found.group(1))
    question = ParsedQuestion(
        line=line,
        qtype="",
        name=name or default_name(stem),
        stem=stem,
        stem_format=stem_format,
        general_feedback=general_feedback,
        tags=tags,
        default_mark=mark,
    )
    if not stem:
        raise GiftError(_("the question has no text"))

    if answer_text == "":
        question.qtype = "essay"
    elif answer_text.startswith("#"):
        question.qtype = "numerical"
        question.answers = _numerical(answer_text[1:])
    elif "~" in answer_text:
        question.qtype = "single" if "=" in answer_text else "multiple"
        question.answers = _multichoice(answer_text)
    elif "=" in answer_text and "->" in answer_text:
        question.qtype = "matching"
        question.answers = _matching(answer_text)
    else:
        check = answer_text.split("#", 1)[0].strip() if "#" in answer_text[1:] else answer_text
        if check in TRUE_FALSE:
            question.qtype = "truefalse"
            question.answers = _truefalse(answer_text)
        else:
            question.qtype = "shortanswer"
            question.answers = _shortanswer(answer_text)
    validate(question)
    return question


def _split_answers(answer_text: str, marker: str) -> list[str]:
    pieces = [p.strip() for p in answer_text.split(marker)]
    if pieces and not pieces[0]:
        pieces = pieces[1:]
    return pieces


def _multichoice(answer_text: str) -> list[ParsedAnswer]:
    answers = []
    for piece in _split_answers(answer_text.replace("=", "~="), "~"):
        if not piece:
            raise GiftError(_("an answer is empty"))
        if piece.startswith("="):
            weight, rest = _weight(piece[1:])
            fraction = 1.0 if weight is None else weight
            piece = rest
        else:
            weight, piece = _weight(piece)
            fraction = weight or 0.0
        text, feedback = _split_comment(piece)
        answers.append(ParsedAnswer(text=text, fraction=fraction, feedback=feedback))
    if len(answers) < 2:
        raise GiftError(_("a multiple-choice question needs at least two answers"))
    return answers


def _matching(answer_text: str) -> list[ParsedAnswer]:
    answers = []
    for piece in _split_answers(answer_text, "="):
        if "->" not in piece:
            raise GiftError(_("each matching pair must be written 'item -> match'"))
        item, _arrow, match = piece.partition("->")
        answers.append(
            ParsedAnswer(
                text=_with_format(item.strip())[0], match_text=_post(match).strip(), fraction=1.0
            )
        )
    if len(answers) < 2:
        raise GiftError(_("a matching question needs at least two pairs"))
    return answers


def _truefalse(answer_text: str) -> list[ParsedAnswer]:
    bits = answer_text.split("#", 2)
    value = TRUE_FALSE[bits[0].strip()]
    wrong = _with_format(bits[1].strip())[0] if len(bits) > 1 else ""
    right = _with_format(bits[2].strip())[0] if len(bits) > 2 else ""
    return [
        ParsedAnswer(
            text="True", fraction=1.0 if value else 0.0, feedback=right if value else wrong
        ),
        ParsedAnswer(
            text="False", fraction=0.0 if value else 1.0, feedback=wrong if value else right
        ),
    ]


def _shortanswer(answer_text: str) -> list[ParsedAnswer]:
    answers = []
    for piece in _split_answers(answer_text, "="):
        weight, piece = _weight(piece)
        text, feedback = _split_comment(piece)
        if not text:
            raise GiftError(_("an accepted answer is empty"))
        answers.append(
            ParsedAnswer(text=text, fraction=1.0 if weight is None else weight, feedback=feedback)
        )
    if not answers:
        raise GiftError(_("a short-answer question needs at least one answer"))
    return answers


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GiftError(_("“%(text)s” is not a number") % {"text": text}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise GiftError(_("“%(text)s” is not a number") % {"text": text})
    return value


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text or "e" not in text else str(value)


def _numerical(answer_text: str) -> list[ParsedAnswer]:
    wrong_feedback = None
    tilde = answer_text.find("~")
    if tilde != -1:
        wrong_feedback = answer_text[tilde:]
        answer_text = answer_text[:tilde]
    answers = []
    for piece in _split_answers(answer_text, "="):
        weight, piece = _weight(piece)
        value, feedback = _split_comment(piece)
        if ".." in value[1:]:
            low, _dots, high = value.partition("..")
            _number(low.strip())
            _number(high.strip())
            low_value, high_value = Decimal(low.strip()), Decimal(high.strip())
            if high_value < low_value:
                raise GiftError(_("a range must go from low to high"))
            middle = (low_value + high_value) / 2
            answer = _decimal_text(middle)
            tolerance = float(high_value - middle)
        elif ":" in value[1:]:
            answer, _colon, tol_text = value.partition(":")
            answer = answer.strip()
            tolerance = _number(tol_text.strip())
        else:
            answer, tolerance = value.strip(), 0.0
        if answer != "*":
            _number(answer)
        answers.append(
            ParsedAnswer(
                text=answer,
                fraction=1.0 if weight is None else weight,
                feedback=feedback,
                tolerance=abs(tolerance),
            )
        )
    if not answers:
        raise GiftError(_("a numerical question needs at least one answer"))
    if wrong_feedback:
        _text, feedback = _split_comment(wrong_feedback[1:])
        answers.append(ParsedAnswer(text="*", fraction=0.0, feedback=feedback))
    return answers


def validate(question: ParsedQuestion) -> None:
    """The checks Moodle makes before saving a question, with a reason for each refusal."""
    for answer in question.answers:
        if not -1.0 - 1e-9 <= answer.fraction <= 1.0 + 1e-9:
            raise GiftError(_("an answer weight must be between -100% and 100%"))
    if question.qtype == "single" and max(a.fraction for a in question.answers) < 1 - 1e-6:
        raise GiftError(_("a single-choice question needs one answer worth 100%"))
    if question.qtype == "multiple":
        positive = sum(a.fraction for a in question.answers if a.fraction > 0)
        if abs(positive - 1) > 0.011:
            raise GiftError(
                _("the positive weights of a multiple-response question must add up to 100%")
            )
    if (
        question.qtype in ("shortanswer", "numerical")
        and max(a.fraction for a in question.answers) < 1 - 1e-6
    ):
        raise GiftError(_("at least one answer must be worth 100%"))
    if question.qtype == "matching" and sum(1 for a in question.answers if a.text) < 2:
        raise GiftError(_("a matching question needs at least two items with a match"))


# --- export ------------------------------------------------------------------


def escape(text: str) -> str:
    text = text or ""
    for char in ("\\", "#", "=", "~", "{", "}", ":"):
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _text(text: str, fmt: str, default: str = "moodle") -> str:
    prefix = f"[{fmt}]" if text and fmt != default else ""
    return prefix + escape(text)


def _float_text(value: float) -> str:
    return repr(float(value)).removesuffix(".0")


def _weight_text(fraction: float) -> str:
    return f"%{round(fraction * 100, 5):g}%"


def write_question(data: dict) -> str:
    """One question snapshot (``Question.snapshot()`` or ``ParsedQuestion.as_dict()``) as GIFT.

    Case analyses cannot be written in GIFT: the caller skips them.
    """
    qtype = data["qtype"]
    fmt = data.get("stem_format") or "moodle"
    out = [f"// question: {data.get('id') or ''}  name: {data['name']}".rstrip()]
    for tag in data.get("tags") or []:
        out.append(f"// [tag:{tag.replace(']', chr(92) + ']')}]")
    mark = float(data.get("default_mark") or 1)
    if mark != 1:
        out.append(f"// [mark:{mark:g}]")
    head = f"::{escape(data['name'])}::" + _text(data["stem"], fmt)
    answers = data.get("answers") or []
    general = data.get("general_feedback") or ""
    gf = f"####{_text(general, fmt, fmt)}" if general else ""
    lines = []
    if qtype == "essay":
        body = "{" + gf + "}"
    elif qtype == "truefalse":
        true_answer = answers[0] if answers else {"fraction": 1, "feedback": ""}
        false_answer = answers[1] if len(answers) > 1 else {"fraction": 0, "feedback": ""}
        value = true_answer["fraction"] >= 1
        right = (true_answer if value else false_answer)["feedback"]
        wrong = (false_answer if value else true_answer)["feedback"]
        body = "{" + ("TRUE" if value else "FALSE")
        if wrong:
            body += "#" + _text(wrong, fmt, fmt)
        elif right:
            body += "#"
        if right:
            body += "#" + _text(right, fmt, fmt)
        body += gf + "}"
    else:
        for answer in answers:
            feedback = ("#" + _text(answer["feedback"], fmt, fmt)) if answer.get("feedback") else ""
            fraction = answer["fraction"]
            if qtype == "single":
                marker = (
                    "="
                    if fraction >= 1
                    else ("~" if fraction == 0 else "~" + _weight_text(fraction))
                )
                lines.append(f"\t{marker}{_text(answer['text'], fmt, fmt)}{feedback}")
            elif qtype == "multiple":
                marker = "~" if fraction == 0 else "~" + _weight_text(fraction)
                lines.append(f"\t{marker}{_text(answer['text'], fmt, fmt)}{feedback}")
            elif qtype == "shortanswer":
                lines.append(f"\t={_weight_text(fraction)}{escape(answer['text'])}{feedback}")
            elif qtype == "numerical":
                if answer["text"].strip() == "*" and fraction == 0:
                    lines.append(f"\t~{feedback or '#'}")
                else:
                    lines.append(
                        f"\t={_weight_text(fraction)}{answer['text']}:{_float_text(answer.get('tolerance') or 0)}{feedback}"
                    )
            elif qtype == "matching":
                lines.append(
                    f"\t={_text(answer['text'], fmt, fmt)} -> {escape(answer['match_text'])}"
                )
        if gf:
            lines.append("\t" + gf)
        opener = "{#" if qtype == "numerical" else "{"
        body = opener + "\n" + "\n".join(lines) + "\n}"
    out.append(head + body)
    return "\n".join(out) + "\n"


def export(questions_by_category: list[tuple[str, list[dict]]]) -> tuple[str, list[str]]:
    """GIFT text for ``[(category path, [snapshots…]), …]`` and the names of skipped questions."""
    chunks, skipped = [], []
    for path, items in questions_by_category:
        writable = [q for q in items if q["qtype"] != "case"]
        skipped.extend(q["name"] for q in items if q["qtype"] == "case")
        if not writable:
            continue
        chunks.append(f"$CATEGORY: $course$/top/{path}\n")
        chunks.extend(write_question(q) for q in writable)
    return "\n".join(chunks), skipped
