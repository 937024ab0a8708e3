"""A coordinator assigns a request; the lecturer accepts on a phone, files the delivery
report after the session; the coordinator verifies it (real Chromium)."""

import datetime
import io

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


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "sign-in.jpg"
    out = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_assign_accept_report_verify(phone, desktop, live_server, corps, tmp_path):
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
    phone.locator("[data-testid^=to-report-] a").click()
    phone.fill("input[name=children_count]", "36")
    phone.fill("input[name=teachers_count]", "2")
    phone.fill("input[name=actual_minutes]", "95")
    phone.set_input_files("input[name=sign_in_sheet]", str(_photo(tmp_path)))
    phone.fill("textarea[name=notes]", "孩子们积极参与。")
    phone.locator("form[enctype] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/corps/my-sessions/")
    assert phone.locator("[data-testid^=to-report-]").count() == 0

    # The coordinator verifies it from the queue.
    desktop.goto(f"{live_server.url}/corps/reports/")
    desktop.locator("[data-testid^=report-] a").click()
    desktop.wait_for_load_state()
    assert "38" in desktop.locator("table").first.inner_text()
    desktop.locator("form[action$='/verify/'] button").click()
    desktop.wait_for_load_state()

    from lecturer_corps.models import SessionStatus
    from lecturer_corps.selectors import person_times, verified_sessions_count

    session = service_request.sessions.get()
    assert session.status == SessionStatus.VERIFIED
    assert verified_sessions_count([lecturer.pk]) == {lecturer.pk: 1}
    assert person_times()["total"] == 38
    desktop.screenshot(path="/tmp/lms-lecturer-corps-verified.png", full_page=True)
