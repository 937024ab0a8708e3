"""Forms of the lecturer corps pages. They validate input; services make the changes."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from lms.age_bands import AGE_BANDS
from lms.content_text import content
from lms.textinput import NOTE, REASON, TextField, TextPolicy, use_text_policies
from lms.widgets import ContentSelect, DateInput, TimeInput
from places.models import Township

from .delivery import (
    CHILD_CELLS,
    CONTACT_NAME,
    CONTACT_PHONE,
    DISPUTE_NOTE,
    REPORT_NOTES,
    child_field_name,
)
from .models import (
    WEEKDAY_LABELS,
    AgeBand,
    ChildGroup,
    DayPeriod,
    LecturerProfile,
    ServiceRequest,
    Venue,
    VenueType,
    availability_bit,
)
from .topics import TOPICS, Audience

# What the venue provides and what the lecturer brings: practical, but written freely,
# so the children's-data guard (NARRATIVE) runs on it as on the notes.
MATERIALS = TextPolicy(500, multiline=True, required=False)


def topic_choices():
    return [(topic.code, f"{topic.title} — {topic.gloss}") for topic in TOPICS]


def topic_checkbox_choices():
    """As ``topic_choices``, for checkboxes: the (Chinese) curriculum title marked as
    content, the gloss in the interface language (a checkbox's label may hold markup,
    unlike a select's option)."""
    return [
        (topic.code, format_html("{} — {}", content(topic.title), topic.gloss)) for topic in TOPICS
    ]


AVAILABILITY_CHOICES = [
    (f"{day}-{period}", f"{WEEKDAY_LABELS[day]} {label}")
    for day in range(7)
    for period, label in DayPeriod.choices
]


class LecturerProfileForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("Topics I teach"),
        choices=topic_checkbox_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Children's activities need a psychological counsellor's certificate, caregiver "
            "courses a family-education instructor's, and the course completed."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages I teach in"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When I can usually go"),
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    preferred_venue_types = forms.MultipleChoiceField(
        label=_("Venues I prefer"),
        choices=VenueType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty for no preference."),
    )

    class Meta:
        model = LecturerProfile
        fields = [
            "is_active",
            "topics",
            "languages",
            "township",
            "latitude",
            "longitude",
            "monthly_cap",
            "preferred_venue_types",
            "max_travel_km",
        ]
        labels = {"is_active": _("Active: propose me for sessions (untick to pause)")}
        widgets = {"township": ContentSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Township.objects.select_related("district")
        self.fields["township"].required = True
        self.initial.setdefault(
            "availability",
            [
                value
                for value, _label in AVAILABILITY_CHOICES
                if self.instance.weekly_availability & availability_bit(*map(int, value.split("-")))
            ],
        )

    def save(self, commit=True):
        profile = super().save(commit=False)
        mask = 0
        for value in self.cleaned_data.get("availability") or []:
            day, period = map(int, value.split("-"))
            mask |= availability_bit(day, period)
        profile.weekly_availability = mask
        profile.district_id = profile.township.district_id if profile.township_id else None
        if commit:
            profile.save()
        return profile


class UnavailablePeriodForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until"), widget=DateInput)
    note = TextField(TextPolicy(200), label=_("Note"), required=False)

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        return cleaned


class ServiceRequestForm(forms.ModelForm):
    topic = forms.ChoiceField(label=_("Topic"), choices=topic_choices, widget=ContentSelect)
    repeat_weekly = forms.IntegerField(
        label=_("Number of weekly sessions"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("More than 1 makes a weekly series that keeps the same lecturer."),
    )

    class Meta:
        model = ServiceRequest
        fields = [
            "venue",
            "topic",
            "audience",
            "age_band",
            "expected_size",
            "language",
            "date",
            "start_time",
            "end_time",
            "class_hours",
            "lecturers_needed",
            "notes",
            "materials",
        ]
        widgets = {"date": DateInput, "start_time": TimeInput, "end_time": TimeInput}

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        use_text_policies(self, {"notes": NOTE, "materials": MATERIALS})
        self.fields["venue"].queryset = (
            Venue.objects.active().in_scope(scope).select_related("district")
        )
        self.fields["audience"].choices = Audience.choices
        self.fields["age_band"].choices = [("", "—"), *AgeBand.choices]
        self.fields["notes"].widget.attrs["rows"] = 3
        self.fields["materials"].widget.attrs["rows"] = 2

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise forms.ValidationError(_("The date is in the past."))
        return date


class DeclineForm(forms.Form):
    reason = TextField(REASON, label=_("Why you decline"))


class DeliveryReportForm(forms.Form):
    """Counts by group and age band, adults, duration and notes; never a name or a photo.

    One number box per (group, age band): ``children_<group>_<low>_<high>``. Empty
    boxes count as 0, so a lecturer fills only the groups that came."""

    caregivers_count = forms.IntegerField(
        label=_("Caregivers"), min_value=0, max_value=2000, required=False
    )
    teachers_count = forms.IntegerField(
        label=_("Teachers"), min_value=0, max_value=2000, required=False
    )
    others_count = forms.IntegerField(
        label=_("Other adults"), min_value=0, max_value=2000, required=False
    )
    actual_minutes = forms.IntegerField(
        label=_("Actual duration (minutes)"), min_value=1, max_value=600
    )
    notes = TextField(
        REPORT_NOTES,
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How it went. Never write a child's name or identifying details."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cells = {}
        for group, band in CHILD_CELLS:
            name = child_field_name(group, band)
            label = f"{ChildGroup(group).label} · {AgeBand(band).label}"
            cells[name] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=2000,
                required=False,
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "numeric",
                        "min": 0,
                        "class": "count",
                        "placeholder": "0",
                        "aria-label": label,
                    }
                ),
            )
        # The children's boxes come first, in table order.
        self.fields = {**cells, **self.fields}

    def band_labels(self):
        return [AgeBand(band).label for band in AGE_BANDS]

    def child_rows(self):
        """(group label, in difficulty?, bound fields by age band) for the table."""
        return [
            (
                label,
                group != ChildGroup.OTHER,
                [self[child_field_name(group, band)] for band in AGE_BANDS],
            )
            for group, label in ChildGroup.choices
        ]

    def adult_fields(self):
        return [self[name] for name in ("caregivers_count", "teachers_count", "others_count")]

    def service_arguments(self) -> dict:
        """The cleaned values as ``delivery.file_delivery_report`` takes them."""
        data = self.cleaned_data
        return {
            "child_counts": {
                (group, band): data.get(child_field_name(group, band)) or 0
                for group, band in CHILD_CELLS
            },
            "caregivers_count": data.get("caregivers_count") or 0,
            "teachers_count": data.get("teachers_count") or 0,
            "others_count": data.get("others_count") or 0,
            "actual_minutes": data["actual_minutes"],
            "notes": data.get("notes") or "",
        }


class ReturnReportForm(forms.Form):
    reason = TextField(
        REASON,
        label=_("What the lecturer should correct"),
        help_text=_("The lecturer sees this reason."),
    )


class VenueContactForm(forms.Form):
    name = TextField(CONTACT_NAME, label=_("Name"))
    phone = TextField(CONTACT_PHONE, label=_("Phone"))
    email = forms.EmailField(label=_("E-mail"), required=False)
    help_text = _("Confirmation links are sent by e-mail.")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not self.errors:
            raise forms.ValidationError(_("Give a phone number or an e-mail address."))
        return cleaned


class DisputeForm(forms.Form):
    note = TextField(DISPUTE_NOTE, label=_("What is not right?"))


class CancelForm(forms.Form):
    reason = TextField(REASON, label=_("Reason"))


class RescheduleForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput)
    reason = TextField(REASON, label=_("Reason"), required=False)


class AutoAssignForm(forms.Form):
    first_day = forms.DateField(label=_("From"), widget=DateInput)
    last_day = forms.DateField(label=_("Until"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["first_day"].initial = today
        self.fields["last_day"].initial = today + datetime.timedelta(days=30)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", _("The last day cannot be before the first."))
            elif (last - first).days > 92:
                self.add_error("last_day", _("Plan at most three months at a time."))
        return cleaned


class VenueImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    dry_run = forms.BooleanField(label=_("Only check, change nothing"), required=False)
