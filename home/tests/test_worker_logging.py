"""The Celery worker logs like every other process: one JSON object a line, times in UTC."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLAIN_CELERY_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+: [A-Z]+/")


def test_worker_logs_json_in_utc():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "locmemcache://",
        "LOG_LEVEL": "INFO",
    }
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [str(celery), "-A", "lms", "-q", "worker", "--pool", "solo", "--loglevel", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A failure guard only: if the worker never gets ready, stop it so the test ends.
    guard = threading.Timer(180, worker.kill)
    guard.start()
    lines = []
    try:
        for line in worker.stderr:
            lines.append(line.rstrip("\n"))
            if "ready." in line:
                break
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        guard.cancel()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    ready = [record for record in records if record["message"].endswith("ready.")]
    assert ready, lines
    assert ready[0]["logger"] == "celery.apps.worker"
    assert all(record["time"].endswith("+00:00") for record in records)
    assert not [line for line in lines if PLAIN_CELERY_LINE.match(line)]
