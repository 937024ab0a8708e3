"""An inspection to a verified corrective action, in real Chromium: the leading group
records an inspection of a unit with a finding and a corrective action already past its
deadline; the owner (the district's coordinator) finds it on the dashboard's overdue list,
sends the evidence with a photo from a phone (390 px); the inspector verifies it; the
action leaves the overdue list."""

import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image

from accounts import roles

from .conftest import log_in

pytestmark = pytest.mark.browser

FINDING = "三月的活动记录不完整，缺少签到表。"
REQUIRED = "补齐三月全部活动的签到表并上传目录。"


@pytest.fixture
def people(transactional_db, settings):
    from supervision.models import Unit
    from tests.factories import DistrictFactory, make_user

    gaochang = DistrictFactory(code="gaochang", name="高昌区", name_en="Gaochang District")
    unit = Unit.objects.create(name="高昌区民政局", kind="civil_affairs", district=gaochang)
    leader = make_user(roles.LEADING_GROUP, username="b_leader", real_name="领导小组王")
    coordinator = make_user(
        roles.COORDINATOR,
        username="b_coordinator",
        real_name="协调员李",
        coordinator_district=gaochang,
        two_factor=False,
    )
    settings.MFA_WAIVED_USERNAMES = frozenset({coordinator.username})
    return {"unit": unit, "leader": leader, "coordinator": coordinator}


def _as(browser, live_server, username, *, width):
    from tests.factories import PASSWORD

    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(60_000)  # a guard for a loaded machine, not a budget
    log_in(page, live_server, username, PASSWORD)
    return context, page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _photo(path):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "seagreen").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_an_inspection_to_a_verified_corrective_action(browser, live_server, people, tmp_path):
    from supervision.models import ActionState, CorrectiveAction, Inspection

    today = timezone.localdate()
    inspected = today - datetime.timedelta(days=20)
    deadline = today - datetime.timedelta(days=6)

    # The leading group: the inspection of the unit, then a finding with its action.
    context, page = _as(browser, live_server, "b_leader", width=1280)
    page.goto(f"{live_server.url}/supervision/inspections/new/")
    page.select_option("select[name=unit]", str(people["unit"].pk))
    page.fill("input[name=date]", inspected.isoformat())
    page.fill("textarea[name=summary]", "检查宣传台账与活动记录。")
    page.get_by_test_id("inspection-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    inspection = Inspection.objects.get()
    assert page.url.endswith(f"/supervision/inspections/{inspection.pk}/")
    form = page.get_by_test_id("finding-form")
    form.locator("textarea[name=text]").fill(FINDING)
    form.locator("textarea[name=required]").fill(REQUIRED)
    form.locator("select[name=owner]").select_option(str(people["coordinator"].pk))
    mail.outbox.clear()
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert FINDING in page.get_by_test_id("findings").inner_text()
    assert "Overdue" in page.get_by_test_id("action-state").inner_text()
    action = CorrectiveAction.objects.get()
    # The owner was told by e-mail (through the outbox), without the finding's words.
    assert [m.to for m in mail.outbox] == [[people["coordinator"].email]]
    assert FINDING not in mail.outbox[0].body
    context.close()

    # The owner, on a phone: the dashboard's overdue list, the action, the evidence.
    context, page = _as(browser, live_server, "b_coordinator", width=390)
    page.goto(f"{live_server.url}/dashboard/")
    overdue = page.get_by_test_id("overdue-action")
    assert overdue.count() == 1 and "6 days late" in overdue.inner_text()
    assert _fits(page)
    overdue.locator("a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/supervision/actions/{action.pk}/")
    assert page.get_by_test_id("days-overdue").is_visible()
    evidence = page.get_by_test_id("evidence-form")
    evidence.locator("textarea[name=note]").fill("已补齐三月全部签到表，目录见照片。")
    evidence.locator("input[name=file]").set_input_files(_photo(tmp_path / "list.jpg"))
    assert _fits(page)
    evidence.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "waiting for verification" in page.get_by_test_id("action-state").inner_text()
    assert page.get_by_test_id("evidence-file").is_visible()
    assert _fits(page)
    context.close()
    action.refresh_from_db()
    assert action.state == ActionState.SUBMITTED and action.evidence_content_type == "image/jpeg"

    # The inspector: the evidence, then the verification.
    context, page = _as(browser, live_server, "b_leader", width=1280)
    page.goto(f"{live_server.url}/supervision/actions/{action.pk}/")
    href = page.get_by_test_id("evidence-file").get_attribute("href")
    photo = page.request.get(live_server.url + href)  # with the inspector's session
    assert photo.status == 200 and photo.headers["content-type"] == "image/jpeg"
    verify = page.get_by_test_id("verify-form")
    verify.get_by_label("Verified: the action is done").check()
    verify.locator("textarea[name=note]").fill("签到表齐全。")
    verify.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("action-state").inner_text() == "Verified"
    context.close()

    # The owner again: off the overdue list, on the dashboard and the list's filter.
    context, page = _as(browser, live_server, "b_coordinator", width=390)
    page.goto(f"{live_server.url}/dashboard/")
    assert page.get_by_test_id("overdue-action").count() == 0
    page.goto(f"{live_server.url}/supervision/actions/?overdue=1")
    assert f"/supervision/actions/{action.pk}/" not in page.content()
    assert _fits(page)
    context.close()
