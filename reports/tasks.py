"""Celery tasks of reporting: the monthly supervision report and its e-mail."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts import roles
from accounts.models import User
from outbox.services import enqueue
from places.models import District

from .models import MonthlyReport
from .periods import Period

logger = logging.getLogger(__name__)


@shared_task(time_limit=180, soft_time_limit=150)
def generate_previous_month_reports(period_code: str | None = None) -> list[int]:
    """Beat, 1st of the month: the previous month's city report and one per district.

    Idempotent: regenerating a period replaces its archived reports in place, and
    each report is e-mailed once (see ``send_monthly_report``). Returns report ids.
    """
    from .services import generate_monthly_report

    period = Period.parse(period_code) if period_code else Period.current().previous()
    report_ids = []
    for district in [None, *District.objects.order_by("sort_order", "name")]:
        report = generate_monthly_report(period=period, district=district)
        report_ids.append(report.pk)
        enqueue(send_monthly_report, report.pk)
    logger.info("reports.monthly.generated", extra={"period": period.code, "reports": report_ids})
    return report_ids


@shared_task(time_limit=120, soft_time_limit=100)
def generate_monthly_report_task(
    period_code: str, district_id: int | None = None, user_id: int | None = None
) -> int:
    """On demand: (re)generate one report; the archive row is the same for the same scope."""
    from .services import generate_monthly_report

    district = District.objects.get(pk=district_id) if district_id else None
    user = User.objects.get(pk=user_id) if user_id else None
    return generate_monthly_report(
        period=Period.parse(period_code), district=district, generated_by=user
    ).pk


def report_recipients(report: MonthlyReport) -> list[str]:
    """The leading group for the city report; the district's coordinators for a district's."""
    if report.district_id is None:
        people = User.objects.filter(groups__name=roles.LEADING_GROUP)
    else:
        people = User.objects.filter(
            groups__name=roles.COORDINATOR, coordinator_district_id=report.district_id
        )
    return sorted(
        set(people.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    )


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=60,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def send_monthly_report(report_id: int, force: bool = False) -> int:
    """E-mail an archived report (PDF and workbook attached) to its recipients, once.

    Does nothing when the report was already e-mailed (unless ``force``) or has no
    recipients. The row is locked while sending so two workers cannot both send it.
    """
    with transaction.atomic():
        report = (
            MonthlyReport.objects.select_for_update(of=("self",))
            .select_related("district")
            .filter(pk=report_id)
            .order_by()
            .first()
        )
        if report is None or (report.emailed_at and not force):
            return 0
        recipients = report_recipients(report)
        if not recipients:
            return 0
        with translation.override("zh-hans"):
            context = {"report": report, "scope_label": report.scope_label}
            subject = render_to_string("reports/email/monthly_report_subject.txt", context)
            body = render_to_string("reports/email/monthly_report_body.txt", context)
        message = EmailMessage(subject=" ".join(subject.split()), body=body, to=recipients)
        for field_file, mimetype in (
            (report.pdf_file, "application/pdf"),
            (
                report.xlsx_file,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        ):
            with field_file.open("rb") as handle:
                message.attach(field_file.name.rsplit("/", 1)[-1], handle.read(), mimetype)
        sent = message.send()
        report.emailed_at = timezone.now()
        report.save(update_fields=["emailed_at"])
    logger.info(
        "reports.monthly.emailed", extra={"report": report_id, "recipients": len(recipients)}
    )
    return sent
