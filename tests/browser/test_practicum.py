"""A trainee logs practice on a phone; the supervisor returns it; the trainee fixes and
resubmits; the supervisor approves; the trainee's ledger moves."""

import datetime

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TOTP_COUNTER = 59_000_000  # one fixed 30-second window (in 2026)


@pytest.fixture(autouse=True)
def _totp_window(monkeypatch):
    """The live server (a thread of this process) checks codes against one fixed window.

    With the real clock, a code made just before a 30-second boundary and checked just
    after it is refused, which a slow machine makes likely.
    """
    monkeypatch.setattr(
        "allauth.mfa.totp.internal.auth.yield_hotp_counters_from_time",
        lambda: iter([TOTP_COUNTER]),
    )


@pytest.fixture
def practicum_pair(transactional_db):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.utils import timezone

    from accounts import roles
    from practicum.defaults import install_defaults
    from practicum.models import Placement
    from tests.factories import DistrictFactory, VenueFactory, make_user

    install_defaults()
    district = DistrictFactory(code="gaochang", name="高昌区")
    venue = VenueFactory(name="高昌区葡萄镇中心小学", district=district)
    trainee = make_user(
        roles.TRAINEE, username="phone_trainee", real_name="李娜", district=district
    )
    supervisor = make_user(
        roles.SUPERVISOR, username="phone_supervisor", real_name="陈静", two_factor=False
    )
    TOTP.activate(supervisor, TOTP_SECRET)
    Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        venue=venue,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    return trainee, supervisor, venue


def totp_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(TOTP_SECRET, TOTP_COUNTER))


def approved_total(page, live_server, trainee) -> str:
    page.goto(f"{live_server.url}/practicum/ledger/{trainee.pk}/counsellor/")
    return page.locator("[data-testid=approved-total]").inner_text().strip()


def test_entry_is_logged_on_a_phone_returned_fixed_and_approved(
    phone, desktop, live_server, practicum_pair
):
    from practicum.models import PracticumEntry
    from tests.factories import PASSWORD

    trainee, supervisor, venue = practicum_pair
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()

    # The trainee logs an entry on a phone; the privacy guard refuses a child's name first.
    log_in(phone, live_server, "phone_trainee", PASSWORD)
    assert approved_total(phone, live_server, trainee) == "0.0"
    phone.goto(f"{live_server.url}/practicum/")
    assert phone.viewport_size == {"width": 390, "height": 844}
    form = phone.locator("[data-testid=entry-form]")
    form.locator("input[name=date]").fill(yesterday)
    form.locator("input[name=start_time]").fill("09:00")
    form.locator("input[name=end_time]").fill("11:00")
    form.locator("select[name=venue]").select_option(str(venue.pk))
    form.locator("select[name=activity_type]").select_option(label="团体心理辅导 · Direct service")
    form.locator("input[name=children_6_11]").fill("12")
    form.locator("textarea[name=description]").fill(
        "带领学生王小明等12名儿童开展情绪主题团体辅导。"
    )
    form.locator("button[name=then][value=submit]").click()
    phone.wait_for_load_state()
    error = phone.locator(".has-error .error").first
    assert error.is_visible()
    assert "小A" in error.inner_text()
    # Nothing sideways on a phone: the form fits the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    form = phone.locator("[data-testid=entry-form]")
    form.locator("textarea[name=description]").fill(
        "带领12名儿童开展情绪主题团体辅导，一名9岁男孩起初不愿发言，第二轮主动分享。"
    )
    form.locator("button[name=then][value=submit]").click()
    phone.wait_for_url("**/practicum/entries/*/")
    assert phone.locator("h1 [data-state]").get_attribute("data-state") == "submitted"
    entry = PracticumEntry.objects.get()
    phone.screenshot(path="/tmp/lms-practicum-phone-submitted.png", full_page=True)

    # The supervisor (with two-factor) returns it with a comment.
    log_in(desktop, live_server, "phone_supervisor", PASSWORD)
    code = desktop.locator("input[name=code]")
    code.fill(totp_code())
    code.press("Enter")
    desktop.wait_for_url(lambda url: "/2fa/" not in url)
    desktop.goto(f"{live_server.url}/practicum/review/")
    row = desktop.locator(f"[data-testid=queue-row-{entry.pk}]")
    assert row.is_visible()
    # The row's first link is the trainee's page; open the entry itself.
    row.locator(f'a[href$="/practicum/entries/{entry.pk}/"]').first.click()
    desktop.wait_for_url(f"**/practicum/entries/{entry.pk}/")
    review = desktop.locator("[data-testid=review-form]")
    review.locator("textarea[name=comment]").fill("请补充活动后复盘讨论的时长。")
    review.locator("[data-testid=return-next]").click()
    desktop.wait_for_url("**/practicum/review/")
    entry.refresh_from_db()
    assert entry.state == "returned"

    # The trainee sees the comment, fixes the entry and resubmits.
    phone.goto(f"{live_server.url}/practicum/entries/{entry.pk}/")
    assert "复盘讨论的时长" in phone.locator("[data-testid=review-comment]").inner_text()
    phone.locator("[data-testid=edit-entry]").click()
    phone.wait_for_url("**/edit/")
    phone.locator("textarea[name=reflection]").fill("复盘讨论15分钟，已包含在本次时长内。")
    phone.locator("button[name=then][value=submit]").click()
    phone.wait_for_url(f"**/practicum/entries/{entry.pk}/")
    assert phone.locator("h1 [data-state]").get_attribute("data-state") == "submitted"

    # The supervisor approves it from the queue.
    desktop.goto(f"{live_server.url}/practicum/review/")
    desktop.locator(f"#select-{entry.pk}").check()
    desktop.locator("[data-testid=bulk-approve]").click()
    desktop.wait_for_load_state()
    entry.refresh_from_db()
    assert entry.state == "approved"

    # The ledger moves: two approved hours.
    assert approved_total(phone, live_server, trainee) == "2.0"
    assert phone.locator("[data-testid=approved-direct]").inner_text().strip() == "2.0"
    phone.screenshot(path="/tmp/lms-practicum-phone-ledger.png", full_page=True)
