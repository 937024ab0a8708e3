"""Forms of supervision: they only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import User
from lms.textinput import TextField
from lms.widgets import DateInput
from places.models import District

from .models import (
    ACTION_TEXT,
    DISPUTE_TEXT,
    EVIDENCE_TEXT,
    FINDING_TEXT,
    FOLLOW_UPS_TEXT,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    NAME_TEXT,
    RETURN_TEXT,
    STAGE_TEXT,
    SUMMARY_TEXT,
    TOPICS_TEXT,
    PublicityForm,
    SessionKind,
    Unit,
)

NO_NAMES = _("Never a child's name, ID number, phone number or home address.")
DATE_INPUT = DateInput()


class PersonChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.display_name


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, widget=forms.RadioSelect)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=MIN_SESSION_MINUTES,
        max_value=MAX_SESSION_MINUTES,
        initial=60,
    )
    trainees = PersonChoices(
        label=_("Trainees present"),
        queryset=User.objects.none(),
        help_text=_("Only your own trainees: each is credited with the supervision hours."),
    )
    topics = TextField(
        TOPICS_TEXT,
        label=_("Topics"),
        help_text=NO_NAMES,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follow_ups = TextField(FOLLOW_UPS_TEXT, label=_("Follow-ups"), help_text=NO_NAMES)

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainees"].queryset = trainees


class DisputeForm(forms.Form):
    reason = TextField(DISPUTE_TEXT, label=_("Why the record is wrong"), help_text=NO_NAMES)


class InspectionForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("District or county"),
        queryset=District.objects.order_by("sort_order", "name"),
        required=False,
        help_text=_("Or choose the unit inspected below."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit inspected"),
        queryset=Unit.objects.filter(is_active=True).select_related("district"),
        required=False,
    )
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    inspectors = PersonChoices(
        label=_("Other inspectors"),
        queryset=User.objects.filter(
            is_active=True, groups__name__in=[roles.LEADING_GROUP, roles.SUPERVISOR]
        )
        .distinct()
        .order_by("real_name", "username"),
        required=False,
        help_text=_("You are an inspector of the inspections you record."),
    )
    summary = TextField(SUMMARY_TEXT, label=_("Summary"), help_text=NO_NAMES)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["inspectors"].queryset = self.fields["inspectors"].queryset.exclude(
                pk=user.pk
            )

    def clean(self):
        data = super().clean()
        if not data.get("district") and not data.get("unit"):
            self.add_error("district", _("Say which district or unit was inspected."))
        return data


class FindingForm(forms.Form):
    text = TextField(FINDING_TEXT, label=_("Finding"), help_text=NO_NAMES)
    required = TextField(
        ACTION_TEXT.optional(),
        label=_("Corrective action: what must be done"),
        help_text=_("Leave empty when the finding needs no corrective action."),
    )
    owner = PersonChoice(label=_("Owner"), queryset=User.objects.none(), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT, required=False)

    def __init__(self, *args, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inspection is not None:
            from django.db.models import Q

            owners = Q(
                groups__name=roles.COORDINATOR,
                coordinator_district__isnull=True,
            ) | Q(groups__name=roles.COORDINATOR, coordinator_district=inspection.district_id)
            if inspection.unit_id:
                owners |= Q(publicity_units=inspection.unit_id)
            self.fields["owner"].queryset = (
                User.objects.filter(owners, is_active=True)
                .distinct()
                .order_by("real_name", "username")
            )


class EvidenceForm(forms.Form):
    note = TextField(EVIDENCE_TEXT, label=_("What was done"), help_text=NO_NAMES)
    file = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        help_text=_(
            "A photo (JPEG, PNG, WebP) or a PDF, at most 8 MB; photos lose their metadata."
        ),
    )


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verify", _("Verified: the action is done")), ("return", _("Return it"))],
        widget=forms.RadioSelect,
    )
    note = TextField(
        RETURN_TEXT.optional(),
        label=_("Note"),
        help_text=_("Say what is missing when you return it."),
    )


class SignOffForm(forms.Form):
    note = TextField(STAGE_TEXT, label=_("Acceptance note"))
    confirm = forms.BooleanField(
        label=_("I accept this stage on behalf of the leading group."), required=True
    )


class PublicityItemForm(forms.Form):
    form = forms.ChoiceField(label=_("Form"), choices=PublicityForm.choices)
    title = TextField(NAME_TEXT, label=_("Title"))
    published_on = forms.DateField(label=_("Published on"), widget=DATE_INPUT)
    link = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        label=_("Photo or PDF"),
        required=False,
        help_text=_("Give a link, or a photo or PDF of it (at most 8 MB)."),
    )
