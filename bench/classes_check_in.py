"""Benchmark: face-to-face classes under a crowd (issue 19, item 5).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_classes .venv/bin/python bench/classes_check_in.py [PEOPLE] [THREADS]

PostgreSQL only (the seat lock is ``SELECT … FOR UPDATE``). Opens ``test_<name>`` of
DATABASE_URL (kept between runs), makes its own people and classes (committed: the
threads need them), measures, and deletes what it made. PEOPLE defaults to 200 trainees,
THREADS (concurrent clients, one database connection each) to 8. Through the services
the pages and the API call:

1. **Sign-up rush with a waiting list**: PEOPLE trainees sign up at once for a class of
   PEOPLE/4 seats, then a tenth of the seated cancel at once (each freed seat promoted
   under the class's lock). Checked: never more seats than the capacity, the waiting list
   in the order people joined, every cancellation promoting exactly one person.
2. **Check-in burst, the server's side**: PEOPLE people with a seat check in at once,
   each with a fresh code from the trainer's screen (``check_in_code`` then ``check_in``):
   per check-in latency, queries, throughput.
3. **Check-in burst, the screen as it is**: the same crowd arriving evenly over one
   minute, each scanning the code the screen shows (the screen polls every
   ``POLL_SECONDS``; a code is single-use: the first scan spends it, the others are
   refused ``used`` and scan again ``RESCAN_SECONDS`` later). Simulated on a virtual
   clock through the real services (``now=``): how many are in after one minute,
   refusals, and when the last one is in.
4. **Attendance report**: the coordinator's classes page with the past (``managed_by``,
   200 classes of 40 people, counts per class), a 200-person roster, and the eligibility
   engine's hours attended (``attended_hours``) for everyone at once.

Nothing is asserted about time: the issue gives no budget for classes; figures are in
docs/performance.md (the correctness checks above do raise).
"""

import datetime
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corps_data import CpuClock, load_average  # noqa: E402  (sets Django up)

PREFIX = "bench_classes_"
POLL_SECONDS = 3  # static/js/classes-check-in.js
RESCAN_SECONDS = 5  # a person refused "used" scans the new code a few seconds later
SCAN_SECONDS = 2  # from the camera to the request reaching the server
REPORT_CLASSES = 200
REPORT_CLASS_SIZE = 40


def open_database():
    from django.db import connection
    from django.test.utils import setup_databases

    if connection.vendor != "postgresql":
        print(
            "Set DATABASE_URL to PostgreSQL, e.g. "
            "postgres://postgres@127.0.0.1:5432/lms_bench_classes"
        )
        sys.exit(2)
    setup_databases(verbosity=0, interactive=False, keepdb=True)


def clean_up() -> None:
    """Delete the classes (their bookings and codes with them) and the bench's certification
    type. The people stay for the next run: the audit log they wrote is append-only."""
    from certification.models import CertificationType
    from classes.models import TrainingClass
    from outbox.models import OutboxMessage

    OutboxMessage.objects.filter(task__startswith="classes.").delete()
    TrainingClass.objects.filter(title__startswith=PREFIX).delete()
    CertificationType.objects.filter(code=f"{PREFIX}type").delete()


def make_people(count: int, role: str, label: str):
    """``count`` active users holding ``role`` (bulk: no password hashing)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from places.models import District

    user_model = get_user_model()
    district = District.objects.order_by("pk").first()
    names = [f"{PREFIX}{label}_{n:05d}" for n in range(count)]
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    user_model.objects.bulk_create(
        user_model(
            username=name,
            email=f"{name}@example.org",
            real_name=f"学员{name[-5:]}",
            district=district,
        )
        for name in names
        if name not in existing
    )
    people = list(user_model.objects.filter(username__in=names))
    group = Group.objects.get_or_create(name=role)[0]
    group.user_set.add(*people)
    return list(user_model.objects.filter(pk__in=[p.pk for p in people]).order_by("username"))


def bench_requirement():
    """A "face-to-face class hours" requirement of a certification type of its own."""
    from certification.models import CertificationType, Requirement, RequirementKind

    certification, _created = CertificationType.objects.get_or_create(
        code=f"{PREFIX}type", defaults={"name": "基准测试", "serial_prefix": "BC"}
    )
    requirement, _created = Requirement.objects.get_or_create(
        certification=certification, kind=RequirementKind.CLASS_HOURS, defaults={"minimum": 6}
    )
    return requirement


def make_class(title: str, trainer, *, capacity: int, starts_at, hours=3, requirement=None):
    from classes.models import TrainingClass
    from places.models import District

    return TrainingClass.objects.create(
        requirement=requirement,
        title=f"{PREFIX}{title}",
        district=District.objects.order_by("pk").first(),
        address="高昌区培训中心",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        trainer=trainer,
        capacity=capacity,
        hours=hours,
    )


def in_threads(work, items, threads: int):
    """Run ``work(item)`` for every item on ``threads`` threads (own connections);
    returns (latencies in ms, queries per call, wall seconds, results)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lock = threading.Lock()
    pending = list(items)
    latencies, query_counts, results = [], [], []

    def worker():
        while True:
            with lock:
                if not pending:
                    break
                item = pending.pop(0)
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                result = work(item)
                elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                query_counts.append(len(captured.captured_queries))
                results.append(result)
        connection.close()

    began = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return latencies, query_counts, time.perf_counter() - began, results


def describe(label, latencies, query_counts, wall):
    latencies = sorted(latencies)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    queries = (
        f"{min(query_counts)}–{max(query_counts)}"
        if min(query_counts) != max(query_counts)
        else str(query_counts[0])
    )
    print(
        f"{label}: {len(latencies)} in {wall:.2f} s ({len(latencies) / wall:.0f}/s); "
        f"each median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
        f"max {latencies[-1]:.0f} ms; {queries} queries each"
    )


def sign_up_rush(trainer, trainees, threads):
    from django.utils import timezone

    from classes import services
    from classes.models import Booking, BookingStatus

    capacity = max(1, len(trainees) // 4)
    starts = timezone.now() + datetime.timedelta(days=7)
    training_class = make_class("sign-up rush", trainer, capacity=capacity, starts_at=starts)

    def sign_up(person):
        return services.sign_up(actor=person, training_class=training_class).status

    latencies, queries, wall, statuses = in_threads(sign_up, trainees, threads)
    describe(
        f"1. sign-up rush ({len(trainees)} people, {capacity} seats)", latencies, queries, wall
    )
    booked = Booking.objects.filter(training_class=training_class, status=BookingStatus.BOOKED)
    waiting = list(
        Booking.objects.filter(training_class=training_class, status=BookingStatus.WAITING)
        .order_by("queued_at", "pk")
        .values_list("user_id", flat=True)
    )
    assert booked.count() == capacity, booked.count()
    assert len(waiting) == len(trainees) - capacity
    assert statuses.count(BookingStatus.BOOKED) == capacity
    leaving = list(booked.select_related("user").order_by("pk")[: max(1, capacity // 10)])
    seated_before = set(booked.values_list("user_id", flat=True))

    def cancel(booking):
        return services.cancel_booking(actor=booking.user, booking=booking).status

    latencies, queries, wall, _ = in_threads(cancel, leaving, threads)
    describe(f"   {len(leaving)} cancellations at once (each promotes)", latencies, queries, wall)
    seated_after = set(booked.values_list("user_id", flat=True))
    assert len(seated_after) == capacity, len(seated_after)
    assert seated_after - seated_before == set(waiting[: len(leaving)]), "promoted out of order"
    print(
        f"   checked: {capacity} seats never exceeded, {len(waiting)} waiting in joining "
        f"order, {len(leaving)} cancellations promoted the first {len(leaving)} waiting"
    )


def _seated_class(title, trainer, people, *, starts_at):
    from django.utils import timezone

    from classes.models import Booking, BookingStatus

    training_class = make_class(title, trainer, capacity=len(people), starts_at=starts_at)
    now = timezone.now()
    Booking.objects.bulk_create(
        Booking(
            training_class=training_class,
            user=person,
            status=BookingStatus.BOOKED,
            queued_at=now,
            booked_at=now,
        )
        for person in people
    )
    return training_class


def check_in_burst(trainer, trainees, threads):
    from django.utils import timezone

    from classes import services
    from classes.models import Booking

    starts = timezone.now() - datetime.timedelta(minutes=5)
    training_class = _seated_class("check-in burst", trainer, trainees, starts_at=starts)

    def check_in(person):
        display = services.check_in_code(actor=trainer, training_class=training_class)
        booking = services.check_in(actor=person, training_class=training_class, code=display.token)
        return booking.attended

    latencies, queries, wall, results = in_threads(check_in, trainees, threads)
    describe(
        f"2. check-in burst, server side ({len(trainees)} people, a fresh code each, "
        f"{threads} at once)",
        latencies,
        queries,
        wall,
    )
    attended = Booking.objects.filter(training_class=training_class, attended_at__isnull=False)
    assert all(results) and attended.count() == len(trainees)


def check_in_screen(trainer, trainees):
    """The crowd arriving over a minute in front of one screen (virtual clock)."""
    import heapq

    from django.utils import timezone

    from classes import services
    from classes.models import Booking

    # The virtual clock runs faster or slower than the real one, which the signature's age
    # is read on: for the simulation the signature may be an hour old. The rule that
    # matters here, a code counts during its 30-second window and 10 seconds after, is
    # the service's own check on the virtual clock.
    services._CHECK_IN_TOKENS.max_age = datetime.timedelta(hours=1)
    start = timezone.now().replace(microsecond=0)
    training_class = _seated_class(
        "check-in screen",
        trainer,
        trainees,
        starts_at=start - datetime.timedelta(minutes=10),
    )
    spread = 60.0
    arrivals = [(n * spread / len(trainees), n) for n in range(len(trainees))]
    heapq.heapify(arrivals)
    token, next_poll = "", 0.0
    done_at, refusals = {}, {}
    began = time.perf_counter()
    while arrivals:
        at, n = heapq.heappop(arrivals)
        while next_poll <= at:  # the screen's polls up to this moment
            token = services.check_in_code(
                actor=trainer,
                training_class=training_class,
                current=token,
                now=start + datetime.timedelta(seconds=next_poll),
            ).token
            next_poll += POLL_SECONDS
        person = trainees[n]
        scanned = token
        try:
            services.check_in(
                actor=person,
                training_class=training_class,
                code=scanned,
                now=start + datetime.timedelta(seconds=at + SCAN_SECONDS),
            )
        except services.CheckInRefused as refused:
            refusals[refused.code] = refusals.get(refused.code, 0) + 1
            heapq.heappush(arrivals, (at + RESCAN_SECONDS, n))
            continue
        done_at[n] = at + SCAN_SECONDS
    attended = Booking.objects.filter(training_class=training_class, attended_at__isnull=False)
    assert attended.count() == len(done_at)
    assert len(done_at) == len(trainees)
    within = sum(1 for t in done_at.values() if t <= spread)
    last = max(done_at.values()) if done_at else 0
    print(
        f"3. check-in burst, one screen (single-use codes, polled every {POLL_SECONDS} s, "
        f"{len(trainees)} arriving over {spread:.0f} s): {within} in after one minute, "
        f"the last at {last / 60:.1f} min; refusals {refusals or 'none'}; "
        f"{time.perf_counter() - began:.1f} s of real time"
    )


def attendance_report(clock, trainer, threads):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from accounts import roles
    from classes import selectors
    from classes.models import Booking, BookingStatus, CheckInMethod
    from tests.factories import make_user

    people = make_people(REPORT_CLASS_SIZE * 5, roles.TRAINEE, "report")
    coordinator = get_user_model().objects.filter(username=f"{PREFIX}coordinator").first()
    coordinator = coordinator or make_user(
        roles.COORDINATOR, username=f"{PREFIX}coordinator", two_factor=False
    )
    settings.MFA_WAIVED_USERNAMES = frozenset({coordinator.username})
    now = timezone.now()
    requirement = bench_requirement()
    classes = [
        make_class(
            f"report {n:03d}",
            trainer,
            capacity=REPORT_CLASS_SIZE,
            starts_at=now - datetime.timedelta(days=25) + datetime.timedelta(hours=3 * n),
            requirement=requirement,
        )
        for n in range(REPORT_CLASSES)
    ]
    rows = []
    for n, training_class in enumerate(classes):
        for k in range(REPORT_CLASS_SIZE):
            person = people[(n * 7 + k) % len(people)]
            attended = (n + k) % 5 != 0
            rows.append(
                Booking(
                    training_class=training_class,
                    user=person,
                    status=BookingStatus.BOOKED,
                    queued_at=training_class.starts_at - datetime.timedelta(days=3),
                    booked_at=training_class.starts_at - datetime.timedelta(days=3),
                    attended_at=training_class.starts_at if attended else None,
                    check_in_method=CheckInMethod.QR if attended else "",
                )
            )
    Booking.objects.bulk_create(rows, ignore_conflicts=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(coordinator)

    def timed_get(url, params, runs=10):
        client.get(url, params)
        walls, counts, size = [], [], 0
        backend = clock.backend_ms()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url, params)
                walls.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
            counts.append(len(captured.captured_queries))
            size = len(response.content)
        return (
            statistics.median(walls),
            max(walls),
            (clock.backend_ms() - backend) / runs,
            counts[0],
            size / 1024,
        )

    wall, worst, backend, queries, kb = timed_get(reverse("classes:manage"), {"past": "1"})
    print(
        f"4. the coordinator's classes with the past ({REPORT_CLASSES} classes × "
        f"{REPORT_CLASS_SIZE}, {len(rows)} bookings, counts per class): median {wall:.0f} ms "
        f"(max {worst:.0f}), PostgreSQL CPU {backend:.0f} ms, {queries} queries, {kb:.0f} KB"
    )
    big = Booking.objects.filter(training_class__title=f"{PREFIX}check-in burst").first()
    if big is not None:
        wall, worst, backend, queries, kb = timed_get(
            reverse("classes:roster", args=[big.training_class_id]), {}
        )
        print(
            f"   a {big.training_class.capacity}-person roster: median {wall:.0f} ms "
            f"(max {worst:.0f}), {queries} queries, {kb:.0f} KB"
        )
    walls = []
    for _ in range(10):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            hours = selectors.attended_hours(
                people, requirement_id=classes[0].requirement_id, course_ids=[], windows=None
            )
            walls.append((time.perf_counter() - began) * 1000)
    expected = sum(1 for row in rows if row.attended_at) * 3
    assert sum(hours.values()) == expected, (sum(hours.values()), expected)
    print(
        f"   hours attended for {len(people)} people over {REPORT_CLASSES} classes "
        f"(the eligibility engine's read): median {statistics.median(walls):.0f} ms, "
        f"{len(captured.captured_queries)} query"
    )


def main(people: int, threads: int) -> None:
    open_database()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from accounts import roles
    from tests.factories import make_user

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    clock = CpuClock()
    print(f"load average before: {load_average()}")
    from django.urls import reverse

    reverse("classes:list")  # import the URLconf once (the e-mails reverse URLs)
    clean_up()
    try:
        trainer = get_user_model().objects.filter(username=f"{PREFIX}trainer").first()
        trainer = trainer or make_user(roles.LECTURER, username=f"{PREFIX}trainer")
        sign_up_rush(trainer, make_people(people, roles.TRAINEE, "rush"), threads)
        crowd = make_people(people, roles.TRAINEE, "crowd")
        check_in_burst(trainer, crowd, threads)
        check_in_screen(trainer, make_people(people, roles.TRAINEE, "screen"))
        attendance_report(clock, trainer, threads)
    finally:
        clean_up()
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200,
        int(sys.argv[2]) if len(sys.argv) > 2 else 8,
    )
