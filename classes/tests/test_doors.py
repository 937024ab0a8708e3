"""The pages and the API: each role reaches what it may and is refused the rest; the
roster's queries are pinned whatever the class's size."""

import datetime

import pytest
from django.urls import reverse

from classes import services
from classes.models import Booking
from classes.tests.factories import CLASS_START, learners, make_class
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(clock, district, trainee, lecturer):
    """A class in the district, trained by ``lecturer``, with ``trainee`` booked."""
    training_class = make_class(trainer=lecturer, district=district, capacity=3)
    services.sign_up(actor=trainee, training_class=training_class)
    return training_class


def page(client, user, name, *args, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(reverse(f"classes:{name}", args=args), data or {})


def test_a_trainee_signs_up_and_cancels_with_confirmation_through_the_pages(
    client, scene, other_trainee
):
    training_class = scene
    response = page(client, other_trainee, "list")
    assert response.status_code == 200 and training_class.title in response.content.decode()
    response = page(client, other_trainee, "sign_up", training_class.pk, method="post")
    assert response.status_code == 302
    booking = Booking.objects.get(training_class=training_class, user=other_trainee)
    assert booking.status == "booked"
    confirm = page(client, other_trainee, "cancel_booking", training_class.pk)
    assert confirm.status_code == 200
    booking.refresh_from_db()
    assert booking.status == "booked"  # looking at the confirmation changes nothing
    page(client, other_trainee, "cancel_booking", training_class.pk, method="post")
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_trainers_see_only_their_classes(client, scene, district):
    training_class = scene
    other_trainer = make_user("lecturer", username="other_trainer")
    theirs = make_class(trainer=other_trainer, district=district)
    response = page(client, other_trainer, "my_classes")
    assert theirs.title in response.content.decode()
    assert training_class.title not in response.content.decode()
    for name in ("roster", "show_code"):
        assert page(client, other_trainer, name, training_class.pk).status_code == 404
    booking = Booking.objects.get(training_class=training_class)
    response = page(
        client,
        other_trainer,
        "mark",
        training_class.pk,
        booking.pk,
        method="post",
        data={"attended": "1"},
    )
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.attended_at is None


def test_a_trainee_cannot_reach_the_roster_the_code_or_the_managers_pages(client, scene, trainee):
    training_class = scene
    for name in ("roster", "show_code", "code_json"):
        assert page(client, trainee, name, training_class.pk).status_code == 404
    for name, args in (("manage", ()), ("create", ()), ("edit", (training_class.pk,))):
        assert page(client, trainee, name, *args).status_code == 403


def test_a_coordinator_of_another_district_is_refused(client, scene, other_district_coordinator):
    training_class = scene
    assert page(client, other_district_coordinator, "roster", training_class.pk).status_code == 404
    assert page(client, other_district_coordinator, "edit", training_class.pk).status_code == 404
    response = page(
        client,
        other_district_coordinator,
        "cancel",
        training_class.pk,
        method="post",
        data={"reason": "取消"},
    )
    assert response.status_code == 404
    training_class.refresh_from_db()
    assert training_class.status == "scheduled"


def test_the_trainer_marks_and_shows_the_code_through_the_pages(client, scene, clock, trainee):
    training_class = scene
    clock.move_to(CLASS_START + datetime.timedelta(minutes=1))
    booking = Booking.objects.get(training_class=training_class, user=trainee)
    response = page(
        client,
        training_class.trainer,
        "mark",
        training_class.pk,
        booking.pk,
        method="post",
        data={"attended": "1"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.check_in_method == "trainer"
    response = page(client, training_class.trainer, "show_code", training_class.pk)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "classes-check-in.js" in body and "<script>" not in body
    data = page(client, training_class.trainer, "code_json", training_class.pk).json()
    assert data["token"] and data["svg"].startswith("<svg")


def test_the_check_in_page_checks_in_on_post_only(client, scene, clock, trainee):
    training_class = scene
    clock.move_to(CLASS_START + datetime.timedelta(minutes=1))
    code = services.check_in_code(actor=training_class.trainer, training_class=training_class).token
    client.force_login(trainee)
    url = reverse("classes:check_in", args=[training_class.pk])
    assert client.get(url, {"code": code}).status_code == 200
    booking = Booking.objects.get(training_class=training_class, user=trainee)
    assert booking.attended_at is None
    assert client.post(url, {"code": code}).status_code == 302
    booking.refresh_from_db()
    assert booking.check_in_method == "qr"
    clock.shift(60)
    other = learners(1)[0]
    client.force_login(other)
    response = client.post(url, {"code": code})
    assert response.status_code in (400, 404)


def test_the_roster_runs_a_fixed_number_of_queries(
    client, clock, district, lecturer, django_assert_max_num_queries
):
    training_class = make_class(trainer=lecturer, district=district, capacity=40)
    for person in learners(30):
        services.sign_up(actor=person, training_class=training_class)
    for person in learners(10, prefix="waiting"):
        services.sign_up(actor=person, training_class=training_class)
    client.force_login(lecturer)
    url = reverse("classes:roster", args=[training_class.pk])
    client.get(url)  # warm the session and the user's role cache
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 41  # header + 40 people


def test_the_lists_run_a_fixed_number_of_queries(
    client, clock, trainee, django_assert_max_num_queries
):
    for _ in range(15):
        training_class = make_class(capacity=5)
        services.sign_up(actor=trainee, training_class=training_class)
    client.force_login(trainee)
    url = reverse("classes:list")
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


# --- the API ----------------------------------------------------------------------------------


def test_the_api_signs_up_checks_in_and_refuses_with_codes(api_client, scene, clock, other_trainee):
    training_class = scene
    client = api_client.as_user(other_trainee)
    response = client.post(f"/api/v1/classes/{training_class.pk}/sign-up")
    assert response.status_code == 201 and response.json()["status"] == "booked"
    clock.move_to(CLASS_START + datetime.timedelta(minutes=1))
    response = client.post(
        f"/api/v1/classes/{training_class.pk}/check-in",
        {"code": "forged:code:x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    code = services.check_in_code(actor=training_class.trainer, training_class=training_class).token
    response = client.post(
        f"/api/v1/classes/{training_class.pk}/check-in",
        {"code": code},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["attended"] is True


def test_the_api_refuses_the_roster_and_marking_to_others(
    api_client, scene, clock, trainee, other_district_coordinator
):
    training_class = scene
    booking = Booking.objects.get(training_class=training_class, user=trainee)
    for user in (trainee, other_district_coordinator):
        client = api_client.as_user(user)
        assert client.get(f"/api/v1/classes/{training_class.pk}/roster").status_code == 404
        response = client.post(
            f"/api/v1/classes/{training_class.pk}/attendance",
            {"booking_id": booking.pk, "attended": True},
            content_type="application/json",
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    response = api_client.as_user(trainee).post(
        f"/api/v1/classes/{training_class.pk}/cancel",
        {"reason": "不来了"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = api_client.as_user(trainee).post(
        "/api/v1/classes", {}, content_type="application/json"
    )
    assert response.status_code in (403, 422)


def test_the_api_schedules_a_class_for_a_coordinator(
    api_client, clock, district, district_coordinator, lecturer
):
    client = api_client.as_user(district_coordinator)
    body = {
        "title": "家庭教育指导面授",
        "district_id": district.pk,
        "address": "高昌区培训中心",
        "starts_at": "2027-03-05T09:00:00+08:00",
        "ends_at": "2027-03-05T12:00:00+08:00",
        "trainer_id": lecturer.pk,
        "capacity": 30,
        "hours": "3",
    }
    response = client.post("/api/v1/classes", body, content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/v1/classes", {**body, "district_id": None}, content_type="application/json"
    )
    assert response.status_code == 403  # a city-wide class is not theirs to schedule
