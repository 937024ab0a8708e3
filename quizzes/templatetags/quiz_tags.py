"""Template helpers for quiz pages."""

from django import template
from django.utils.html import linebreaks, strip_tags
from django.utils.safestring import mark_safe

from quizzes.essay_length import answer_text, limit_text

register = template.Library()


@register.filter
def question_text(text, text_format="plain"):
    """Question text, escaped, with its line breaks (HTML from imports is shown as text)."""
    text = text or ""
    if text_format == "html":
        text = strip_tags(text)
    return mark_safe(linebreaks(text, autoescape=True))


@register.filter
def get_item(mapping, key):
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def mmss(seconds):
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@register.filter
def percent(value, digits=1):
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}%"


@register.filter
def essay_limit_text(limits):
    """The essay question's length limit, said as the question counts it."""
    return limit_text(limits)


@register.filter
def essay_answer_length(text, limits):
    """How long an essay answer is against its question's limit."""
    return answer_text(text, limits)
