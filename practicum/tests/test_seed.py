"""Demo data: idempotent, realistic, and within every rule."""

import io

import pytest

from accounts.models import User
from practicum.models import CompetencyEvaluation, EntryState, Placement, PracticumEntry
from practicum.privacy import find_identifying_data
from practicum.selectors import final_evaluation_passed, requirement_status


@pytest.fixture
def seeded(db):
    for app in ("places", "accounts", "lecturer_corps"):
        __import__(f"{app}.seed", fromlist=["seed"]).seed()
    from practicum.seed import seed

    seed(stdout=io.StringIO())


def counts():
    return (
        Placement.objects.count(),
        PracticumEntry.objects.count(),
        CompetencyEvaluation.objects.count(),
    )


def test_seed_is_idempotent(seeded):
    from practicum.seed import seed

    before = counts()
    seed()
    assert counts() == before
    assert before[1] >= 300


def test_seed_has_every_state_and_waiting_entries_for_the_demo_supervisor(seeded):
    states = set(PracticumEntry.objects.values_list("state", flat=True))
    assert states == set(EntryState.values)
    supervisor = User.objects.get(username="supervisor")
    assert PracticumEntry.objects.filter(supervisor=supervisor, state="submitted").count() >= 5


def test_seed_keeps_reassignment_history(seeded):
    lecturer = User.objects.get(username="lecturer")
    placements = Placement.objects.filter(trainee=lecturer).order_by("pk")
    assert placements.count() == 2 and placements[1].previous == placements[0]


def test_seeded_lecturer_has_completed_the_practicum(seeded):
    lecturer = User.objects.get(username="lecturer")
    assert requirement_status(lecturer, "counsellor").all_met
    assert final_evaluation_passed(lecturer, "counsellor")
    trainee = User.objects.get(username="trainee")
    assert not requirement_status(trainee, "counsellor").all_met


def test_seeded_entries_obey_the_rules(seeded):
    from collections import defaultdict

    by_day = defaultdict(list)
    for entry in PracticumEntry.objects.exclude(state=EntryState.REJECTED):
        by_day[(entry.trainee_id, entry.date)].append(entry)
        assert find_identifying_data(entry.description) == []
        if entry.service_kind == "direct":
            assert entry.participants_total > 0
    for entries in by_day.values():
        assert sum(e.minutes for e in entries) <= 720
        spans = sorted((e.start_time, e.end_time) for e in entries)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start
