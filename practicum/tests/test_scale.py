"""seed_scale's practicum part, made small."""

from practicum.models import Placement, PracticumEntry
from practicum.scale import seed_scale


def test_seed_scale_small_and_idempotent(db):
    options = {
        "practicum_entries": 120,
        "practicum_supervisors": 4,
        "practicum_entries_per_trainee": 20,
    }
    result = seed_scale(options)
    assert result["entries_created"] == 120
    assert result["supervisors"] == 4 and result["placements"] == 6
    assert PracticumEntry.objects.count() == 120
    assert Placement.objects.values("supervisor").distinct().count() == 4
    assert seed_scale(options)["entries_created"] == 0
    assert PracticumEntry.objects.count() == 120


def test_seed_scale_factor_shrinks_the_defaults(db):
    result = seed_scale({"scale": 0.001})
    assert result["entries_created"] == 100
    assert result["supervisors"] == 1
