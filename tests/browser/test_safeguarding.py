"""Raising a concern on a phone (390 px), in real Chromium: a lecturer raises it from the
dashboard, their supervising expert acknowledges and refers it, and the district's
coordinator sees it counted in the month's report — never its text."""

import pytest

from accounts import roles

from .conftest import log_in

pytestmark = pytest.mark.browser

SEEN = "一名约9岁男孩脸上有新伤，说晚上不敢回家。"


@pytest.fixture
def people(transactional_db, settings):
    from practicum.tests.factories import PlacementFactory
    from tests.factories import DistrictFactory, VenueFactory, make_user

    gaochang = DistrictFactory(code="gaochang", name="高昌区", name_en="Gaochang District")
    venue = VenueFactory(district=gaochang, name="葡萄镇中心小学")
    lecturer = make_user(roles.LECTURER, roles.TRAINEE, username="b_lecturer", district=gaochang)
    supervisor = make_user(roles.SUPERVISOR, username="b_supervisor", two_factor=False)
    coordinator = make_user(
        roles.COORDINATOR, username="b_coordinator", coordinator_district=gaochang, two_factor=False
    )
    PlacementFactory(trainee=lecturer, supervisor=supervisor)
    settings.MFA_WAIVED_USERNAMES = frozenset({supervisor.username, coordinator.username})
    return {
        "venue": venue,
        "lecturer": lecturer,
        "supervisor": supervisor,
        "coordinator": coordinator,
    }


def _phone_as(browser, live_server, username):
    from tests.factories import PASSWORD

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(60_000)  # a guard for a loaded machine, not a budget
    log_in(page, live_server, username, PASSWORD)
    return context, page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_concern_from_a_phone_to_the_monthly_count(browser, live_server, people):
    from reports.periods import Period
    from safeguarding.models import Concern

    # The lecturer: one tap from the dashboard, the form, sent.
    context, page = _phone_as(browser, live_server, "b_lecturer")
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_test_id("raise-concern").click()
    page.wait_for_load_state()
    assert page.url.endswith("/concerns/raise/") and _fits(page)
    page.get_by_label("Signs of abuse or neglect").check()
    page.get_by_label("Urgent: the child may be in danger now").check()
    page.select_option("select[name=venue]", str(people["venue"].pk))
    page.fill("textarea[name=what_seen]", "男孩叫张小龙，" + SEEN)
    page.get_by_role("button", name="Send the concern").click()
    page.wait_for_load_state()
    # The children's-data guard refuses the name and keeps everything else typed.
    assert page.locator(".error").first.is_visible()
    assert "张小龙" in page.locator("textarea[name=what_seen]").input_value()
    assert page.get_by_label("Signs of abuse or neglect").is_checked()
    page.fill("textarea[name=what_seen]", SEEN)
    page.fill("textarea[name=what_done]", "已陪他在老师办公室等候。")
    page.get_by_role("button", name="Send the concern").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("concern-state").inner_text() == "Raised"
    assert people["supervisor"].display_name in page.get_by_test_id("sent-to").inner_text()
    assert _fits(page)
    context.close()
    concern = Concern.objects.get()

    # The supervising expert: the dashboard says it waits; acknowledge, then refer.
    context, page = _phone_as(browser, live_server, "b_supervisor")
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_test_id("concerns-waiting").locator("a").click()
    page.wait_for_load_state()
    page.locator(f"a[href='/concerns/{concern.pk}/']").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("what-seen").inner_text() == SEEN
    page.fill("textarea[name=note]", "已电话联系校长。")
    page.get_by_test_id("acknowledge").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("concern-state").inner_text() == "Acknowledged"
    page.get_by_text("Refer it").click()
    page.select_option("select[name=referred_to]", "civil_affairs")
    page.locator("form[action$='/refer/'] textarea[name=note]").fill("已转民政局儿童福利科。")
    page.get_by_test_id("refer").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("concern-state").inner_text() == "Referred"
    assert _fits(page)
    context.close()

    # The coordinator: the month's report counts it, and shows nothing it says.
    context, page = _phone_as(browser, live_server, "b_coordinator")
    period = Period.of(concern.raised_at.date()).code
    page.goto(f"{live_server.url}/reports/?period={period}")
    page.wait_for_load_state()
    assert page.locator("[data-figure='safeguarding.raised'] .value").inner_text() == "1"
    assert "男孩" not in page.content()
    context.close()
