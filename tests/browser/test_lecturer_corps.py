"""A coordinator assigns a request; the lecturer accepts on a phone, files the delivery
report after the session; the coordinator verifies it. A venue contact confirms a report
on a second phone without an account (real Chromium)."""

import datetime
import re

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def corps(transactional_db, settings):
    from accounts import roles
    from lecturer_corps.tests.factories import make_lecturer, make_request, next_weekday
    from tests.factories import DistrictFactory, TownshipFactory, VenueFactory, make_user

    district = DistrictFactory(code="gaochang", name="高昌区")
    township = TownshipFactory(district=district, name="葡萄镇", latitude=42.95, longitude=89.18)
    venue = VenueFactory(
        name="葡萄镇中心小学", district=district, township=township, capacity=60,
        latitude=42.95, longitude=89.18,
    )  # fmt: skip
    coordinator = make_user(
        roles.COORDINATOR, username="b_corps_coordinator", coordinator_district=district,
        two_factor=False,
    )  # fmt: skip
    settings.MFA_WAIVED_USERNAMES = frozenset({coordinator.username})
    lecturer = make_lecturer(username="b_corps_lecturer", district=district).user
    lecturer.real_name = "王建华"
    lecturer.save()
    request = make_request(venue=venue, date=next_weekday(), created_by=coordinator)
    return coordinator, lecturer, request


def _let_the_session_pass(service_request):
    """Time passes: the session took place yesterday."""
    from django.utils import timezone

    from lecturer_corps.models import ServiceRequest, Session

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    service_request.date = yesterday
    service_request.compute_times()
    ServiceRequest.objects.filter(pk=service_request.pk).update(
        date=yesterday, starts_at=service_request.starts_at, ends_at=service_request.ends_at
    )
    Session.objects.filter(request=service_request).update(
        starts_at=service_request.starts_at, ends_at=service_request.ends_at
    )


def test_assign_accept_report_verify(phone, desktop, live_server, corps):
    from tests.factories import PASSWORD

    coordinator, lecturer, service_request = corps

    # The coordinator sees the lecturer among the candidates, with reasons, and assigns.
    log_in(desktop, live_server, coordinator.username, PASSWORD)
    desktop.goto(f"{live_server.url}/corps/requests/{service_request.pk}/")
    candidate = desktop.locator(f"[data-testid=candidate-{lecturer.pk}]")
    assert "certificate" in candidate.inner_text() or "证书" in candidate.inner_text()
    candidate.locator("button[type=submit]").click()
    desktop.wait_for_load_state()
    assert (
        desktop.locator("[data-testid=request-status]")
        .get_attribute("class")
        .endswith("status-proposed")
    )

    # The lecturer accepts on a phone.
    log_in(phone, live_server, lecturer.username, PASSWORD)
    phone.goto(f"{live_server.url}/corps/my-sessions/")
    proposal = phone.locator("[data-testid^=proposal-]")
    assert proposal.count() == 1
    proposal.locator("form input[value=accept] + button").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-testid^=upcoming-]").count() == 1

    # After the session, the lecturer files the delivery report.
    _let_the_session_pass(service_request)
    phone.goto(f"{live_server.url}/corps/my-sessions/")
    phone.locator('[data-testid^=to-report-] a[href$="/report/"]').click()
    assert phone.locator("input[type=file]").count() == 0  # no photo of names
    phone.fill("input[name=children_left_behind_6_11]", "12")
    phone.fill("input[name=children_other_6_11]", "24")
    phone.fill("input[name=teachers_count]", "2")
    phone.fill("input[name=actual_minutes]", "95")
    phone.fill("textarea[name=notes]", "孩子们积极参与。")
    with phone.expect_navigation():
        phone.locator("form.card button[type=submit]").click()
    assert phone.url.endswith("/corps/my-sessions/")
    assert phone.locator("[data-testid^=to-report-]").count() == 0

    # The coordinator verifies it from the queue.
    desktop.goto(f"{live_server.url}/corps/reports/")
    desktop.locator("[data-testid^=report-] a").click()
    desktop.wait_for_load_state()
    assert desktop.locator("[data-testid=person-times]").inner_text() == "38"
    desktop.locator("form[action$='/verify/'] button").click()
    desktop.wait_for_load_state()

    from lecturer_corps.models import SessionStatus
    from lecturer_corps.selectors import person_times, verified_sessions_count

    session = service_request.sessions.get()
    assert session.status == SessionStatus.VERIFIED
    assert verified_sessions_count([lecturer.pk]) == {lecturer.pk: 1}
    assert person_times()["total"] == 38
    desktop.screenshot(path="/tmp/lms-lecturer-corps-verified.png", full_page=True)


def test_the_venue_contact_confirms_on_a_second_phone(browser, phone, desktop, live_server, corps):
    """A lecturer files a report on a phone; the venue's contact opens the e-mailed link on
    another phone-sized page, with no account, and confirms; the coordinator sees it
    verified."""
    from django.core import mail

    from lecturer_corps.models import SessionStatus, VenueContact
    from lecturer_corps.tests.factories import make_session
    from tests.factories import PASSWORD

    coordinator, lecturer, service_request = corps
    VenueContact.objects.create(
        venue=service_request.venue, name="王校长", email="head@school.example"
    )
    session = make_session(service_request, lecturer)
    _let_the_session_pass(service_request)

    log_in(phone, live_server, lecturer.username, PASSWORD)
    phone.goto(f"{live_server.url}/corps/my-sessions/{session.pk}/report/")
    phone.fill("input[name=children_orphan_6_11]", "4")
    phone.fill("input[name=children_disability_12_17]", "2")
    phone.fill("input[name=children_other_6_11]", "20")
    phone.fill("input[name=caregivers_count]", "5")
    phone.fill("input[name=actual_minutes]", "90")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the report form scrolls sideways on a phone ({width}px)"
    with phone.expect_navigation():
        phone.locator("form.card button[type=submit]").click()
    assert phone.url.endswith("/corps/my-sessions/")

    mails = [m for m in mail.outbox if "head@school.example" in m.to]
    assert len(mails) == 1
    link = re.search(r"https?://\S+/corps/confirm/\S+/", mails[0].body).group(0)
    path = link[link.index("/corps/") :]

    venue_phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    try:
        page = venue_phone.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{live_server.url}{path}")
        assert page.locator("[data-testid=person-times]").inner_text() == "31"
        counts = page.locator("[data-testid=child-counts]")
        assert counts.is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        page.screenshot(path="/tmp/lms-venue-confirm.png", full_page=True)
        page.goto(f"{live_server.url}{path}")  # a fresh page after the full-page capture
        with page.expect_navigation():
            page.locator("[data-testid=confirm]").click()
        assert page.locator("[data-testid=confirmed]").is_visible()
        page.screenshot(path="/tmp/lms-venue-confirmed.png", full_page=True)
        # The same link again is refused.
        page.goto(f"{live_server.url}{path}")
        assert page.locator("[data-testid=refused]").get_attribute("data-code") == "used"
    finally:
        venue_phone.close()

    session.refresh_from_db()
    assert session.status == SessionStatus.VERIFIED
    log_in(desktop, live_server, coordinator.username, PASSWORD)
    report = session.delivery_report
    desktop.goto(f"{live_server.url}/corps/reports/{report.pk}/")
    state = desktop.locator("[data-testid=report-state]").get_attribute("class")
    assert state.endswith("status-verified")
    assert "王校长" in desktop.locator("[data-testid=verified]").inner_text()
    desktop.goto(f"{live_server.url}/corps/reports/")
    assert desktop.locator(f"[data-testid=report-{report.pk}]").count() == 0
