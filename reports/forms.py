"""Forms of the reporting pages: the period/scope filter, the register and the venues' yearly
returns (coverage), report generation, the audit filter."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lms.textinput import LABEL, TextField, TextPolicy
from lms.widgets import ContentSelect, DateInput
from places.models import District, Township, Venue

from .models import CATEGORY_CHOICES, SERVED_CATEGORY_CHOICES
from .periods import Period

CITY = "city"
FILTER = TextPolicy(150, purpose=LABEL, required=False)  # a search box


class MonthInput(forms.TextInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM", **(attrs or {})})


class PeriodField(forms.CharField):
    """A month written YYYY-MM, cleaned to a ``Period``."""

    widget = MonthInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        return Period.parse(value)

    def prepare_value(self, value):
        return value.code if isinstance(value, Period) else value


def district_choices(limit: District | None, *, with_city: bool) -> list[tuple[str, str]]:
    if limit is not None:
        return [(limit.code, limit.label)]
    choices = [(CITY, _("Whole city"))] if with_city else []
    return choices + [(d.code, d.label) for d in District.objects.order_by("sort_order", "name")]


class ScopeFilterForm(forms.Form):
    """The dashboard's period and scope; a district coordinator gets only their district."""

    period = PeriodField(label=_("Month"), required=False)
    district = forms.ChoiceField(label=_("District or county"), required=False)

    def __init__(self, *args, limit: District | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(limit, with_city=True)


class _YearAndPlace(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, limit: District | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit


class RegisterCountForm(_YearAndPlace):
    """One count of the register: children in difficulty of a category in a township (or
    the district as a whole) for a year."""

    district = forms.ModelChoiceField(
        label=_("District or county"), queryset=District.objects.none()
    )
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Township.objects.none(),
        widget=ContentSelect,
        required=False,
        help_text=_("Leave empty when the register gives the district's count only."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES[1:])
    children = forms.IntegerField(
        label=_("Children on the register"),
        min_value=0,
        max_value=1_000_000,
        help_text=_("A count from the civil-affairs register, never names."),
    )

    def __init__(self, *args, limit: District | None = None, **kwargs):
        super().__init__(*args, limit=limit, **kwargs)
        districts = District.objects.order_by("sort_order", "name")
        townships = Township.objects.select_related("district").order_by(
            "district__sort_order", "name"
        )
        if limit is not None:
            districts = districts.filter(pk=limit.pk)
            townships = townships.filter(district=limit)
        self.fields["district"].queryset = districts
        self.fields["district"].label_from_instance = lambda district: district.label
        self.fields["township"].queryset = townships

    def clean(self):
        data = super().clean()
        township, district = data.get("township"), data.get("district")
        if township is not None and district is not None and township.district_id != district.pk:
            self.add_error("township", _("This township is not in the district or county."))
        return data


class ChildrenServedForm(_YearAndPlace):
    """A venue's yearly return for one category."""

    venue = forms.ModelChoiceField(
        label=_("Venue"), queryset=Venue.objects.none(), widget=ContentSelect
    )
    category = forms.ChoiceField(label=_("Category"), choices=SERVED_CATEGORY_CHOICES)
    children = forms.IntegerField(
        label=_("Distinct children served this year"),
        min_value=0,
        max_value=100_000,
        help_text=_("Each child once, however many sessions they came to: the venue counts them."),
    )
    new_children = forms.IntegerField(
        label=_("Of whom not counted in an earlier year's return"), min_value=0, max_value=100_000
    )

    def __init__(self, *args, limit: District | None = None, **kwargs):
        super().__init__(*args, limit=limit, **kwargs)
        venues = Venue.objects.select_related("district").order_by("district__sort_order", "name")
        if limit is not None:
            venues = venues.filter(district=limit)
        self.fields["venue"].queryset = venues

    def clean(self):
        data = super().clean()
        children, new = data.get("children"), data.get("new_children")
        if children is not None and new is not None and new > children:
            self.add_error(
                "new_children",
                _("The children not counted before are at most the children served."),
            )
        return data


class GenerateReportForm(forms.Form):
    period = PeriodField(label=_("Month"))
    district = forms.ChoiceField(label=_("Scope"))

    def __init__(self, *args, limit: District | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(limit, with_city=True)

    def clean_district(self):
        code = self.cleaned_data["district"]
        if code == CITY:
            return None
        district = District.objects.filter(code=code).first()
        if district is None:
            raise ValidationError(_("Choose a scope."))
        return district


class AuditFilterForm(forms.Form):
    """Filters of the audit log viewer: who, which object, which action, when."""

    user = TextField(FILTER, label=_("User"), required=False)
    object_type = TextField(
        FILTER,
        label=_("Object type"),
        required=False,
        widget=forms.TextInput(attrs={"list": "object-types"}),
    )
    object_id = TextField(TextPolicy(64, purpose=LABEL), label=_("Object id"), required=False)
    action = TextField(
        TextPolicy(80, purpose=LABEL),
        label=_("Action"),
        required=False,
        help_text=_("A code or its beginning, e.g. practicum.entry"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To (inclusive)"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned
