"""Forms of the reporting pages: the period/scope filter, coverage entry, report generation, audit filter."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lms.textinput import LABEL, TextField, TextPolicy
from lms.widgets import DateInput
from places.models import District

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
        return [(limit.code, str(limit))]
    choices = [(CITY, _("Whole city"))] if with_city else []
    return choices + [(d.code, str(d)) for d in District.objects.order_by("sort_order", "name")]


class ScopeFilterForm(forms.Form):
    """The dashboard's period and scope; a district coordinator gets only their district."""

    period = PeriodField(label=_("Month"), required=False)
    district = forms.ChoiceField(label=_("District or county"), required=False)

    def __init__(self, *args, limit: District | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(limit, with_city=True)


class CoverageFigureForm(forms.Form):
    district = forms.ChoiceField(label=_("District or county"))
    period = PeriodField(
        label=_("From month"), help_text=_("The figure holds from this month until a newer one.")
    )
    children_known = forms.IntegerField(
        label=_("Children in difficulty known"),
        min_value=1,
        max_value=1_000_000,
        help_text=_("The number on the district's register: a count, never names."),
    )
    target_percent = forms.IntegerField(
        label=_("Coverage target (%)"), min_value=1, max_value=100, initial=80
    )

    def __init__(self, *args, limit: District | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(limit, with_city=False)

    def clean_district(self):
        district = District.objects.filter(code=self.cleaned_data["district"]).first()
        if district is None:
            raise ValidationError(_("Choose a district or county."))
        return district


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
