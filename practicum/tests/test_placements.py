"""Placements: created by coordinators in scope; reassignment keeps history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditLog
from practicum import services
from practicum.models import EntryState, Placement

from .factories import EntryFactory

START = datetime.date(2026, 3, 1)


def test_coordinator_places_a_trainee(district_coordinator, trainee, supervisor):
    placement = services.create_placement(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=START,
        actor=district_coordinator,
    )
    assert placement.is_current
    assert AuditLog.objects.filter(action="practicum.placement.create").exists()


def test_other_district_coordinator_cannot_place(other_district_coordinator, trainee, supervisor):
    with pytest.raises(PermissionDenied):
        services.create_placement(
            trainee=trainee,
            supervisor=supervisor,
            qualification="counsellor",
            start_date=START,
            actor=other_district_coordinator,
        )


def test_trainee_and_supervisor_cannot_place(trainee, supervisor, other_trainee):
    for actor in (trainee, supervisor):
        with pytest.raises(PermissionDenied):
            services.create_placement(
                trainee=other_trainee,
                supervisor=supervisor,
                qualification="counsellor",
                start_date=START,
                actor=actor,
            )


def test_supervisor_must_be_a_supervising_expert(coordinator, trainee, other_trainee):
    with pytest.raises(ValidationError):
        services.create_placement(
            trainee=trainee,
            supervisor=other_trainee,
            qualification="counsellor",
            start_date=START,
            actor=coordinator,
        )


def test_second_current_placement_for_a_qualification_is_refused(coordinator, trainee, supervisor):
    services.create_placement(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=START,
        actor=coordinator,
    )
    with pytest.raises(ValidationError):
        services.create_placement(
            trainee=trainee,
            supervisor=supervisor,
            qualification="counsellor",
            start_date=START,
            actor=coordinator,
        )
    # The other qualification is a separate practicum.
    assert services.create_placement(
        trainee=trainee,
        supervisor=supervisor,
        qualification="family_educator",
        start_date=START,
        actor=coordinator,
    )


def test_a_supervisor_has_many_trainees(coordinator, trainee, other_trainee, supervisor):
    for person in (trainee, other_trainee):
        services.create_placement(
            trainee=person,
            supervisor=supervisor,
            qualification="counsellor",
            start_date=START,
            actor=coordinator,
        )
    assert Placement.objects.current().filter(supervisor=supervisor).count() == 2


def test_reassignment_keeps_history_and_moves_undecided_entries(
    coordinator, placement, other_supervisor, supervisor
):
    approved = EntryFactory(placement=placement, state=EntryState.APPROVED)
    waiting = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    draft = EntryFactory(placement=placement, state=EntryState.DRAFT)
    new = services.reassign_placement(
        placement=placement, supervisor=other_supervisor, actor=coordinator, reason="工作调整"
    )
    placement.refresh_from_db()
    assert placement.closed_on == timezone.localdate() and placement.closed_reason == "工作调整"
    assert new.previous == placement and new.supervisor == other_supervisor
    for entry in (approved, waiting, draft):
        entry.refresh_from_db()
    assert approved.placement == placement and approved.supervisor == supervisor
    assert waiting.placement == new and waiting.supervisor == other_supervisor
    assert draft.supervisor == other_supervisor
    record = AuditLog.objects.get(action="practicum.placement.reassign")
    assert record.changes["entries_moved"] == 2


def test_reassignment_needs_a_reason_and_a_current_placement(
    coordinator, placement, other_supervisor
):
    with pytest.raises(ValidationError):
        services.reassign_placement(
            placement=placement, supervisor=other_supervisor, actor=coordinator, reason=""
        )
    services.close_placement(placement=placement, actor=coordinator, reason="结束")
    with pytest.raises(ValidationError):
        services.reassign_placement(
            placement=placement, supervisor=other_supervisor, actor=coordinator, reason="x"
        )
