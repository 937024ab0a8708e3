"""State changes in reporting: coverage base figures and the monthly report archive."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record

from . import permissions, selectors
from .exports import report_workbook
from .models import CoverageFigure, MonthlyReport
from .pdf import REPORT_LANGUAGE, render_report_pdf
from .periods import Period, Scope


@transaction.atomic
def save_coverage_figure(
    *, user, district, period: Period, children_known: int, target_percent: int
) -> CoverageFigure:
    """Enter or correct a district's number of known children in difficulty from a month on.

    Coordinators within their scope and administrators only. One figure per district
    and month: entering it again updates it. Audited (counts only).
    """
    permissions.check_can_edit_coverage(user, district)
    if children_known is None or children_known < 1:
        raise ValidationError({"children_known": _("Enter a number of children of at least 1.")})
    if not 1 <= int(target_percent) <= 100:
        raise ValidationError({"target_percent": _("The target is a percentage from 1 to 100.")})
    figure = (
        CoverageFigure.objects.select_for_update()
        .filter(district=district, period=period.start)
        .first()
    )
    before = (figure.children_known, figure.target_percent) if figure else None
    if figure is None:
        figure = CoverageFigure(district=district, period=period.start)
    figure.children_known = children_known
    figure.target_percent = target_percent
    figure.entered_by = user
    figure.save()
    record(
        "reports.coverage.save",
        actor=user,
        obj=figure,
        changes={
            "district": district.code,
            "period": period.code,
            "children_known": children_known,
            "target_percent": target_percent,
            "before": list(before) if before else None,
        },
    )
    return figure


def build_report_content(scope: Scope):
    """(figure groups, highlights) for a scope: the same selectors as the dashboard.

    Of the month before, only the groups with monthly flows to compare are needed
    (and a finished month's groups usually come from the cache).
    """
    groups = selectors.dashboard_figures(scope)
    compared = {spec.key for spec in selectors.available_groups() if spec.compared}
    previous = selectors.dashboard_figures(
        Scope(scope.period.previous(), scope.district), keys=compared
    )
    return groups, selectors.report_highlights(groups, previous)


def generate_monthly_report(*, period: Period, district=None, generated_by=None) -> MonthlyReport:
    """Generate (or regenerate) the monthly report for a period and scope, and archive it.

    Idempotent for the same period and scope: there is one archive row per pair; a
    second run recomputes the figures, replaces the PDF and the workbook in place and
    keeps the row (and whether it was already e-mailed). ``generated_by=None`` is the
    scheduled run; a person must be allowed to generate for that scope. Audited.
    """
    if generated_by is not None:
        permissions.check_can_generate_report(generated_by, district)
    scope = Scope(period, district)
    generated_at = timezone.now()
    with translation.override(REPORT_LANGUAGE):  # the bureau's document, whoever asks
        groups, highlights = build_report_content(scope)
        pdf = render_report_pdf(groups, scope, highlights, generated_at)
        xlsx = report_workbook(groups, scope, highlights)
        figures = {
            "period": period.code,
            "scope": scope.code,
            "groups": [group.as_data() for group in groups],
            "highlights": highlights,
        }
    stem = f"monthly-report-{period.code}-{scope.code}"
    with transaction.atomic():
        report = _lock_or_create(period, district, generated_at)
        old_files = [f.name for f in (report.pdf_file, report.xlsx_file) if f]
        report.generated_at = generated_at
        report.generated_by = generated_by
        report.figures = figures
        report.pdf_file.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.xlsx_file.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.save()
        new_files = {report.pdf_file.name, report.xlsx_file.name}
        storage = report.pdf_file.storage
        stale = [name for name in old_files if name not in new_files]
        transaction.on_commit(lambda: [storage.delete(name) for name in stale])
        record(
            "reports.monthly.generate",
            actor=generated_by,
            obj=report,
            changes={"period": period.code, "scope": scope.code, "groups": len(groups)},
        )
    return report


def _lock_or_create(period: Period, district, generated_at) -> MonthlyReport:
    """The archive row for the scope, locked; created if missing (safe under a race)."""
    lookup = {"period": period.start, "district": district}
    report = MonthlyReport.objects.select_for_update().filter(**lookup).order_by().first()
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return MonthlyReport.objects.create(**lookup, generated_at=generated_at)
    except IntegrityError:
        return MonthlyReport.objects.select_for_update().order_by().get(**lookup)
