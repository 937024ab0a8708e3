"""Celery settings that keep a killed worker's tasks from waiting an hour or running twice."""

from django.conf import settings


def registered_tasks():
    from lms.celery import app

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_the_visibility_timeout_is_just_above_the_task_time_limit():
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.CELERY_TASK_TIME_LIMIT < timeout <= settings.CELERY_TASK_TIME_LIMIT + 60


def test_every_late_acknowledged_task_ends_before_its_message_would_be_handed_out_again():
    """A message is unacknowledged while its acks_late task runs (and only then: workers
    take no message they cannot start), so each such task's time limit must be shorter
    than the visibility timeout, or a second worker would start it while it still runs."""
    assert settings.CELERY_WORKER_DISABLE_PREFETCH
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    late = {name: task for name, task in registered_tasks().items() if task.acks_late}
    assert "certification.tasks.issue_bulk_item" in late
    too_long = {
        name: task.time_limit
        for name, task in late.items()
        if (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) >= timeout
    }
    assert not too_long, f"acks_late tasks outliving the visibility timeout: {too_long}"


def test_no_request_waits_on_the_result_store_or_publish_retries():
    assert settings.CELERY_TASK_IGNORE_RESULT
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 2
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 1
    assert settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["retry_policy"]["max_retries"] <= 1
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] <= 1
