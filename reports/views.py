"""Reporting pages: dashboard, exports, coverage entry, the report archive, the audit log."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import roles
from accounts.permissions import role_required
from lms.one_door import add_service_errors
from lms.spreadsheets import csv_bytes

from . import permissions, selectors
from .exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, table_csv, table_xlsx
from .forms import (
    AuditFilterForm,
    ChildrenServedForm,
    GenerateReportForm,
    RegisterCountForm,
    ScopeFilterForm,
)
from .models import MonthlyReport
from .periods import Period, Scope
from .services import generate_monthly_report, save_children_served, save_register_count

VIEWERS = permissions.VIEWER_ROLES
EDITORS = permissions.EDITOR_ROLES
AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_LIMIT = 50_000


def _scope_from_request(request) -> tuple[Scope | None, ScopeFilterForm]:
    """The period and district asked for, checked against the viewer's scope.

    A district outside a district coordinator's scope raises PermissionDenied, an
    unknown one Http404; a malformed month gives (None, form with errors).
    """
    limit = permissions.viewer_district(request.user)
    district = permissions.resolve_district(request.user, request.GET.get("district", ""))
    period = Period.last_complete()
    if request.GET:
        form = ScopeFilterForm(request.GET, limit=limit)
        if not form.is_valid():
            return None, form
        period = form.cleaned_data["period"] or period
    form = ScopeFilterForm(
        initial={"period": period, "district": district.code if district else "city"},
        limit=limit,
    )
    return Scope(period, district), form


def _query(scope: Scope) -> str:
    return urlencode({"period": scope.period.code, "district": scope.code})


@role_required(*VIEWERS)
def dashboard(request):
    """The figures for the viewer's scope and a month, with charts and their tables."""
    scope, form = _scope_from_request(request)
    if scope is None:
        return render(request, "reports/dashboard.html", {"form": form, "groups": []}, status=400)
    groups = selectors.dashboard_figures(scope)
    return render(
        request,
        "reports/dashboard.html",
        {
            "scope": scope,
            "form": form,
            "groups": groups,
            "query": _query(scope),
            "can_edit_coverage": permissions.can_edit_coverage(request.user, scope.district),
            "can_view_audit_log": permissions.can_view_audit_log(request.user),
            "can_generate": permissions.can_generate_report(request.user, scope.district),
        },
    )


@role_required(*VIEWERS)
def export_table(request, group_key: str, table_key: str, fmt: str):
    """One dashboard table as CSV or XLSX, for the same scope and month."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    scope, form = _scope_from_request(request)
    if scope is None:
        return HttpResponse(
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    groups = selectors.dashboard_figures(scope, keys={group_key})
    if not groups:
        raise Http404
    table = next((t for t in groups[0].tables if t.key == table_key), None)
    if table is None:
        raise Http404
    filename = f"{table.key}-{scope.period.code}-{scope.code}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(table_csv(table), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(table_xlsx(table, scope), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*VIEWERS)
@require_http_methods(["GET", "POST"])
def coverage(request):
    """The register of children in difficulty (counts per district, township and category)
    and the venues' yearly returns of distinct children served, for a year; coordinators
    in scope and administrators enter them (docs/metrics.md, "Coverage")."""
    limit = permissions.viewer_district(request.user)
    can_edit = permissions.can_edit_coverage(request.user, limit)
    year = _year(request.GET.get("year"))
    which = request.POST.get("form") if request.method == "POST" else None
    forms = {}
    if can_edit:
        for name, form_class in (("register", RegisterCountForm), ("served", ChildrenServedForm)):
            bound = request.POST if which == name else None
            forms[name] = form_class(bound, limit=limit, initial={"year": year}, prefix=name)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("The leading group's access is read-only."))
        form = forms.get(which)
        if form is None:
            return redirect("reports:coverage")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "register":
                    save_register_count(user=request.user, **data)
                else:
                    save_children_served(user=request.user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('reports:coverage')}?year={data['year']}")
    status = 400 if any(f.is_bound and f.errors for f in forms.values()) else 200
    return render(
        request,
        "reports/coverage.html",
        {
            "year": year,
            "register_form": forms.get("register"),
            "served_form": forms.get("served"),
            "register": selectors.register_counts(limit, year)[:300],
            "served": selectors.children_served(limit, year)[:300],
        },
        status=status,
    )


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return Period.current().start.year
    return year if 2000 <= year <= 2100 else Period.current().start.year


@role_required(*VIEWERS)
@require_http_methods(["GET", "POST"])
def monthly_list(request):
    """The report archive, and generating a report on demand for any month."""
    limit = permissions.viewer_district(request.user)
    may_generate = permissions.can_generate_report(request.user, limit)
    form = None
    if may_generate:
        form = GenerateReportForm(
            request.POST or None,
            limit=limit,
            initial={"period": Period.current().previous()},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("The leading group's access is read-only."))
        if form.is_valid():
            report = generate_monthly_report(
                period=form.cleaned_data["period"],
                district=form.cleaned_data["district"],
                generated_by=request.user,
            )
            messages.success(
                request,
                _("The report for %(report)s is ready.")
                % {
                    "report": f"{report.period:%Y-%m} "
                    + (report.district.label if report.district_id else str(_("Whole city")))
                },
            )
            return redirect("reports:monthly_list")
    reports = selectors.archived_reports(limit)
    page = Paginator(reports, 24).get_page(request.GET.get("page"))
    return render(request, "reports/monthly_list.html", {"form": form, "page": page})


@role_required(*VIEWERS)
def monthly_download(request, pk: int, kind: str):
    """An archived report's PDF or workbook, for viewers whose scope contains it."""
    if kind not in ("pdf", "xlsx"):
        raise Http404
    report = get_object_or_404(MonthlyReport.objects.select_related("district"), pk=pk)
    permissions.check_can_view_report(request.user, report)
    field_file = report.pdf_file if kind == "pdf" else report.xlsx_file
    if not field_file:
        raise Http404
    content_type = "application/pdf" if kind == "pdf" else XLSX_CONTENT_TYPE
    return FileResponse(
        field_file.open("rb"),
        content_type=content_type,
        as_attachment=kind != "pdf",
        filename=field_file.name.rsplit("/", 1)[-1],
    )


def report_download_url(report: MonthlyReport, kind: str) -> str:
    return reverse("reports:monthly_download", args=[report.pk, kind])


@role_required(roles.ADMINISTRATOR)
def audit_log(request):
    """Administrators: the audit log, filtered by user, object, action and period; CSV export."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    records = selectors.audit_records(**filters)
    if request.GET.get("format") == "csv" and form.is_valid():
        return _audit_csv(records)
    page = Paginator(records, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "object_types": selectors.audit_object_types(),
        },
    )


def _audit_csv(records) -> HttpResponse:
    """The filtered audit log as CSV; names and details are written formula-safe."""
    heading = [
        _("When"),
        _("Who"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Details"),
        _("From address"),
    ]
    rows = records.values_list(
        "created_at",
        "actor_repr",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "ip_address",
    )[:AUDIT_EXPORT_LIMIT]

    def lines():
        yield heading
        for created_at, *rest in rows.iterator(chunk_size=2000):
            changes = rest[5]
            rest[5] = json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else ""
            yield [created_at.isoformat(), *rest]

    response = HttpResponse(csv_bytes(lines()), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
