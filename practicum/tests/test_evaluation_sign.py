"""Signing a competency evaluation: the pass rule and the result are shown before the
irreversible step, a fail is said plainly and needs its own tick, and the result that
was confirmed is the one signed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from practicum import selectors, services
from practicum.evaluation_rule import preview
from practicum.models import PracticumSettings


def rate(evaluation, supervisor, values):
    items = list(evaluation.ratings.order_by("rubric_item__sort_order"))
    services.save_evaluation(
        evaluation=evaluation,
        supervisor=supervisor,
        ratings={row.rubric_item_id: (value, "") for row, value in zip(items, values, strict=True)},
    )


@pytest.fixture
def evaluation(placement, supervisor):
    return services.start_evaluation(placement=placement, supervisor=supervisor, stage="final")


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


def sign_url(evaluation):
    return reverse("practicum:evaluation_sign", args=[evaluation.pk])


def test_preview_names_what_fails_the_rule():
    result = preview(
        [("共情", 5), ("儿童保护", 2), ("伦理", 4)], min_item=3, min_mean=Decimal("3.50")
    )
    assert result.complete and result.passed is False
    assert result.mean == Decimal("3.67") and result.lowest == 2
    assert [item.name for item in result.items_below] == ["儿童保护"]
    assert not result.mean_too_low


def test_preview_of_an_incomplete_evaluation_has_no_result():
    result = preview([("共情", 4), ("伦理", None)], min_item=3, min_mean=Decimal("3.50"))
    assert not result.complete and result.passed is None
    assert (result.rated, result.total) == (1, 2)


def test_the_ratings_page_shows_the_rule_and_the_result_so_far(
    supervisor_client, supervisor, evaluation
):
    rate(evaluation, supervisor, [4, 4, 4, 4, 4, 4, 4, 2])
    body = supervisor_client.get(
        reverse("practicum:evaluation", args=[evaluation.pk])
    ).content.decode()
    assert "no competency rated below 3, and a mean rating of at least 3.50" in body
    assert "does not pass" in body
    # No way to sign from here without the confirmation page.
    assert 'name="signed_name"' not in body


def test_confirmation_page_warns_of_a_fail_and_says_what_signing_does(
    supervisor_client, supervisor, evaluation
):
    rate(evaluation, supervisor, [5, 5, 5, 5, 5, 5, 5, 2])
    body = supervisor_client.get(sign_url(evaluation)).content.decode()
    assert 'data-passed="false"' in body and "Result: NOT PASSED." in body
    assert "the rule allows no rating below 3" in body
    assert "It can never be changed or deleted." in body
    assert "does not count toward the certificate" in body  # a final evaluation
    assert 'name="confirm_fail"' in body


def test_a_fail_is_not_signed_without_its_own_tick(supervisor_client, supervisor, evaluation):
    rate(evaluation, supervisor, [3, 3, 3, 3, 3, 3, 3, 3])
    response = supervisor_client.post(
        sign_url(evaluation), {"signed_name": "陈静", "confirm": "on", "expected": "fail"}
    )
    assert response.status_code == 400
    assert "Tick this to sign an evaluation that is not passed." in response.content.decode()
    evaluation.refresh_from_db()
    assert not evaluation.is_signed
    response = supervisor_client.post(
        sign_url(evaluation),
        {"signed_name": "陈静", "confirm": "on", "confirm_fail": "on", "expected": "fail"},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.is_signed and evaluation.passed is False


def test_signing_needs_the_confirmation_tick(supervisor_client, supervisor, evaluation):
    rate(evaluation, supervisor, [4] * 8)
    response = supervisor_client.post(
        sign_url(evaluation), {"signed_name": "陈静", "expected": "pass"}
    )
    assert response.status_code == 400
    evaluation.refresh_from_db()
    assert not evaluation.is_signed


def test_a_pass_shown_then_a_stricter_rule_is_not_signed_as_a_fail(
    supervisor_client, supervisor, evaluation
):
    rate(evaluation, supervisor, [4] * 8)
    assert 'data-passed="true"' in supervisor_client.get(sign_url(evaluation)).content.decode()
    config = PracticumSettings.load()
    config.evaluation_min_mean = Decimal("4.50")  # the rule changes while the page is open
    config.save()
    response = supervisor_client.post(
        sign_url(evaluation), {"signed_name": "陈静", "confirm": "on", "expected": "pass"}
    )
    assert response["Location"] == sign_url(evaluation)
    evaluation.refresh_from_db()
    assert not evaluation.is_signed
    body = supervisor_client.get(sign_url(evaluation)).content.decode()
    assert 'data-passed="false"' in body


def test_the_service_refuses_a_result_other_than_the_one_confirmed(supervisor, evaluation):
    rate(evaluation, supervisor, [4] * 7 + [1])
    with pytest.raises(ValidationError) as refusal:
        services.sign_evaluation(
            evaluation=evaluation, supervisor=supervisor, signed_name="陈静", expected_passed=True
        )
    assert refusal.value.code == "result_changed"
    evaluation.refresh_from_db()
    assert not evaluation.is_signed


def test_an_incomplete_evaluation_does_not_reach_the_confirmation(
    supervisor_client, supervisor, evaluation
):
    response = supervisor_client.get(sign_url(evaluation))
    assert response["Location"] == reverse("practicum:evaluation", args=[evaluation.pk])


def test_only_the_evaluations_expert_reaches_the_confirmation(
    client, other_supervisor, trainee, supervisor, evaluation
):
    rate(evaluation, supervisor, [4] * 8)
    client.force_login(other_supervisor)
    assert client.get(sign_url(evaluation)).status_code == 404
    assert (
        client.post(
            sign_url(evaluation), {"signed_name": "x", "confirm": "on", "expected": "pass"}
        ).status_code
        == 404
    )
    client.force_login(trainee)
    assert client.get(sign_url(evaluation)).status_code == 403
    evaluation.refresh_from_db()
    assert not evaluation.is_signed


def test_a_signed_evaluation_sends_the_confirmation_back(supervisor_client, supervisor, evaluation):
    rate(evaluation, supervisor, [4] * 8)
    services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name="陈静")
    response = supervisor_client.post(
        sign_url(evaluation), {"signed_name": "陈静", "confirm": "on", "expected": "pass"}
    )
    assert response["Location"] == reverse("practicum:evaluation", args=[evaluation.pk])


def test_preview_selector_reads_the_saved_ratings_and_the_rule(
    supervisor, evaluation, django_assert_max_num_queries
):
    rate(evaluation, supervisor, [4] * 8)
    with django_assert_max_num_queries(3):
        result = selectors.evaluation_preview(evaluation)
    assert result.passed and result.mean == Decimal("4.00")
