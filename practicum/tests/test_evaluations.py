"""Competency evaluation: rubric ratings, pass rule, sign-off, immutability, corrections."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditLog
from practicum import services
from practicum.models import (
    EvaluationRating,
    PracticumSettings,
    RubricItem,
    SignedEvaluationError,
)


def rate_all(evaluation, supervisor, ratings):
    items = list(evaluation.ratings.order_by("rubric_item__sort_order"))
    return services.save_evaluation(
        evaluation=evaluation,
        supervisor=supervisor,
        ratings={
            r.rubric_item_id: (value, "表现稳定") for r, value in zip(items, ratings, strict=True)
        },
        overall_comment="继续加强个别咨询结构。",
    )


@pytest.fixture
def evaluation(placement, supervisor):
    return services.start_evaluation(placement=placement, supervisor=supervisor, stage="midterm")


def test_rubric_is_seeded_with_eight_competencies():
    names = list(RubricItem.objects.values_list("name_en", flat=True))
    assert names == [
        "Rapport and communication",
        "Assessment and screening",
        "Group facilitation",
        "Individual counselling skills",
        "Ethics and confidentiality",
        "Child protection",
        "Working with caregivers",
        "Self-reflection",
    ]
    assert all(item.descriptor_1 and item.descriptor_5 for item in RubricItem.objects.all())


def test_evaluation_has_one_rating_row_per_active_item(evaluation):
    assert evaluation.ratings.count() == 8


def test_sign_records_name_time_mean_and_pass(evaluation, supervisor):
    rate_all(evaluation, supervisor, [4, 4, 3, 4, 4, 3, 4, 4])
    signed = services.sign_evaluation(
        evaluation=evaluation, supervisor=supervisor, signed_name="陈静"
    )
    assert signed.signed_name == "陈静" and signed.signed_at
    assert signed.mean_rating == Decimal("3.75") and signed.passed is True
    record = AuditLog.objects.get(action="practicum.evaluation.sign")
    assert record.changes["passed"] is True and record.actor == supervisor


def test_an_item_below_three_fails_despite_a_good_mean(evaluation, supervisor):
    rate_all(evaluation, supervisor, [5, 5, 5, 5, 5, 5, 5, 2])
    signed = services.sign_evaluation(
        evaluation=evaluation, supervisor=supervisor, signed_name="陈静"
    )
    assert signed.passed is False


def test_mean_below_the_rule_fails(evaluation, supervisor):
    rate_all(evaluation, supervisor, [3, 3, 3, 3, 3, 4, 3, 3])
    assert not services.sign_evaluation(
        evaluation=evaluation, supervisor=supervisor, signed_name="陈静"
    ).passed


def test_pass_rule_is_configurable(evaluation, supervisor):
    config = PracticumSettings.load()
    config.evaluation_min_item_rating = 2
    config.evaluation_min_mean = Decimal("3.00")
    config.save()
    rate_all(evaluation, supervisor, [3, 3, 3, 3, 3, 4, 3, 2])
    signed = services.sign_evaluation(
        evaluation=evaluation, supervisor=supervisor, signed_name="陈静"
    )
    assert signed.passed is True
    assert (signed.rule_min_item, signed.rule_min_mean) == (2, Decimal("3.00"))


def test_incomplete_evaluation_cannot_be_signed(evaluation, supervisor):
    with pytest.raises(ValidationError):
        services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name="陈静")


def test_signature_needs_a_name(evaluation, supervisor):
    rate_all(evaluation, supervisor, [4] * 8)
    with pytest.raises(ValidationError):
        services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name=" ")


def test_rating_outside_one_to_five_is_refused(evaluation, supervisor):
    item = evaluation.ratings.first()
    with pytest.raises(ValidationError):
        services.save_evaluation(
            evaluation=evaluation, supervisor=supervisor, ratings={item.rubric_item_id: (6, "")}
        )


def test_comment_passes_the_privacy_guard(evaluation, supervisor):
    item = evaluation.ratings.first()
    with pytest.raises(ValidationError):
        services.save_evaluation(
            evaluation=evaluation,
            supervisor=supervisor,
            ratings={item.rubric_item_id: (4, "和学生王小明建立了很好的关系")},
        )


def test_signed_evaluation_cannot_change_through_services(evaluation, supervisor):
    rate_all(evaluation, supervisor, [4] * 8)
    services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name="陈静")
    with pytest.raises(ValidationError):
        rate_all(evaluation, supervisor, [5] * 8)
    with pytest.raises(ValidationError):
        services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name="x")


def test_signed_evaluation_cannot_change_through_the_models(evaluation, supervisor):
    rate_all(evaluation, supervisor, [4] * 8)
    services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name="陈静")
    evaluation.refresh_from_db()
    evaluation.overall_comment = "changed"
    with pytest.raises(SignedEvaluationError):
        evaluation.save()
    rating = EvaluationRating.objects.filter(evaluation=evaluation).first()
    rating.rating = 1
    with pytest.raises(SignedEvaluationError):
        rating.save()
    with pytest.raises(SignedEvaluationError):
        evaluation.delete()


def test_correction_is_a_new_linked_evaluation(evaluation, supervisor):
    rate_all(evaluation, supervisor, [4] * 8)
    original = services.sign_evaluation(
        evaluation=evaluation, supervisor=supervisor, signed_name="陈静"
    )
    correction = services.start_evaluation(
        placement=original.placement, supervisor=supervisor, stage="final", corrects=original
    )
    assert correction.pk != original.pk and correction.corrects == original
    assert correction.stage == "midterm"  # the stage of what it corrects
    assert list(correction.ratings.values_list("rating", flat=True)) == [4] * 8
    original.refresh_from_db()
    assert original.is_signed and original.mean_rating == Decimal("4.00")


def test_unsigned_evaluation_cannot_be_corrected(evaluation, supervisor):
    with pytest.raises(ValidationError):
        services.start_evaluation(
            placement=evaluation.placement,
            supervisor=supervisor,
            stage="midterm",
            corrects=evaluation,
        )


def test_only_the_placement_supervisor_evaluates(placement, other_supervisor, trainee):
    for user in (other_supervisor, trainee):
        with pytest.raises(PermissionDenied):
            services.start_evaluation(placement=placement, supervisor=user, stage="final")


def test_one_open_draft_per_stage(evaluation, placement, supervisor):
    with pytest.raises(ValidationError):
        services.start_evaluation(placement=placement, supervisor=supervisor, stage="midterm")
    assert services.start_evaluation(placement=placement, supervisor=supervisor, stage="final")
