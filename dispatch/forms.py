"""Forms of the dispatch pages. They parse input; the services check and change."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from lecturer_corps.topics import TOPICS, Audience
from lms.age_bands import AgeBand
from lms.textinput import NOTE, REASON, USERNAME, TextField
from lms.widgets import DateInput, MonthInput, TimeInput

from .prior_qualifications import ISSUER, NUMBER, TITLE


def topic_choices():
    return [(topic.code, f"{topic.title} — {topic.gloss}") for topic in TOPICS]


class VenueRequestForm(forms.Form):
    """What a venue contact asks for: up to ``MAX_DATES`` dates of one session."""

    topic = forms.ChoiceField(label=_("Topic"), choices=topic_choices)
    audience = forms.ChoiceField(label=_("For whom"), choices=Audience.choices)
    age_band = forms.ChoiceField(
        label=_("Children's age"),
        choices=[("", "—"), *AgeBand.choices],
        required=False,
        help_text=_("For a children's activity."),
    )
    expected_size = forms.IntegerField(
        label=_("How many people will come"),
        min_value=1,
        max_value=10000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    date_1 = forms.DateField(label=_("Date"), widget=DateInput)
    date_2 = forms.DateField(label=_("Another date (optional)"), widget=DateInput, required=False)
    date_3 = forms.DateField(label=_("Another date (optional)"), widget=DateInput, required=False)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput)
    class_hours = forms.TypedChoiceField(
        label=_("Class hours (45 minutes each)"),
        choices=[(2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        initial=2,
    )
    monthly = forms.BooleanField(label=_("We would like this every month"), required=False)
    notes = TextField(
        NOTE,
        label=_("Notes for the coordinator"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Practical details only; never a child's name or identifying details."),
    )

    DATE_FIELDS = ("date_1", "date_2", "date_3")

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            initial = {
                name: getattr(instance, name)
                for name in (
                    "topic",
                    "audience",
                    "age_band",
                    "expected_size",
                    "language",
                    "start_time",
                    "end_time",
                    "class_hours",
                    "monthly",
                    "notes",
                )
            }
            for name, day in zip(self.DATE_FIELDS, instance.date_list, strict=False):
                initial[name] = day
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["notes"].required = False
        today = timezone.localdate()
        for name in self.DATE_FIELDS:
            self.fields[name].widget.attrs["min"] = today.isoformat()

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "topic": data["topic"],
            "audience": data["audience"],
            "age_band": data.get("age_band") or "",
            "expected_size": data["expected_size"],
            "language": data["language"],
            "dates": [data[name] for name in self.DATE_FIELDS if data.get(name)],
            "start_time": data["start_time"],
            "end_time": data["end_time"],
            "class_hours": data["class_hours"],
            "monthly": data.get("monthly", False),
            "notes": data.get("notes") or "",
        }


class AcceptForm(forms.Form):
    lecturers_needed = forms.TypedChoiceField(
        label=_("Lecturers needed per session"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        initial=1,
    )


class ChangesForm(forms.Form):
    message = TextField(REASON, label=_("What the venue should change"))


class DeclineForm(forms.Form):
    reason = TextField(REASON, label=_("Why it is declined"), help_text=_("The venue sees it."))


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=MonthInput())


class CopyForwardForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"], widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RequestImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    dry_run = forms.BooleanField(label=_("Only check, change nothing"), required=False)


class PriorQualificationForm(forms.Form):
    holder = TextField(
        USERNAME,
        label=_("Holder's username"),
        required=False,
        help_text=_("Leave empty to record your own qualification."),
    )
    title = TextField(TITLE, label=_("Qualification"), help_text=_("e.g. 国家二级心理咨询师"))
    issuer = TextField(ISSUER, label=_("Issued by"))
    number = TextField(NUMBER, label=_("Certificate number"))
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput)
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty if it does not expire."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics it qualifies for"),
        choices=topic_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = forms.FileField(
        label=_("Scan of the certificate (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, can_choose_holder: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_choose_holder:
            del self.fields["holder"]

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", _("It must expire after it was issued."))
        if issued and issued > timezone.localdate():
            self.add_error("issued_on", _("The issue date is in the future."))
        return cleaned


class ReasonForm(forms.Form):
    reason = TextField(REASON, label=_("Reason"), help_text=_("The holder sees it."))


def month_from(raw: str | None, default: datetime.date | None = None) -> datetime.date:
    """``YYYY-MM`` as the month's first day; this month (or ``default``) when missing or bad."""
    try:
        return datetime.datetime.strptime(raw or "", "%Y-%m").date()
    except ValueError:
        return default or timezone.localdate().replace(day=1)
