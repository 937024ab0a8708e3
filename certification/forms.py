from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CertificationType


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public verification page. No personal details."),
    )


class ReissueForm(ReasonForm):
    holder_name = forms.CharField(
        label=_("Name as it should be printed"),
        max_length=100,
        help_text=_("Correct the name here, e.g. after a spelling error."),
    )


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Why is the request rejected?"), max_length=300)


class CohortIssueForm(forms.Form):
    certification = forms.ModelChoiceField(
        label=_("Certificate"), queryset=CertificationType.objects.filter(is_active=True)
    )
    cohort = forms.ChoiceField(label=_("Cohort"))

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [(str(c.pk), str(c)) for c in cohorts]
