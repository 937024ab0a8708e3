"""Reporting API: the dashboard's figures and the monthly report archive.

The summary returns exactly what the dashboard shows (the same selectors), for one
month and scope; definitions are in docs/metrics.md.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema

from lms.api import ApiError
from lms.api_errors import error_responses
from lms.api_types import CodeText

from . import permissions, selectors
from .periods import Period, Scope

router = Router(tags=["reports"])


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class TableOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict]
    total: dict | None = None


class HeadlineOut(Schema):
    key: str
    label: str
    value: int | float | str | None
    kind: str


class GroupOut(Schema):
    key: str
    title: str
    headlines: list[HeadlineOut]
    tables: list[TableOut]


class SummaryOut(Schema):
    period: str
    scope: str
    scope_label: str
    groups: list[GroupOut]


class SummaryQuery(Schema):
    period: CodeText | None = None
    district: CodeText | None = None


class MonthlyReportOut(Schema):
    id: int
    period: str
    scope: str
    scope_label: str
    generated_at: str
    emailed_at: str | None
    pdf_url: str
    xlsx_url: str


def _period(value: str | None) -> Period:
    if not value:
        return Period.current()
    try:
        return Period.parse(value)
    except ValidationError as exc:
        raise ApiError(400, "invalid_period", exc.messages[0]) from exc


@router.get("/reports/summary", response=SummaryOut, openapi_extra=error_responses(400, 404))
def summary(request, filters: Query[SummaryQuery]):
    """Every dashboard figure for a month (``period=YYYY-MM``, default this month) and a
    scope (``district=<code>``; empty = the caller's whole scope). District coordinators
    may ask only for their own district (403 otherwise)."""
    period = _period(filters.period)
    district = permissions.resolve_district(request.auth, filters.district)
    return selectors.summary(Scope(period, district))


@router.get("/reports/monthly", response=list[MonthlyReportOut])
def monthly_reports(request):
    """The archive of monthly reports in the caller's scope, newest first, with links."""
    permissions.check_can_view_reports(request.auth)
    limit = permissions.viewer_district(request.auth)
    from .views import report_download_url

    return [
        MonthlyReportOut(
            id=report.pk,
            period=f"{report.period:%Y-%m}",
            scope=report.district.code if report.district_id else "city",
            scope_label=report.scope_label,
            generated_at=report.generated_at.isoformat(),
            emailed_at=report.emailed_at.isoformat() if report.emailed_at else None,
            pdf_url=request.build_absolute_uri(report_download_url(report, "pdf")),
            xlsx_url=request.build_absolute_uri(report_download_url(report, "xlsx")),
        )
        for report in selectors.archived_reports(limit)[:120]
    ]
