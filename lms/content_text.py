"""Content is not interface: text people or data wrote keeps its own language and direction.

Course titles and bodies, venue names, addresses, people's names and notes are written
in whatever script their author used (mostly Chinese). Shown inside the Uyghur
interface (``dir="rtl"``) such text would inherit right-to-left and reorder ("。" at
the start of a line, "督导：陈静 · 学校" shuffled); shown in the English interface it
would be read by a screen reader with English rules. So templates mark it:

* ``{{ value|content }}`` — inline text (a name, a title in a sentence) wrapped in
  ``<bdi lang=… dir=… data-content>`` (isolated from the surrounding direction);
* ``<p {% content_attrs value %}>`` — the attributes alone, for a block element
  (a paragraph of notes, a heading that is a course title).

The language is read from the text's first strong letter: Han → ``zh-Hans`` (ltr),
Arabic script → ``ug`` (rtl), Latin → ltr without a language (it may be English or
pinyin); text with no letters gets ``dir="auto"``. ``data-content`` is what the
interface-text test (tests/test_interface_language.py) looks for: Han characters
outside a marked element are untranslated interface text.

Load with ``{% load content %}`` (registered in ``TEMPLATES['OPTIONS']['libraries']``).
"""

from __future__ import annotations

import unicodedata

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html

register = template.Library()


def is_han(char: str) -> bool:
    """A Chinese character (CJK unified ideographs, extensions A and B, compatibility)."""
    return (
        "\u3400" <= char <= "\u9fff"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0002ebef"
    )


def text_language(text) -> tuple[str, str]:
    """(lang, dir) of ``text`` from its first strong letter; ("", "auto") if none."""
    for char in str(text or ""):
        if is_han(char):
            return "zh-Hans", "ltr"
        bidi = unicodedata.bidirectional(char)
        if bidi in ("R", "AL"):
            return "ug", "rtl"
        if bidi == "L" and char.isalpha():
            return "", "ltr"
    return "", "auto"


def interface_script() -> str:
    """The ``lang`` of text written in the active interface language's script:
    "zh-Hans", "ug", or "" (Latin: English)."""
    language = translation.get_language() or ""
    return "zh-Hans" if language.startswith("zh") else "ug" if language.startswith("ug") else ""


def foreign_text_language(text) -> tuple[str, str] | None:
    """(lang, dir) of ``text`` when it is written in another script than the interface
    (a Chinese name in the Uyghur or English interface), else None. For places that can
    hold no markup of their own (a select's option, an SVG label): they carry the
    attributes themselves."""
    lang, direction = text_language(text)
    if lang and lang != interface_script():
        return lang, direction
    return None


@register.simple_tag
def content_attrs(value):
    """``lang="…" dir="…" data-content`` for a block element holding ``value``."""
    lang, direction = text_language(value)
    if lang:
        return format_html('lang="{}" dir="{}" data-content', lang, direction)
    return format_html('dir="{}" data-content', direction)


@register.filter(is_safe=True)
def content(value):
    """``value`` (escaped) isolated in a ``<bdi>`` with its own language and direction."""
    if value is None or value == "":
        return ""
    lang, direction = text_language(value)
    if lang:
        return format_html('<bdi lang="{}" dir="{}" data-content>{}</bdi>', lang, direction, value)
    return format_html('<bdi dir="{}" data-content>{}</bdi>', direction, value)


@register.filter(is_safe=True)
def local_name(obj):
    """An object's name in the interface language: ``name_ug`` under Uyghur, ``name_en``
    under English, when the object has them filled in; otherwise its (Chinese) ``name``,
    marked as content. For districts, qualifications, activity types and the like."""
    if obj is None:
        return ""
    language = translation.get_language() or ""
    suffix = "ug" if language.startswith("ug") else "en" if language.startswith("en") else ""
    if suffix:
        translated = getattr(obj, f"name_{suffix}", "") or ""
        if translated:
            return conditional_escape(translated)
    return content(getattr(obj, "name", obj))
