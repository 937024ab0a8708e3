"""The supervision dashboard in real Chromium, on a desktop and on a phone."""

import datetime as dt

import pytest

from accounts import roles

from .conftest import log_in

pytestmark = pytest.mark.browser

PERIOD = "2026-10"


@pytest.fixture
def dashboard_data(transactional_db, settings):
    """A coordinator (two-factor waived for the test) and figures to draw."""
    from django.utils import timezone

    from lecturer_corps.models import DeliveryReport, RequestStatus, SessionStatus
    from lecturer_corps.tests.factories import make_request, make_session
    from reports.tests.factories import RegisterCountFactory
    from tests.factories import DistrictFactory, VenueFactory, make_user

    gaochang = DistrictFactory(code="gaochang", name="高昌区", name_en="Gaochang District")
    shanshan = DistrictFactory(code="shanshan", name="鄯善县", name_en="Shanshan County")
    coordinator = make_user(roles.COORDINATOR, username="b_coordinator", two_factor=False)
    settings.MFA_WAIVED_USERNAMES = frozenset({coordinator.username})
    joined = timezone.make_aware(dt.datetime(2026, 10, 5, 12))
    for index, district in enumerate([gaochang, gaochang, shanshan]):
        make_user(roles.TRAINEE, district=district, date_joined=joined)
        venue = VenueFactory(district=district, capacity=300)
        lecturer = make_user(roles.LECTURER, district=district)
        service_request = make_request(venue=venue, date=dt.date(2026, 10, 10 + index))
        service_request.status = RequestStatus.VERIFIED
        service_request.save(update_fields=["status"])
        session = make_session(service_request, lecturer, status=SessionStatus.VERIFIED)
        DeliveryReport.objects.create(
            session=session,
            filed_by=lecturer,
            actual_minutes=90,
            children_count=40 + index,
            caregivers_count=5,
        )
    RegisterCountFactory(district=gaochang, year=2026, children=120)
    RegisterCountFactory(district=shanshan, year=2026, children=60)
    return coordinator


def _open_dashboard(page, live_server, username):
    from tests.factories import PASSWORD

    page.set_default_timeout(60_000)  # the first page of a live server can be slow on CI
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(page, live_server, username, PASSWORD)
    page.goto(f"{live_server.url}/reports/?period={PERIOD}&district=city")
    page.wait_for_load_state()


def test_dashboard_on_a_desktop(desktop, live_server, dashboard_data):
    page = desktop
    _open_dashboard(page, live_server, dashboard_data.username)
    assert page.locator("h1").inner_text() == "Supervision dashboard"
    person_times = page.locator("[data-figure='person_times.person_times'] .value")
    assert person_times.inner_text() == "138"  # 40 + 41 + 42 children, 3 × 5 caregivers
    chart = page.locator("#group-coverage svg.chart")
    assert chart.get_attribute("role") == "img"
    assert chart.is_visible()
    table = page.locator("#table-coverage_by_district")
    # The districts by their names in the interface's language (English here).
    assert "Gaochang District" in table.inner_text() and "Shanshan County" in table.inner_text()
    with page.expect_download() as download:
        page.locator('#group-coverage .exports a[href*="coverage_by_district.csv"]').click()
    assert download.value.suggested_filename == f"coverage_by_district-{PERIOD}-city.csv"
    page.screenshot(path="/tmp/lms-reports-desktop.png", full_page=False)


def test_dashboard_on_a_phone_fits_the_screen(phone, live_server, dashboard_data):
    page = phone
    _open_dashboard(page, live_server, dashboard_data.username)
    assert page.locator("h1").is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    chart_box = page.locator("#group-person_times svg.chart").first.bounding_box()
    assert chart_box["width"] <= 390
    label_size = page.evaluate(
        "getComputedStyle(document.querySelector('.headline .value')).fontSize"
    )
    assert float(label_size.rstrip("px")) >= 16
    page.locator("#group-coverage").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/lms-reports-phone.png", full_page=False)
    page.screenshot(path="/tmp/lms-reports-phone-full.png", full_page=True)
