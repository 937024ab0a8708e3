"""Venue import from CSV and XLSX: checked first, all or nothing, line-numbered report."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from audit.models import AuditLog
from lecturer_corps.importers import import_venues
from places.models import Venue

pytestmark = pytest.mark.django_db

HEADER = "名称,类型,区县,乡镇,地址,纬度,经度,联系人,联系电话,容纳人数,备注\n"


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("venues.csv", text.encode("utf-8"), content_type="text/csv")


def test_a_valid_csv_creates_and_updates(coordinator, venue):
    upload = csv_file(
        HEADER
        + "葡萄镇二小,学校,高昌区,葡萄镇,葡萄镇1号,,,,,80,\n"
        + f"{venue.name},学校,gaochang,,新地址,42.9,89.2,王老师,0995-1234567,70,\n"
    )
    report = import_venues(actor=coordinator, upload=upload)
    assert report.ok and (report.created, report.updated) == (1, 1)
    created = Venue.objects.get(name="葡萄镇二小")
    assert created.capacity == 80
    assert float(created.latitude) == pytest.approx(42.95)  # from the township
    venue.refresh_from_db()
    assert venue.address == "新地址" and venue.capacity == 70
    assert AuditLog.objects.filter(action="lecturer_corps.venue.import").count() == 1


def test_one_bad_row_imports_nothing_and_names_each_line(coordinator, district):
    upload = csv_file(
        HEADER
        + "好学校,学校,高昌区,,,,,,,50,\n"
        + "坏类型,城堡,高昌区,,,,,,,50,\n"
        + "坏区县,社区,火星区,,,,,,,50,\n"
        + "坏容量,农场,高昌区,,,abc,,,,-3,\n"
    )
    report = import_venues(actor=coordinator, upload=upload)
    assert not report.ok
    lines = dict(report.errors)
    assert set(lines) == {3, 4, 5}
    assert "城堡" in lines[3]
    assert "火星区" in lines[4]
    assert "latitude is not a number" in lines[5] and "capacity" in lines[5]
    assert not Venue.objects.exists()


def test_missing_columns_are_reported(coordinator, district):
    report = import_venues(actor=coordinator, upload=csv_file("名称,地址\n一,二\n"))
    assert report.errors == [(1, "Missing columns: venue_type, district")]


def test_dry_run_changes_nothing(coordinator, district):
    upload = csv_file(HEADER + "试运行学校,学校,高昌区,,,,,,,50,\n")
    report = import_venues(actor=coordinator, upload=upload, dry_run=True)
    assert report.ok and report.created == 1
    assert not Venue.objects.exists()


def test_a_district_coordinator_imports_only_their_district(
    district_coordinator, district, other_district
):
    upload = csv_file(HEADER + "本区学校,学校,高昌区,,,,,,,50,\n外区学校,学校,鄯善县,,,,,,,50,\n")
    report = import_venues(actor=district_coordinator, upload=upload)
    assert report.errors and report.errors[0][0] == 3
    assert not Venue.objects.exists()


def test_a_trainee_cannot_import(trainee, district):
    with pytest.raises(PermissionDenied):
        import_venues(actor=trainee, upload=csv_file(HEADER))


def test_xlsx_is_read_too(coordinator, district):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "type", "district", "capacity"])
    sheet.append(["Excel 社区", "community", "Gaochang District", 45])
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("venues.xlsx", out.getvalue())
    report = import_venues(actor=coordinator, upload=upload)
    assert report.ok, report.errors
    assert Venue.objects.get(name="Excel 社区").venue_type == "community"


def test_the_import_page(client, coordinator, district):
    client.force_login(coordinator)
    response = client.post(
        reverse("lecturer_corps:venue_import"),
        {"file": csv_file(HEADER + "页面学校,学校,高昌区,,,,,,,50,\n")},
    )
    assert response.status_code == 200
    assert response.context["report"].created == 1


def test_an_address_over_its_limit_is_refused_with_its_line_not_cut(coordinator, district):
    """Found by review: address, contact name and phone were cut silently to fit."""
    upload = csv_file(
        HEADER
        + f"阳光学校,学校,高昌区,,{'长' * 301},,,,,50,\n"
        + "和平学校,学校,高昌区,,和平路1号,,,,,50,\n"
    )
    report = import_venues(actor=coordinator, upload=upload)
    assert not report.ok
    lines = dict(report.errors)
    assert set(lines) == {2} and "address" in lines[2] and "301" in lines[2]
    assert not Venue.objects.exists()
