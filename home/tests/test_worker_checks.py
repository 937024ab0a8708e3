"""The Celery worker's start-up check for the system packages PDFs need."""

import logging

from celery.signals import worker_ready

from home import system_packages, worker_checks


def test_worker_warns_naming_the_missing_debian_packages(monkeypatch, caplog):
    monkeypatch.setattr(
        system_packages,
        "missing",
        lambda: {"harfbuzz_subset": "libharfbuzz-subset0", "font_uyghur": "fonts-noto-core"},
    )
    with caplog.at_level(logging.WARNING, logger="lms.worker"):
        worker_checks.warn_missing_system_packages(sender=None)
    [entry] = caplog.records
    assert entry.levelno == logging.WARNING
    assert "libharfbuzz-subset0" in entry.getMessage()
    assert "fonts-noto-core" in entry.getMessage()
    assert "apt-get install" in entry.getMessage()


def test_worker_says_nothing_when_every_package_is_present(monkeypatch, caplog):
    monkeypatch.setattr(system_packages, "missing", lambda: {})
    with caplog.at_level(logging.DEBUG, logger="lms.worker"):
        worker_checks.warn_missing_system_packages(sender=None)
    assert caplog.records == []


def test_check_runs_when_a_worker_is_ready(monkeypatch, caplog):
    import lms.celery  # noqa: F401  (connects the handler)

    monkeypatch.setattr(system_packages, "missing", lambda: {"pango": "libpango-1.0-0"})
    with caplog.at_level(logging.WARNING, logger="lms.worker"):
        worker_ready.send(sender=None)
    assert any("libpango-1.0-0" in record.getMessage() for record in caplog.records)


def test_the_check_is_connected_to_worker_start():
    import weakref

    from celery.signals import worker_ready

    receivers = [
        r() if isinstance(r, weakref.ReferenceType) else r for _key, r in worker_ready.receivers
    ]
    assert worker_checks.warn_missing_system_packages in receivers
