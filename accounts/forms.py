from django import forms
from django.utils.translation import gettext_lazy as _

from lms.textinput import LABEL, TextField, TextPolicy, use_text_policies
from places.models import Township

from .models import Language, NameScript, User

# The profile's free text, as people type it (lengths are the model's).
PROFILE_TEXT = {
    "real_name": TextPolicy(100, purpose=LABEL, required=False),
    "name_ug": TextPolicy(100, purpose=LABEL, required=False),
    "name_latin": TextPolicy(100, purpose=LABEL, required=False),
    "mobile": TextPolicy(20, purpose=LABEL, required=False),
    "employer_unit": TextPolicy(200, purpose=LABEL, required=False),
    "job_title": TextPolicy(100, purpose=LABEL, required=False),
}


class ProfileFieldsMixin(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        district, township = cleaned.get("district"), cleaned.get("township")
        if township and district and township.district_id != district.pk:
            self.add_error("township", _("This township is not in the chosen district."))
        return cleaned


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "real_name",
            "name_ug",
            "name_latin",
            "certificate_name_script",
            "email",
            "mobile",
            "employer_unit",
            "system",
            "district",
            "township",
            "languages",
            "job_title",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_text_policies(self, PROFILE_TEXT)
        self.fields["township"].queryset = Township.objects.select_related("district")
        # Profiles saved before the choice existed keep Chinese characters.
        self.fields["certificate_name_script"].required = False
        self.fields["name_ug"].widget.attrs.update({"lang": "ug", "dir": "rtl"})
        self.fields["name_latin"].widget.attrs.update({"lang": "ug-Latn", "dir": "ltr"})
        self.fields["email"].disabled = True
        self.fields["email"].help_text = _("Change your e-mail address on the e-mail page.")

    def clean_certificate_name_script(self):
        return self.cleaned_data.get("certificate_name_script") or NameScript.CHINESE


class SignupExtraForm(ProfileFieldsMixin, forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS).

    A plain form (allauth builds its sign-up form on top of this class); the
    fields are taken from the model so labels and choices stay in one place.
    """

    profile_fields = ["real_name", "mobile", "employer_unit", "system", "district"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.profile_fields:
            self.fields[name] = User._meta.get_field(name).formfield()
        use_text_policies(self, {k: v for k, v in PROFILE_TEXT.items() if k in self.fields})
        self.fields["real_name"].required = True
        self.order_fields(["real_name", "mobile", "employer_unit", "system", "district"])

    def signup(self, request, user):
        for name in [*self.profile_fields, "languages"]:
            setattr(user, name, self.cleaned_data.get(name) or getattr(user, name))
        user.save()


class ApiTokenForm(forms.Form):
    name = TextField(
        TextPolicy(100, purpose=LABEL),
        label=_("Token name"),
        help_text=_("What the token is for, e.g. 'reporting script'."),
    )


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Staff list (CSV or XLSX)"),
        help_text=_("At most 5 MB. The first row holds the column names."),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (change nothing)"), required=False, initial=True
    )
