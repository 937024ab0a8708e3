"""State changes in reporting: the register of children in difficulty, the venues' yearly
returns, the programme's targets, and the monthly report archive."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record

from . import permissions, selectors
from .exports import report_workbook
from .models import (
    CATEGORY_CHOICES,
    SERVED_CATEGORY_CHOICES,
    ChildrenServed,
    CoverageTarget,
    MonthlyReport,
    RegisterCount,
)
from .pdf import REPORT_LANGUAGE, render_report_pdf
from .periods import Period, Scope


@transaction.atomic
def save_register_count(
    *, user, year: int, district, category: str, children: int, township=None
) -> RegisterCount:
    """Enter or correct how many children in difficulty of a category the register holds in
    a district's township (or the district, ``township`` None) for a year: a count, never
    children. Coordinators within their scope and administrators. Entering the same year,
    place and category again updates it. Atomic; audited (counts only)."""
    permissions.check_can_edit_coverage(user, district)
    errors = {}
    if township is not None and township.district_id != district.pk:
        errors["township"] = [_("This township is not in the district or county.")]
    if category not in dict(CATEGORY_CHOICES):
        errors["category"] = [_("Choose one of the options.")]
    if children is None or not 0 <= int(children) <= 1_000_000:
        errors["children"] = [_("Enter a number of children from 0 to 1,000,000.")]
    if not 2000 <= int(year or 0) <= 2100:
        errors["year"] = [_("Enter a year such as 2026.")]
    if errors:
        raise ValidationError(errors)
    row = (
        RegisterCount.objects.select_for_update(of=("self",))
        .filter(year=year, district=district, township=township, category=category)
        .order_by("pk")
        .first()
    )
    before = row.children if row else None
    if row is None:
        row = RegisterCount(year=year, district=district, township=township, category=category)
    row.children = int(children)
    row.entered_by = user
    row.save()
    record(
        "reports.register.save",
        actor=user,
        obj=row,
        changes={
            "year": year,
            "district": district.code,
            "township": township.pk if township else None,
            "category": category,
            "children": row.children,
            "before": before,
        },
    )
    return row


@transaction.atomic
def save_children_served(
    *, user, year: int, venue, category: str, children: int, new_children: int
) -> ChildrenServed:
    """Enter or correct a venue's yearly return: how many distinct children in difficulty
    of a category it served in the year, and how many of them it had not counted in an
    earlier year. Coordinators of the venue's district and administrators; one return per
    venue, year and category (entering it again updates it). Coverage never counts more
    than the register and the verified sessions allow (``reports.coverage``). Atomic;
    audited (counts only)."""
    permissions.check_can_edit_coverage(user, venue.district)
    errors = {}
    if category not in dict(SERVED_CATEGORY_CHOICES):
        errors["category"] = [_("Choose one of the options.")]
    if children is None or not 0 <= int(children) <= 100_000:
        errors["children"] = [_("Enter a number of children from 0 to 100,000.")]
    elif new_children is None or not 0 <= int(new_children) <= int(children):
        errors["new_children"] = [
            _("The children not counted before are at most the children served.")
        ]
    if not 2000 <= int(year or 0) <= 2100:
        errors["year"] = [_("Enter a year such as 2026.")]
    if errors:
        raise ValidationError(errors)
    row = (
        ChildrenServed.objects.select_for_update(of=("self",))
        .filter(year=year, venue=venue, category=category)
        .order_by("pk")
        .first()
    )
    before = (row.children, row.new_children) if row else None
    if row is None:
        row = ChildrenServed(year=year, venue=venue, category=category)
    row.children = int(children)
    row.new_children = int(new_children)
    row.entered_by = user
    row.save()
    record(
        "reports.children_served.save",
        actor=user,
        obj=row,
        changes={
            "year": year,
            "venue": venue.pk,
            "category": category,
            "children": row.children,
            "new_children": row.new_children,
            "before": list(before) if before else None,
        },
    )
    return row


TARGET_AUDIT = "reports.target"


def _target_changes(instance: CoverageTarget) -> dict:
    return {
        "first_year": instance.first_year,
        "years": instance.years,
        "children": instance.children,
        "coverage_percent": instance.coverage_percent,
    }


def create_target(*, actor, instance: CoverageTarget) -> CoverageTarget:
    """Set the programme's targets (administrators, in the Wagtail admin). Audited."""
    permissions.check_target_admin(actor, "add")
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        record(
            f"{TARGET_AUDIT}.create", actor=actor, obj=instance, changes=_target_changes(instance)
        )
    return instance


def update_target(*, actor, instance: CoverageTarget, changed=()) -> CoverageTarget:
    """Change the programme's targets (administrators). Audited."""
    permissions.check_target_admin(actor, "change", instance)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        record(
            f"{TARGET_AUDIT}.update",
            actor=actor,
            obj=instance,
            changes={"fields": sorted(changed), **_target_changes(instance)},
        )
    return instance


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
