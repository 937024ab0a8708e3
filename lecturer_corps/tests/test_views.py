"""The corps pages: who reaches them, what they show, and their query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lecturer_corps import services
from lecturer_corps.models import LecturerProfile, SessionStatus, availability_bit
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session, next_weekday

pytestmark = pytest.mark.django_db

COORDINATOR_PAGES = [
    ("lecturer_corps:request_list", []),
    ("lecturer_corps:request_create", []),
    ("lecturer_corps:auto_assign", []),
    ("lecturer_corps:calendar", []),
    ("lecturer_corps:report_queue", []),
    ("lecturer_corps:venue_import", []),
    ("lecturer_corps:lecturer_list", []),
]


@pytest.mark.parametrize(("name", "args"), COORDINATOR_PAGES)
def test_coordinator_pages_open_for_a_coordinator(client, coordinator, name, args):
    client.force_login(coordinator)
    assert client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize(("name", "args"), COORDINATOR_PAGES)
def test_coordinator_pages_refuse_a_lecturer(client, lecturer, name, args):
    client.force_login(lecturer)
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), COORDINATOR_PAGES)
def test_coordinator_pages_send_the_anonymous_to_log_in(client, name, args):
    assert client.get(reverse(name, args=args)).status_code == 302


def test_my_sessions_refuses_a_trainee(client, trainee):
    client.force_login(trainee)
    assert client.get(reverse("lecturer_corps:my_sessions")).status_code == 403


def test_my_sessions_shows_only_my_sessions(client, venue, django_assert_max_num_queries):
    mine, other = make_lecturer(), make_lecturer()
    proposal = make_session(make_request(venue=venue), mine.user, status=SessionStatus.PROPOSED)
    for week in range(3, 6):
        make_session(make_request(venue=venue, date=next_weekday(weeks_ahead=week)), mine.user)
    theirs = make_session(make_request(venue=venue, topic="child_02"), other.user)
    client.force_login(mine.user)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("lecturer_corps:my_sessions"))
    content = response.content.decode()
    assert f'data-testid="proposal-{proposal.pk}"' in content
    assert f"upcoming-{theirs.pk}" not in content
    assert len(response.context["upcoming"]) == 3


def test_a_lecturer_accepts_on_the_page(client, venue, coordinator):
    profile = make_lecturer()
    session = services.assign_lecturer(
        actor=coordinator, service_request=make_request(venue=venue), lecturer=profile.user
    )
    client.force_login(profile.user)
    response = client.post(
        reverse("lecturer_corps:session_respond", args=[session.pk]), {"answer": "accept"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED


def test_a_lecturer_cannot_answer_someone_elses_session_on_the_page(client, venue, lecturer):
    other = make_lecturer()
    session = make_session(make_request(venue=venue), other.user, status=SessionStatus.PROPOSED)
    client.force_login(lecturer)
    response = client.post(
        reverse("lecturer_corps:session_respond", args=[session.pk]), {"answer": "accept"}
    )
    assert response.status_code == 404


def test_the_profile_page_saves_topics_and_availability(client, lecturer, venue):
    client.force_login(lecturer)
    response = client.post(
        reverse("lecturer_corps:profile"),
        {
            "is_active": "on",
            "topics": ["child_01", "caregiver_03"],
            "languages": ["zh", "ug"],
            "township": venue.township_id,
            "monthly_cap": 5,
            "availability": ["1-0", "1-1", "5-0"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    profile = LecturerProfile.objects.get(user=lecturer)
    assert profile.topics == ["child_01", "caregiver_03"]
    assert profile.weekly_availability == (
        availability_bit(1, 0) | availability_bit(1, 1) | availability_bit(5, 0)
    )
    assert profile.district_id == venue.district_id
    assert float(profile.latitude) == pytest.approx(42.95)


def test_unavailable_dates_are_added_on_the_profile_page(client, lecturer):
    client.force_login(lecturer)
    day = next_weekday()
    client.post(
        reverse("lecturer_corps:unavailable_add"),
        {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "note": "体检"},
    )
    profile = LecturerProfile.objects.get(user=lecturer)
    assert profile.unavailable_periods.get().note == "体检"


def test_request_list_is_scoped_and_has_fixed_queries(
    client, district_coordinator, venue, other_venue, django_assert_max_num_queries
):
    mine = make_request(venue=venue)
    theirs = make_request(venue=other_venue)
    for _ in range(5):
        make_session(make_request(venue=venue), make_lecturer().user)
    client.force_login(district_coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(
            reverse("lecturer_corps:request_list"), {"month": mine.date.strftime("%Y-%m")}
        )
    content = response.content.decode()
    assert f"request-{mine.pk}" in content
    assert f"request-{theirs.pk}" not in content


def test_request_detail_of_another_district_is_not_found(client, district_coordinator, other_venue):
    client.force_login(district_coordinator)
    request = make_request(venue=other_venue)
    response = client.get(reverse("lecturer_corps:request_detail", args=[request.pk]))
    assert response.status_code == 404


def test_request_detail_shows_candidates_and_assigns(client, coordinator, venue):
    profile = make_lecturer()
    request = make_request(venue=venue)
    client.force_login(coordinator)
    page = client.get(reverse("lecturer_corps:request_detail", args=[request.pk]))
    assert f'data-testid="candidate-{profile.user_id}"' in page.content.decode()
    client.post(
        reverse("lecturer_corps:request_assign", args=[request.pk]), {"lecturer": profile.user_id}
    )
    assert request.sessions.get().lecturer == profile.user


def test_creating_a_request_on_the_page(client, district_coordinator, venue):
    client.force_login(district_coordinator)
    response = client.post(
        reverse("lecturer_corps:request_create"),
        {
            "venue": venue.pk,
            "topic": "child_03",
            "audience": "children",
            "age_band": "12-17",
            "expected_size": 30,
            "language": "zh",
            "date": next_weekday().isoformat(),
            "start_time": "09:30",
            "end_time": "11:30",
            "class_hours": 2,
            "lecturers_needed": 1,
            "repeat_weekly": 1,
        },
    )
    assert response.status_code == 302
    assert venue.service_requests.get().topic == "child_03"


def test_the_request_form_offers_only_venues_in_scope(
    client, district_coordinator, venue, other_venue
):
    client.force_login(district_coordinator)
    form = client.get(reverse("lecturer_corps:request_create")).context["form"]
    assert list(form.fields["venue"].queryset) == [venue]


def test_auto_assign_shows_a_plan_then_confirms(client, coordinator, venue):
    profile = make_lecturer()
    day = next_weekday()
    request = make_request(venue=venue, date=day)
    client.force_login(coordinator)
    preview = client.post(
        reverse("lecturer_corps:auto_assign"),
        {"step": "preview", "first_day": day.isoformat(), "last_day": day.isoformat()},
    )
    plan = preview.context["plan"]
    assert [item.user_id for item in plan.items] == [profile.user_id]
    assert 'data-testid="plan-costs"' in preview.content.decode()
    assert not request.sessions.exists()
    client.post(
        reverse("lecturer_corps:auto_assign"),
        {"step": "confirm", "item": [f"{request.pk}:{profile.user_id}"]},
    )
    assert request.sessions.get().lecturer == profile.user


def test_the_calendar_groups_sessions_by_district(client, coordinator, venue, other_venue):
    day = next_weekday()
    make_session(make_request(venue=venue, date=day), make_lecturer().user)
    make_session(make_request(venue=other_venue, date=day), make_lecturer().user)
    client.force_login(coordinator)
    response = client.get(reverse("lecturer_corps:calendar"), {"month": day.strftime("%Y-%m")})
    row = response.context["days"][0]
    assert row["date"] == day
    assert [len(column) for column in row["columns"]] == [1, 1]


def _filed_report(venue):
    from lecturer_corps import delivery

    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = make_session(make_request(venue=venue, date=yesterday), profile.user)
    return delivery.file_delivery_report(
        actor=profile.user,
        session=session,
        child_counts={("left_behind", "6-11"): 4, ("other", "6-11"): 6},
        teachers_count=1,
        actual_minutes=90,
    )


def test_a_coordinator_verifies_on_the_page(client, coordinator, venue):
    report = _filed_report(venue)
    session = report.session
    client.force_login(coordinator)
    queue = client.get(reverse("lecturer_corps:report_queue"))
    assert f"report-{report.pk}" in queue.content.decode()
    detail = client.get(reverse("lecturer_corps:report_detail", args=[report.pk])).content.decode()
    assert "Left-behind children" in detail and "sign-in" not in detail.lower()
    client.post(reverse("lecturer_corps:report_verify", args=[report.pk]))
    session.refresh_from_db()
    assert session.status == SessionStatus.VERIFIED


def test_notifications_page_lists_mine(client, venue, coordinator):
    profile = make_lecturer()
    services.assign_lecturer(
        actor=coordinator, service_request=make_request(venue=venue), lecturer=profile.user
    )
    client.force_login(profile.user)
    response = client.get(reverse("lecturer_corps:notifications"))
    assert response.context["items"][0]["title"] == "New assignment: 我是有能力的小公民"
