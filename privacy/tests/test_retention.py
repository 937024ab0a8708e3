"""Evidence retention: files past EVIDENCE_RETENTION_DAYS are deleted by a daily task."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import AuditLog
from lms.celery import gather_beat_schedule
from practicum.models import EntryAttachment, EntryState
from practicum.tests.factories import EntryFactory, PlacementFactory
from privacy import tasks

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def retention(settings):
    settings.EVIDENCE_RETENTION_DAYS = 365


def evidence(*, ended_days_ago: int | None, state=EntryState.APPROVED, closed=True):
    ended = TODAY - datetime.timedelta(days=ended_days_ago) if ended_days_ago is not None else None
    placement = PlacementFactory(
        start_date=TODAY - datetime.timedelta(days=(ended_days_ago or 0) + 200),
        closed_on=ended if closed else None,
        end_date=None if closed else ended,
    )
    entry = EntryFactory(placement=placement, state=state)
    attachment = EntryAttachment(
        entry=entry, content_type="image/png", size=7, original_name="x.png"
    )
    attachment.file.save("x.png", ContentFile(b"evidence"), save=False)
    attachment.save()
    return attachment


def exists(attachment) -> bool:
    return EntryAttachment.objects.filter(pk=attachment.pk).exists() and (
        attachment.file.storage.exists(attachment.file.name)
    )


def run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.delete_expired_evidence.delay().get()


def test_expired_evidence_is_deleted_and_counted(db, django_capture_on_commit_callbacks):
    old = evidence(ended_days_ago=400)
    ended_by_date = evidence(ended_days_ago=500, closed=False)
    recent = evidence(ended_days_ago=100)
    ongoing = evidence(ended_days_ago=None)

    counts = run(django_capture_on_commit_callbacks)

    assert counts == {"evidence_files": 2, "sign_in_sheets": 0, "bytes": 14}
    assert not exists(old) and not exists(ended_by_date)
    assert exists(recent) and exists(ongoing)
    record = AuditLog.objects.get(action="privacy.evidence.expire")
    assert record.changes["evidence_files"] == 2
    assert record.changes["retention_days"] == 365


def test_evidence_waiting_for_review_is_kept(db, django_capture_on_commit_callbacks):
    waiting = evidence(ended_days_ago=400, state=EntryState.SUBMITTED)
    assert run(django_capture_on_commit_callbacks)["evidence_files"] == 0
    assert exists(waiting)


def test_running_twice_deletes_nothing_more(db, django_capture_on_commit_callbacks):
    evidence(ended_days_ago=400)
    assert run(django_capture_on_commit_callbacks)["evidence_files"] == 1
    assert run(django_capture_on_commit_callbacks)["evidence_files"] == 0
    assert AuditLog.objects.filter(action="privacy.evidence.expire").count() == 1


def test_zero_days_keeps_everything(db, settings, django_capture_on_commit_callbacks):
    settings.EVIDENCE_RETENTION_DAYS = 0
    old = evidence(ended_days_ago=4000)
    assert run(django_capture_on_commit_callbacks)["evidence_files"] == 0
    assert exists(old)


def _report_with_sheet(lecturer, days_ago):
    from lecturer_corps.models import DeliveryReport
    from lecturer_corps.tests.factories import make_request, make_session

    service_request = make_request(date=TODAY - datetime.timedelta(days=days_ago))
    session = make_session(service_request, lecturer)
    delivery = DeliveryReport(session=session, filed_by=lecturer, actual_minutes=90)
    delivery.sign_in_sheet.save("sheet.jpg", ContentFile(b"sheet"), save=False)
    delivery.save()
    return delivery


def test_every_stored_sign_in_sheet_is_deleted_whatever_its_age(
    db, lecturer, django_capture_on_commit_callbacks
):
    """Sign-in sheets are no longer collected: old and recent ones go, the report stays."""
    old, recent = _report_with_sheet(lecturer, 400), _report_with_sheet(lecturer, 30)
    names = [old.sign_in_sheet.name, recent.sign_in_sheet.name]
    storage = old.sign_in_sheet.storage
    assert run(django_capture_on_commit_callbacks)["sign_in_sheets"] == 2
    for report in (old, recent):
        report.refresh_from_db()
        assert not report.sign_in_sheet
    assert not any(storage.exists(name) for name in names)
    assert run(django_capture_on_commit_callbacks)["sign_in_sheets"] == 0


def test_sign_in_sheets_are_deleted_even_when_evidence_is_kept_for_ever(
    db, lecturer, settings, django_capture_on_commit_callbacks
):
    settings.EVIDENCE_RETENTION_DAYS = 0
    report = _report_with_sheet(lecturer, 5)
    assert run(django_capture_on_commit_callbacks)["sign_in_sheets"] == 1
    report.refresh_from_db()
    assert not report.sign_in_sheet


def test_the_task_is_on_the_beat_schedule():
    schedule = gather_beat_schedule()
    assert schedule["privacy-delete-expired-evidence"]["task"] == (
        "privacy.tasks.delete_expired_evidence"
    )
