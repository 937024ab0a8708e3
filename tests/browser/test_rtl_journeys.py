"""The coordinator's and the lecturer's week on a phone in the Uyghur interface (right to
left), every step reached by clicking (issue 17):

* coordinator: dashboard → requests without a lecturer → auto-assign preview → proposals
  sent → the delivery report to verify → verified → the monthly report generated;
* lecturer: dashboard → the offer → accepted → the session page (place, notes, contact)
  → the calendar link → the delivery report filed.

On every page: nothing scrolls sideways (``scrollWidth`` within the viewport) and, in
Uyghur, no Han character outside marked content (the detector of
tests/test_interface_language.py). Screenshots: /tmp/shots-journeys/ (look at them).
``JOURNEYS_ALL=1`` walks the same journeys also in Chinese and at 1366 px as well.
"""

import datetime
import os
from pathlib import Path

import pytest

from tests.browser.conftest import log_in
from tests.test_interface_language import untranslated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-journeys")
WALKS = [("ug", 390)]
if os.environ.get("JOURNEYS_ALL"):
    WALKS += [("zh-hans", 390), ("ug", 1366), ("zh-hans", 1366)]


class Walk:
    """One journey in one language and width: checks and photographs each page."""

    def __init__(self, page, live_server, name: str, language: str, width: int):
        self.page, self.live_server = page, live_server
        self.name, self.language, self.width = name, language, width
        self.step = 0
        self.findings: list[str] = []

    def check(self, where: str) -> None:
        self.page.wait_for_load_state()
        self.step += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"{self.name}-{self.language}-{self.width}-{self.step}-{where}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        scroll = self.page.evaluate("document.documentElement.scrollWidth")
        if scroll > self.width:
            self.findings.append(f"{where}: scrolls sideways ({scroll} px)")
        if self.language == "ug":
            texts = untranslated(self.page.content())
            if texts:
                self.findings.append(f"{where}: untranslated {texts[:5]}")
        assert self.page.locator("html").get_attribute("dir") == (
            "rtl" if self.language == "ug" else "ltr"
        )

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def done(self) -> None:
        assert not self.findings, "\n".join(self.findings)


def _browser_page(browser, live_server, settings, language, width):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-US")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(60_000)  # a guard for a loaded machine, not a budget
    return context, page


@pytest.fixture
def corps_week(transactional_db, settings):
    """A district with a school, its coordinator and a lecturer; a request next month
    without a lecturer; a session held yesterday whose delivery report waits for
    verification; a session offered to the lecturer; a session the lecturer held yesterday
    and has not reported yet."""
    from django.utils import timezone

    from accounts import roles
    from lecturer_corps import delivery
    from lecturer_corps.models import RequestStatus, SessionStatus, VenueContact
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
    from tests.factories import DistrictFactory, TownshipFactory, VenueFactory, make_user

    district = DistrictFactory(
        code="gaochang", name="高昌区", name_en="Gaochang District", name_ug="قاراغوجا رايونى"
    )
    township = TownshipFactory(district=district, name="葡萄镇", latitude=42.95, longitude=89.18)
    venue = VenueFactory(
        name="葡萄镇中心小学", district=district, township=township, capacity=60,
        latitude=42.95, longitude=89.18, address="高昌区葡萄镇中心路12号",
    )  # fmt: skip
    VenueContact.objects.create(venue=venue, name="王校长", phone="13800000000")
    coordinator = make_user(
        roles.COORDINATOR, username="w_coordinator", coordinator_district=district,
        two_factor=False, real_name="李梅",
    )  # fmt: skip
    settings.MFA_WAIVED_USERNAMES = frozenset({coordinator.username})
    lecturer = make_lecturer(username="w_lecturer", district=district).user
    lecturer.real_name = "王建华"
    lecturer.save()
    other = make_lecturer(username="w_other_lecturer", district=district, topics=[]).user

    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    open_request = make_request(
        venue=venue, topic="child_01", date=today + datetime.timedelta(days=9),
        created_by=coordinator, notes="乡政府二楼会议室，需自带彩笔。",
    )  # fmt: skip
    # Held by another lecturer yesterday and reported: the coordinator verifies it.
    held = make_request(
        venue=venue, topic="child_02", date=yesterday, status=RequestStatus.CONFIRMED,
        created_by=coordinator, start=datetime.time(9, 0), end=datetime.time(10, 0),
    )  # fmt: skip
    report = delivery.file_delivery_report(
        actor=other,
        session=make_session(held, other),
        child_counts={("left_behind", "6-11"): 5, ("other", "6-11"): 20},
        teachers_count=2,
        actual_minutes=60,
        notes="孩子们积极参与。",
    )
    # Offered to the lecturer, answer within 48 hours.
    offered = make_request(
        venue=venue, topic="child_03", date=today + datetime.timedelta(days=12),
        status=RequestStatus.PROPOSED, created_by=coordinator,
        notes="乡政府二楼会议室…需自带彩笔", start=datetime.time(15, 0), end=datetime.time(16, 40),
    )  # fmt: skip
    offer = make_session(offered, lecturer, status=SessionStatus.PROPOSED)
    # Held by the lecturer yesterday afternoon, not reported yet.
    done = make_request(
        venue=venue, topic="child_04", date=yesterday, status=RequestStatus.CONFIRMED,
        created_by=coordinator, start=datetime.time(14, 0), end=datetime.time(15, 0),
    )  # fmt: skip
    to_report = make_session(done, lecturer)
    return {
        "coordinator": coordinator,
        "lecturer": lecturer,
        "open_request": open_request,
        "report": report,
        "offer": offer,
        "to_report": to_report,
    }


@pytest.mark.parametrize(("language", "width"), WALKS)
def test_the_coordinators_week(
    browser, live_server, corps_week, settings, project_translations, language, width
):
    from django.utils import timezone

    from lecturer_corps.models import ReportState, Session, SessionStatus
    from reports.models import MonthlyReport
    from tests.factories import PASSWORD

    context, page = _browser_page(browser, live_server, settings, language, width)
    walk = Walk(page, live_server, "coordinator", language, width)
    try:
        log_in(page, live_server, corps_week["coordinator"].username, PASSWORD)
        page.goto(f"{live_server.url}/dashboard/")
        walk.check("dashboard")

        walk.click("[data-testid=unassigned-requests]")
        assert page.locator(f"[data-testid=request-{corps_week['open_request'].pk}]").count()
        walk.check("requests")

        walk.click(".corps-nav a[href$='/requests/auto-assign/']")
        walk.check("auto-assign")
        walk.click("form.card button[type=submit]")  # the next 30 days, as offered
        assert page.locator("[data-testid=plan-costs]").count()
        walk.check("auto-assign-preview")

        walk.click("[data-testid=send-proposals]")
        offered = Session.objects.get(request=corps_week["open_request"])
        assert (offered.lecturer, offered.status) == (corps_week["lecturer"], "proposed")
        walk.check("proposals-sent")

        page.goto(f"{live_server.url}/dashboard/")  # the site's navigation, as a person would
        walk.click("[data-testid=reports-to-verify]")
        walk.check("reports-to-verify")
        walk.click(f"[data-testid=report-{corps_week['report'].pk}] a")
        walk.check("report")
        walk.click("form[action$='/verify/'] button[type=submit]")
        report = corps_week["report"]
        report.refresh_from_db()
        assert report.state == ReportState.VERIFIED
        assert report.session.status == SessionStatus.VERIFIED
        walk.check("report-verified")

        walk.click(".site-nav a[href='/dashboard/']")
        walk.click(".role-pages a[href='/reports/']")
        walk.check("figures")
        walk.click(".report-links a[href$='/reports/monthly/']")
        walk.check("monthly-reports")
        # This month's report, with the session verified today in it.
        page.fill("input[name=period]", timezone.localdate().strftime("%Y-%m"))
        walk.click("form.card button[type=submit]")
        assert MonthlyReport.objects.count() == 1
        assert page.locator("[data-testid=monthly-report]").count() == 1
        walk.check("monthly-report-generated")
        walk.done()
    finally:
        context.close()


@pytest.mark.parametrize(("language", "width"), WALKS)
def test_the_lecturers_week(
    browser, live_server, corps_week, settings, project_translations, language, width
):
    from lecturer_corps.models import SessionStatus
    from tests.factories import PASSWORD

    offer, to_report = corps_week["offer"], corps_week["to_report"]
    context, page = _browser_page(browser, live_server, settings, language, width)
    walk = Walk(page, live_server, "lecturer", language, width)
    try:
        log_in(page, live_server, corps_week["lecturer"].username, PASSWORD)
        page.goto(f"{live_server.url}/dashboard/")
        assert page.locator("[data-testid=panel-lecturer-corps-offers]").count()
        walk.check("dashboard")

        walk.click("[data-testid=panel-lecturer-corps-offers] [data-testid=offer] a")
        walk.check("offer")
        walk.click("[data-testid=accept-offer]")
        offer.refresh_from_db()
        assert offer.status in (SessionStatus.ACCEPTED, SessionStatus.CONFIRMED)
        walk.check("offer-accepted")

        walk.click(f"[data-testid=upcoming-{offer.pk}] a")
        notes = page.locator("[data-testid=session-notes]")
        assert "彩笔" in notes.inner_text()
        walk.check("session")

        walk.click("[data-testid=calendar-link-page]")
        walk.check("calendar-link")
        walk.click("form:has(input[name=action][value=create]) button[type=submit]")
        assert page.locator("[data-testid=calendar-link]").input_value().startswith("webcal://")
        walk.check("calendar-link-made")

        walk.click(".site-nav a[href='/dashboard/']")
        walk.click("[data-testid=panel-lecturer-corps-sessions] .message a")
        walk.check("my-sessions")
        walk.click(f"[data-testid=to-report-{to_report.pk}] a[href$='/report/']")
        walk.check("report-form")
        page.fill("input[name=children_other_6_11]", "24")
        page.fill("input[name=teachers_count]", "2")
        page.fill("input[name=actual_minutes]", "60")
        walk.click("form.card button[type=submit]")
        to_report.refresh_from_db()
        assert to_report.status == SessionStatus.DELIVERED
        walk.check("report-filed")
        walk.done()
    finally:
        context.close()
