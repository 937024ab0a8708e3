"""Entering the coverage base figures (children in difficulty known per district)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditLog
from reports.models import CoverageFigure
from reports.periods import Period
from reports.services import save_coverage_figure


def _post(client, district, **fields):
    data = {
        "district": district.code,
        "period": "2026-10",
        "children_known": 400,
        "target_percent": 80,
    }
    data.update(fields)
    return client.post(reverse("reports:coverage"), data)


def test_coordinator_enters_a_figure_and_it_is_audited(client, district_coordinator, district):
    client.force_login(district_coordinator)
    response = _post(client, district)
    assert response.status_code == 302
    figure = CoverageFigure.objects.get()
    assert (figure.district, figure.children_known, figure.entered_by) == (
        district,
        400,
        district_coordinator,
    )
    record = AuditLog.objects.get(action="reports.coverage.save")
    assert record.changes["children_known"] == 400 and record.actor == district_coordinator


def test_entering_the_same_month_again_updates_not_duplicates(client, coordinator, district):
    client.force_login(coordinator)
    _post(client, district, children_known=400)
    _post(client, district, children_known=420, target_percent=85)
    figure = CoverageFigure.objects.get()
    assert (figure.children_known, figure.target_percent) == (420, 85)
    assert AuditLog.objects.filter(action="reports.coverage.save").count() == 2


def test_district_coordinator_cannot_enter_another_district(
    client, district_coordinator, other_district
):
    client.force_login(district_coordinator)
    response = _post(client, other_district)
    assert response.status_code == 200  # the form offers only their district
    assert "district" in response.context["form"].errors
    assert not CoverageFigure.objects.exists()
    with pytest.raises(PermissionDenied):
        save_coverage_figure(
            user=district_coordinator,
            district=other_district,
            period=Period.parse("2026-10"),
            children_known=10,
            target_percent=80,
        )


def test_leading_group_cannot_post_figures(client, leader, district):
    client.force_login(leader)
    assert _post(client, district).status_code == 403
    assert not CoverageFigure.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"children_known": 0}, {"children_known": -5}, {"target_percent": 120}, {"period": "2026-1"}],
)
def test_bad_figures_are_refused_with_a_message(client, coordinator, district, fields):
    client.force_login(coordinator)
    response = _post(client, district, **fields)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not CoverageFigure.objects.exists()
