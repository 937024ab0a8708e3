"""What a lecturer needs to run a session reaches them: the coordinator's notes, the venue's
address, a contact person and the materials, on the session page, in the offer and in
the calendar feed; the calendar link is webcal:// with a copy button that fits a phone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from lecturer_corps import services
from lecturer_corps.models import Notification, SessionStatus, VenueContact
from lecturer_corps.notifications import SESSION_PROPOSED
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session

pytestmark = pytest.mark.django_db

NOTES = "乡政府二楼会议室，从东门进。"
MATERIALS = "需自带彩笔；场地提供投影仪。"
ADDRESS = "葡萄镇团结路8号"


@pytest.fixture
def equipped_venue(venue):
    venue.address = ADDRESS
    venue.save(update_fields=["address"])
    VenueContact.objects.create(venue=venue, name="马老师", phone="13899123456")
    VenueContact.objects.create(venue=venue, name="旧联系人", phone="13899000000", is_active=False)
    return venue


def _request(venue, **fields):
    return make_request(venue=venue, notes=NOTES, materials=MATERIALS, **fields)


def test_the_session_page_shows_address_contact_notes_and_materials(client, equipped_venue):
    profile = make_lecturer()
    session = make_session(_request(equipped_venue), profile.user)
    client.force_login(profile.user)
    response = client.get(reverse("lecturer_corps:session_detail", args=[session.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (ADDRESS, NOTES, MATERIALS, "马老师", 'href="tel:13899123456"'):
        assert text in page
    assert "旧联系人" not in page  # an inactive contact is not offered


def test_another_lecturers_session_page_is_not_found(client, equipped_venue):
    mine, other = make_lecturer(), make_lecturer()
    session = make_session(_request(equipped_venue), mine.user)
    client.force_login(other.user)
    response = client.get(reverse("lecturer_corps:session_detail", args=[session.pk]))
    assert response.status_code == 404


def test_a_trainee_cannot_open_a_session_page(client, equipped_venue, trainee):
    session = make_session(_request(equipped_venue), make_lecturer().user)
    client.force_login(trainee)
    response = client.get(reverse("lecturer_corps:session_detail", args=[session.pk]))
    assert response.status_code in (302, 403)


def test_a_cancelled_session_no_longer_gives_the_contacts_phone(client, equipped_venue):
    profile = make_lecturer()
    session = make_session(_request(equipped_venue), profile.user, status=SessionStatus.CANCELLED)
    client.force_login(profile.user)
    page = client.get(reverse("lecturer_corps:session_detail", args=[session.pk])).content
    assert "13899123456" not in page.decode()


def test_the_venues_own_contact_fields_are_offered_when_no_contact_record(client, venue):
    venue.contact_name, venue.contact_phone = "王主任", "0995-8561234"
    venue.save(update_fields=["contact_name", "contact_phone"])
    profile = make_lecturer()
    session = make_session(make_request(venue=venue), profile.user)
    client.force_login(profile.user)
    page = client.get(reverse("lecturer_corps:session_detail", args=[session.pk])).content
    assert "王主任" in page.decode() and "0995-8561234" in page.decode()


def test_the_offer_on_my_sessions_carries_the_facts(client, equipped_venue):
    profile = make_lecturer()
    session = make_session(_request(equipped_venue), profile.user, status=SessionStatus.PROPOSED)
    client.force_login(profile.user)
    response = client.get(reverse("lecturer_corps:my_sessions"))
    page = response.content.decode()
    offer = page[page.index(f'data-testid="proposal-{session.pk}"') :]
    offer = offer[: offer.index("</article>")]
    for text in (ADDRESS, NOTES, MATERIALS, "马老师"):
        assert text in offer
    assert reverse("lecturer_corps:session_detail", args=[session.pk]) in offer


def test_my_sessions_reads_contacts_in_fixed_queries(
    client, equipped_venue, django_assert_max_num_queries
):
    profile = make_lecturer()
    for day in range(5):
        make_session(
            _request(equipped_venue, date=timezone.localdate() + datetime.timedelta(days=20 + day)),
            profile.user,
            status=SessionStatus.PROPOSED,
        )
    client.force_login(profile.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("lecturer_corps:my_sessions")).status_code == 200


def test_the_offer_notification_links_to_the_session_page_and_gives_the_address(
    equipped_venue, district_coordinator
):
    profile = make_lecturer()
    service_request = _request(equipped_venue)
    session = services.assign_lecturer(
        actor=district_coordinator, service_request=service_request, lecturer=profile.user
    )
    notification = Notification.objects.get(user=profile.user, kind=SESSION_PROPOSED)
    assert notification.url == reverse("lecturer_corps:session_detail", args=[session.pk])
    assert notification.params["address"] == ADDRESS


def test_the_calendar_feed_has_location_and_a_description_with_notes_and_contact(
    client, equipped_venue
):
    profile = make_lecturer()
    session = make_session(_request(equipped_venue), profile.user)
    _token, secret = services.create_calendar_token(actor=profile.user)
    response = client.get(reverse("lecturer_corps:calendar_feed", args=[secret]))
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert ADDRESS in str(event["LOCATION"])
    description = str(event["DESCRIPTION"])
    for text in (NOTES, MATERIALS, "马老师", "13899123456", ADDRESS):
        assert text in description
    assert "旧联系人" not in description
    assert reverse("lecturer_corps:session_detail", args=[session.pk]) in str(event["URL"])


def test_the_calendar_link_is_webcal_with_an_https_alternative_and_copy_buttons(client):
    profile = make_lecturer()
    client.force_login(profile.user)
    response = client.post(reverse("lecturer_corps:calendar_link"), {"action": "create"})
    webcal, link = response.context["webcal"], response.context["link"]
    assert webcal.startswith("webcal://") and webcal.endswith(".ics")
    assert link.startswith("http") and webcal.split("://")[1] == link.split("://")[1]
    page = response.content.decode()
    assert f'href="{webcal}"' in page
    assert page.count("data-copy=") == 2
    assert "js/copy-button" in page and "<script>" not in page


def test_service_request_form_keeps_materials(client, coordinator, venue):
    client.force_login(coordinator)
    data = {
        "venue": venue.pk,
        "topic": "child_01",
        "audience": "children",
        "age_band": "6-11",
        "expected_size": 20,
        "language": "zh",
        "date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "class_hours": 2,
        "lecturers_needed": 1,
        "notes": NOTES,
        "materials": MATERIALS,
        "repeat_weekly": 1,
    }
    response = client.post(reverse("lecturer_corps:request_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    from lecturer_corps.models import ServiceRequest

    assert ServiceRequest.objects.get(venue=venue).materials == MATERIALS


def test_materials_with_a_childs_phone_are_refused_by_the_guard(client, coordinator, venue):
    from lecturer_corps.forms import ServiceRequestForm

    form = ServiceRequestForm({"materials": "孩子家长电话13899123456"}, scope=None)
    form.is_valid()
    assert "materials" in form.errors
