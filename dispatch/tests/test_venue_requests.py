"""Demand from the venues: a venue contact asks, a coordinator triages (accept into
planning, ask for changes, decline with a reason); each refusal through the service,
the pages and the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from dispatch import services
from dispatch.models import PlannedRequest, RequestSource, VenueRequest, VenueRequestStatus
from dispatch.tests.factories import make_venue_request, request_fields, weekday_after
from lecturer_corps.models import Notification, ServiceRequest

pytestmark = pytest.mark.django_db


# --- the service: states ----------------------------------------------------------------------


def test_a_contact_submits_for_their_own_venue_and_the_coordinators_hear(
    contact_user, venue, district_coordinator
):
    vr = services.submit_venue_request(actor=contact_user, **request_fields())
    assert (vr.venue, vr.status, vr.submitted_by) == (venue, "submitted", contact_user)
    assert vr.contact.user == contact_user
    assert AuditLog.objects.filter(action="dispatch.venue_request.submit", actor=contact_user)
    assert Notification.objects.filter(
        user=district_coordinator, kind="dispatch_venue_request_submitted"
    ).exists()


def test_accepting_makes_one_service_request_per_date_planned_from_the_venue(
    contact_user, venue, district_coordinator
):
    days = [weekday_after(3, 1), weekday_after(3, 3)]  # a Tuesday and a Thursday
    vr = services.submit_venue_request(
        actor=contact_user, **request_fields(dates=days, monthly=True)
    )
    created = services.accept_venue_request(
        actor=district_coordinator, venue_request=vr, lecturers_needed=2
    )
    assert sorted(r.date for r in created) == sorted(days)
    assert all(r.status == "requested" and r.lecturers_needed == 2 for r in created)
    assert all(r.created_by == district_coordinator and r.series is None for r in created)
    plans = PlannedRequest.objects.filter(venue_request=vr)
    assert {p.source for p in plans} == {RequestSource.VENUE} and all(p.recurring for p in plans)
    vr.refresh_from_db()
    assert (vr.status, vr.decided_by) == ("accepted", district_coordinator)
    assert Notification.objects.filter(
        user=contact_user, kind="dispatch_venue_request_accepted"
    ).exists()


def test_weekly_dates_become_one_series(contact_user, district_coordinator):
    days = [weekday_after(3), weekday_after(4), weekday_after(5)]
    vr = services.submit_venue_request(actor=contact_user, **request_fields(dates=days))
    created = services.accept_venue_request(actor=district_coordinator, venue_request=vr)
    assert len({r.series for r in created}) == 1 and created[0].series is not None
    assert [r.series_index for r in created] == [1, 2, 3]


def test_changes_asked_then_resubmitted_then_declined(contact_user, district_coordinator):
    vr = services.submit_venue_request(actor=contact_user, **request_fields())
    services.ask_for_changes(actor=district_coordinator, venue_request=vr, message="请改到下午")
    vr.refresh_from_db()
    assert (vr.status, vr.coordinator_message) == ("changes_requested", "请改到下午")
    note = Notification.objects.get(user=contact_user, kind="dispatch_venue_request_changes")
    assert note.params["message"] == "请改到下午"

    changed = services.update_venue_request(
        actor=contact_user,
        venue_request=vr,
        **request_fields(start_time=datetime.time(14, 0), end_time=datetime.time(16, 0)),
    )
    assert (changed.status, changed.revision, changed.start_time) == (
        "submitted",
        2,
        datetime.time(14, 0),
    )

    services.decline_venue_request(
        actor=district_coordinator, venue_request=vr, reason="本月讲师已满"
    )
    vr.refresh_from_db()
    assert (vr.status, vr.coordinator_message) == ("declined", "本月讲师已满")
    assert not ServiceRequest.objects.exists()
    codes = list(
        AuditLog.objects.filter(action__startswith="dispatch.venue_request").values_list(
            "action", flat=True
        )
    )
    assert sorted(codes) == sorted(
        [
            "dispatch.venue_request.submit",
            "dispatch.venue_request.ask_changes",
            "dispatch.venue_request.resubmit",
            "dispatch.venue_request.decline",
        ]
    )


def test_a_contact_withdraws_an_open_request(contact_user):
    vr = services.submit_venue_request(actor=contact_user, **request_fields())
    services.withdraw_venue_request(actor=contact_user, venue_request=vr)
    vr.refresh_from_db()
    assert vr.status == "withdrawn"


# --- the service: refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"dates": []}, "dates"),
        ({"dates": [timezone.localdate() - datetime.timedelta(days=1)]}, "dates"),
        ({"dates": [weekday_after(3)] * 2}, "dates"),
        ({"dates": [weekday_after(3 + n) for n in range(7)]}, "dates"),
        ({"dates": [timezone.localdate() + datetime.timedelta(days=5000)]}, "dates"),
        ({"topic": "child_99"}, "topic"),
        ({"audience": "caregivers"}, "audience"),  # a children's activity
        ({"age_band": ""}, "age_band"),
        ({"expected_size": 61}, "expected_size"),  # the venue holds 60
        ({"end_time": datetime.time(9, 30)}, "end_time"),  # 2 class hours need 90 minutes
        ({"language": "en"}, "language"),
    ],
)
def test_a_request_that_cannot_be_planned_is_refused_with_the_field(contact_user, override, field):
    with pytest.raises(ValidationError) as refused:
        services.submit_venue_request(actor=contact_user, **request_fields(**override))
    assert field in refused.value.message_dict
    assert not VenueRequest.objects.exists()


def test_a_childs_phone_number_in_the_notes_is_refused(contact_user):
    with pytest.raises(ValidationError) as refused:
        services.submit_venue_request(
            actor=contact_user, **request_fields(notes="请联系学生家长 13912345678")
        )
    assert "notes" in refused.value.message_dict


def test_only_a_venue_contact_may_ask(lecturer, district_coordinator):
    for person in (lecturer, district_coordinator):
        with pytest.raises(PermissionDenied):
            services.submit_venue_request(actor=person, **request_fields())


def test_a_stopped_contact_or_a_closed_venue_may_not_ask(contact_user, venue):
    contact = contact_user.venue_contact
    contact.is_active = False
    contact.save()
    with pytest.raises(PermissionDenied):
        services.submit_venue_request(actor=contact_user, **request_fields())
    contact.is_active = True
    contact.save()
    venue.is_active = False
    venue.save()
    contact_user.__dict__.pop("_dispatch_venue_contact", None)
    with pytest.raises(PermissionDenied):
        services.submit_venue_request(actor=contact_user, **request_fields())


def test_a_contact_cannot_touch_another_venues_request(contact_user, other_venue):
    theirs = make_venue_request(other_venue)
    with pytest.raises(PermissionDenied):
        services.withdraw_venue_request(actor=contact_user, venue_request=theirs)
    with pytest.raises(PermissionDenied):
        services.update_venue_request(actor=contact_user, venue_request=theirs, **request_fields())


def test_a_coordinator_of_another_district_cannot_triage(contact_user, other_district_coordinator):
    vr = services.submit_venue_request(actor=contact_user, **request_fields())
    for act in (
        lambda: services.accept_venue_request(actor=other_district_coordinator, venue_request=vr),
        lambda: services.ask_for_changes(
            actor=other_district_coordinator, venue_request=vr, message="x"
        ),
        lambda: services.decline_venue_request(
            actor=other_district_coordinator, venue_request=vr, reason="x"
        ),
    ):
        with pytest.raises(PermissionDenied):
            act()
    vr.refresh_from_db()
    assert vr.status == "submitted"


def test_triage_refuses_the_wrong_state_and_empty_reasons(contact_user, district_coordinator):
    vr = services.submit_venue_request(actor=contact_user, **request_fields())
    with pytest.raises(ValidationError):
        services.decline_venue_request(actor=district_coordinator, venue_request=vr, reason=" ")
    with pytest.raises(ValidationError):
        services.ask_for_changes(actor=district_coordinator, venue_request=vr, message="")
    services.ask_for_changes(actor=district_coordinator, venue_request=vr, message="改时间")
    with pytest.raises(ValidationError):  # waiting for the venue, not for triage
        services.accept_venue_request(actor=district_coordinator, venue_request=vr)
    services.decline_venue_request(actor=district_coordinator, venue_request=vr, reason="满了")
    for act in (
        lambda: services.accept_venue_request(actor=district_coordinator, venue_request=vr),
        lambda: services.withdraw_venue_request(actor=contact_user, venue_request=vr),
        lambda: services.update_venue_request(
            actor=contact_user, venue_request=vr, **request_fields()
        ),
    ):
        with pytest.raises(ValidationError):
            act()


def test_accepting_a_request_whose_date_has_passed_writes_nothing(
    contact_user, venue, district_coordinator
):
    vr = make_venue_request(
        venue, contact_user, dates=[timezone.localdate() - datetime.timedelta(days=2)]
    )
    with pytest.raises(ValidationError):
        services.accept_venue_request(actor=district_coordinator, venue_request=vr)
    vr.refresh_from_db()
    assert vr.status == "submitted"
    assert not ServiceRequest.objects.exists() and not PlannedRequest.objects.exists()


# --- the pages -------------------------------------------------------------------------------


def test_the_venue_page_shows_only_the_venues_own_requests_and_sessions(
    client, contact_user, venue, other_venue, django_assert_max_num_queries
):
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session

    mine = make_venue_request(venue, contact_user, notes="我们的")
    theirs = make_venue_request(other_venue, notes="别人的")
    ours = make_request(venue=venue)
    other = make_request(venue=other_venue, date=ours.date + datetime.timedelta(days=1))
    lecturer = make_lecturer().user
    make_session(ours, lecturer, status="confirmed")
    client.force_login(contact_user)
    client.get(reverse("dispatch:venue_home"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dispatch:venue_home"))
    page = response.content.decode()
    assert f'venue-request-{mine.pk}"' in page and f'venue-request-{theirs.pk}"' not in page
    assert f'venue-session-{ours.pk}"' in page and f'venue-session-{other.pk}"' not in page
    assert lecturer.display_name in page


def test_pages_refuse_anyone_who_is_not_a_venue_contact(client, lecturer, district_coordinator):
    for person in (lecturer, district_coordinator):
        client.force_login(person)
        assert client.get(reverse("dispatch:venue_home")).status_code == 403
        assert client.get(reverse("dispatch:venue_request_new")).status_code == 403
    client.logout()
    response = client.get(reverse("dispatch:venue_home"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_form_keeps_what_was_typed_when_refused(client, contact_user):
    client.force_login(contact_user)
    data = {
        "topic": "child_01",
        "audience": "children",
        "age_band": "6-11",
        "expected_size": "500",
        "language": "zh",
        "date_1": weekday_after(3).isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "class_hours": "2",
        "notes": "二楼教室",
    }
    response = client.post(reverse("dispatch:venue_request_new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "holds 60 people" in page and "二楼教室" in page and 'value="500"' in page
    assert not VenueRequest.objects.exists()

    data["expected_size"] = "40"
    response = client.post(reverse("dispatch:venue_request_new"), data)
    assert response.status_code == 302
    assert VenueRequest.objects.get().expected_size == 40


def test_a_contact_cannot_open_another_venues_request_by_its_number(
    client, contact_user, other_venue
):
    theirs = make_venue_request(other_venue)
    client.force_login(contact_user)
    assert client.get(reverse("dispatch:venue_request_edit", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("dispatch:venue_request_withdraw", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"


def test_triage_pages_accept_and_refuse(
    client, contact_user, venue, district_coordinator, other_district_coordinator
):
    vr = make_venue_request(venue, contact_user)
    client.force_login(other_district_coordinator)
    assert client.get(reverse("dispatch:triage_detail", args=[vr.pk])).status_code == 404
    assert client.post(reverse("dispatch:triage_accept", args=[vr.pk])).status_code == 404

    client.force_login(district_coordinator)
    listing = client.get(reverse("dispatch:triage_list")).content.decode()
    assert f'triage-{vr.pk}"' in listing
    response = client.post(reverse("dispatch:triage_decline", args=[vr.pk]), {"reason": ""})
    assert response.status_code == 400
    vr.refresh_from_db()
    assert vr.status == "submitted"
    response = client.post(
        reverse("dispatch:triage_accept", args=[vr.pk]), {"lecturers_needed": "1"}
    )
    assert response.status_code == 302
    vr.refresh_from_db()
    assert vr.status == "accepted"
    assert ServiceRequest.objects.filter(plan__venue_request=vr).count() == 1


def test_the_contact_page_refuses_a_stopped_contact(client, contact_user):
    contact = contact_user.venue_contact
    contact.is_active = False
    contact.save()
    client.force_login(contact_user)
    assert client.get(reverse("dispatch:venue_home")).status_code == 403


# --- the API ---------------------------------------------------------------------------------------


def _body(**overrides):
    fields = request_fields(**overrides)
    fields["dates"] = [d.isoformat() for d in fields["dates"]]
    fields["start_time"] = fields["start_time"].strftime("%H:%M")
    fields["end_time"] = fields["end_time"].strftime("%H:%M")
    return fields


def test_api_venue_contact_submits_and_sees_only_their_own(api_client, contact_user, other_venue):
    make_venue_request(other_venue)
    client = api_client.as_user(contact_user)
    response = client.post("/api/v1/venue/requests", _body(), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "submitted"
    listed = client.get("/api/v1/venue/requests").json()
    assert [row["id"] for row in listed] == [created["id"]]


def test_api_refusals_have_codes(
    api_client, contact_user, lecturer, other_venue, district_coordinator
):
    theirs = make_venue_request(other_venue)
    client = api_client.as_user(contact_user)
    response = client.post(
        "/api/v1/venue/requests", _body(expected_size=500), content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "expected_size" in response.json()["errors"]
    response = client.post(f"/api/v1/venue/requests/{theirs.pk}/withdraw")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")

    response = api_client.as_user(lecturer).post(
        "/api/v1/venue/requests", _body(), content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = api_client.as_user(lecturer).get("/api/v1/venue-requests")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_api_triage_states(
    api_client, contact_user, venue, district_coordinator, other_district_coordinator
):
    vr = make_venue_request(venue, contact_user)
    other = api_client.as_user(other_district_coordinator)
    response = other.post(
        f"/api/v1/venue-requests/{vr.pk}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 404
    coordinator = api_client.as_user(district_coordinator)
    assert [r["id"] for r in coordinator.get("/api/v1/venue-requests").json()] == [vr.pk]
    response = coordinator.post(
        f"/api/v1/venue-requests/{vr.pk}/request-changes",
        {"message": "请改到周五"},
        content_type="application/json",
    )
    assert response.json()["status"] == "changes_requested"
    response = coordinator.post(
        f"/api/v1/venue-requests/{vr.pk}/accept", {}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")

    contact = api_client.__class__().as_user(contact_user)
    response = contact.put(
        f"/api/v1/venue/requests/{vr.pk}", _body(), content_type="application/json"
    )
    assert (response.status_code, response.json()["status"]) == (200, "submitted")
    response = coordinator.post(
        f"/api/v1/venue-requests/{vr.pk}/accept",
        {"lecturers_needed": 1},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert len(response.json()["service_request_ids"]) == 1
    response = coordinator.post(
        f"/api/v1/venue-requests/{vr.pk}/decline", {"reason": "x"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")
    sessions = contact.get("/api/v1/venue/sessions").json()
    assert [s["request_id"] for s in sessions] == response_ids(vr)


def response_ids(vr):
    return list(
        PlannedRequest.objects.filter(venue_request=vr).values_list("service_request_id", flat=True)
    )


# --- the invitation ---------------------------------------------------------------------------


def test_inviting_a_contact_makes_an_account_and_queues_the_invitation(
    client, venue, district_coordinator
):
    from accounts.models import User
    from lecturer_corps.models import VenueContact
    from outbox.models import OutboxMessage

    contact = VenueContact.objects.create(venue=venue, name="赵老师", email="zhao@example.org")
    client.force_login(district_coordinator)
    response = client.post(reverse("dispatch:contact_invite", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    user = contact.user
    assert user is not None and user.email == "zhao@example.org"
    assert not user.has_usable_password() and user.district == venue.district
    assert not user.groups.exists()
    assert OutboxMessage.objects.filter(task__endswith="send_invitations").exists()
    assert AuditLog.objects.filter(action="dispatch.venue_contact.invite").exists()
    # The new account reaches its venue's page once it has a password.
    user = User.objects.get(pk=user.pk)
    client.force_login(user)
    assert client.get(reverse("dispatch:venue_home")).status_code == 200


def test_inviting_is_refused_out_of_scope_and_without_an_email(
    venue, other_district_coordinator, district_coordinator
):
    from lecturer_corps.models import VenueContact

    contact = VenueContact.objects.create(venue=venue, name="赵老师", phone="0995-1234567")
    with pytest.raises(PermissionDenied):
        services.invite_venue_contact(actor=other_district_coordinator, contact=contact)
    with pytest.raises(ValidationError):
        services.invite_venue_contact(actor=district_coordinator, contact=contact)
    contact.refresh_from_db()
    assert contact.user is None


def test_statuses_are_the_documented_ones():
    assert set(VenueRequestStatus.values) == {
        "submitted",
        "changes_requested",
        "accepted",
        "declined",
        "withdrawn",
    }


def test_the_contacts_page_offers_the_invitation(client, venue, contact_user, district_coordinator):
    from lecturer_corps.models import VenueContact

    waiting = VenueContact.objects.create(venue=venue, name="赵老师", email="zhao@example.org")
    client.force_login(district_coordinator)
    page = client.get(reverse("lecturer_corps:venue_contacts", args=[venue.pk])).content.decode()
    assert f'data-testid="invite-{waiting.pk}"' in page
    assert f'data-testid="invite-{contact_user.venue_contact.pk}"' not in page  # has an account


def test_the_dashboard_leads_a_venue_contact_and_the_coordinator_here(
    client, contact_user, venue, district_coordinator, trainee
):
    make_venue_request(venue, contact_user, status="changes_requested")
    make_venue_request(venue, contact_user)
    client.force_login(contact_user)
    page = client.get(reverse("home:dashboard")).content.decode()
    assert 'data-testid="venue-panel"' in page and reverse("dispatch:venue_request_new") in page
    assert "1 request was sent back" in page
    client.force_login(trainee)
    assert 'data-testid="venue-panel"' not in client.get(reverse("home:dashboard")).content.decode()
    client.force_login(district_coordinator)
    page = client.get(reverse("home:dashboard")).content.decode()
    assert 'data-testid="panel-dispatch-coordinator"' in page
    assert reverse("dispatch:triage_list") in page
