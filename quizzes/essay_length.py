"""How long an essay answer must be, and how long one is, said the way the question counts.

A question's limits (``min_words``, ``max_words``, ``max_chars``) are counted by
``grading.count_words``: each Chinese character counts as one, and so does each word of
Uyghur or English (space-separated); ``max_chars`` counts every character. The attempt
page, the review and the marking page all say the limit and the count with these words,
so a question asking for "100–300 字" is never shown as "at least 100 words".
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .grading import count_words


def limit_text(limits: dict | None) -> str:
    """The question's length limit in one sentence, or "" when it has none."""
    limits = limits or {}
    low, high, chars = limits.get("min_words"), limits.get("max_words"), limits.get("max_chars")
    parts = []
    if low and high:
        parts.append(
            _(
                "Length: %(min)s–%(max)s (each Chinese character counts as one, and so does "
                "each Uyghur or English word)."
            )
            % {"min": low, "max": high}
        )
    elif low:
        parts.append(
            _(
                "Length: at least %(min)s (each Chinese character counts as one, and so does "
                "each Uyghur or English word)."
            )
            % {"min": low}
        )
    elif high:
        parts.append(
            _(
                "Length: at most %(max)s (each Chinese character counts as one, and so does "
                "each Uyghur or English word)."
            )
            % {"max": high}
        )
    if chars:
        parts.append(_("At most %(n)s characters in all.") % {"n": chars})
    return " ".join(parts)


def answer_text(text: str | None, limits: dict | None) -> str:
    """How long ``text`` is, counted as its question counts, against the limit."""
    limits = limits or {}
    text = text or ""
    count = count_words(text)
    low, high, chars = limits.get("min_words"), limits.get("max_words"), limits.get("max_chars")
    said = _("This answer: %(n)s by the question's count, %(chars)s characters.") % {
        "n": count,
        "chars": len(text),
    }
    if low and count < low:
        said += " " + _("Shorter than the %(min)s asked.") % {"min": low}
    elif high and count > high:
        said += " " + _("Longer than the %(max)s allowed.") % {"max": high}
    elif chars and len(text) > chars:
        said += " " + _("More characters than the %(max)s allowed.") % {"max": chars}
    elif low or high:
        said += " " + _("Within the length asked.")
    return said
