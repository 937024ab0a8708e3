"""The monthly report: PDF text, workbook cells, the archive, idempotent regeneration."""

import io

import pdfplumber
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from accounts.models import System
from audit.models import AuditLog
from reports.exports import HEADER_ROW
from reports.models import MonthlyReport
from reports.services import generate_monthly_report
from tests.factories import make_user

from .conftest import at, zh


@pytest.fixture
def trainees(district, other_district):
    make_user(
        roles.TRAINEE, district=district, system=System.CIVIL_AFFAIRS, date_joined=at(2026, 10, 3)
    )
    make_user(
        roles.TRAINEE, district=district, system=System.CIVIL_AFFAIRS, date_joined=at(2026, 10, 9)
    )
    make_user(roles.TRAINEE, district=district, system=System.EDUCATION, date_joined=at(2026, 9, 9))
    make_user(
        roles.TRAINEE, district=other_district, system=System.EDUCATION, date_joined=at(2026, 2, 9)
    )


def _pdf_text(report) -> str:
    with report.pdf_file.open("rb") as handle, pdfplumber.open(io.BytesIO(handle.read())) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_report_pdf_is_chinese_with_the_figures(trainees, period):
    report = generate_monthly_report(period=period, district=None)
    text = _pdf_text(report)
    assert "月度督导报告" in text
    assert "2026年10月" in text and "全市" in text
    assert "高昌区" in text and "鄯善县" in text
    # Gaochang: 3 registered, 2 new; the city: 4 registered.
    expected = zh("%(figure)s: %(value)s (previous month %(last)s, %(change)s)") % {
        "figure": zh("New trainees this month"),
        "value": 2,
        "last": 1,
        "change": "+1",
    }
    assert expected in text.replace("\n", "")


def test_report_pdf_embeds_the_cjk_font_and_draws_charts(trainees, period):
    report = generate_monthly_report(period=period, district=None)
    with report.pdf_file.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts
    html = data  # charts are vector paths; check the page count stays small
    assert len(reader.pages) <= 16 and html.startswith(b"%PDF")


def test_report_workbook_has_a_summary_and_a_sheet_per_table(trainees, period):
    report = generate_monthly_report(period=period, district=None)
    with report.xlsx_file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames[0] == zh("Summary")
    summary = workbook[zh("Summary")]
    assert summary["A2"].value == f"2026-10 · {zh('Whole city')}"
    figures = {
        summary.cell(row=r, column=1).value: summary.cell(row=r, column=2).value
        for r in range(HEADER_ROW + 1, summary.max_row + 1)
    }
    assert figures[zh("Trainees registered")] == 4
    assert figures[zh("New trainees this month")] == 2
    sheet = workbook[zh("Trainees by district and system")]
    values = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value
        for r in range(HEADER_ROW + 1, HEADER_ROW + 3)
    }
    assert values == {"高昌区": 3, "鄯善县": 1}


def test_regenerating_the_same_month_and_scope_keeps_one_archive_row(trainees, period, district):
    first = generate_monthly_report(period=period, district=None)
    make_user(roles.TRAINEE, district=district, date_joined=at(2026, 10, 20))
    second = generate_monthly_report(period=period, district=None)
    assert first.pk == second.pk
    assert MonthlyReport.objects.filter(period=period.start, district=None).count() == 1
    second.refresh_from_db()
    pool = next(g for g in second.figures["groups"] if g["key"] == "talent_pool")
    assert {h["key"]: h["value"] for h in pool["headlines"]}["trainees"] == 5
    assert AuditLog.objects.filter(action="reports.monthly.generate").count() == 2


def test_city_and_district_reports_are_separate_rows(trainees, period, district):
    city = generate_monthly_report(period=period, district=None)
    local = generate_monthly_report(period=period, district=district)
    assert city.pk != local.pk
    assert "鄯善县" not in _pdf_text(local)


def test_only_coordinators_in_scope_and_administrators_may_generate(
    trainees, period, district, other_district, district_coordinator, leader, administrator
):
    with pytest.raises(PermissionDenied):
        generate_monthly_report(
            period=period, district=other_district, generated_by=district_coordinator
        )
    with pytest.raises(PermissionDenied):
        generate_monthly_report(period=period, district=None, generated_by=district_coordinator)
    with pytest.raises(PermissionDenied):
        generate_monthly_report(period=period, district=None, generated_by=leader)
    assert generate_monthly_report(
        period=period, district=district, generated_by=district_coordinator
    )
    assert generate_monthly_report(period=period, district=None, generated_by=administrator)


def test_archive_page_generates_on_demand_and_lists_downloads(client, coordinator, trainees):
    client.force_login(coordinator)
    response = client.post(
        reverse("reports:monthly_list"), {"period": "2026-10", "district": "city"}
    )
    assert response.status_code == 302
    report = MonthlyReport.objects.get()
    page = client.get(reverse("reports:monthly_list")).content.decode()
    assert reverse("reports:monthly_download", args=[report.pk, "pdf"]) in page
    pdf = client.get(reverse("reports:monthly_download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(reverse("reports:monthly_download", args=[report.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]


def test_district_coordinator_cannot_download_the_city_or_another_district_report(
    client, district_coordinator, trainees, period, other_district
):
    city = generate_monthly_report(period=period, district=None)
    other = generate_monthly_report(period=period, district=other_district)
    client.force_login(district_coordinator)
    for report in (city, other):
        url = reverse("reports:monthly_download", args=[report.pk, "pdf"])
        assert client.get(url).status_code == 403
    assert "鄯善县" not in client.get(reverse("reports:monthly_list")).content.decode()


def test_leader_downloads_but_cannot_generate(client, leader, trainees, period):
    report = generate_monthly_report(period=period, district=None)
    client.force_login(leader)
    url = reverse("reports:monthly_download", args=[report.pk, "pdf"])
    assert client.get(url).status_code == 200
    response = client.post(
        reverse("reports:monthly_list"), {"period": "2026-10", "district": "city"}
    )
    assert response.status_code == 403


def test_download_of_an_unknown_kind_is_404(client, coordinator, trainees, period):
    report = generate_monthly_report(period=period, district=None)
    client.force_login(coordinator)
    assert client.get(f"/reports/monthly/{report.pk}/docx").status_code == 404
