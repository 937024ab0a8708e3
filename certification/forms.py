from django import forms
from django.utils.translation import gettext_lazy as _

from lms.textinput import LABEL, REASON, TextField, TextPolicy

from .models import CertificationType


class ReasonForm(forms.Form):
    reason = TextField(
        REASON,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public verification page. No personal details."),
    )


class RevokeForm(ReasonForm):
    confirm = forms.BooleanField(
        label=_(
            "I understand: the certificate stops being valid at once, and only a reissue "
            "can undo it."
        )
    )


class ReissueForm(ReasonForm):
    holder_name = TextField(
        TextPolicy(100, purpose=LABEL),
        label=_("Name as it should be printed"),
        help_text=_("Correct the name here, e.g. after a spelling error."),
    )


class RejectForm(forms.Form):
    note = TextField(REASON, label=_("Why is the request rejected?"))


class CohortIssueForm(forms.Form):
    certification = forms.ModelChoiceField(
        label=_("Certificate"), queryset=CertificationType.objects.filter(is_active=True)
    )
    cohort = forms.ChoiceField(label=_("Cohort"))

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [(str(c.pk), str(c)) for c in cohorts]


class VerifyLookupForm(forms.Form):
    """The public look-up: a serial number as printed (PC-2027-000123, -v2 for a reissue)
    or the verification code under the QR code."""

    q = TextField(
        TextPolicy(60, purpose=LABEL),
        label=_("Serial number or verification code"),
        help_text=_("As printed on the certificate, e.g. PC-2027-000123."),
        widget=forms.TextInput(
            # Serials and codes are Latin: left to right in the Uyghur page too.
            attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
