"""GET /api/v1/reports/summary and /api/v1/reports/monthly."""

import pytest

from accounts import roles
from accounts.models import System
from reports import selectors
from reports.periods import Period, Scope
from reports.services import generate_monthly_report
from tests.factories import make_user

from .conftest import at

SUMMARY = "/api/v1/reports/summary"
MONTHLY = "/api/v1/reports/monthly"


@pytest.fixture
def trainees(district, other_district):
    make_user(
        roles.TRAINEE, district=district, system=System.CIVIL_AFFAIRS, date_joined=at(2026, 10, 3)
    )
    make_user(
        roles.TRAINEE, district=other_district, system=System.EDUCATION, date_joined=at(2026, 2, 9)
    )


def test_anonymous_gets_401(client, db):
    response = client.get(SUMMARY)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert client.get(MONTHLY).status_code == 401


@pytest.mark.parametrize("role", [roles.TRAINEE, roles.LECTURER, roles.SUPERVISOR])
def test_trainees_lecturers_and_supervisors_get_403(api_client, db, role):
    api_client.as_user(make_user(role))
    assert api_client.get(SUMMARY).status_code == 403
    assert api_client.get(MONTHLY).status_code == 403


def test_summary_returns_the_dashboards_figures(api_client, coordinator, trainees):
    response = api_client.as_user(coordinator).get(SUMMARY, {"period": "2026-10"})
    assert response.status_code == 200
    data = response.json()
    assert (data["period"], data["scope"]) == ("2026-10", "city")
    expected = selectors.summary(Scope(Period.parse("2026-10")))
    assert data["groups"] == expected["groups"]
    pool = next(g for g in data["groups"] if g["key"] == "talent_pool")
    assert {h["key"]: h["value"] for h in pool["headlines"]} == {"trainees": 2, "new_trainees": 1}


def test_district_coordinator_gets_their_district_and_403_for_another(
    api_client, district_coordinator, other_district, trainees
):
    api_client.as_user(district_coordinator)
    data = api_client.get(SUMMARY, {"period": "2026-10"}).json()
    assert data["scope"] == "gaochang"
    pool = next(g for g in data["groups"] if g["key"] == "talent_pool")
    rows = next(t for t in pool["tables"] if t["key"] == "trainees_by_district")["rows"]
    assert [r["district"] for r in rows] == ["高昌区"]
    response = api_client.get(SUMMARY, {"district": other_district.code})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_malformed_period_is_400_and_unknown_district_404(api_client, coordinator):
    api_client.as_user(coordinator)
    response = api_client.get(SUMMARY, {"period": "2026-13"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_period"
    assert api_client.get(SUMMARY, {"district": "atlantis"}).status_code == 404


def test_leading_group_reads_the_city_summary(api_client, leader, trainees):
    data = api_client.as_user(leader).get(SUMMARY, {"period": "2026-10"}).json()
    assert data["scope"] == "city"


def test_monthly_lists_archived_reports_in_scope_with_links(
    api_client, district_coordinator, district, period, trainees
):
    generate_monthly_report(period=period, district=None)
    local = generate_monthly_report(period=period, district=district)
    data = api_client.as_user(district_coordinator).get(MONTHLY).json()
    assert [item["id"] for item in data] == [local.pk]
    assert data[0]["period"] == "2026-10" and data[0]["scope"] == "gaochang"
    assert data[0]["pdf_url"].endswith(f"/reports/monthly/{local.pk}/pdf")
    assert data[0]["xlsx_url"].endswith(f"/reports/monthly/{local.pk}/xlsx")
