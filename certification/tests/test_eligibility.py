"""The eligibility engine: each requirement kind's states and messages, one user and a cohort."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from accounts import roles
from certification import selectors
from certification.models import RequirementKind, RequirementStage
from certification.sources import PracticumLine
from certification.tests.factories import (
    ALL_INITIAL,
    CertificationTypeFactory,
    add_requirements,
    make_certificate,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsellor(db):
    return add_requirements(CertificationTypeFactory(), *ALL_INITIAL)


def results_for(user, certification, **kwargs):
    users = get_user_model().objects.filter(pk=user.pk)
    return {r.kind: r for r in selectors.evaluate(certification, users, **kwargs)[user.pk]}


def test_courses_completed_counts_done_of_required(trainee, counsellor, sources):
    sources.completed[trainee.pk] = {1: datetime.date(2027, 1, 5), 3: datetime.date(2027, 2, 1)}
    result = results_for(trainee, counsellor)[RequirementKind.COURSES_COMPLETED]
    assert not result.met
    assert result.message == "2 of 3 required courses"
    assert result.facts["missing"] == ["伦理、保密与儿童保护"]


def test_courses_completed_with_minimum_needs_only_that_many(trainee, sources):
    certification = add_requirements(
        CertificationTypeFactory(), RequirementKind.COURSES_COMPLETED, minimum=2
    )
    sources.completed[trainee.pk] = {1: datetime.date(2027, 1, 5), 3: datetime.date(2027, 2, 1)}
    result = results_for(trainee, certification)[RequirementKind.COURSES_COMPLETED]
    assert result.met
    assert result.message == "2 of 2 required courses"


def test_final_exam_not_attempted_says_not_passed_yet(trainee, counsellor, sources):
    result = results_for(trainee, counsellor)[RequirementKind.QUIZZES_PASSED]
    assert not result.met
    assert result.message == "心理咨询师结业考试 not passed yet"


def test_final_exam_failed_shows_best_grade_and_pass_mark(trainee, counsellor, sources):
    sources.grades[trainee.pk] = {10: (52.5, False)}
    result = results_for(trainee, counsellor)[RequirementKind.QUIZZES_PASSED]
    assert not result.met
    assert "best 52.5, pass mark 60" in result.message


def test_final_exam_passed(trainee, counsellor, sources):
    sources.grades[trainee.pk] = {10: (75.0, True)}
    result = results_for(trainee, counsellor)[RequirementKind.QUIZZES_PASSED]
    assert result.met and result.state == "met"


def test_practicum_shows_unmet_lines_with_hours(trainee, counsellor, sources):
    sources.practicum[trainee.pk] = [
        PracticumLine("total", "Total hours", Decimal("80"), Decimal("100"), False),
        PracticumLine(
            "direct", "Direct service", Decimal("31.5"), Decimal("40"), False, Decimal("6")
        ),
    ]
    result = results_for(trainee, counsellor)[RequirementKind.PRACTICUM_HOURS]
    assert not result.met
    assert result.message == (
        "Total hours: 80 of 100 hours; Direct service: 31.5 of 40 hours (6 waiting for review)"
    )
    assert result.percent == 80


def test_practicum_met_when_every_line_is_met(trainee, counsellor, sources):
    sources.make_eligible(trainee)
    assert results_for(trainee, counsellor)[RequirementKind.PRACTICUM_HOURS].met


def test_final_evaluation_pending_when_none_signed(trainee, counsellor, sources):
    result = results_for(trainee, counsellor)[RequirementKind.FINAL_EVALUATION]
    assert result.state == "pending"
    assert result.message == "Final evaluation pending"


def test_final_evaluation_failed_is_missing(trainee, counsellor, sources):
    sources.evaluations[trainee.pk] = "failed"
    result = results_for(trainee, counsellor)[RequirementKind.FINAL_EVALUATION]
    assert result.state == "missing" and not result.met


def test_unavailable_source_is_reported_not_met(trainee, counsellor, sources):
    sources.practicum = None
    sources.practicum_lines = lambda users, qualification: None
    result = results_for(trainee, counsellor)[RequirementKind.PRACTICUM_HOURS]
    assert result.state == "unavailable" and not result.met


def test_all_met_makes_the_trainee_eligible(trainee, counsellor, sources):
    sources.make_eligible(trainee)
    (checklist,) = selectors.checklists(trainee)
    assert checklist.eligible and checklist.can_claim
    assert checklist.met_count == 4


def test_no_requirements_never_makes_anyone_eligible(trainee, sources):
    CertificationTypeFactory()
    (checklist,) = selectors.checklists(trainee)
    assert not checklist.eligible


def test_continuing_education_counts_hours_in_window(trainee, sources):
    certification = add_requirements(
        CertificationTypeFactory(),
        RequirementKind.CONTINUING_EDUCATION,
        stage=RequirementStage.RENEWAL,
        minimum=Decimal("20"),
    )
    sources.ce_hours[trainee.pk] = Decimal("12.5")
    window = {trainee.pk: (datetime.date(2027, 1, 1), datetime.date(2029, 12, 31))}
    result = results_for(trainee, certification, stage=RequirementStage.RENEWAL, windows=window)[
        RequirementKind.CONTINUING_EDUCATION
    ]
    assert not result.met
    assert result.message == "12.5 of 20 continuing-education hours"


def _sessions_requirement():
    return add_requirements(
        CertificationTypeFactory(),
        RequirementKind.SESSIONS_DELIVERED,
        stage=RequirementStage.RENEWAL,
        minimum=Decimal("6"),
    )


def test_sessions_delivered_is_zero_without_a_counter(trainee, sources, monkeypatch):
    monkeypatch.setattr("certification.signals._delivered_sessions_counter", None)
    certification = _sessions_requirement()
    window = {trainee.pk: (datetime.date(2027, 1, 1), datetime.date(2029, 12, 31))}
    result = results_for(trainee, certification, stage=RequirementStage.RENEWAL, windows=window)[
        RequirementKind.SESSIONS_DELIVERED
    ]
    assert result.message == "0 of 6 verified sessions delivered"
    assert not result.met


def test_sessions_delivered_counts_what_the_lecturer_corps_provides(trainee, sources, monkeypatch):
    monkeypatch.setattr(
        "certification.signals._delivered_sessions_counter",
        lambda users, windows, qualification: {trainee.pk: 7},
    )
    certification = _sessions_requirement()
    window = {trainee.pk: (datetime.date(2027, 1, 1), datetime.date(2029, 12, 31))}
    result = results_for(trainee, certification, stage=RequirementStage.RENEWAL, windows=window)[
        RequirementKind.SESSIONS_DELIVERED
    ]
    assert result.met


def test_the_lecturer_corps_provides_its_counter_when_ready():
    from certification import signals
    from lecturer_corps.selectors import verified_sessions_by_lecturer

    assert signals._delivered_sessions_counter is verified_sessions_by_lecturer


def test_holder_sees_renewal_requirements(trainee, sources):
    certification = add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    add_requirements(
        certification,
        RequirementKind.CONTINUING_EDUCATION,
        stage=RequirementStage.RENEWAL,
        minimum=Decimal("20"),
    )
    make_certificate(trainee, certification)
    (checklist,) = selectors.checklists(trainee)
    assert checklist.stage == "renewal"
    assert [r.kind for r in checklist.results] == [RequirementKind.CONTINUING_EDUCATION]
    assert not checklist.can_claim  # renewal opens 90 days before expiry


def test_cohort_eligibility_uses_a_fixed_number_of_queries(
    counsellor, sources, django_assert_max_num_queries
):
    people = [make_user(roles.TRAINEE, username=f"cohort{i}") for i in range(3)]
    sources.make_eligible(people[0])
    users = get_user_model().objects.filter(username__startswith="cohort")
    with django_assert_max_num_queries(4) as small:
        rows = selectors.cohort_eligibility(counsellor, users)
    assert [row.state for row in rows] == ["eligible", "not_eligible", "not_eligible"]
    more = [make_user(roles.TRAINEE, username=f"cohort{i}") for i in range(3, 20)]
    sources.make_eligible(more[-1])
    with django_assert_max_num_queries(len(small.captured_queries)):
        rows = selectors.cohort_eligibility(counsellor, users)
    assert sum(row.eligible for row in rows) == 2


def test_checklist_uses_a_fixed_number_of_queries(
    trainee, counsellor, sources, django_assert_max_num_queries
):
    family = add_requirements(
        CertificationTypeFactory(code="family_educator", serial_prefix="FE"), *ALL_INITIAL
    )
    assert family.pk
    with django_assert_max_num_queries(6):
        lists = selectors.checklists(trainee)
    assert len(lists) == 2
