"""Fault drill: the broker goes away while a supervisor returns practicum entries.

Run (PostgreSQL running; ``redis-server`` installed; the shared Redis is not used):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_fault_drill \\
  .venv/bin/python scripts/fault_broker.py

Starts a Redis of its own on a free port and a worker with beat (the outbox relay every
``OUTBOX_RELAY_SECONDS``, 5 s here unless set), makes a supervisor with submitted entries
in ``test_<name>`` of DATABASE_URL (kept between runs), then prints how long a "return"
takes with the broker up, refused (stopped) and silent (a port that accepts and never
answers: a hung broker), and how long after the broker is back the trainee's e-mails are
sent, and how many. Prints figures; asserts nothing (the tests do: practicum/tests/test_broker_outage.py).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_databases  # noqa: E402


class SilentBroker:
    """A port that accepts connections (the kernel's backlog) and never answers: a hung
    broker, the slowest way for a publish to fail."""

    def __init__(self):
        import socket

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"redis://127.0.0.1:{self.socket.getsockname()[1]}/0"

    def close(self):
        self.socket.close()


def entries(supervisor_name: str, count: int):
    import datetime

    from django.utils import timezone

    from accounts import roles
    from practicum import services
    from practicum.defaults import install_defaults
    from practicum.models import Placement
    from practicum.tests.factories import entry_data
    from tests.factories import make_user

    install_defaults()
    stamp = timezone.now().strftime("%H%M%S%f")
    supervisor = make_user(roles.SUPERVISOR, username=f"{supervisor_name}_{stamp}")
    trainee = make_user(
        roles.TRAINEE, username=f"drill_trainee_{stamp}", email=f"drill_{stamp}@example.org"
    )
    placement = Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
    )
    made = []
    for day in range(count):
        data = entry_data(date=timezone.localdate() - datetime.timedelta(days=day + 1))
        entry = services.create_entry(trainee=trainee, placement=placement, data=data)
        made.append(services.submit_entry(entry=entry, actor=trainee))
    return supervisor, trainee, made


def timed_return(client, entry) -> float:
    from django.urls import reverse

    started = time.perf_counter()
    response = client.post(
        reverse("practicum:entry_review", args=[entry.pk]),
        {"action": "return", "comment": "请补充复盘时长"},
    )
    took = time.perf_counter() - started
    if response.status_code != 302:
        print(f"  unexpected answer {response.status_code}")
    return took


def emails_to(mail_dir: Path, address: str) -> int:
    return sum(p.read_text(errors="replace").count(f"To: {address}") for p in mail_dir.iterdir())


def main() -> None:
    from django.db import connection
    from django.test import Client

    from outbox.models import OutboxMessage
    from tests.celery_broker import celery_publishing_to
    from tests.faults import RedisServer, Worker, database_url_of, wait_for, worker_environment

    setup_databases(verbosity=0, interactive=False, keepdb=True)
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the worker shares it).")
    work = Path(tempfile.mkdtemp(prefix="lms-fault-broker-"))
    mail_dir = work / "mail"
    mail_dir.mkdir()
    redis = RedisServer(work / "redis").start()
    relay = os.environ.get("OUTBOX_RELAY_SECONDS", "5")
    env = worker_environment(
        broker_url=redis.url,
        database_url=database_url_of(connection),
        EMAIL_URL=f"filemail:///{mail_dir}",
        MEDIA_ROOT=str(work / "media"),
        OUTBOX_RELAY_SECONDS=relay,
    )
    worker = Worker(env, beat_schedule=work / "beat", log=work / "worker.log").start()
    try:
        supervisor, trainee, waiting = entries("drill_supervisor", 6)
        client = Client(HTTP_HOST="localhost")
        client.force_login(supervisor)
        with celery_publishing_to(redis.url):
            timed_return(client, waiting[0])  # warm-up (templates, connections)
            up = timed_return(client, waiting[1])
            redis.stop()
            refused_first = timed_return(client, waiting[2])
            refused_next = timed_return(client, waiting[3])
        silent = SilentBroker()
        with celery_publishing_to(silent.url):
            unreachable_first = timed_return(client, waiting[4])
            unreachable_next = timed_return(client, waiting[5])
        silent.close()
        unsent = OutboxMessage.objects.filter(sent_at=None).count()
        print(f"return, broker up:                       {up * 1000:7.0f} ms")
        print(f"return, broker refused, first request:   {refused_first * 1000:7.0f} ms")
        print(f"return, broker refused, next request:    {refused_next * 1000:7.0f} ms")
        print(f"return, broker silent (hung), first:    {unreachable_first * 1000:7.0f} ms")
        print(f"return, broker silent (hung), next:     {unreachable_next * 1000:7.0f} ms")
        print(f"outbox rows waiting while the broker was down: {unsent}")
        restarted = time.perf_counter()
        redis.start()
        expected = len(waiting)
        wait_for(lambda: emails_to(mail_dir, trainee.email) >= expected, 600)
        after = time.perf_counter() - restarted
        print(
            f"broker back: all {expected} e-mails sent {after:.1f} s later "
            f"(relay every {relay} s); e-mails to the trainee: "
            f"{emails_to(mail_dir, trainee.email)}"
        )
    finally:
        worker.stop()
        redis.stop()


if __name__ == "__main__":
    main()
