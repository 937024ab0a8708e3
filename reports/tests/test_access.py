"""Who reaches the reporting pages, and with which scope."""

import pytest
from django.urls import reverse

from accounts import roles
from tests.factories import make_user

DASHBOARD = "/reports/"


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [roles.TRAINEE, roles.LECTURER, roles.SUPERVISOR])
def test_trainees_lecturers_and_supervisors_get_403(client, db, role):
    client.force_login(make_user(role))
    for url in [
        DASHBOARD,
        reverse("reports:coverage"),
        reverse("reports:monthly_list"),
        reverse("reports:audit_log"),
        reverse("reports:export_table", args=["talent_pool", "trainees_by_district", "csv"]),
    ]:
        assert client.get(url).status_code == 403, url


def test_dashboard_url_name_is_the_contract():
    assert reverse("reports:dashboard") == DASHBOARD


def test_city_coordinator_sees_every_district(client, coordinator, district, other_district):
    client.force_login(coordinator)
    response = client.get(DASHBOARD, {"period": "2026-10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "高昌区" in body and "鄯善县" in body


def test_district_coordinator_sees_only_their_district(
    client, district_coordinator, district, other_district
):
    client.force_login(district_coordinator)
    response = client.get(DASHBOARD, {"period": "2026-10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "高昌区" in body
    assert "鄯善县" not in body


def test_district_coordinator_asking_for_another_district_gets_403(
    client, district_coordinator, other_district
):
    client.force_login(district_coordinator)
    assert client.get(DASHBOARD, {"district": other_district.code}).status_code == 403
    assert client.get(DASHBOARD, {"district": "city"}).status_code == 403


def test_unknown_district_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(DASHBOARD, {"district": "nowhere"}).status_code == 404


def test_malformed_month_is_400_with_a_message(client, coordinator):
    client.force_login(coordinator)
    response = client.get(DASHBOARD, {"period": "2026-13"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_leading_group_sees_the_city_dashboard(client, leader, district, other_district):
    client.force_login(leader)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "鄯善县" in response.content.decode()


def test_staff_without_two_factor_is_sent_to_set_it_up(client, db):
    client.force_login(make_user(roles.COORDINATOR, two_factor=False))
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]


def test_audit_log_is_for_administrators_only(client, coordinator, leader, administrator):
    for user in (coordinator, leader):
        client.force_login(user)
        assert client.get(reverse("reports:audit_log")).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse("reports:audit_log")).status_code == 200


def test_export_of_an_unknown_table_or_format_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/reports/export/talent_pool/nothing.csv").status_code == 404
    assert client.get("/reports/export/nothing/trainees_by_district.csv").status_code == 404
    assert client.get("/reports/export/talent_pool/trainees_by_district.pdf").status_code == 404


def test_leader_sees_read_only_pages_without_entry_forms(client, leader):
    client.force_login(leader)
    coverage = client.get(reverse("reports:coverage"))
    archive = client.get(reverse("reports:monthly_list"))
    assert coverage.status_code == archive.status_code == 200
    assert coverage.context["register_form"] is None and archive.context["form"] is None
    assert 'name="register-children"' not in coverage.content.decode()


def test_leading_group_finds_the_dashboard_from_home_and_nav(client, leader):
    client.force_login(leader)
    page = client.get("/dashboard/").content.decode()
    assert page.count(f'href="{reverse("reports:dashboard")}"') >= 2  # nav link and destination
