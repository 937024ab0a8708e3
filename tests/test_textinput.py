"""The text-input component (lms/textinput.py): what every free-text field accepts."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from lms.textinput import (
    LABEL,
    NARRATIVE,
    REASON,
    TextField,
    TextPolicy,
    TextValidator,
    api_text,
    policy_of,
    register_check,
    unregister_check,
)

LONG = TextPolicy(50, multiline=True)
LINE = TextPolicy(20, purpose=LABEL)


def code_of(policy, value) -> str:
    with pytest.raises(ValidationError) as caught:
        policy.clean(value)
    return caught.value.code


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "a\x01b", "esc\x1b[31m", "\x7f", "\x85"])
def test_nul_and_control_characters_are_refused_not_removed(value):
    assert code_of(LONG, value) == "control_character"


def test_the_refusal_names_the_character():
    with pytest.raises(ValidationError) as caught:
        LONG.clean("ok\x00")
    assert "U+0000" in caught.value.messages[0]


@pytest.mark.parametrize("value", ["\ud800", "x\ufffe", "\u202eevil"])
def test_surrogates_non_characters_and_bidi_overrides_are_refused(value):
    assert code_of(LONG, value) == "control_character"


def test_long_text_keeps_tabs_and_newlines_and_normalises_line_ends():
    assert LONG.clean("第一行\r\n\t第二行\r第三行") == "第一行\n\t第二行\n第三行"


def test_a_single_line_field_refuses_line_breaks_and_tabs():
    assert code_of(LINE, "a\nb") == "line_break"
    assert code_of(LINE, "a\tb") == "line_break"


def test_text_is_trimmed_of_spaces_and_invisible_characters():
    assert LONG.clean(" \u200b\u3000 说明 \ufeff\n") == "说明"


@pytest.mark.parametrize("value", ["", "   ", "\u200b\u200b", "\u2060\ufeff \u3164", None])
def test_empty_or_invisible_only_text_is_refused_where_required(value):
    assert code_of(REASON, value) == "required"
    assert REASON.optional().clean(value) == ""


def test_text_over_the_limit_is_refused_with_its_length_never_cut():
    with pytest.raises(ValidationError) as caught:
        REASON.clean("长" * 1_000_000)
    assert caught.value.code == "too_long"
    assert "1000000" in caught.value.messages[0] and "300" in caught.value.messages[0]
    assert REASON.clean("长" * 300) == "长" * 300


def test_non_text_is_refused():
    assert code_of(LONG, 12) == "not_text"


def test_text_is_stored_in_one_unicode_form():
    assert LONG.clean("e\u0301") == "\u00e9"


def test_a_registered_check_runs_for_its_purpose_only():
    seen = []

    def no_digits(text):
        seen.append(text)
        if any(c.isdigit() for c in text):
            raise ValidationError("digits", code="digits")

    register_check(NARRATIVE, no_digits)
    try:
        assert code_of(LONG, "活动 12 人") == "digits"
        assert LINE.clean("Room 12") == "Room 12"
        assert seen == ["活动 12 人"]
    finally:
        unregister_check(NARRATIVE, no_digits)
    assert LONG.clean("活动 12 人") == "活动 12 人"


def test_an_unknown_purpose_is_a_programming_error():
    with pytest.raises(ValueError):
        TextPolicy(10, purpose="whatever")


class ReasonForm(forms.Form):
    reason = TextField(REASON)
    note = TextField(TextPolicy(10), required=False)


def test_the_form_field_refuses_and_keeps_the_message():
    form = ReasonForm({"reason": "\u200b", "note": "x" * 11})
    assert not form.is_valid()
    assert form.errors["reason"] == ["This cannot be empty."]
    assert "11" in form.errors["note"][0]
    assert len(form.errors["note"]) == 1  # one length message, not Django's as well


def test_the_form_field_cleans_and_tells_the_browser_the_limit():
    form = ReasonForm({"reason": "  证书信息有误 ", "note": ""})
    assert form.is_valid()
    assert form.cleaned_data == {"reason": "证书信息有误", "note": ""}
    assert 'maxlength="300"' in str(form["reason"])
    assert policy_of(form.fields["reason"]) is REASON


def test_the_model_validator_checks_without_changing():
    validator = TextValidator(20, purpose=LABEL)
    validator("Venue 1")
    with pytest.raises(ValidationError):
        validator(" Venue 1")
    with pytest.raises(ValidationError):
        validator("a\x00")
    with pytest.raises(ValidationError):
        validator("x" * 21)
    assert validator == TextValidator(20, purpose=LABEL)


def test_the_api_type_refuses_and_documents_its_limit():
    import pydantic
    from ninja import Schema

    class RevokeIn(Schema):
        reason: api_text(REASON)

    assert RevokeIn(reason=" 误发 ").reason == "误发"
    with pytest.raises(pydantic.ValidationError) as caught:
        RevokeIn(reason="\u200b")
    assert caught.value.errors()[0]["type"] == "text_required"
    schema = RevokeIn.model_json_schema()["properties"]["reason"]
    assert schema["maxLength"] == 300 and schema["minLength"] == 1
    assert policy_of(RevokeIn.model_fields["reason"]) is REASON
