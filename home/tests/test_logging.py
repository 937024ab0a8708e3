"""Structured logs: one JSON object per line, with the structured fields kept as keys."""

import datetime
import json
import logging

from django.conf import settings

from lms.logging import JsonFormatter


def _format(message, *args, exc_info=None, **extra) -> dict:
    record = logging.LogRecord(
        "privacy.services", logging.INFO, __file__, 1, message, args, exc_info
    )
    for key, value in extra.items():
        setattr(record, key, value)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def test_a_record_is_one_json_object_with_its_fields():
    payload = _format("privacy.evidence.expired", evidence_files=3, bytes=1200)
    assert payload["level"] == "INFO"
    assert payload["logger"] == "privacy.services"
    assert payload["message"] == "privacy.evidence.expired"
    assert payload["evidence_files"] == 3
    assert payload["bytes"] == 1200
    assert datetime.datetime.fromisoformat(payload["time"]).tzinfo is not None


def test_arguments_non_ascii_and_odd_values_survive():
    payload = _format("证书 %s", "PC-2026-000001", when=datetime.date(2026, 11, 29))
    assert payload["message"] == "证书 PC-2026-000001"
    assert payload["when"] == "2026-11-29"


def test_exceptions_are_kept_in_one_field():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        payload = _format("healthz.database", exc_info=sys.exc_info())
    assert "ValueError: boom" in payload["exc_info"]


def test_every_process_logs_through_the_json_formatter():
    assert settings.LOGGING["formatters"]["json"]["()"] == "lms.logging.JsonFormatter"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert "console" in settings.LOGGING["root"]["handlers"]
