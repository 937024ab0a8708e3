"""A Celery app for the worker-death test: the first render pauses just before its atomic rename.

Started only by ``test_worker_death.py`` as ``celery -A certification.tests.killable_worker``.
The pause (after the temporary file is written and fsynced, before ``os.replace``) is
where a killed worker would leave a half-done file if the write were not atomic.
"""

import os
import time

from lms.celery import app

MARK = os.environ["CERT_TEST_PAUSE_MARK"]
_real_fsync = os.fsync


def _fsync_then_pause_the_first_time(fd):
    _real_fsync(fd)
    if not os.path.exists(MARK):
        with open(MARK, "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(120)


os.fsync = _fsync_then_pause_the_first_time

__all__ = ["app"]
