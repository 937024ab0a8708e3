"""A supervising expert on a phone (390×844, Chinese) goes through the waiting entries one
after another: each opens with the cursor in the comment box, Tab reaches "approve and
next", a return needs a comment, and the last decision lands back on the queue. Then one
trainee's entries together, and an evaluation that fails is signed only after a warning."""

import datetime

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TOTP_COUNTER = 59_000_000  # one fixed 30-second window


@pytest.fixture(autouse=True)
def _totp_window(monkeypatch):
    monkeypatch.setattr(
        "allauth.mfa.totp.internal.auth.yield_hotp_counters_from_time",
        lambda: iter([TOTP_COUNTER]),
    )


def totp_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(TOTP_SECRET, TOTP_COUNTER))


@pytest.fixture
def waiting_entries(transactional_db):
    """Two trainees of one supervising expert with five entries waiting between them."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.utils import timezone

    from accounts import roles
    from practicum.defaults import install_defaults
    from practicum.models import ActivityType, EntryState, Placement, PracticumEntry
    from tests.factories import DistrictFactory, make_user

    install_defaults()
    district = DistrictFactory(code="gaochang", name="高昌区")
    supervisor = make_user(
        roles.SUPERVISOR, username="review_expert", real_name="陈静", two_factor=False
    )
    TOTP.activate(supervisor, TOTP_SECRET)
    activity = ActivityType.objects.get(code="group_counselling")
    now = timezone.now()
    entries = []
    for index, name in enumerate(("李娜", "王芳")):
        trainee = make_user(
            roles.TRAINEE, username=f"review_trainee_{index}", real_name=name, district=district
        )
        placement = Placement.objects.create(
            trainee=trainee,
            supervisor=supervisor,
            qualification="counsellor",
            start_date=timezone.localdate() - datetime.timedelta(days=40),
        )
        for day in range(3 if index == 0 else 2):
            entries.append(
                PracticumEntry.objects.create(
                    placement=placement,
                    trainee=trainee,
                    supervisor=supervisor,
                    qualification="counsellor",
                    date=timezone.localdate() - datetime.timedelta(days=day + 2),
                    minutes=90,
                    activity_type=activity,
                    service_kind=activity.service_kind,
                    children_6_11=10,
                    description=(
                        f"在葡萄镇中心小学开展第{day + 1}次情绪主题团体辅导，"
                        "10名儿童参加，练习用情绪温度计说出自己的感受，结束时一起复盘。"
                    ),
                    state=EntryState.SUBMITTED,
                    submitted_at=now - datetime.timedelta(days=9 - day - index * 3),
                )
            )
    return supervisor, entries


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_supervisor_reviews_entries_one_after_another_on_a_phone(
    phone, live_server, waiting_entries
):
    from practicum.models import EntryState, PracticumEntry
    from tests.factories import PASSWORD

    supervisor, entries = waiting_entries
    log_in(phone, live_server, "review_expert", PASSWORD)
    code = phone.locator("input[name=code]")
    code.fill(totp_code())
    code.press("Enter")
    phone.wait_for_url(lambda url: "/2fa/" not in url)

    # The queue shows each entry's description (cut) and how long it has waited.
    phone.goto(f"{live_server.url}/practicum/review/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    assert phone.locator("[data-testid=queue-excerpt]").count() == 5
    assert "情绪主题团体辅导" in phone.locator("[data-testid=queue-excerpt]").first.inner_text()
    no_sideways_scroll(phone)
    phone.screenshot(path="/tmp/lms-review-queue-phone.png", full_page=True)

    # Start at the oldest and go through all five without coming back to the list.
    with phone.expect_navigation():
        phone.locator("[data-testid=review-in-order]").click()
    seen = []
    for step in range(5):
        assert "/practicum/entries/" in phone.url
        no_sideways_scroll(phone)
        place = phone.locator("[data-testid=queue-place]")
        assert place.get_attribute("data-place") == "1"
        assert place.get_attribute("data-waiting") == str(5 - step)
        # The cursor is in the comment box.
        assert phone.evaluate("document.activeElement.name") == "comment"
        pk = int(phone.url.split("?")[0].rstrip("/").split("/")[-1])
        seen.append(pk)
        if step == 0:
            phone.screenshot(path="/tmp/lms-review-entry-phone.png", full_page=True)
        if step == 2:
            # A return needs a comment: first refused (the page stays), then recorded.
            with phone.expect_navigation():
                phone.locator("[data-testid=return-next]").click()
            assert phone.locator(".has-error .error").first.is_visible()
            assert phone.evaluate("document.activeElement.name") == "comment"
            phone.locator("textarea[name=comment]").fill("请补充本次活动的目标和复盘时长。")
            with phone.expect_navigation():
                phone.locator("[data-testid=return-next]").click()
        else:
            # Keyboard only: Tab from the comment box to "approve and next", then Enter.
            phone.keyboard.press("Tab")
            assert phone.evaluate("document.activeElement.dataset.testid") == "approve-next"
            with phone.expect_navigation():
                phone.keyboard.press("Enter")

    # After the last one, the queue, which says nothing is left.
    assert phone.url.endswith("/practicum/review/")
    assert phone.locator("[data-testid=queue-excerpt]").count() == 0
    phone.screenshot(path="/tmp/lms-review-done-phone.png", full_page=True)
    assert len(set(seen)) == 5
    states = dict(PracticumEntry.objects.values_list("pk", "state"))
    assert states[seen[2]] == EntryState.RETURNED
    assert sum(1 for state in states.values() if state == EntryState.APPROVED) == 4
    # Oldest first: the order the queue shows.
    by_age = sorted(entries, key=lambda e: (e.submitted_at, e.pk))
    assert seen == [e.pk for e in by_age]


def test_one_trainees_entries_together_and_a_failing_evaluation_warned_before_signing(
    phone, live_server, waiting_entries
):
    from practicum import services
    from tests.factories import PASSWORD

    supervisor, entries = waiting_entries
    trainee = entries[0].trainee
    placement = entries[0].placement
    evaluation = services.start_evaluation(
        placement=placement, supervisor=supervisor, stage="final"
    )
    items = list(evaluation.ratings.order_by("rubric_item__sort_order"))
    services.save_evaluation(
        evaluation=evaluation,
        supervisor=supervisor,
        ratings={row.rubric_item_id: (2 if i == 5 else 4, "") for i, row in enumerate(items)},
    )
    log_in(phone, live_server, "review_expert", PASSWORD)
    code = phone.locator("input[name=code]")
    code.fill(totp_code())
    code.press("Enter")
    phone.wait_for_url(lambda url: "/2fa/" not in url)

    phone.goto(f"{live_server.url}/practicum/review/trainees/{trainee.pk}/")
    assert phone.locator("article.entry-together").count() == 3
    no_sideways_scroll(phone)
    phone.screenshot(path="/tmp/lms-review-trainee-phone.png", full_page=True)

    phone.goto(f"{live_server.url}/practicum/evaluations/{evaluation.pk}/")
    assert phone.locator("[data-testid=pass-rule]").is_visible()
    phone.locator("[data-testid=review-and-sign]").click()
    phone.wait_for_url("**/sign/")
    result = phone.locator("[data-testid=sign-result]")
    assert result.get_attribute("data-passed") == "false"
    no_sideways_scroll(phone)
    phone.screenshot(path="/tmp/lms-evaluation-sign-phone.png", full_page=True)
    form = phone.locator("[data-testid=sign-form]")
    form.locator("input[name=confirm]").check()
    form.locator("[data-testid=sign-evaluation]").click()
    phone.wait_for_load_state()
    evaluation.refresh_from_db()
    assert not evaluation.is_signed  # the fail needs its own tick
    phone.locator("input[name=confirm]").check()
    phone.locator("input[name=confirm_fail]").check()
    phone.locator("[data-testid=sign-evaluation]").click()
    phone.wait_for_url(f"**/practicum/evaluations/{evaluation.pk}/")
    evaluation.refresh_from_db()
    assert evaluation.is_signed and evaluation.passed is False
