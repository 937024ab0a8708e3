"""Requirement arithmetic: direct/indirect, categories, supervision; only approved counts."""

import datetime

import pytest
from django.utils import timezone

from practicum.models import (
    CompetencyEvaluation,
    EntryState,
    PracticumRequirement,
)
from practicum.selectors import (
    final_evaluation_passed,
    final_evaluation_passed_bulk,
    requirement_status,
    requirement_status_bulk,
)

from .factories import EntryFactory, PlacementFactory, activity


def add(placement, code, minutes, state=EntryState.APPROVED, kind=None):
    entry = EntryFactory(
        placement=placement, activity_type=activity(code), minutes=minutes, state=state
    )
    if kind:
        entry.service_kind = kind
        entry.save()
    return entry


def test_only_approved_hours_count_and_submitted_are_pending(placement, trainee):
    add(placement, "group_counselling", 120)
    add(placement, "group_counselling", 60, EntryState.SUBMITTED)
    for state in (EntryState.DRAFT, EntryState.RETURNED, EntryState.REJECTED):
        add(placement, "group_counselling", 600, state)
    total = requirement_status(trainee, "counsellor").line("total")
    assert total.approved_minutes == 120
    assert total.pending_minutes == 60


def test_direct_indirect_supervision_and_activity_lines(placement, trainee):
    add(placement, "group_counselling", 120)
    add(placement, "individual_counselling", 60)
    add(placement, "preparation", 90)
    add(placement, "supervision", 90)
    status = requirement_status(trainee, "counsellor")
    assert status.line("total").approved_minutes == 360
    assert status.line("direct").approved_minutes == 180
    assert status.line("indirect").approved_minutes == 180
    assert status.line("supervision").approved_minutes == 90
    assert status.line("activity:group_counselling").approved_minutes == 120
    assert status.line("activity:individual_counselling").approved_minutes == 60
    assert status.line("activity:screening").approved_minutes == 0
    assert status.line("total").required_minutes == 100 * 60
    assert status.line("direct").required_minutes == 40 * 60


def test_direct_or_indirect_is_as_recorded_on_the_entry(placement, trainee):
    # An administrator later reclassified observation; the old entry keeps its kind.
    add(placement, "observation", 60, kind="direct")
    status = requirement_status(trainee, "counsellor")
    assert status.line("direct").approved_minutes == 60


def test_all_met_only_when_every_requirement_is_met(placement, trainee):
    requirement = PracticumRequirement.objects.get(qualification="counsellor")
    requirement.total_hours = 4
    requirement.min_direct_hours = 2
    requirement.min_supervision_hours = 1
    requirement.save()
    requirement.activity_minimums.all().delete()
    add(placement, "group_counselling", 120)
    add(placement, "preparation", 60)
    assert not requirement_status(trainee, "counsellor").all_met  # supervision missing
    add(placement, "supervision", 60)
    status = requirement_status(trainee, "counsellor")
    assert status.all_met
    assert [line.met for line in status.requirements] == [True, True, True]


def test_activity_minimum_blocks_all_met(placement, trainee):
    requirement = PracticumRequirement.objects.get(qualification="counsellor")
    requirement.total_hours = requirement.min_direct_hours = requirement.min_supervision_hours = 0
    requirement.save()
    status = requirement_status(trainee, "counsellor")
    assert not status.all_met
    assert not status.line("activity:screening").met


def test_hours_of_the_other_qualification_do_not_count(trainee, supervisor):
    other = PlacementFactory(
        trainee=trainee, supervisor=supervisor, qualification="family_educator"
    )
    add(other, "caregiver_workshop", 120)
    assert requirement_status(trainee, "counsellor").line("total").approved_minutes == 0
    assert requirement_status(trainee, "family_educator").line("total").approved_minutes == 120


def test_unconfigured_qualification_is_never_met(trainee):
    PracticumRequirement.objects.filter(qualification="family_educator").delete()
    status = requirement_status(trainee, "family_educator")
    assert not status.configured and not status.all_met


def test_bulk_status_uses_a_fixed_number_of_queries(django_assert_num_queries, supervisor):
    placements = [PlacementFactory(supervisor=supervisor) for _ in range(6)]
    for placement in placements:
        add(placement, "group_counselling", 90)
        add(placement, "supervision", 60)
    ids = [p.trainee_id for p in placements]
    with django_assert_num_queries(4):
        statuses = requirement_status_bulk(ids, "counsellor")
    assert {s.line("total").approved_minutes for s in statuses.values()} == {150}


def sign(placement, stage, passed, corrects=None, days_ago=0):
    return CompetencyEvaluation.objects.create(
        placement=placement,
        trainee=placement.trainee,
        supervisor=placement.supervisor,
        qualification=placement.qualification,
        stage=stage,
        passed=passed,
        corrects=corrects,
        signed_name="陈静",
        signed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_final_evaluation_passed(placement, trainee):
    assert not final_evaluation_passed(trainee, "counsellor")
    sign(placement, "midterm", True)
    assert not final_evaluation_passed(trainee, "counsellor")
    sign(placement, "final", True)
    assert final_evaluation_passed(trainee, "counsellor")


def test_a_signed_correction_replaces_the_final_evaluation(placement, trainee):
    original = sign(placement, "final", True, days_ago=2)
    sign(placement, "final", False, corrects=original)
    assert not final_evaluation_passed(trainee, "counsellor")


def test_an_unsigned_correction_does_not_replace_it(placement, trainee):
    original = sign(placement, "final", True, days_ago=2)
    CompetencyEvaluation.objects.create(
        placement=placement,
        trainee=trainee,
        supervisor=placement.supervisor,
        qualification="counsellor",
        stage="final",
        corrects=original,
    )
    assert final_evaluation_passed(trainee, "counsellor")


def test_final_evaluation_bulk_is_one_query(django_assert_num_queries, supervisor):
    placements = [PlacementFactory(supervisor=supervisor) for _ in range(4)]
    sign(placements[0], "final", True)
    sign(placements[1], "final", False)
    with django_assert_num_queries(1):
        result = final_evaluation_passed_bulk([p.trainee_id for p in placements], "counsellor")
    assert list(result.values()) == [True, False, False, False]


@pytest.mark.parametrize("qualification", ["counsellor", "family_educator"])
def test_defaults_are_modelled_on_cacrep(qualification):
    requirement = PracticumRequirement.objects.get(qualification=qualification)
    assert float(requirement.min_direct_hours / requirement.total_hours) == pytest.approx(0.4)
    assert requirement.activity_minimums.exists()
