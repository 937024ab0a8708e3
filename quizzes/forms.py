"""Forms: reading answers from an attempt page, marking, importing, gradebook filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.textinput import LABEL, TextField, TextPolicy

from . import grading


def response_from_post(data: dict, layout: dict, post, prefix: str):
    """The response to one question (or case part) as posted by the attempt page."""
    qtype = data["qtype"]
    if qtype == "case":
        parts = {}
        for part in grading.parts_of(data):
            value = response_from_post(
                part.data, layout.get(part.key, {}), post, f"{prefix}-{part.key}"
            )
            if value:
                parts[part.key] = value
        return {"parts": parts} if parts else None
    if qtype == "single":
        value = post.get(prefix, "")
        return {"choice": value} if value else None
    if qtype == "multiple":
        values = [v for v in post.getlist(prefix) if v]
        return {"choices": values} if values else None
    if qtype == "truefalse":
        value = post.get(prefix, "")
        return {"value": value} if value else None
    if qtype in ("shortanswer", "essay"):
        value = post.get(prefix, "")
        return {"text": value} if value.strip() else None
    if qtype == "numerical":
        value = post.get(prefix, "").strip()
        return {"value": value} if value else None
    if qtype == "matching":
        pairs = {}
        for key in layout.get("item_keys", []):
            value = post.get(f"{prefix}-{key}", "")
            if value:
                pairs[key] = value
        return {"pairs": pairs} if pairs else None
    return None


def answers_from_post(slots, post) -> dict[int, dict | None]:
    """Answers keyed by question number for the slots shown on the posted page."""
    return {
        slot.number: response_from_post(slot.question_data, slot.layout, post, f"q{slot.number}")
        for slot in slots
    }


class MarkForm(forms.Form):
    """One mark field per part of the answer, plus the grader's comment."""

    comment = TextField(
        TextPolicy(5000, multiline=True, required=False),
        label=_("Comment for the trainee"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args, maxima: dict[str, float], labels: dict[str, str], initial_marks, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.part_keys = list(maxima)
        for key, maximum in maxima.items():
            self.fields[f"mark_{key}"] = forms.FloatField(
                label=_("Mark for %(part)s (0–%(max)s)")
                % {"part": labels.get(key, key), "max": f"{maximum:g}"},
                min_value=0,
                max_value=round(maximum, 7),
                initial=initial_marks.get(key),
            )
        self.order_fields([f"mark_{key}" for key in maxima] + ["comment"])

    def marks(self) -> dict[str, float]:
        return {key: self.cleaned_data[f"mark_{key}"] for key in self.part_keys}


class ImportForm(forms.Form):
    FORMAT_CHOICES = [
        ("gift", _("GIFT (Moodle text format)")),
        ("xlsx", _("Excel template (.xlsx)")),
    ]

    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    category = TextField(
        TextPolicy(500, purpose=LABEL, required=False),
        label=_("Category"),
        help_text=_("Path such as “Counsellor exam/Ethics”; categories in the file go below it."),
    )
    dry_run = forms.BooleanField(label=_("Check only (import nothing)"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
