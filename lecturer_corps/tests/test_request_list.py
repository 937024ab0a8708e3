"""The coordinators' request list, on the page and in the API: pages, filters kept
across pages, and a query count that does not grow with the month's requests."""

import datetime
import re

import pytest
from django.urls import reverse

from accounts import roles
from lecturer_corps.models import RequestStatus, SessionStatus
from lecturer_corps.tests.factories import make_request, make_session, next_weekday
from lecturer_corps.views import REQUEST_LIST_PAGE_SIZE
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Session, user, roles, two-factor check; count, one page, its sessions and lecturers;
# the page's sessions, their certificates and recognised qualifications from elsewhere
# (dispatch's, through lecturer_corps.eligibility); reports waiting.
LIST_QUERIES = 12


def _month_of_requests(venue, count, *, day=None, status=None):
    """``count`` requests on one day, in order of start time; every third has a live
    session of a lecturer of its own (who holds no certificate)."""
    day = day or next_weekday()
    made = []
    for i in range(count):
        start = datetime.datetime.combine(day, datetime.time(6)) + datetime.timedelta(minutes=7 * i)
        end = start + datetime.timedelta(hours=2)
        fields = {"status": status} if status else {}
        service_request = make_request(
            venue=venue, date=day, start=start.time(), end=end.time(), **fields
        )
        if i % 3 == 0:
            make_session(service_request, make_user(roles.LECTURER), status=SessionStatus.PROPOSED)
        made.append(service_request)
    return made


def _rows(response) -> list[str]:
    return re.findall(r'data-testid="request-(\d+)"', response.content.decode())


def _page_links(response) -> list[str]:
    return re.findall(r'<a href="\?([^"]*)" rel="(?:prev|next)"', response.content.decode())


def test_a_month_longer_than_a_page_is_split_into_pages(client, coordinator, venue):
    made = _month_of_requests(venue, REQUEST_LIST_PAGE_SIZE + 7)
    month = made[0].date.strftime("%Y-%m")
    client.force_login(coordinator)
    url = reverse("lecturer_corps:request_list")

    first = client.get(url, {"month": month})
    second = client.get(url, {"month": month, "page": 2})

    assert len(_rows(first)) == REQUEST_LIST_PAGE_SIZE
    assert len(_rows(second)) == 7
    assert set(_rows(first)) | set(_rows(second)) == {str(r.pk) for r in made}
    assert f"{REQUEST_LIST_PAGE_SIZE + 7} requests in {month}" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()


def test_a_page_past_the_end_shows_the_last_page_and_nonsense_the_first(client, coordinator, venue):
    made = _month_of_requests(venue, REQUEST_LIST_PAGE_SIZE + 2)
    month = made[0].date.strftime("%Y-%m")
    client.force_login(coordinator)
    url = reverse("lecturer_corps:request_list")

    assert len(_rows(client.get(url, {"month": month, "page": 99}))) == 2
    assert len(_rows(client.get(url, {"month": month, "page": "x"}))) == REQUEST_LIST_PAGE_SIZE


def test_the_page_links_keep_the_month_and_the_status(client, coordinator, venue):
    made = _month_of_requests(venue, REQUEST_LIST_PAGE_SIZE + 3, status=RequestStatus.CONFIRMED)
    other = make_request(
        venue=venue, date=made[0].date, start=datetime.time(20, 30), end=datetime.time(22, 30)
    )
    month = made[0].date.strftime("%Y-%m")
    client.force_login(coordinator)
    url = reverse("lecturer_corps:request_list")

    first = client.get(url, {"month": month, "status": "confirmed"})
    (next_link,) = _page_links(first)
    assert next_link == f"month={month}&amp;status=confirmed&amp;page=2"
    second = client.get(f"{url}?{next_link.replace('&amp;', '&')}")
    (previous_link,) = _page_links(second)
    assert previous_link == f"month={month}&amp;status=confirmed&amp;page=1"
    shown = set(_rows(first)) | set(_rows(second))
    assert shown == {str(r.pk) for r in made}
    assert str(other.pk) not in shown  # still "requested": filtered out on every page


def test_one_page_has_no_pager(client, coordinator, venue):
    made = _month_of_requests(venue, 3)
    client.force_login(coordinator)
    response = client.get(
        reverse("lecturer_corps:request_list"), {"month": made[0].date.strftime("%Y-%m")}
    )
    assert len(_rows(response)) == 3
    assert 'class="pager"' not in response.content.decode()


def test_the_request_list_costs_the_same_queries_for_a_full_month(
    client, coordinator, venue, django_assert_num_queries
):
    day = next_weekday()
    month = day.strftime("%Y-%m")
    url = reverse("lecturer_corps:request_list")
    _month_of_requests(venue, 4, day=day)
    client.force_login(coordinator)
    client.get(url, {"month": month})  # the session, permissions and site are cached after this
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url, {"month": month})

    _month_of_requests(venue, 2 * REQUEST_LIST_PAGE_SIZE, day=day)
    for page in (1, 2, 3):
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(url, {"month": month, "page": page})
        assert _rows(response)


def test_sessions_without_a_valid_certificate_are_flagged_on_their_page(client, coordinator, venue):
    made = _month_of_requests(venue, REQUEST_LIST_PAGE_SIZE + 1)
    # The last request (alone on page 2) gets a lecturer with no certificate.
    make_session(made[-1], make_user(roles.LECTURER), status=SessionStatus.ACCEPTED)
    client.force_login(coordinator)
    url = reverse("lecturer_corps:request_list")
    month = made[0].date.strftime("%Y-%m")

    second = client.get(url, {"month": month, "page": 2})
    first = client.get(url, {"month": month, "page": 1})

    assert _rows(second) == [str(made[-1].pk)]
    assert second.content.decode().count("no valid certificate on the date") == 1
    # Page 1: every third request has a lecturer without a certificate.
    assert first.content.decode().count("no valid certificate on the date") == len(
        range(0, REQUEST_LIST_PAGE_SIZE, 3)
    )


def test_a_district_coordinator_pages_through_their_district_only(
    client, district_coordinator, venue, other_venue
):
    mine = _month_of_requests(venue, REQUEST_LIST_PAGE_SIZE + 1)
    theirs = _month_of_requests(other_venue, 5, day=mine[0].date)
    client.force_login(district_coordinator)
    url = reverse("lecturer_corps:request_list")
    month = mine[0].date.strftime("%Y-%m")
    shown = set(_rows(client.get(url, {"month": month}))) | set(
        _rows(client.get(url, {"month": month, "page": 2}))
    )
    assert shown == {str(r.pk) for r in mine}
    assert not shown & {str(r.pk) for r in theirs}


def test_a_lecturer_cannot_open_the_request_list(client, lecturer):
    client.force_login(lecturer)
    assert client.get(reverse("lecturer_corps:request_list"), {"page": 2}).status_code == 403


# --- the API list -------------------------------------------------------------------


def test_the_api_list_pages_with_offset_and_limit(api_client, coordinator, venue):
    made = _month_of_requests(venue, 12)
    api_client.as_user(coordinator)
    first = api_client.get("/api/v1/service-requests", {"limit": 5}).json()
    rest = api_client.get("/api/v1/service-requests", {"limit": 5, "offset": 5}).json()
    last = api_client.get("/api/v1/service-requests", {"limit": 5, "offset": 10}).json()
    ids = [row["id"] for row in first + rest + last]
    assert [len(first), len(rest), len(last)] == [5, 5, 2]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r.pk for r in made}


def test_the_api_list_keeps_its_filters_on_every_page(api_client, coordinator, venue):
    confirmed = _month_of_requests(venue, 6, status=RequestStatus.CONFIRMED)
    _month_of_requests(venue, 4, day=confirmed[0].date + datetime.timedelta(days=1))
    api_client.as_user(coordinator)
    pages = [
        api_client.get(
            "/api/v1/service-requests", {"status": "confirmed", "limit": 4, "offset": offset}
        ).json()
        for offset in (0, 4)
    ]
    assert {row["id"] for page in pages for row in page} == {r.pk for r in confirmed}
    assert all(row["status"] == "confirmed" for page in pages for row in page)


def test_the_api_list_has_a_fixed_query_count(
    api_client, coordinator, venue, django_assert_num_queries
):
    _month_of_requests(venue, 3)
    api_client.as_user(coordinator)
    url = "/api/v1/service-requests"
    api_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        api_client.get(url, {"limit": 50})
    _month_of_requests(venue, 40, day=next_weekday() + datetime.timedelta(days=1))
    with django_assert_num_queries(len(few.captured_queries)):
        rows = api_client.get(url, {"limit": 50}).json()
    assert len(rows) == 43


def test_the_api_list_refuses_a_lecturer(api_client, lecturer):
    response = api_client.as_user(lecturer).get("/api/v1/service-requests", {"limit": 5})
    assert response.status_code == 403


def test_the_api_documents_its_paging(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/service-requests"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["offset"]["schema"]["default"] == 0
    assert parameters["limit"]["schema"]["default"] == 100
    assert "at most 500" in operation["description"]
