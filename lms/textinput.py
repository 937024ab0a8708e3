"""One text-input component: every free-text value a person types goes through here.

A ``TextPolicy`` says what one kind of field accepts; ``policy.clean(value)`` returns
the text to store or raises ``ValidationError`` with a message a person can act on.
The same policy is offered three ways, so a form, the API and the model agree:

* ``TextField(policy)`` — a Django form field (cleans, then the form shows the error);
* ``api_text(policy)`` — a pydantic/django-ninja type for API input schemas (a refusal
  is a 422 ``{detail, code}`` naming the field);
* ``TextValidator(policy)`` — a model-field validator (checks without changing), for
  writes that reach ``full_clean`` by another door.

What ``clean`` guarantees, in this order:

1. The value is text (``None`` counts as empty). ``\\r\\n`` and ``\\r`` become ``\\n``;
   the text is put in Unicode NFC form (the same word is stored one way).
2. Refused, never removed: NUL and every other control character (Unicode ``Cc``) —
   except tab and newline in multi-line text; lone surrogates and the non-characters
   U+FFFE/U+FFFF (PostgreSQL refuses NUL and cannot encode surrogates; a silent
   removal would change what the person wrote); the bidirectional embeddings and
   overrides U+202A–U+202E (they make text display in an order other than it is
   stored). A single-line field refuses tabs and line breaks.
3. Trimmed: white space and invisible characters (zero-width spaces and joiners,
   word joiner, BOM, soft hyphen, Hangul fillers…) at both ends are dropped.
4. Empty after trimming — including text of invisible characters only — is refused
   where the field is required and returned as ``""`` where it is optional.
5. Longer than ``max_length`` characters (counted after trimming) is refused with the
   length and the limit in the message; text is never cut.
6. Then the checks: the policy's own and every check registered for its ``purpose``
   with ``register_check`` (the children's-data guard plugs in here for
   ``NARRATIVE``). A check receives the cleaned text and raises ``ValidationError``.

Purposes: ``NARRATIVE`` is text in which people write about practice, sessions,
children or families (descriptions, reflections, reasons, notes, comments, essay
answers); ``LABEL`` is a name, title, address or code. Every policy declares one,
so a test can walk every field and see what guards it.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

NARRATIVE = "narrative"
LABEL = "label"
PURPOSES = (NARRATIVE, LABEL)

TextCheck = Callable[[str], None]

# Characters that show nothing; text made only of these (and white space) is empty.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d"
    "\u200e\u200f\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u2800\u3164\ufe00\ufe0f\ufeff\uffa0"
)
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e")
NON_CHARACTERS = frozenset("\ufffe\uffff")
# Any character that is refused everywhere (tab and newline are decided per field).
_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\n]")

_registered_checks: dict[str, list[TextCheck]] = {purpose: [] for purpose in PURPOSES}


def register_check(purpose: str, check: TextCheck) -> TextCheck:
    """Run ``check`` on every field of ``purpose`` (after the built-in rules).

    Call it once, from an ``AppConfig.ready``; registering the same check twice is
    a no-op. Returns the check, so it can be used as a decorator's result.
    """
    if purpose not in _registered_checks:
        raise ValueError(f"Unknown text purpose {purpose!r}; use one of {PURPOSES}.")
    if check not in _registered_checks[purpose]:
        _registered_checks[purpose].append(check)
    return check


def unregister_check(purpose: str, check: TextCheck) -> None:
    """Stop running ``check`` (tests that register one of their own)."""
    if check in _registered_checks.get(purpose, []):
        _registered_checks[purpose].remove(check)


def registered_checks(purpose: str) -> tuple[TextCheck, ...]:
    return tuple(_registered_checks[purpose])


def _is_blank(char: str) -> bool:
    return char.isspace() or char in INVISIBLE


def trim(text: str) -> str:
    """``text`` without white space and invisible characters at either end."""
    start, end = 0, len(text)
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".strip()


@dataclass(frozen=True)
class TextPolicy:
    """What one kind of text field accepts (see the module docstring for the rules)."""

    max_length: int
    multiline: bool = False
    required: bool = True
    purpose: str = NARRATIVE
    checks: tuple[TextCheck, ...] = field(default=())

    def __post_init__(self):
        if self.purpose not in PURPOSES:
            raise ValueError(f"Unknown text purpose {self.purpose!r}; use one of {PURPOSES}.")
        if self.max_length < 1:
            raise ValueError("max_length must be at least 1.")

    def optional(self) -> TextPolicy:
        """The same rules for a field that may be left empty."""
        return replace(self, required=False)

    def all_checks(self) -> tuple[TextCheck, ...]:
        return self.checks + registered_checks(self.purpose)

    def clean(self, value: Any) -> str:
        """The text to store, or ``ValidationError`` (codes: ``not_text``, ``control_character``,
        ``line_break``, ``required``, ``too_long``, or a check's own code)."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValidationError(_("Give this as text."), code="not_text")
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        refused = _REFUSED.search(text)
        if refused is not None:
            raise ValidationError(
                _(
                    "The text contains a character that cannot be stored (%(character)s); "
                    "remove it and try again."
                )
                % {"character": _describe(refused.group())},
                code="control_character",
            )
        text = unicodedata.normalize("NFC", text)
        text = trim(text)
        if not self.multiline and _LINE_BREAKS.search(text):
            raise ValidationError(
                _("Write this on one line, without tabs or line breaks."), code="line_break"
            )
        if not text:
            if self.required:
                raise ValidationError(_("This cannot be empty."), code="required")
            return ""
        if len(text) > self.max_length:
            raise ValidationError(
                ngettext(
                    "The text has %(length)d characters; at most %(max)d character is allowed.",
                    "The text has %(length)d characters; at most %(max)d characters are allowed.",
                    self.max_length,
                )
                % {"length": len(text), "max": self.max_length},
                code="too_long",
            )
        for check in self.all_checks():
            check(text)
        return text


# Policies the apps share. A field with other needs makes its own ``TextPolicy``.
REASON = TextPolicy(300, multiline=True)
"""Why something was declined, cancelled, revoked, rejected, reversed or reassigned."""
COMMENT = TextPolicy(2000, multiline=True, required=False)
"""A reviewer's or marker's comment."""
NOTE = TextPolicy(1000, multiline=True, required=False)
"""A note on a request, a report or a period of unavailability."""
LONG_TEXT = TextPolicy(4000, multiline=True)
"""A description or reflection of practice."""
ESSAY = TextPolicy(20000, multiline=True, required=False)
"""A quiz answer written in words (the question may set a smaller limit)."""
PERSON_NAME = TextPolicy(150, purpose=LABEL)
"""A person's name as a person types it (a signature, a name on a certificate)."""
USERNAME = TextPolicy(150, purpose=LABEL)
"""An account name someone refers to (enrol a person, place a trainee)."""
TITLE = TextPolicy(200, purpose=LABEL)
"""A name or title of a thing (a venue, a cohort, a token)."""
CODE = TextPolicy(100, purpose=LABEL)
"""A code or identifier a client sends (a state, a topic, a serial, a period)."""


# --- Django forms -------------------------------------------------------------


class TextField(forms.CharField):
    """A form field that cleans with a ``TextPolicy``.

    ``required`` and ``max_length`` come from the policy (the browser is told the limit
    with ``maxlength``); a multi-line policy shows a text area unless a widget is given.
    """

    def __init__(self, policy: TextPolicy, **kwargs):
        required = kwargs.setdefault("required", policy.required)
        self.policy = policy if required == policy.required else replace(policy, required=required)
        kwargs["max_length"] = policy.max_length
        kwargs["strip"] = False  # the policy trims, after its character checks
        if policy.multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)
        # The policy gives the one length message (with the count); Django's own
        # MaxLengthValidator would add a second.
        self.validators = [
            v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)
        ]

    def clean(self, value):
        """The policy's text, then the field's own validators (e.g. a privacy guard)."""
        if value in self.empty_values and not self.required:
            return ""
        policy = self.policy
        if policy.required != self.required:  # ``required`` changed after construction
            policy = replace(policy, required=self.required)
        text = policy.clean(value)
        self.run_validators(text)
        return text


def use_text_policies(form: forms.BaseForm, policies: dict[str, TextPolicy]) -> None:
    """Replace fields of ``form`` (e.g. those a ModelForm made from model fields) by
    ``TextField``s with these policies, keeping label, help text, widget, initial value,
    whether they are required and whether they are disabled."""
    for name, policy in policies.items():
        old = form.fields[name]
        form.fields[name] = TextField(
            policy,
            required=old.required,
            label=old.label,
            help_text=old.help_text,
            widget=old.widget,
            initial=old.initial,
            disabled=old.disabled,
            validators=[
                v for v in old.validators if not isinstance(v, validators.MaxLengthValidator)
            ],
        )


# --- models ---------------------------------------------------------------------


@deconstructible(path="lms.textinput.TextValidator")
class TextValidator:
    """A model-field validator: the value must pass ``policy.clean`` and be trimmed.

    It never changes the value (validators cannot); text that would need trimming,
    or that a rule refuses, is refused. Apps attach it to their fields by declaring
    them in ``<app>/text_fields.py`` (see ``lms.text_fields``).
    """

    def __init__(self, max_length: int, multiline: bool = False, purpose: str = NARRATIVE):
        self.max_length, self.multiline, self.purpose = max_length, multiline, purpose

    @property
    def policy(self) -> TextPolicy:
        return TextPolicy(
            self.max_length, multiline=self.multiline, required=False, purpose=self.purpose
        )

    def __call__(self, value):
        self.policy.clean(value)  # refuses what the policy refuses
        # Line endings and Unicode forms are the policy's to normalise (a form that is not
        # a ``TextField`` sends ``\r\n``); text left untrimmed is refused, not changed.
        if value and trim(value) != value:
            raise ValidationError(
                _("Remove the spaces or invisible characters at the start and end."),
                code="untrimmed",
            )

    def __eq__(self, other):
        return isinstance(other, TextValidator) and (
            self.max_length,
            self.multiline,
            self.purpose,
        ) == (other.max_length, other.multiline, other.purpose)

    def __hash__(self):
        return hash((self.max_length, self.multiline, self.purpose))


# --- the API (pydantic / django-ninja) -----------------------------------------


# The type of a pydantic error from a policy: "text_too_long", "text_control_character"…
API_ERROR_PREFIX = "text_"


def _pydantic_validator(policy: TextPolicy):
    def validate(value: str) -> str:
        try:
            return policy.clean(value)
        except ValidationError as error:
            raise PydanticCustomError(
                f"{API_ERROR_PREFIX}{error.code or 'invalid'}",
                "{message}",
                {"message": " ".join(error.messages)},
            ) from None

    return validate


def api_text(policy: TextPolicy) -> Any:
    """An API schema type for text cleaned with ``policy``.

    Use it as a field's type (``reason: api_text(REASON)``); for an optional field,
    ``api_text(NOTE) = ""`` or ``api_text(NOTE) | None = None``. The OpenAPI schema
    documents the length limit (``maxLength``, and ``minLength: 1`` where required).
    """
    schema: dict[str, Any] = {
        "type": "string",
        "maxLength": policy.max_length,
        "description": (
            "Text; no control characters"
            + ("" if policy.multiline else ", tabs or line breaks")
            + "; trimmed; refused (never cut) when longer than the limit."
        ),
    }
    if policy.required:
        schema["minLength"] = 1
    return Annotated[
        str,
        AfterValidator(_pydantic_validator(policy)),
        WithJsonSchema(schema),
        policy,
    ]


def policy_of(annotation: Any) -> TextPolicy | None:
    """The ``TextPolicy`` behind an ``api_text`` type, a pydantic field or a form field.

    Looks inside ``X | None``; None when the value is not cleaned by a policy (tests
    that walk every text field use it).
    """
    if isinstance(annotation, TextField):
        return annotation.policy
    metadata = list(getattr(annotation, "metadata", None) or [])
    metadata += list(getattr(annotation, "__metadata__", ()))
    for item in metadata:
        if isinstance(item, TextPolicy):
            return item
    inner = getattr(annotation, "annotation", None)
    candidates = [inner] if inner is not None else []
    candidates += list(typing.get_args(annotation)) if not metadata else []
    for candidate in candidates:
        if candidate is not None and candidate is not type(None) and candidate is not annotation:
            found = policy_of(candidate)
            if found is not None:
                return found
    return None
