"""Pages and API endpoints use a fixed number of queries whatever the data volume."""

import pytest

from accounts import roles
from tests.factories import make_user

from .conftest import at


def _add_trainees(district, count, month):
    for _ in range(count):
        make_user(roles.TRAINEE, district=district, date_joined=at(2026, month, 5))


@pytest.mark.parametrize("count", [2, 20])
def test_dashboard_query_count_does_not_grow_with_data(
    client, coordinator, district, other_district, django_assert_max_num_queries, count
):
    _add_trainees(district, count, 10)
    _add_trainees(other_district, count, 4)
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get("/reports/", {"period": "2026-10"}).status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_summary_api_query_count_does_not_grow_with_data(
    api_client, coordinator, district, django_assert_max_num_queries, count
):
    _add_trainees(district, count, 10)
    api_client.as_user(coordinator)
    with django_assert_max_num_queries(10):
        assert api_client.get("/api/v1/reports/summary", {"period": "2026-10"}).status_code == 200


def test_audit_log_page_query_count_is_fixed(client, administrator, django_assert_max_num_queries):
    from audit.services import record

    for index in range(60):
        record("demo.action", actor=administrator, changes={"n": index})
    client.force_login(administrator)
    with django_assert_max_num_queries(12):
        assert client.get("/reports/audit/").status_code == 200
