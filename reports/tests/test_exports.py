"""Every dashboard table exports to CSV and XLSX with the dashboard's numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from accounts import roles
from accounts.models import System
from reports.exports import HEADER_ROW, sheet_title
from tests.factories import make_user

from .conftest import at

URL = "/reports/export/talent_pool/trainees_by_district.{fmt}"


@pytest.fixture
def three_trainees(district, other_district):
    make_user(
        roles.TRAINEE, district=district, system=System.CIVIL_AFFAIRS, date_joined=at(2026, 4, 1)
    )
    make_user(
        roles.TRAINEE, district=district, system=System.EDUCATION, date_joined=at(2026, 10, 2)
    )
    make_user(
        roles.TRAINEE, district=other_district, system=System.EDUCATION, date_joined=at(2026, 4, 1)
    )


def test_csv_export_has_bom_headings_rows_and_total(client, coordinator, three_trainees):
    client.force_login(coordinator)
    response = client.get(URL.format(fmt="csv"), {"period": "2026-10"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "trainees_by_district-2026-10-city.csv" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "District or county"
    by_label = {row[0]: row[1:4] for row in rows[1:]}
    assert by_label["高昌区"] == ["2", "1", "1"]
    assert by_label["鄯善县"] == ["1", "0", "0"]
    assert rows[-1][:2] == ["Total", "3"]


def test_xlsx_export_writes_numbers_in_cells(client, coordinator, three_trainees):
    client.force_login(coordinator)
    response = client.get(URL.format(fmt="xlsx"), {"period": "2026-10"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Trainees by district and system"
    assert sheet["A2"].value == "2026-10 · Whole city"
    assert sheet.cell(row=HEADER_ROW, column=2).value == "Registered"
    values = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value
        for r in range(HEADER_ROW + 1, HEADER_ROW + 4)
    }
    assert values == {"高昌区": 2, "鄯善县": 1, "Total": 3}
    assert sheet.cell(row=HEADER_ROW + 1, column=2).number_format == "#,##0"


def test_district_coordinator_export_is_limited_to_their_district(
    client, district_coordinator, other_district, three_trainees
):
    client.force_login(district_coordinator)
    response = client.get(URL.format(fmt="csv"), {"period": "2026-10"})
    body = response.content.decode("utf-8-sig")
    assert "高昌区" in body and "鄯善县" not in body
    assert client.get(URL.format(fmt="csv"), {"district": other_district.code}).status_code == 403


def test_export_with_a_malformed_month_is_400(client, coordinator):
    client.force_login(coordinator)
    assert client.get(URL.format(fmt="csv"), {"period": "10/2026"}).status_code == 400


def test_sheet_titles_are_excel_safe_and_unique():
    taken: set[str] = set()
    first = sheet_title("Hours: approved/logged [all]", taken)
    second = sheet_title("Hours: approved/logged [all]", taken)
    assert len(first) <= 31 and not set("[]:*?/\\") & set(first)
    assert first != second and len(second) <= 31
