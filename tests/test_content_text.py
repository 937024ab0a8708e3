"""Content keeps its own language and direction; form errors are summarised at the top."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from lms.content_text import content, content_attrs, local_name, text_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是有能力的小公民", ("zh-Hans", "ltr")),
        ("“情绪小怪兽”。", ("zh-Hans", "ltr")),
        ("ئۇيغۇرچە", ("ug", "rtl")),
        ("Gaochang District", ("", "ltr")),
        ("2026-12-04 · 15:00", ("", "auto")),
        ("", ("", "auto")),
    ],
)
def test_the_language_is_read_from_the_first_strong_letter(text, expected):
    assert text_language(text) == expected


def test_inline_content_is_isolated_and_escaped():
    html = content("陈静 <b>")
    assert html == '<bdi lang="zh-Hans" dir="ltr" data-content>陈静 &lt;b&gt;</bdi>'
    assert content("") == "" and content(None) == ""


def test_block_attributes():
    assert content_attrs("乡政府二楼会议室") == 'lang="zh-Hans" dir="ltr" data-content'
    assert content_attrs("ئۇيغۇرچە") == 'lang="ug" dir="rtl" data-content'


class Named:
    def __init__(self, name, name_en="", name_ug=""):
        self.name, self.name_en, self.name_ug = name, name_en, name_ug


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ug", "تۇرپان"),
        ("en", "Turpan"),
        ("zh-hans", '<bdi lang="zh-Hans" dir="ltr" data-content>吐鲁番</bdi>'),
    ],
)
def test_local_name_uses_the_translated_name(language, expected):
    with translation.override(language):
        assert local_name(Named("吐鲁番", "Turpan", "تۇرپان")) == expected


def test_local_name_falls_back_to_the_name_marked_as_content():
    with translation.override("ug"):
        assert local_name(Named("心理咨询师", "Counsellor")) == (
            '<bdi lang="zh-Hans" dir="ltr" data-content>心理咨询师</bdi>'
        )


def test_the_rtl_page_marks_chinese_notes_left_to_right():
    rendered = Template("{% load content %}<p {% content_attrs notes %}>{{ notes }}</p>").render(
        Context({"notes": "需自带彩笔。"})
    )
    assert rendered == '<p lang="zh-Hans" dir="ltr" data-content>需自带彩笔。</p>'


class SampleForm(forms.Form):
    name = forms.CharField(label="Name")
    hours = forms.IntegerField(label="Hours")
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )

    def clean(self):
        raise forms.ValidationError("The whole form is refused.")


def test_the_error_summary_lists_each_error_with_a_link_and_keeps_what_was_typed():
    form = SampleForm({"name": "李娜", "hours": "many"})
    form.is_valid()
    html = Template('{% include "includes/form_fields.html" with form=form %}').render(
        Context({"form": form})
    )
    summary = html[html.index('data-testid="error-summary"') : html.index("</div>")]
    assert 'role="alert"' in html[: html.index('data-testid="error-summary"') + 30]
    assert "The whole form is refused." in summary
    assert 'href="#id_hours"' in summary and 'href="#id_kind"' in summary
    assert 'href="#id_name"' not in summary  # no error there
    assert 'value="李娜"' in html and 'value="many"' in html
    assert 'data-field-error="id_hours"' in html and 'id="id_hours_error1"' in html
    assert html.count('role="alert"') == 1  # one announcement, not one per field


def test_a_valid_form_has_no_summary():
    form = forms.Form({})
    form.is_valid()
    html = Template('{% include "includes/form_errors.html" with form=form %}').render(
        Context({"form": form})
    )
    assert "error-summary" not in html
