"""The lecturer corps API: contract paths, scope, refusals, query counts."""

import datetime

import pytest
from django.utils import timezone

from lecturer_corps.models import RequestStatus, ServiceRequest, SessionStatus
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session, next_weekday
from places.models import Venue

pytestmark = pytest.mark.django_db


def _json(client, method, path, data=None):
    return getattr(client, method)(path, data=data, content_type="application/json")


def test_lecturers_lists_profiles_in_scope(api_client, district_coordinator, other_district):
    mine = make_lecturer(district=district_coordinator.coordinator_district)
    make_lecturer(district=other_district)
    response = api_client.as_user(district_coordinator).get("/api/v1/lecturers")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [mine.user_id]


def test_lecturers_is_refused_to_a_trainee(api_client, trainee):
    response = api_client.as_user(trainee).get("/api/v1/lecturers")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_lecturers_needs_authentication(client):
    assert client.get("/api/v1/lecturers").status_code == 401


def test_venues_get_and_post(api_client, district_coordinator, venue, other_venue):
    client = api_client.as_user(district_coordinator)
    assert [v["id"] for v in client.get("/api/v1/venues").json()] == [venue.pk]
    created = _json(
        client,
        "post",
        "/api/v1/venues",
        {
            "name": "葡萄镇新社区",
            "venue_type": "community",
            "district_id": venue.district_id,
            "township_id": venue.township_id,
            "capacity": 40,
        },
    )
    assert created.status_code == 201
    assert created.json()["latitude"] == pytest.approx(42.95)


def test_a_venue_outside_the_scope_cannot_be_created(api_client, district_coordinator, other_venue):
    response = _json(
        api_client.as_user(district_coordinator),
        "post",
        "/api/v1/venues",
        {"name": "外区学校", "venue_type": "school", "district_id": other_venue.district_id},
    )
    assert response.status_code == 403
    assert not Venue.objects.filter(name="外区学校").exists()


def test_a_venue_whose_township_is_in_another_district_is_refused(
    api_client, coordinator, venue, other_venue
):
    assert other_venue.township_id and other_venue.district_id != venue.district_id
    response = _json(
        api_client.as_user(coordinator),
        "post",
        "/api/v1/venues",
        {
            "name": "错配乡镇的场所",
            "venue_type": "community",
            "district_id": venue.district_id,
            "township_id": other_venue.township_id,
        },
    )
    assert response.status_code == 400
    assert "township" in response.json()["errors"]
    assert not Venue.objects.filter(name="错配乡镇的场所").exists()


def test_a_venue_with_a_bad_type_is_refused(api_client, coordinator, venue):
    response = _json(
        api_client.as_user(coordinator),
        "post",
        "/api/v1/venues",
        {"name": "X", "venue_type": "castle", "district_id": venue.district_id},
    )
    assert response.status_code == 422


def test_service_requests_post_and_get(api_client, district_coordinator, venue):
    client = api_client.as_user(district_coordinator)
    day = next_weekday()
    response = _json(
        client,
        "post",
        "/api/v1/service-requests",
        {
            "venue_id": venue.pk,
            "topic": "caregiver_02",
            "audience": "caregivers",
            "expected_size": 25,
            "language": "ug",
            "date": day.isoformat(),
            "start_time": "15:00",
            "end_time": "17:00",
            "repeat_weekly": 3,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body) == 3 and body[0]["status"] == "requested"
    assert len({row["series"] for row in body}) == 1
    listed = client.get("/api/v1/service-requests", {"date_from": day.isoformat()}).json()
    assert [row["id"] for row in listed] == [row["id"] for row in body]


def test_service_request_post_with_bad_input_is_a_400(api_client, coordinator, venue):
    response = _json(
        api_client.as_user(coordinator),
        "post",
        "/api/v1/service-requests",
        {
            "venue_id": venue.pk,
            "topic": "child_01",
            "audience": "children",
            "age_band": "6-11",
            "expected_size": 500,
            "language": "zh",
            "date": next_weekday().isoformat(),
            "start_time": "09:00",
            "end_time": "11:00",
        },
    )
    assert response.status_code == 400
    assert "holds 60 people" in response.json()["detail"]


def test_service_request_in_another_district_is_not_found(
    api_client, district_coordinator, other_venue
):
    request = make_request(venue=other_venue)
    client = api_client.as_user(district_coordinator)
    assert client.get(f"/api/v1/service-requests/{request.pk}/candidates").status_code == 404
    response = _json(
        client, "post", f"/api/v1/service-requests/{request.pk}/assign", {"lecturer_id": 1}
    )
    assert response.status_code == 404


def test_candidates_and_assign(api_client, coordinator, venue, django_assert_max_num_queries):
    near = make_lecturer()
    refused = make_lecturer(languages=["zh"])
    request = make_request(venue=venue, language="ug")
    make_lecturer(languages=["ug"], latitude=42.99, longitude=89.30)
    client = api_client.as_user(coordinator)
    with django_assert_max_num_queries(25):
        body = client.get(f"/api/v1/service-requests/{request.pk}/candidates").json()
    assert body["candidates"][0]["lecturer_id"] == near.user_id
    assert body["candidates"][0]["reasons"][0]["code"] == "certificate"
    assert body["excluded_count"] == 1
    assert body["exclusions"][0]["lecturer_id"] == refused.user_id
    assert body["exclusions"][0]["reasons"][0]["code"] == "language"
    response = _json(
        client,
        "post",
        f"/api/v1/service-requests/{request.pk}/assign",
        {"lecturer_id": near.user_id},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "proposed"


def test_assigning_a_refused_lecturer_is_a_400_with_the_reason(api_client, coordinator, venue):
    refused = make_lecturer(languages=["zh"])
    request = make_request(venue=venue, language="ug")
    api_client.cookies["django_language"] = "en"
    response = _json(
        api_client.as_user(coordinator),
        "post",
        f"/api/v1/service-requests/{request.pk}/assign",
        {"lecturer_id": refused.user_id},
    )
    assert response.status_code == 400
    assert "does not speak Uyghur" in response.json()["detail"]


def test_auto_assign_previews_then_applies(api_client, coordinator, venue):
    first, second = make_lecturer(), make_lecturer(latitude=42.99, longitude=89.30)
    day = next_weekday()
    make_request(venue=venue, date=day)
    make_request(venue=venue, date=day, start=datetime.time(10, 0), end=datetime.time(12, 0))
    client = api_client.as_user(coordinator)
    period = {"first_day": day.isoformat(), "last_day": day.isoformat()}
    plan = _json(client, "post", "/api/v1/service-requests/auto-assign", period).json()
    assert plan["applied"] is False
    assert plan["proven_optimal"] is True
    assert plan["total_cost"] <= plan["greedy_cost"]
    assert {item["lecturer_id"] for item in plan["items"]} == {first.user_id, second.user_id}
    items = [
        {"request_id": i["request_id"], "lecturer_id": i["lecturer_id"]} for i in plan["items"]
    ]
    applied = _json(
        client, "post", "/api/v1/service-requests/auto-assign", {**period, "items": items}
    ).json()
    assert applied["applied"] is True and applied["proposed"] == 2
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {RequestStatus.PROPOSED}


def test_accept_and_decline(api_client, venue):
    profile = make_lecturer()
    a = make_session(make_request(venue=venue), profile.user, status=SessionStatus.PROPOSED)
    b = make_session(
        make_request(venue=venue, topic="child_02", date=next_weekday(3)),
        profile.user,
        status=SessionStatus.PROPOSED,
    )
    client = api_client.as_user(profile.user)
    assert client.post(f"/api/v1/sessions/{a.pk}/accept").json()["status"] == "confirmed"
    assert _json(client, "post", f"/api/v1/sessions/{b.pk}/decline", {}).status_code == 422
    response = _json(client, "post", f"/api/v1/sessions/{b.pk}/decline", {"reason": "出差"})
    assert response.json()["status"] == "declined"


def test_a_lecturer_cannot_answer_another_lecturers_session(api_client, venue, lecturer):
    profile = make_lecturer()
    session = make_session(make_request(venue=venue), profile.user, status=SessionStatus.PROPOSED)
    assert (
        api_client.as_user(lecturer).post(f"/api/v1/sessions/{session.pk}/accept").status_code
        == 404
    )


def test_delivery_report_counts_children_by_group_and_age_band(api_client, venue):
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = make_session(make_request(venue=venue, date=yesterday), profile.user)
    response = _json(
        api_client.as_user(profile.user),
        "post",
        f"/api/v1/sessions/{session.pk}/delivery-report",
        {
            "children": [
                {"group": "orphan", "age_band": "6-11", "count": 5},
                {"group": "other", "age_band": "12-17", "count": 15},
            ],
            "teachers_count": 2,
            "actual_minutes": 100,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person_times"] == 22
    assert body["children_count"] == 20
    assert body["children_in_difficulty_count"] == 5
    assert body["state"] == "filed" and body["verified"] is False


def test_delivery_report_refuses_a_cell_given_twice_and_unknown_bands(api_client, venue):
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = make_session(make_request(venue=venue, date=yesterday), profile.user)
    client = api_client.as_user(profile.user)
    url = f"/api/v1/sessions/{session.pk}/delivery-report"
    twice = [{"group": "orphan", "age_band": "6-11", "count": 1}] * 2
    response = _json(client, "post", url, {"children": twice, "actual_minutes": 90})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    old_band = [{"group": "orphan", "age_band": "7-10", "count": 1}]
    response = _json(client, "post", url, {"children": old_band, "actual_minutes": 90})
    assert response.status_code == 422


def test_delivery_report_over_capacity_is_a_400(api_client, venue):
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = make_session(make_request(venue=venue, date=yesterday), profile.user)
    response = _json(
        api_client.as_user(profile.user),
        "post",
        f"/api/v1/sessions/{session.pk}/delivery-report",
        {"children": [{"group": "other", "age_band": "6-11", "count": 200}], "actual_minutes": 100},
    )
    assert response.status_code == 400
    assert "holds at most 60" in response.json()["detail"]


def test_service_request_for_a_venue_outside_the_scope_is_a_400(
    api_client, district_coordinator, other_venue
):
    """A bad reference in the body is invalid input, as in the practicum API (found by fuzzing)."""
    response = _json(
        api_client.as_user(district_coordinator),
        "post",
        "/api/v1/service-requests",
        {
            "venue_id": other_venue.pk,
            "topic": "child_01",
            "audience": "children",
            "expected_size": 20,
            "language": "zh",
            "date": next_weekday().isoformat(),
            "start_time": "09:00",
            "end_time": "11:00",
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {"venue_id": [other_venue.pk]}
    assert not ServiceRequest.objects.exists()


def test_service_request_times_with_an_offset_are_refused(api_client, coordinator, venue):
    """Times are local wall-clock times; "09:00Z" is refused rather than reinterpreted."""
    response = _json(
        api_client.as_user(coordinator),
        "post",
        "/api/v1/service-requests",
        {
            "venue_id": venue.pk,
            "topic": "child_01",
            "audience": "children",
            "expected_size": 20,
            "language": "zh",
            "date": next_weekday().isoformat(),
            "start_time": "09:00Z",
            "end_time": "11:00+08:00",
        },
    )
    assert response.status_code == 422
    assert not ServiceRequest.objects.exists()


def test_a_venue_with_an_unknown_township_is_a_400(api_client, administrator, venue):
    """Found by fuzzing: the township's position was read before validation (a 500)."""
    response = _json(
        api_client.as_user(administrator),
        "post",
        "/api/v1/venues",
        {
            "name": "X",
            "venue_type": "school",
            "district_id": venue.district_id,
            "township_id": 987654,
        },
    )
    assert response.status_code == 400
    assert "township" in response.json()["errors"]
    assert not Venue.objects.filter(name="X").exists()


def test_a_negative_township_id_is_refused_by_the_schema(api_client, administrator, venue):
    response = _json(
        api_client.as_user(administrator),
        "post",
        "/api/v1/venues",
        {"name": "X", "venue_type": "school", "district_id": venue.district_id, "township_id": -5},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert not Venue.objects.filter(name="X").exists()


def test_a_service_request_beyond_the_planning_horizon_is_refused(
    api_client, coordinator, venue, settings
):
    """Found by hostile input: 9999-12-31 was accepted (and a weekly series overflowed)."""
    last = timezone.localdate() + datetime.timedelta(days=settings.PLANNING_HORIZON_DAYS)
    body = {
        "venue_id": venue.pk,
        "topic": "caregiver_02",
        "audience": "caregivers",
        "expected_size": 25,
        "language": "ug",
        "start_time": "15:00",
        "end_time": "17:00",
    }
    client = api_client.as_user(coordinator)
    for day in ["9999-12-31", (last + datetime.timedelta(days=1)).isoformat()]:
        response = _json(client, "post", "/api/v1/service-requests", {**body, "date": day})
        assert response.status_code == 400, response.json()
        assert "date" in response.json()["errors"]
    series_end_too_far = {**body, "date": last.isoformat(), "repeat_weekly": 2}
    assert _json(client, "post", "/api/v1/service-requests", series_end_too_far).status_code == 400
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("query", ["offset=9223372036854775808", "limit=501", "limit=0"])
def test_paging_out_of_range_is_a_422(api_client, coordinator, query):
    response = api_client.as_user(coordinator).get(f"/api/v1/service-requests?{query}")
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def test_a_decline_reason_with_a_nul_is_refused(api_client, lecturer, venue):
    session = make_session(make_request(venue=venue), lecturer, status=SessionStatus.PROPOSED)
    response = _json(
        api_client.as_user(lecturer),
        "post",
        f"/api/v1/sessions/{session.pk}/decline",
        {"reason": "生病\x00"},
    )
    assert response.status_code == 422
    assert "U+0000" in response.json()["detail"]
    session.refresh_from_db()
    assert session.status == SessionStatus.PROPOSED
