"""Every text field of every project model is guarded by a text policy or exempt with a reason.

The API side is walked by tests/test_api_text_fields.py; this is the model side, which
covers every door that reaches ``full_clean`` (the Wagtail admin's forms, ModelForms).
Declarations live in each app's ``text_fields.py`` (see ``lms.text_fields``).
"""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.test.utils import isolate_apps

from lms.text_fields import declarations, model_policy, project_models, undeclared
from lms.textinput import LABEL, NARRATIVE

IDENTIFYING = "辅导对象阿依古丽·买买提，电话13899123456。"

# The fields the children's-data issue names: where people write about practice, sessions,
# children or families. Each must run the NARRATIVE policy (so the guard) on the model.
NARRATIVE_FIELDS = [
    "courses.ReflectionAnswer.text",
    "quizzes.AttemptSlot.comment",
    "quizzes.MarkingAssignment.note",
    "practicum.PracticumEntry.description",
    "practicum.PracticumEntry.reflection",
    "practicum.PracticumEntry.review_comment",
    "practicum.Placement.closed_reason",
    "practicum.CompetencyEvaluation.overall_comment",
    "practicum.EvaluationRating.comment",
    "certification.Certificate.revocation_reason",
    "certification.IssueRequest.note",
    "lecturer_corps.ServiceRequest.notes",
    "lecturer_corps.ServiceRequest.cancel_reason",
    "lecturer_corps.Session.decline_reason",
    "lecturer_corps.Session.cancel_reason",
    "lecturer_corps.DeliveryReport.notes",
    "lecturer_corps.DeliveryReport.return_reason",
    "lecturer_corps.VenueConfirmation.dispute_note",
    "lecturer_corps.UnavailablePeriod.note",
    "places.Venue.notes",
    "safeguarding.Concern.what_seen",
    "safeguarding.Concern.what_done",
    "safeguarding.ConcernStep.note",
    "supervision.SupervisionSession.topics",
    "supervision.SupervisionSession.follow_ups",
    "supervision.SupervisionAttendance.dispute_reason",
    "supervision.Inspection.summary",
    "supervision.Finding.text",
    "supervision.CorrectiveAction.required",
    "supervision.CorrectiveAction.evidence_note",
    "supervision.CorrectiveAction.verification_note",
    "supervision.Stage.description",
]


def _field(label: str):
    from django.apps import apps

    app_label, model_name, field_name = label.split(".")
    return apps.get_model(app_label, model_name)._meta.get_field(field_name)


def test_every_text_field_of_every_model_is_guarded_or_exempt_with_a_reason():
    walked = project_models()
    assert len(walked) >= 60  # every app's models, not an empty walk
    assert undeclared(walked, declarations()) == []


def test_the_walk_finds_an_undeclared_field():
    with isolate_apps("places"):

        class Loose(models.Model):  # noqa: DJ008
            note = models.TextField()
            kind = models.CharField(max_length=10, choices=[("a", "A")])  # choices: exempt
            count = models.IntegerField()

            class Meta:
                app_label = "places"

        problems = undeclared([Loose], [])
    assert problems == [
        "places.Loose.note: not declared; add it to places/text_fields.py, "
        "GUARDED with a text policy or EXEMPT with a reason"
    ]


@pytest.mark.parametrize("label", NARRATIVE_FIELDS)
def test_narrative_fields_run_the_childrens_data_guard_on_the_model(label):
    field = _field(label)
    policy = model_policy(field)
    assert policy is not None and policy.purpose == NARRATIVE, label
    with pytest.raises(ValidationError) as refused:
        field.clean(IDENTIFYING, None)
    assert {e.code for e in refused.value.error_list} == {"privacy"}
    assert "138****3456" in refused.value.messages[0]  # masked, never repeated in full


@pytest.mark.parametrize("label", NARRATIVE_FIELDS)
def test_narrative_fields_keep_anonymous_text(label):
    _field(label).clean("一名10岁女孩在活动中很安静，督导陈静建议下次先做热身游戏。", None)


def test_label_fields_refuse_control_characters_but_not_names():
    field = _field("places.Venue.address")
    assert model_policy(field).purpose == LABEL
    field.clean("吐鲁番市高昌区团结路3号", None)  # a venue's address is not a child's
    with pytest.raises(ValidationError):
        field.clean("团结路\x003号", None)


def test_a_model_form_as_the_wagtail_admin_builds_it_refuses_identifying_notes():
    """The admin's edit forms are ModelForms: full_clean runs the field's validators."""
    from places.models import Venue

    form_class = forms.modelform_factory(Venue, fields=["notes"])
    form = form_class(data={"notes": IDENTIFYING}, instance=Venue())
    assert not form.is_valid()
    assert "notes" in form.errors
    form = form_class(data={"notes": "乡政府二楼会议室，需自带彩笔。"}, instance=Venue())
    assert form.is_valid(), form.errors


def test_a_written_quiz_answer_with_a_childs_identifiers_is_refused_before_it_is_stored():
    from quizzes.grading import ResponseError, _clean_part

    with pytest.raises(ResponseError, match=r"138\*\*\*\*3456"):
        _clean_part({"qtype": "essay", "settings": {}}, {}, {"text": IDENTIFYING})
