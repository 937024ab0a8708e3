"""Forms of safeguarding: they only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from lms.textinput import TextField
from places.models import Venue

from .models import DONE_TEXT, SEEN_TEXT, STEP_NOTE, Category, ReferredTo, Urgency

NO_NAMES = _("Never a child's name, ID number, phone number or home address.")


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.district}"


def venues_for(user):
    """Active venues, the reporter's own district first."""
    return (
        Venue.objects.active()
        .select_related("district")
        .annotate(
            own=Case(
                When(district_id=user.district_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("own", "district__sort_order", "name")
    )


class ConcernForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of concern"), choices=Category.choices, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("How urgent"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.NOT_URGENT,
    )
    venue = VenueChoiceField(label=_("Where"), queryset=Venue.objects.none())
    what_seen = TextField(
        SEEN_TEXT,
        label=_("What you saw or heard"),
        help_text=_("Describe the child by age and sex only (e.g. a girl of about 10). ")
        + NO_NAMES,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    what_done = TextField(
        DONE_TEXT,
        label=_("What you have done so far"),
        help_text=NO_NAMES,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues_for(user)


class AcknowledgeForm(forms.Form):
    note = TextField(STEP_NOTE.optional(), label=_("Note (optional)"), help_text=NO_NAMES)


class ReferForm(forms.Form):
    referred_to = forms.ChoiceField(label=_("Referred to"), choices=ReferredTo.choices)
    note = TextField(STEP_NOTE, label=_("Note"), help_text=NO_NAMES)


class CloseForm(forms.Form):
    note = TextField(STEP_NOTE, label=_("Why it can be closed"), help_text=NO_NAMES)
