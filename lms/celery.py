"""The Celery application. Tasks are found in each app's ``tasks.py``.

Periodic tasks are declared next to their tasks, in ``<app>/schedules.py`` as a
``SCHEDULE`` dict in Celery's beat-schedule format; they are gathered here and
django-celery-beat's database scheduler keeps them in sync.
"""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_like_the_web_processes(**kwargs):
    """Worker and beat log through Django's LOGGING: one JSON object a line, times in UTC.

    A receiver of ``setup_logging`` stops Celery from installing its own plain-text,
    local-time handlers on the root logger; its own loggers (``celery.*``, task logs)
    then reach the JSON handler like every other process's.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


def gather_beat_schedule() -> dict:
    from django.conf import settings

    from lms.optional import app_module

    schedule = {}
    for app_config_name in settings.INSTALLED_APPS:
        label = app_config_name.rsplit(".", 1)[-1]
        module = app_module(label, "schedules") if "." not in app_config_name else None
        if module is not None:
            schedule.update(module.SCHEDULE)
    return schedule


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = gather_beat_schedule()
