"""Processes for fault drills: a private Redis on its own port and a Celery worker.

Used by the broker and worker-death tests and by ``scripts/fault_*.py``. Nothing here
touches the shared Redis on 6379 that the rest of the suite uses.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, interval: float = 0.2) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass (a failure guard)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


class RedisServer:
    """A ``redis-server`` of our own (append-only file on, as a broker should run)."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.directory),
                "--save", "",
                "--appendonly", "yes",
                "--protected-mode", "no",
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_for(self.answers, 30):
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None
        wait_for(lambda: not self.answers(), 10)


def worker_environment(*, broker_url: str, database_url: str, **extra: str) -> dict:
    """The environment of a worker started for a drill: dev settings, tasks not eager."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DJANGO_DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


class Worker:
    """``celery -A <app> worker`` in its own process group (so SIGKILL takes all of it)."""

    def __init__(
        self,
        env: dict,
        *,
        app: str = "lms",
        concurrency: int = 1,
        queues: str = "celery",
        beat_schedule: Path | None = None,
        log: Path | None = None,
    ):
        self.env = env
        self.app = app
        self.concurrency = concurrency
        self.queues = queues
        self.beat_schedule = beat_schedule
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        command = [
            sys.executable, "-m", "celery", "-A", self.app, "worker",
            "--pool=prefork", f"--concurrency={self.concurrency}",
            "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip",
            "-Q", self.queues, "-n", f"drill-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]  # fmt: skip
        if self.beat_schedule is not None:
            # Embedded beat with a file schedule: the relay (and the rest of the beat
            # schedule) without the database scheduler's tables.
            command += ["-B", "--scheduler", "celery.beat:PersistentScheduler"]
            command += ["-s", str(self.beat_schedule)]
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT if self.log else subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as an out-of-memory kill of
        the whole service would: nothing is acknowledged or handed back."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.process = None


def database_url_of(connection) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
