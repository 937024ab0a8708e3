"""A venue's contact asks for a session on a phone; the coordinator accepts it into
planning, sees it in the month's supply and demand and assigns it through the
auto-assign preview; the venue sees the lecturer who agreed (real Chromium)."""

import datetime

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _second_tuesday_of_next_month() -> datetime.date:
    from django.utils import timezone

    from dispatch.models import next_month

    month = next_month(timezone.localdate())
    first_tuesday = month + datetime.timedelta(days=(1 - month.weekday()) % 7)
    return first_tuesday + datetime.timedelta(weeks=1)


@pytest.fixture
def dispatch_world(transactional_db, settings):
    from accounts import roles
    from lecturer_corps.models import VenueContact
    from lecturer_corps.tests.factories import make_lecturer
    from tests.factories import DistrictFactory, TownshipFactory, VenueFactory, make_user

    district = DistrictFactory(code="gaochang", name="高昌区")
    township = TownshipFactory(district=district, name="葡萄镇", latitude=42.95, longitude=89.18)
    venue = VenueFactory(
        name="葡萄镇中心小学", district=district, township=township, capacity=60,
        latitude=42.95, longitude=89.18,
    )  # fmt: skip
    coordinator = make_user(
        roles.COORDINATOR, username="b_dispatch_coordinator", coordinator_district=district,
        two_factor=False,
    )  # fmt: skip
    settings.MFA_WAIVED_USERNAMES = frozenset({coordinator.username})
    lecturer = make_lecturer(topics=["child_06"], username="b_dispatch_lecturer", district=district)
    lecturer.user.real_name = "王建华"
    lecturer.user.save()
    contact = make_user(username="b_venue_head", district=district)
    VenueContact.objects.create(venue=venue, name="王校长", email=contact.email, user=contact)
    return coordinator, lecturer.user, contact, venue


def test_a_venue_asks_on_a_phone_and_the_coordinator_plans_and_assigns(
    phone, desktop, live_server, dispatch_world
):
    from dispatch.models import VenueRequest
    from lecturer_corps.models import ServiceRequest, Session
    from lecturer_corps.services import respond_to_session
    from tests.factories import PASSWORD

    coordinator, lecturer, contact, venue = dispatch_world
    day = _second_tuesday_of_next_month()

    # The venue's contact asks for a session on a phone.
    log_in(phone, live_server, contact.username, PASSWORD)
    phone.goto(f"{live_server.url}/dispatch/venue/")
    phone.locator("[data-testid=new-venue-request]").click()
    phone.wait_for_load_state()
    phone.select_option("form.venue-request-form select[name=topic]", "child_06")
    phone.select_option("form.venue-request-form select[name=audience]", "children")
    phone.select_option("form.venue-request-form select[name=age_band]", "6-11")
    phone.fill("form.venue-request-form input[name=expected_size]", "35")
    phone.select_option("form.venue-request-form select[name=language]", "zh")
    phone.fill("form.venue-request-form input[name=date_1]", day.isoformat())
    phone.fill("form.venue-request-form input[name=start_time]", "09:00")
    phone.fill("form.venue-request-form input[name=end_time]", "10:40")
    phone.fill("form.venue-request-form textarea[name=notes]", "四年级两个班，多功能教室。")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the request form scrolls sideways on a phone ({width}px)"
    with phone.expect_navigation():
        phone.locator("[data-testid=send-venue-request]").click()
    assert phone.url.endswith("/dispatch/venue/")
    venue_request = VenueRequest.objects.get()
    status = phone.locator(
        f"[data-testid=venue-request-{venue_request.pk}] [data-testid=venue-request-status]"
    )
    assert status.get_attribute("class").endswith("vr-submitted")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the venue's page scrolls sideways on a phone ({width}px)"
    phone.screenshot(path="/tmp/lms-dispatch-venue-asked.png", full_page=True)

    # The coordinator triages it: accepted into planning.
    log_in(desktop, live_server, coordinator.username, PASSWORD)
    desktop.goto(f"{live_server.url}/dispatch/triage/")
    desktop.locator(f"[data-testid=triage-{venue_request.pk}] a").click()
    desktop.wait_for_load_state()
    with desktop.expect_navigation():
        desktop.locator("[data-testid=triage-accept]").click()
    assert (
        desktop.locator("[data-testid=triage-status]")
        .get_attribute("class")
        .endswith("vr-accepted")
    )
    service_request = ServiceRequest.objects.get(plan__venue_request=venue_request)
    assert service_request.date == day

    # The month's plan shows the seat against the one lecturer who could take it.
    desktop.goto(f"{live_server.url}/dispatch/plan/?month={day:%Y-%m}")
    row = desktop.locator(f"[data-testid=sd-{venue.district_id}-zh-child_06]")
    assert "1 / 1" in row.locator("[data-testid=sd-cell]").first.inner_text()
    desktop.screenshot(path="/tmp/lms-dispatch-month-plan.png", full_page=True)

    # One click to the auto-assign preview; the plan proposes the lecturer.
    with desktop.expect_navigation():
        desktop.locator("[data-testid=auto-assign-preview]").click()
    assert (
        desktop.locator(f"input[name=item][value='{service_request.pk}:{lecturer.pk}']").count()
        == 1
    )
    with desktop.expect_navigation():
        desktop.locator("form input[name=step][value=confirm] ~ button[type=submit]").click()
    session = Session.objects.get(request=service_request)
    assert (session.lecturer, session.status) == (lecturer, "proposed")

    # The lecturer agrees; the venue sees who is coming.
    respond_to_session(actor=lecturer, session=session, accept=True)
    phone.goto(f"{live_server.url}/dispatch/venue/")
    assert (
        phone.locator(
            f"[data-testid=venue-request-{venue_request.pk}] [data-testid=venue-request-status]"
        )
        .get_attribute("class")
        .endswith("vr-accepted")
    )
    assert (
        "王建华" in phone.locator(f"[data-testid=venue-session-{service_request.pk}]").inner_text()
    )
    phone.screenshot(path="/tmp/lms-dispatch-venue-planned.png", full_page=True)
