"""The beat schedule and the monthly report task with its e-mail."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.core import mail

from accounts import roles
from lms.celery import gather_beat_schedule
from reports.models import MonthlyReport
from reports.tasks import generate_previous_month_reports, send_monthly_report
from tests.factories import make_user


def test_beat_runs_the_monthly_report_on_the_first_of_each_month():
    entry = gather_beat_schedule()["reports-monthly-supervision-report"]
    assert entry["task"] == "reports.tasks.generate_previous_month_reports"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_month == {1}
    assert schedule.month_of_year == set(range(1, 13))
    assert schedule.hour == {6} and schedule.minute == {0}


@pytest.fixture
def recipients(district, other_district):
    make_user(roles.LEADING_GROUP, username="lead1", email="lead1@example.org")
    make_user(roles.LEADING_GROUP, username="lead2", email="lead2@example.org")
    make_user(
        roles.COORDINATOR, username="gc", email="gc@example.org", coordinator_district=district
    )


def test_beat_task_generates_last_months_reports_and_emails_them_once(
    recipients, monkeypatch, django_capture_on_commit_callbacks
):
    # "Today" is 2026-11-01: the task reports on October 2026.
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):
        ids = generate_previous_month_reports()
    reports = MonthlyReport.objects.filter(pk__in=ids)
    assert {(r.period, r.district_id) for r in reports} == {
        (dt.date(2026, 10, 1), None),
        *((dt.date(2026, 10, 1), r.district_id) for r in reports if r.district_id),
    }
    assert reports.count() == 3  # the city and the two districts
    city_mail = [m for m in mail.outbox if "lead1@example.org" in m.to]
    assert len(city_mail) == 1
    assert sorted(city_mail[0].to) == ["lead1@example.org", "lead2@example.org"]
    names = [name for name, _content, _type in city_mail[0].attachments]
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".xlsx") for n in names)
    district_mail = [m for m in mail.outbox if m.to == ["gc@example.org"]]
    assert len(district_mail) == 1
    assert all(r.emailed_at for r in reports if r.district is None or r.district.code == "gaochang")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = generate_previous_month_reports("2026-10")
    assert sorted(again) == sorted(ids)
    assert MonthlyReport.objects.count() == 3
    assert mail.outbox == []  # already e-mailed: not sent twice


def test_send_is_skipped_without_recipients(db, period):
    from reports.services import generate_monthly_report

    report = generate_monthly_report(period=period, district=None)
    assert send_monthly_report(report.pk) == 0
    report.refresh_from_db()
    assert report.emailed_at is None and mail.outbox == []


def test_send_of_a_missing_report_does_nothing(db):
    assert send_monthly_report(999_999) == 0
