"""The refusal: ``check_text`` raises a ``ValidationError`` that teaches.

The message names what looked identifying — masked, so the refusal itself repeats no
child's data ("一个手机号 138****3456", "一个像姓名的词 刘**") — and says how to write it
anonymously ("一名10岁女孩", "该生"). Forms keep the person's text, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .detect import Finding, find_identifying_data

ERROR_CODE = "privacy"
MAX_SHOWN = 3

ANONYMOUS_HELP = gettext_lazy(
    "Records must never identify a child or a family. Describe people anonymously — "
    "for example “一名10岁女孩”, “该生”, “小A”, “a 9-year-old boy” — and leave out "
    "names, ID numbers, phone numbers, contact accounts and home addresses. Colleagues "
    "and supervisors may be named with their title (督导：陈静)."
)


def _label(kind: str, masked: str) -> str:
    labels = {
        "resident_id": _("a resident ID number %(masked)s"),
        "mobile": _("a mobile number %(masked)s"),
        "landline": _("a phone number %(masked)s"),
        "contact": _("a QQ, WeChat or e-mail account %(masked)s"),
        "address": _("a home address %(masked)s"),
        "name": _("a word that looks like a personal name %(masked)s"),
    }
    return labels[kind] % {"masked": masked}


def _advice(kinds: set[str]) -> list[str]:
    # How to refer to people anonymously comes first, whatever was found: the number or
    # address usually belongs to someone the text is about.
    advice = [
        _(
            "Write about the person without a name: “一名10岁女孩”, “该生”, “小A”, "
            "“the child's grandmother”. A pseudonym is fine if you mark it: “小雨（化名）”."
        )
    ]
    if kinds & {"resident_id", "mobile", "landline", "contact"}:
        advice.append(
            _(
                "Leave out ID numbers, phone numbers and contact accounts; the record never needs them."
            )
        )
    if "address" in kinds:
        advice.append(
            _(
                "Name the place no closer than the village or the school (“某村”, “a township "
                "school”), never a house number."
            )
        )
    return advice


def privacy_error(findings: Iterable[Finding]) -> ValidationError:
    """The refusal for these findings (code ``privacy``), in the active language."""
    shown: list[str] = []
    kinds: set[str] = set()
    for finding in findings:
        kinds.add(finding.kind)
        label = _label(finding.kind, finding.masked)
        if label not in shown and len(shown) < MAX_SHOWN:
            shown.append(label)
    separator = pgettext("list separator", ", ")
    message = _(
        "This text seems to contain %(items)s. %(advice)s Your text is kept: change it and save again."
    ) % {
        "items": separator.join(shown),
        "advice": " ".join(_advice(kinds)),
    }
    return ValidationError(message, code=ERROR_CODE)


def check_text(text: str, *, allowed_names: Iterable[str] = ()) -> None:
    """Raise ``ValidationError`` (code ``privacy``) if ``text`` looks identifying.

    ``allowed_names``: names of the system's own users to let through (a supervisor
    named without a title, for example).
    """
    findings = find_identifying_data(text, allowed_names=allowed_names)
    if findings:
        raise privacy_error(findings)


def check_narrative(text: str) -> None:
    """The check registered for every ``NARRATIVE`` text field (lms.textinput)."""
    check_text(text)


def validate_anonymous(value: str) -> None:
    """A form or model field validator: ``check_text`` on the value."""
    check_text(value)
