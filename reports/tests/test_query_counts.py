"""Pages and API endpoints use a fixed number of queries whatever the data volume."""

import datetime as dt

import pytest

from accounts import roles
from lecturer_corps.models import DeliveryReport, LecturerProfile, RequestStatus, SessionStatus
from lecturer_corps.tests.factories import give_certificate, make_request, make_session
from quizzes.models import Attempt, AttemptState
from quizzes.tests.factories import quiz as make_quiz
from tests.factories import VenueFactory, make_user

from .conftest import at

# The first load builds every figure (the cache is empty at the start of each test);
# later loads find them cached (reports.figure_cache): only the session, the user, their
# roles and two-factor state, and the districts of the filter form are read.
# (+2 each for the safeguarding group: counts by district and category, acknowledgement times;
# +3 for honest coverage: the target, the register, the yearly returns and the verified
# child counts by category instead of the base figure; +1 for corrective actions; +2 for
# publicity: the month's rule and the units with their counts.)
DASHBOARD_QUERIES = 36
SUMMARY_QUERIES = 34
DASHBOARD_CACHED_QUERIES = 6
SUMMARY_CACHED_QUERIES = 3


def _add_data(district, count):
    """``count`` of everything: trainees, lecturers, verified sessions, attempts, certificates."""
    venue = VenueFactory(district=district, capacity=500)
    exam = make_quiz(title=f"测验{count}")
    for index in range(count):
        trainee = make_user(roles.TRAINEE, district=district, date_joined=at(2026, 10, 5))
        give_certificate(trainee, "counsellor")
        Attempt.objects.create(
            quiz=exam,
            user=trainee,
            number=1,
            state=AttemptState.FINISHED,
            submitted_at=at(2026, 10, 6),
            grade=70,
            passed=True,
        )
        lecturer = make_user(roles.LECTURER, district=district)
        LecturerProfile.objects.create(user=lecturer, district=district, languages=["zh"])
        give_certificate(lecturer, "counsellor")
        service_request = make_request(venue=venue, date=dt.date(2026, 10, 10 + index % 10))
        service_request.status = RequestStatus.VERIFIED
        service_request.save(update_fields=["status"])
        session = make_session(service_request, lecturer, status=SessionStatus.VERIFIED)
        DeliveryReport.objects.create(
            session=session, filed_by=lecturer, actual_minutes=90, children_count=10 + index
        )


@pytest.mark.parametrize("count", [1, 6])
def test_dashboard_query_count_does_not_grow_with_data(
    client, coordinator, district, other_district, django_assert_max_num_queries, count
):
    _add_data(district, count)
    _add_data(other_district, count)
    client.force_login(coordinator)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get("/reports/", {"period": "2026-10"})
    assert response.status_code == 200
    assert f"{20 * count + sum(range(count)) * 2:,}" in response.content.decode()


@pytest.mark.parametrize("count", [1, 6])
def test_summary_api_query_count_does_not_grow_with_data(
    api_client, coordinator, district, django_assert_max_num_queries, count
):
    _add_data(district, count)
    api_client.as_user(coordinator)
    with django_assert_max_num_queries(SUMMARY_QUERIES):
        response = api_client.get("/api/v1/reports/summary", {"period": "2026-10"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_cached_dashboard_and_summary_query_counts_are_fixed(
    client, api_client, coordinator, district, other_district, django_assert_num_queries, count
):
    _add_data(district, count)
    _add_data(other_district, count)
    client.force_login(coordinator)
    api_client.as_user(coordinator)
    first = client.get("/reports/", {"period": "2026-10"})
    with django_assert_num_queries(DASHBOARD_CACHED_QUERIES):
        again = client.get("/reports/", {"period": "2026-10"})
    assert again.status_code == 200
    total = f"{20 * count + sum(range(count)) * 2:,}"
    assert total in first.content.decode() and total in again.content.decode()
    api_client.get("/api/v1/reports/summary", {"period": "2026-10"})
    with django_assert_num_queries(SUMMARY_CACHED_QUERIES):
        response = api_client.get("/api/v1/reports/summary", {"period": "2026-10"})
    assert response.status_code == 200


def test_audit_log_page_query_count_is_fixed(client, administrator, django_assert_max_num_queries):
    from audit.services import record

    for index in range(60):
        record("demo.action", actor=administrator, changes={"n": index})
    client.force_login(administrator)
    with django_assert_max_num_queries(12):
        assert client.get("/reports/audit/").status_code == 200
