"""Forms of the practicum pages. The rules themselves live in ``practicum.services``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import User
from lms.textinput import (
    COMMENT,
    LONG_TEXT,
    PERSON_NAME,
    REASON,
    USERNAME,
    TextField,
    use_text_policies,
)
from lms.widgets import ContentSelect, DateInput, TimeInput
from places.models import Venue

from .models import (
    PARTICIPANT_FIELDS,
    ActivityType,
    EntryState,
    EvaluationStage,
    Placement,
    PracticumEntry,
    Qualification,
    ServiceKind,
)
from .privacy import ANONYMOUS_HELP, validate_anonymous
from .uploads import max_upload_bytes


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where the form has the field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


class VenuesByKind(forms.models.ModelChoiceIterator):
    """The venues in one group per kind (school, community…): the group's label is
    interface text, each option the venue's own name (content, in its own script)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for venue in self.queryset:  # ordered by kind, then name
            groups.setdefault(str(venue.get_venue_type_display()), []).append(self.choice(venue))
        yield from groups.items()


class VenueChoiceField(forms.ModelChoiceField):
    iterator = VenuesByKind
    widget = ContentSelect

    def label_from_instance(self, venue):
        return venue.name


class ActivityTypeSelect(ContentSelect):
    """Each option also names its activity type's code (``data-code``): a draft written
    offline is sent to the API, which takes the code (static/js/offline/offline.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-code"] = instance.code
        return option


class EntryForm(forms.ModelForm):
    """Log or edit one piece of practice, from a phone."""

    placement = forms.ModelChoiceField(
        queryset=Placement.objects.none(), label=_("Practicum"), empty_label=None
    )
    venue = VenueChoiceField(
        queryset=Venue.objects.none(), required=False, label=_("Venue"), empty_label="—"
    )
    attachment = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        help_text=_("A photo of the sign-in sheet or a PDF. Location data is removed from photos."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )

    class Meta:
        model = PracticumEntry
        fields = [
            "date",
            "start_time",
            "end_time",
            "minutes",
            "venue",
            "activity_type",
            "topic",
            *PARTICIPANT_FIELDS,
            "language",
            "description",
            "reflection",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "minutes": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 720}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "reflection": forms.Textarea(attrs={"rows": 3}),
            "activity_type": ActivityTypeSelect,
            "topic": ContentSelect,
            **{
                name: forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})
                for name in PARTICIPANT_FIELDS
            },
        }
        help_texts = {
            "minutes": _("Only if you give no start and end time."),
            "description": ANONYMOUS_HELP,
            "topic": _("If the session was one of the curriculum's activities or courses."),
        }

    def __init__(self, *args, trainee, **kwargs):
        super().__init__(*args, **kwargs)
        use_text_policies(self, {"description": LONG_TEXT, "reflection": LONG_TEXT.optional()})
        self.fields["minutes"].required = False
        for name in PARTICIPANT_FIELDS:
            self.fields[name].required = False  # empty means none
        placements = Placement.objects.current().filter(trainee=trainee)
        self.fields["placement"].queryset = placements
        if self.instance.pk:
            del self.fields["placement"]
        elif len(placements) == 1:
            self.fields["placement"].initial = placements[0].pk
            self.fields["placement"].widget = forms.HiddenInput()
        activity_types = ActivityType.objects.filter(is_active=True)
        if self.instance.pk:
            activity_types = ActivityType.objects.filter(
                Q(is_active=True) | Q(pk=self.instance.activity_type_id)
            )
        self.fields["activity_type"].queryset = activity_types
        self.fields["activity_type"].label_from_instance = lambda a: (
            f"{a.label} · {a.get_service_kind_display()}"
        )
        venues = Venue.objects.active().select_related("district")
        if trainee.district_id:
            venues = venues.filter(
                Q(district_id=trainee.district_id)
                | Q(practicum_placements__trainee=trainee)
                | Q(pk=self.instance.venue_id or 0)
            ).distinct()
        self.fields["venue"].queryset = venues.order_by("venue_type", "name")
        self.fields["description"].validators.append(validate_anonymous)
        self.fields["reflection"].validators.append(validate_anonymous)
        self.fields["attachment"].help_text = _(
            "A photo of the sign-in sheet or a PDF, up to %(size)s MB. Location data is removed "
            "from photos."
        ) % {"size": max_upload_bytes() // (1024 * 1024)}

    def clean(self):
        """The times as the service will judge them, said on the end time's field (so the
        model's own check, which could only name itself, is not reached)."""
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if "start_time" in self.errors or "end_time" in self.errors:
            return data
        if (start is None) != (end is None):
            self.add_error("end_time", _("Give both the start and the end time."))
        elif start is not None and end <= start:
            self.add_error("end_time", _("The end time must be after the start."))
        return data

    def entry_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        for name in PARTICIPANT_FIELDS:
            data[name] = data[name] or 0
        return data


class ReviewForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("return", _("Return for changes")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    comment = TextField(
        COMMENT,
        label=_("Comment or reason"),
        required=False,
        # The page opens with the cursor here: type, then Tab to the decision buttons.
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        help_text=_("Required when you return or reject. Name no child."),
        validators=[validate_anonymous],
    )
    # Where the supervising expert goes after recording: the next waiting entry (of one
    # trainee when ``trainee`` is set) or back to this entry.
    then = forms.ChoiceField(
        choices=[("next", "next"), ("stay", "stay")],
        required=False,
        widget=forms.HiddenInput,
    )
    trainee = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("return", "reject") and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what needs to change, or why."))
        return data


class ReverseForm(forms.Form):
    reason = TextField(
        REASON,
        label=_("Why the approval is reversed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_anonymous],
    )


class QueueFilterForm(forms.Form):
    STATE_CHOICES = [
        (EntryState.SUBMITTED, _("Waiting for review")),
        (EntryState.RETURNED, _("Returned")),
        (EntryState.APPROVED, _("Approved")),
        (EntryState.REJECTED, _("Rejected")),
    ]
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    trainee = forms.TypedChoiceField(
        label=_("Trainee"), coerce=int, required=False, widget=ContentSelect
    )
    activity_type = forms.ModelChoiceField(
        label=_("Kind of work"),
        queryset=ActivityType.objects.all(),
        required=False,
        widget=ContentSelect,
    )
    service_kind = forms.ChoiceField(
        label=_("Direct or indirect"),
        choices=[("", "—"), *ServiceKind.choices],
        required=False,
    )
    waiting = forms.TypedChoiceField(
        label=_("Waiting"),
        coerce=int,
        required=False,
        choices=[("", _("Any time")), (7, _("More than 7 days")), (14, _("More than 14 days"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("oldest", _("Waiting longest first")),
            ("newest", _("Newest first")),
            ("date", _("Date of practice")),
            ("longest", _("Longest first")),
            ("trainee", _("Trainee")),
        ],
    )

    def __init__(self, *args, trainees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].choices = [("", _("All trainees"))] + [
            (user.pk, user.display_name) for user in trainees
        ]
        self.fields["activity_type"].label_from_instance = lambda a: a.label


class PlacementForm(forms.Form):
    trainee_username = TextField(USERNAME, label=_("Trainee (user name, e-mail or mobile)"))
    supervisor = forms.ModelChoiceField(label=_("Supervising expert"), queryset=User.objects.none())
    qualification = forms.ChoiceField(label=_("Qualification"), choices=Qualification.choices)
    venue = VenueChoiceField(label=_("Main venue"), queryset=Venue.objects.none(), required=False)
    start_date = forms.DateField(label=_("Starts"), widget=DateInput())
    end_date = forms.DateField(label=_("Ends"), required=False, widget=DateInput())

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.fields["supervisor"].queryset = supervisors()
        self.fields["supervisor"].label_from_instance = lambda u: u.display_name
        self.fields["venue"].queryset = Venue.objects.active().in_scope(district)

    def clean_trainee_username(self):
        value = self.cleaned_data["trainee_username"].strip()
        people = User.objects.filter(
            Q(username=value) | Q(email__iexact=value) | Q(mobile=value),
            groups__name=roles.TRAINEE,
        ).distinct()
        if self.district is not None:
            people = people.filter(district=self.district)
        people = list(people[:2])
        if len(people) != 1:
            raise ValidationError(_("No single trainee in your scope matches this."))
        return people[0]


def supervisors():
    return (
        User.objects.filter(groups__name=roles.SUPERVISOR, is_active=True)
        .distinct()
        .order_by("real_name", "username")
    )


class ReassignForm(forms.Form):
    supervisor = forms.ModelChoiceField(
        label=_("New supervising expert"), queryset=User.objects.none()
    )
    reason = TextField(REASON, label=_("Reason"))

    def __init__(self, *args, placement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors().exclude(pk=placement.supervisor_id)
        self.fields["supervisor"].label_from_instance = lambda u: u.display_name


class StartEvaluationForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=EvaluationStage.choices)


class EvaluationForm(forms.Form):
    """One rating (1–5, with the rubric's descriptors) and a comment per competency."""

    overall_comment = TextField(
        COMMENT,
        label=_("Overall comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_anonymous],
    )

    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for rating in evaluation.ratings.all():
            item = rating.rubric_item
            key = rating.rubric_item_id
            self.fields[f"rating_{key}"] = forms.TypedChoiceField(
                label=rating.item_name,
                choices=[(n, f"{n} — {text}") for n, text in item.descriptors],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                initial=rating.rating,
            )
            self.fields[f"comment_{key}"] = TextField(
                COMMENT,
                label=_("Comment on %(item)s") % {"item": rating.item_name},
                required=False,
                initial=rating.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=[validate_anonymous],
            )
            self.rows.append((self[f"rating_{key}"], self[f"comment_{key}"]))
        self.fields["overall_comment"].initial = evaluation.overall_comment

    def ratings(self) -> dict[int, tuple[int | None, str]]:
        result = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("rating_"):
                key = int(name.removeprefix("rating_"))
                result[key] = (value or None, self.cleaned_data.get(f"comment_{key}", ""))
        return result


class SignForm(forms.Form):
    """The confirmation step of signing: the result the expert saw, their name, and a
    second tick when the result is a fail."""

    signed_name = TextField(PERSON_NAME, label=_("Your full name, as your signature"))
    confirm = forms.BooleanField(
        label=_("I confirm this evaluation; it cannot be changed after signing.")
    )
    confirm_fail = forms.BooleanField(
        label=_("I understand that I am signing a result of NOT PASSED."), required=False
    )
    expected = forms.ChoiceField(
        choices=[("pass", "pass"), ("fail", "fail")], widget=forms.HiddenInput
    )

    def __init__(self, *args, passed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected"].initial = "pass" if passed else "fail"
        if passed:
            del self.fields["confirm_fail"]

    def clean(self):
        data = super().clean()
        if data.get("expected") == "fail" and not data.get("confirm_fail"):
            if "confirm_fail" in self.fields:
                self.add_error(
                    "confirm_fail", _("Tick this to sign an evaluation that is not passed.")
                )
            else:
                # The page showed a pass; the ratings now give a fail: show the page again.
                raise ValidationError(
                    _("The result is now NOT PASSED: read it again before signing."),
                    code="result_changed",
                )
        return data

    @property
    def expected_passed(self) -> bool:
        return self.cleaned_data["expected"] == "pass"
