"""Forms of the classes pages. They parse and keep what was typed; the services decide."""

from __future__ import annotations

import datetime

from django import forms
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Requirement, RequirementKind
from courses.models import Cohort, Course
from lms.textinput import TITLE, TextField, use_text_policies
from lms.widgets import DateInput, TimeInput
from places.models import District, Venue

from . import services
from .models import ADDRESS, CANCEL_REASON, CLASS_NOTES, TrainingClass


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class TrainingClassForm(forms.ModelForm):
    """A coordinator's class: the day and times are typed separately (phones' pickers)."""

    day = forms.DateField(label=_("Day"), widget=DateInput)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput)
    trainer = TrainerChoiceField(label=_("Trainer"), queryset=None)

    class Meta:
        model = TrainingClass
        fields = [
            "title",
            "audience",
            "cohort",
            "course",
            "requirement",
            "hours",
            "district",
            "venue",
            "address",
            "trainer",
            "capacity",
            "notes",
        ]
        widgets = {"audience": forms.RadioSelect}

    field_order = [
        "title",
        "day",
        "start_time",
        "end_time",
        "venue",
        "address",
        "trainer",
        "capacity",
        "audience",
        "cohort",
        "district",
        "course",
        "requirement",
        "hours",
        "notes",
    ]

    def __init__(self, *args, district=None, **kwargs):
        """``district``: the coordinator's scope (None = whole city)."""
        super().__init__(*args, **kwargs)
        use_text_policies(self, {"title": TITLE, "address": ADDRESS, "notes": CLASS_NOTES})
        self.fields["notes"].widget.attrs["rows"] = 3
        self.fields["trainer"].queryset = services.trainers()
        self.fields["course"].queryset = Course.objects.live().originals().order_by("path")
        self.fields["requirement"].queryset = Requirement.objects.filter(
            kind=RequirementKind.CLASS_HOURS
        ).select_related("certification")
        self.fields["cohort"].queryset = Cohort.objects.in_scope(district)
        self.fields["venue"].queryset = Venue.objects.active().in_scope(district)
        if district is not None:
            self.fields["district"].queryset = District.objects.filter(pk=district.pk)
            self.fields["district"].required = True
            self.fields["district"].empty_label = None
            self.fields["district"].initial = district.pk
        self.fields["hours"].required = False
        self.fields["address"].required = False
        if self.instance.pk and self.instance.starts_at:
            starts = timezone.localtime(self.instance.starts_at)
            ends = timezone.localtime(self.instance.ends_at)
            self.initial.update(day=starts.date(), start_time=starts.time(), end_time=ends.time())

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            zone = timezone.get_current_timezone()
            starts_at = datetime.datetime.combine(day, start, tzinfo=zone)
            ends_at = datetime.datetime.combine(day, end, tzinfo=zone)
            if ends_at <= starts_at:
                self.add_error("end_time", _("The class must end after it starts."))
            else:
                self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        return data

    def _post_clean(self):
        # The services validate the whole class (hours from the course, the place, the
        # trainer); the form only builds it.
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields)


class CancelClassForm(forms.Form):
    reason = TextField(CANCEL_REASON, label=_("Why is the class cancelled?"))


class CheckInForm(forms.Form):
    code = forms.CharField(max_length=500, widget=forms.HiddenInput)


class MarkForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("1", _("Present")), ("0", _("Absent"))], coerce=lambda v: v == "1"
    )
