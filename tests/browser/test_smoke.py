import pytest

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_home_in_chinese_switch_to_uyghur_and_log_in(
    phone, live_server, seeded_site, project_translations
):
    page = phone
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "登录" in page.locator("nav.site-nav").inner_text()

    page.select_option("[data-testid=language-select]", "ug")
    page.locator(".language-switch button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ug"
    assert page.locator("html").get_attribute("dir") == "rtl"

    page.select_option("[data-testid=language-select]", "zh-hans")
    page.locator(".language-switch button").click()
    page.wait_for_load_state()

    log_in(page, live_server, "trainee")
    page.goto(live_server.url + "/dashboard/")
    assert "李娜" in page.locator("h1").inner_text()
    assert "工作台" in page.locator("nav.site-nav").inner_text()
    page.screenshot(path="/tmp/lms-smoke-dashboard.png", full_page=True)
