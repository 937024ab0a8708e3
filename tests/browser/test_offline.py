"""Offline for real, on a phone (390×844): save a course, lose the network, read a saved lesson
and mark it done, write a practicum entry; get the network back; the server holds exactly
one completion and one entry, and a forced retry adds nothing.

Playwright's ``set_offline`` does not stop a service worker's own fetches, so the browser
reaches the live server through ``NetworkSwitch``, a relay this test cuts: with it cut,
every connection the phone opens — the page's and the worker's — is dropped, as with no
signal. ``set_offline`` is set too, so the page's ``navigator.onLine`` says so.
"""

from __future__ import annotations

import contextlib
import datetime
import socket
import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class NetworkSwitch:
    """A TCP relay from the browser to the live server that can be cut and restored."""

    def __init__(self, target_url: str):
        parts = urlsplit(target_url)
        self.target = (parts.hostname, parts.port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connected = True
        self.closed = False
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.connected:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._drop(end)

    def _drop(self, end):
        with self.lock:
            self.sockets.discard(end)
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def cut(self):
        self.connected = False
        with self.lock:
            ends = list(self.sockets)
        for end in ends:
            self._drop(end)

    def restore(self):
        self.connected = True

    def close(self):
        self.closed = True
        self.cut()
        self.listener.close()


@pytest.fixture
def network(live_server):
    switch = NetworkSwitch(live_server.url)
    yield switch
    switch.close()


def go_offline(page, network):
    page.context.set_offline(True)
    network.cut()


def go_online(page, network):
    network.restore()
    page.context.set_offline(False)


def worker_ready(page):
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")


def controlled(page):
    return page.evaluate("Boolean(navigator.serviceWorker.controller)")


@pytest.fixture
def learner(transactional_db):
    from accounts import roles
    from courses import services
    from courses.tests import factories
    from tests.factories import make_user

    course = factories.course(title="团体活动的组织与带领", modules=(2, 1), navigation="sequential")
    trainee = make_user(roles.TRAINEE, username="offline_trainee")
    services.enrol(user=trainee, course=course)
    return course, factories.lessons_of(course), trainee


@pytest.fixture
def practitioner(transactional_db):
    from django.utils import timezone

    from accounts import roles
    from practicum.defaults import install_defaults
    from practicum.models import Placement
    from tests.factories import DistrictFactory, VenueFactory, make_user

    install_defaults()
    district = DistrictFactory(code="gaochang", name="高昌区")
    venue = VenueFactory(name="高昌区葡萄镇中心小学", district=district)
    trainee = make_user(roles.TRAINEE, username="offline_practice", district=district)
    supervisor = make_user(roles.SUPERVISOR, username="offline_supervisor", two_factor=False)
    Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        venue=venue,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    return trainee, venue


def test_chromium_finds_the_site_installable(browser, tmp_path, live_server):
    """``Page.getInstallabilityErrors`` is empty: manifest, icons and worker are right.

    A persistent profile, because Playwright's ordinary contexts are incognito, which
    Chromium reports as an error of its own ("in-incognito")."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport={"width": 390, "height": 844},
    )
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{live_server.url}/accounts/login/")
        worker_ready(page)
        page.reload()
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith(
            "/manifest.webmanifest?lang=zh-hans"
        )
    finally:
        context.close()


RESEND = """async ([url, key, body]) => {
  const token = (await (await fetch("/offline/token/")).json()).csrfToken;
  const response = await fetch(url, {
    method: "POST",
    headers: {"X-CSRFToken": token, "Idempotency-Key": key, "Content-Type": "application/json"},
    body,
  });
  return [response.status, response.headers.get("Idempotent-Replayed")];
}"""


def test_a_saved_lesson_is_read_and_marked_done_offline_and_reaches_the_server_once(
    phone, network, learner
):
    from audit.models import AuditLog
    from courses.models import LessonProgress
    from offline.models import IdempotentRequest
    from tests.factories import PASSWORD

    course, lessons, trainee = learner
    site = SimpleNamespace(url=network.url)
    log_in(phone, site, trainee.username, PASSWORD)
    worker_ready(phone)

    phone.goto(f"{network.url}{course.url}")
    assert controlled(phone)

    # Save the course for offline use; the space it takes is shown.
    phone.locator("[data-testid=save-offline]").click()
    status = phone.locator("[data-testid=offline-status]")
    status.filter(has_text="Saved on this phone").wait_for()
    assert "KB" in status.inner_text() or "MB" in status.inner_text()
    assert "Locked lessons not saved: 2" in status.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # Saving fetched the lessons without marking them started.
    assert not LessonProgress.objects.filter(user=trainee).exists()

    # No network at all.
    go_offline(phone, network)
    phone.goto(f"{network.url}/learn/")  # never saved
    assert phone.locator("h1").inner_text() == "No network"
    phone.goto(f"{network.url}{lessons[0].url}")
    assert phone.locator("h1").inner_text() == lessons[0].title
    phone.locator("form[data-offline-complete] button[type=submit]").click()
    phone.locator("[data-testid=completion-queued]").wait_for()
    assert not LessonProgress.objects.filter(user=trainee, status="complete").exists()

    # The first answer is lost on the way back (the server did the work, the phone never
    # heard): the phone keeps the item and sends it again with the same key.
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch())
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route("**/api/v1/lessons/*/complete", lose_first_answer)
    console = []
    phone.on("console", lambda message: console.append(message.text))
    go_online(phone, network)
    try:
        phone.get_by_text("Sent: the lesson is marked as done.").wait_for()
    except Exception:
        print("console:", console, "lost:", lost)
        phone.screenshot(path="/tmp/offline-lesson-fail.png", full_page=True)
        raise
    assert lost and lost[0].status == 200
    assert (
        LessonProgress.objects.filter(user=trainee, lesson=lessons[0], status="complete").count()
        == 1
    )
    assert AuditLog.objects.filter(action="courses.lesson.complete").count() == 1
    stored = IdempotentRequest.objects.get(user=trainee)

    # A forced retry with the same key adds nothing.
    phone.unroute("**/api/v1/lessons/*/complete")
    status_code, replayed = phone.evaluate(
        RESEND, [f"/api/v1/lessons/{lessons[0].pk}/complete", stored.key, "{}"]
    )
    assert (status_code, replayed) == (200, "true")
    assert LessonProgress.objects.filter(user=trainee, status="complete").count() == 1
    assert AuditLog.objects.filter(action="courses.lesson.complete").count() == 1

    # A newer published revision replaces the saved copy on the next online visit.
    lesson = lessons[0].specific
    lesson.body = [{"type": "rich_text", "value": "<p>第二版：先共情，再引导。</p>"}]
    lesson.save_revision().publish()
    phone.goto(f"{network.url}{lessons[0].url}")
    assert "第二版" in phone.locator(".lesson-body").inner_text()
    go_offline(phone, network)
    phone.goto(f"{network.url}{lessons[0].url}")
    assert "第二版" in phone.locator(".lesson-body").inner_text()
    go_online(phone, network)


def test_a_practicum_entry_written_offline_is_sent_once_and_a_refused_one_comes_back(
    phone, network, practitioner
):
    from practicum.models import PracticumEntry
    from tests.factories import PASSWORD

    trainee, venue = practitioner
    site = SimpleNamespace(url=network.url)
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    log_in(phone, site, trainee.username, PASSWORD)
    worker_ready(phone)
    phone.goto(f"{network.url}/practicum/")  # kept on the phone by the worker
    assert controlled(phone)
    phone.wait_for_function("caches.match('/practicum/').then(Boolean)")
    sent = []
    phone.on(
        "request",
        lambda request: (
            sent.append(request)
            if request.method == "POST" and request.url.endswith("/api/v1/practicum/entries")
            else None
        ),
    )

    go_offline(phone, network)
    phone.goto(f"{network.url}/practicum/")
    form = phone.locator("[data-testid=entry-form]")

    def fill(description, start, end):
        form.locator("input[name=date]").fill(yesterday)
        form.locator("input[name=start_time]").fill(start)
        form.locator("input[name=end_time]").fill(end)
        form.locator("select[name=venue]").select_option(str(venue.pk))
        form.locator("select[name=activity_type]").select_option(
            label="团体心理辅导 · Direct service"
        )
        form.locator("input[name=children_6_11]").fill("12")
        form.locator("textarea[name=description]").fill(description)

    fill("带领12名儿童开展情绪主题团体辅导，一名9岁男孩第二轮主动分享。", "09:00", "11:00")
    form.locator("button[name=then][value=draft]").click()
    phone.get_by_text("Saved on this phone. It will be sent when you are online.").wait_for()
    refused_text = "带领学生王小明等12名儿童开展情绪主题团体辅导。"
    fill(refused_text, "14:00", "15:30")
    form.locator("button[name=then][value=draft]").click()
    expect(phone.locator(".offline-drafts [data-testid=queued-entry]")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert not PracticumEntry.objects.exists()

    go_online(phone, network)
    phone.get_by_text("Sent: your practicum entry is saved.").wait_for()
    refused = phone.locator(".offline-drafts .status-refused")
    refused.wait_for()
    assert "Not accepted" in refused.inner_text() and "description" in refused.inner_text()
    assert PracticumEntry.objects.filter(trainee=trainee).count() == 1
    entry = PracticumEntry.objects.get()
    assert entry.state == "draft" and entry.start_time == datetime.time(9, 0)

    # A forced retry of the accepted one, same key and body: nothing more.
    first = next(r for r in sent if "二轮主动分享" in (r.post_data or ""))
    key = first.headers["idempotency-key"]
    status_code, replayed = phone.evaluate(
        RESEND, ["/api/v1/practicum/entries", key, first.post_data]
    )
    assert (status_code, replayed) == (201, "true")
    assert PracticumEntry.objects.count() == 1

    # The refused draft comes back into the form with its text and the reason.
    refused.get_by_role("button", name="Open in the form").click()
    assert form.locator("textarea[name=description]").input_value() == refused_text
    assert form.locator("input[name=start_time]").input_value() == "14:00"

    # Logging out warns about the unsent draft, then clears the phone.
    phone.locator("form[data-offline-logout] button[type=submit]").click()
    dialog = phone.locator("[data-testid=logout-dialog]")
    dialog.wait_for()
    assert "Not sent yet from this phone: 1" in dialog.inner_text()
    dialog.get_by_role("button", name="Log out and delete them").click()
    phone.wait_for_url(f"{network.url}/")
    left = phone.evaluate(
        """async () => {
          const names = (await caches.keys()).filter((n) => !n.startsWith("static-"));
          const db = await new Promise((ok) => { const r = indexedDB.open("talent-pool-offline", 1); r.onsuccess = () => ok(r.result); });
          const queue = await new Promise((ok) => { const r = db.transaction("queue").objectStore("queue").count(); r.onsuccess = () => ok(r.result); });
          return [names, queue, localStorage.getItem("offline-waiting")];
        }"""
    )
    assert left == [[], 0, None]
    assert PracticumEntry.objects.count() == 1


@pytest.fixture
def lecturer_session(transactional_db):
    from django.utils import timezone

    from lecturer_corps.models import RequestStatus
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
    from tests.factories import DistrictFactory, VenueFactory

    district = DistrictFactory(code="gaochang", name="高昌区")
    venue = VenueFactory(name="葡萄镇中心小学", district=district, capacity=60)
    profile = make_lecturer(username="offline_lecturer", district=district)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    request = make_request(venue=venue, date=yesterday, status=RequestStatus.CONFIRMED)
    return profile.user, make_session(request, profile.user)


def test_a_delivery_report_drafted_offline_is_filed_once(phone, network, lecturer_session):
    from lecturer_corps.models import DeliveryReport
    from tests.factories import PASSWORD

    lecturer, session = lecturer_session
    form_path = f"/corps/my-sessions/{session.pk}/report/"
    log_in(phone, SimpleNamespace(url=network.url), lecturer.username, PASSWORD)
    worker_ready(phone)
    phone.goto(f"{network.url}{form_path}")  # kept on the phone by the worker
    assert controlled(phone)
    phone.wait_for_function(f"caches.match('{form_path}').then(Boolean)")
    sent = []
    phone.on(
        "request",
        lambda request: (
            sent.append(request)
            if request.method == "POST" and request.url.endswith("/delivery-report")
            else None
        ),
    )

    go_offline(phone, network)
    phone.goto(f"{network.url}{form_path}")
    form = phone.locator("form[data-offline-draft=report]")
    form.locator("input[name=children_orphan_6_11]").fill("5")
    form.locator("input[name=children_other_12_17]").fill("3")
    form.locator("input[name=teachers_count]").fill("1")
    form.locator("input[name=actual_minutes]").fill("95")
    form.locator("textarea[name=notes]").fill("活动顺利，孩子们积极参与。")
    form.locator("button[type=submit]").click()
    phone.get_by_text("Saved on this phone. It will be sent when you are online.").wait_for()
    expect(phone.locator(".offline-drafts [data-testid=queued-report]")).to_have_count(1)
    assert not DeliveryReport.objects.exists()

    go_online(phone, network)
    phone.get_by_text("Sent: the delivery report is filed.").wait_for()
    report = DeliveryReport.objects.get(session=session)
    assert (report.children_count, report.teachers_count, report.actual_minutes) == (8, 1, 95)
    assert report.children_in_difficulty_count == 5

    first = sent[0]
    status_code, replayed = phone.evaluate(
        RESEND,
        [
            f"/api/v1/sessions/{session.pk}/delivery-report",
            first.headers["idempotency-key"],
            first.post_data,
        ],
    )
    assert (status_code, replayed) == (201, "true")
    assert DeliveryReport.objects.count() == 1


def _poll(page, condition, looks: int = 2400) -> None:
    """Wait until ``condition()`` holds, letting the browser deliver its events between
    looks (each after a 50 ms timer in the page). Bounded by the number of looks, not by
    a clock: a slow machine only takes longer."""
    for _ in range(looks):
        if condition():
            return
        page.evaluate("() => new Promise((done) => setTimeout(done, 50))")
    assert condition(), "the browser never got there"


def test_background_sync_sends_what_waits_once_the_network_is_back_with_no_page_open(
    phone, network, learner, practitioner
):
    """Chromium has Background Sync: queueing a completion or a draft registers a sync, and
    the service worker sends the queue on the sync event, with no page of the site open.

    Chromium fires a sync when it sees the network come back; the cut relay is invisible to
    it (the machine stays online), so the event is dispatched through the DevTools protocol
    (``ServiceWorker.dispatchSyncEvent``, the Application panel's "Sync" button)."""
    from courses import services as course_services
    from courses.models import LessonProgress
    from offline.models import IdempotentRequest
    from practicum.models import PracticumEntry
    from tests.factories import PASSWORD

    course, lessons, _learner = learner
    trainee, venue = practitioner
    course_services.enrol(user=trainee, course=course)
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    context = phone.context
    log_in(phone, SimpleNamespace(url=network.url), trainee.username, PASSWORD)
    worker_ready(phone)
    phone.goto(f"{network.url}/practicum/")  # kept on the phone by the worker
    assert controlled(phone)
    phone.wait_for_function("caches.match('/practicum/').then(Boolean)")
    phone.goto(f"{network.url}{lessons[0].url}")

    # No network: mark the lesson done, then write a practicum entry, on the phone.
    go_offline(phone, network)
    phone.locator("form[data-offline-complete] button[type=submit]").click()
    phone.locator("[data-testid=completion-queued]").wait_for()
    phone.goto(f"{network.url}/practicum/")
    form = phone.locator("[data-testid=entry-form]")
    form.locator("input[name=date]").fill(yesterday)
    form.locator("input[name=start_time]").fill("09:00")
    form.locator("input[name=end_time]").fill("10:30")
    form.locator("select[name=venue]").select_option(str(venue.pk))
    form.locator("select[name=activity_type]").select_option(label="团体心理辅导 · Direct service")
    form.locator("input[name=caregivers]").fill("6")
    form.locator("textarea[name=description]").fill("在葡萄镇中心小学带领亲子沟通小组。")
    form.locator("button[name=then][value=draft]").click()
    expect(phone.locator(".offline-drafts [data-testid=queued-entry]")).to_have_count(1)
    # Both asked the browser for a sync; the page has no other way to be woken when closed.
    tags = phone.evaluate("navigator.serviceWorker.ready.then((r) => r.sync.getTags())")
    assert tags == ["offline-queue"]
    origin = phone.evaluate("location.origin")

    # The person puts the phone away: no page of the site is open when the network returns.
    phone.close()
    go_online(SimpleNamespace(context=context), network)
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    _poll(blank, lambda: any(r["scopeURL"] == f"{origin}/" for r in registrations))
    registration_id = next(
        r["registrationId"]
        for r in registrations
        if r["scopeURL"] == f"{origin}/" and not r["isDeleted"]
    )

    def sync():
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": origin,
                "registrationId": registration_id,
                "tag": "offline-queue",
                "lastChance": False,
            },
        )

    def completions():
        return LessonProgress.objects.filter(user=trainee, status="complete").count()

    sync()
    _poll(blank, lambda: completions() and PracticumEntry.objects.filter(trainee=trainee).exists())
    assert [p.url for p in context.pages] == ["about:blank"]
    assert completions() == 1
    entry = PracticumEntry.objects.get(trainee=trainee)
    assert entry.start_time == datetime.time(9, 0) and entry.state == "draft"
    assert IdempotentRequest.objects.filter(user=trainee).count() == 2

    # Another sync finds the queue empty; a forced retry with a used key adds nothing.
    sync()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{network.url}/practicum/")
    left = page.evaluate(
        """async () => {
          const db = await new Promise((ok) => { const r = indexedDB.open("talent-pool-offline", 1); r.onsuccess = () => ok(r.result); });
          return new Promise((ok) => { const r = db.transaction("queue").objectStore("queue").count(); r.onsuccess = () => ok(r.result); });
        }"""
    )
    assert left == 0
    key = IdempotentRequest.objects.get(user=trainee, endpoint__startswith="courses").key
    status_code, replayed = page.evaluate(
        RESEND, [f"/api/v1/lessons/{lessons[0].pk}/complete", key, "{}"]
    )
    assert (status_code, replayed) == (200, "true")
    assert completions() == 1
    assert PracticumEntry.objects.filter(trainee=trainee).count() == 1


def test_a_quiz_says_it_needs_the_network_when_the_phone_is_offline(phone, network, learner):
    """Quizzes stay online (the server keeps their time): offline, the lesson's quiz says so,
    and the quiz itself opens the offline page instead of a stale copy."""
    from courses.tests import factories as course_factories
    from quizzes.tests import factories as quiz_factories
    from tests.factories import PASSWORD

    course, lessons, trainee = learner
    quiz = quiz_factories.quiz([quiz_factories.single()], title="第一课小测", pass_mark=60)
    lesson = lessons[0].specific
    lesson.body = [
        {"type": "rich_text", "value": "<p>学完了吗？</p>"},
        {"type": "quiz", "value": {"quiz": quiz.pk, "intro": "检验一下"}},
    ]
    course_factories.publish(lesson)
    log_in(phone, SimpleNamespace(url=network.url), trainee.username, PASSWORD)
    worker_ready(phone)
    phone.goto(f"{network.url}{lessons[0].url}")
    assert controlled(phone)
    note = phone.locator("[data-testid=quiz-needs-network]")
    expect(note).to_be_hidden()

    go_offline(phone, network)
    expect(note).to_be_visible()
    assert "Quizzes need the network" in note.inner_text()
    phone.goto(f"{network.url}/quizzes/{quiz.pk}/?lesson={lessons[0].pk}")
    assert phone.locator("h1").inner_text() == "No network"

    go_online(phone, network)
    phone.goto(f"{network.url}{lessons[0].url}")
    expect(note).to_be_hidden()


def test_a_saved_course_shows_its_size_and_can_be_removed_from_the_phone(phone, network, learner):
    from tests.factories import PASSWORD

    course, lessons, trainee = learner
    log_in(phone, SimpleNamespace(url=network.url), trainee.username, PASSWORD)
    worker_ready(phone)
    phone.goto(f"{network.url}{course.url}")
    assert controlled(phone)
    phone.locator("[data-testid=save-offline]").click()
    status = phone.locator("[data-testid=offline-status]")
    status.filter(has_text="Saved on this phone").wait_for()
    assert phone.get_by_text("This site uses").is_visible()
    cache = f"course-{course.pk}"
    assert phone.evaluate(f"caches.has('{cache}')")

    phone.locator("[data-testid=remove-offline]").click()
    status.filter(has_text="Removed from this phone.").wait_for()
    expect(phone.locator("[data-testid=remove-offline]")).to_be_hidden()
    assert phone.locator("[data-testid=save-offline]").inner_text() == "Save for offline"
    assert not phone.evaluate(f"caches.has('{cache}')")

    # Removed means gone: with no network, its lesson is the offline page.
    go_offline(phone, network)
    phone.goto(f"{network.url}{lessons[0].url}")
    assert phone.locator("h1").inner_text() == "No network"
    go_online(phone, network)
