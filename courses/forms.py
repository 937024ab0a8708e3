"""Forms of the learning pages."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import System
from lms.textinput import ESSAY, LABEL, TITLE, TextField, TextPolicy, use_text_policies
from lms.widgets import DateInput
from places.models import District

from .models import Cohort, Course, Programme


class ReflectionForm(forms.Form):
    block_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = TextField(
        ESSAY,
        required=True,
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only you can read it, unless you share it with your supervising expert."),
    )
    shared = forms.BooleanField(label=_("Share with my supervising expert"), required=False)


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "starts_on", "ends_on", "district", "programme"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        use_text_policies(self, {"name": TITLE})
        self.fields["programme"].queryset = (
            Programme.objects.live()
            .filter(locale__language_code=settings.LANGUAGE_CODE)
            .order_by("path")
        )
        if scope is not None:
            self.fields["district"].queryset = District.objects.filter(pk=scope.pk)
            self.fields["district"].required = True
            self.fields["district"].empty_label = None
            self.fields["district"].initial = scope.pk

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data


SEPARATORS = re.compile(r"[\s,，;；、]+")


class BulkEnrolForm(forms.Form):
    """People to add to a cohort (a list and/or a filter) and the courses to enrol them in."""

    people = TextField(
        TextPolicy(20000, multiline=True, purpose=LABEL),
        label=_("Usernames or e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, or separated by commas."),
    )
    filter_district = forms.ModelChoiceField(
        label=_("Or everyone with the trainee role in this district or county"),
        queryset=District.objects.all(),
        required=False,
    )
    filter_system = forms.ChoiceField(
        label=_("…and in this system"),
        choices=[("", _("Any system")), *System.choices],
        required=False,
    )
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"),
        queryset=Course.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked to add people to the cohort without enrolling them."),
    )
    deadline = forms.DateField(
        label=_("Completion deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Defaults to the cohort's end date."),
    )
    waive_prerequisites = forms.BooleanField(
        label=_("Enrol even where prerequisites are not complete yet"), required=False
    )

    def __init__(self, *args, cohort: Cohort, scope=None, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        course_ids = [course.pk for course in courses or []]
        self.fields["courses"].queryset = Course.objects.filter(pk__in=course_ids).order_by("path")
        self.fields["courses"].initial = course_ids
        if scope is not None:
            self.fields["filter_district"].queryset = District.objects.filter(pk=scope.pk)

    def clean(self):
        data = super().clean()
        User = get_user_model()
        identifiers = [item for item in SEPARATORS.split(data.get("people") or "") if item]
        people = {}
        if identifiers:
            lowered = {item.lower() for item in identifiers}
            matches = User.objects.filter(
                Q(username__in=identifiers) | Q(email__in=identifiers)
            ).filter(is_active=True)
            found = set()
            for user in matches:
                people[user.pk] = user
                found.add(user.username.lower())
                if user.email:
                    found.add(user.email.lower())
            unknown = sorted(lowered - found)
            if unknown:
                self.add_error(
                    "people",
                    _("No active account for: %(names)s.") % {"names": ", ".join(unknown)},
                )
        if data.get("filter_district"):
            filtered = User.objects.filter(
                is_active=True, groups__name=roles.TRAINEE, district=data["filter_district"]
            )
            if data.get("filter_system"):
                filtered = filtered.filter(system=data["filter_system"])
            for user in filtered:
                people[user.pk] = user
        if not identifiers and not data.get("filter_district"):
            raise forms.ValidationError(_("Give a list of people or choose a district."))
        if not people and not self.errors:
            raise forms.ValidationError(_("Nobody matches."))
        data["users"] = sorted(people.values(), key=lambda user: user.username)
        return data
