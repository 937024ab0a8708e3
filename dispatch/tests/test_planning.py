"""Planning a month: copy-forward of the recurring requests, and the import of requests
from a spreadsheet (all or nothing, line-numbered reasons)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from dispatch import planning, services
from dispatch.models import PlannedRequest, RequestSource, next_month
from lecturer_corps.models import RequestStatus, ServiceRequest
from lecturer_corps.tests.factories import make_request

pytestmark = pytest.mark.django_db


# --- the same place next month ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2031, 1, 14), datetime.date(2031, 2, 11)),  # 2nd Tuesday → 2nd Tuesday
        (datetime.date(2031, 1, 1), datetime.date(2031, 2, 5)),  # 1st Wednesday
        (datetime.date(2031, 1, 31), datetime.date(2031, 2, 28)),  # 5th Friday → last Friday
        (datetime.date(2031, 12, 29), datetime.date(2032, 1, 26)),  # 5th Monday → last Monday
    ],
)
def test_a_copy_keeps_the_weekday_and_the_week_of_the_month(day, expected):
    assert planning.same_place_next_month(day) == expected
    assert expected.weekday() == day.weekday()


# --- copy-forward ------------------------------------------------------------------------------


def _month_ahead(months: int) -> datetime.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(months):
        month = next_month(month)
    return month


def _recurring(venue, day, **fields):
    service_request = make_request(venue=venue, date=day, **fields)
    PlannedRequest.objects.create(service_request=service_request, recurring=True)
    return service_request


def test_copy_forward_copies_only_recurring_requests_once(venue, district_coordinator):
    month = _month_ahead(2)
    second_tuesday = month + datetime.timedelta(days=(1 - month.weekday()) % 7 + 7)
    wanted = _recurring(venue, second_tuesday, topic="caregiver_01", notes="每月家长课")
    make_request(venue=venue, date=second_tuesday + datetime.timedelta(days=1))  # not recurring
    cancelled = _recurring(venue, second_tuesday + datetime.timedelta(days=2))
    ServiceRequest.objects.filter(pk=cancelled.pk).update(status=RequestStatus.CANCELLED)

    preview = planning.copy_forward(actor=district_coordinator, month=month, dry_run=True)
    assert [item.original for item in preview.to_copy] == [wanted]
    assert ServiceRequest.objects.count() == 3  # nothing written by the preview

    report = planning.copy_forward(actor=district_coordinator, month=month)
    assert report.copied == 1 and not report.problems
    copy = report.items[0].copy
    assert copy.date == planning.same_place_next_month(second_tuesday)
    assert copy.date.weekday() == 1 and copy.date.month == next_month(month).month
    assert (copy.topic, copy.venue, copy.start_time, copy.notes, copy.status) == (
        "caregiver_01",
        venue,
        wanted.start_time,
        "每月家长课",
        "requested",
    )
    plan = copy.plan
    assert (plan.source, plan.recurring, plan.copied_from) == (RequestSource.COPY, True, wanted)
    assert AuditLog.objects.filter(action="dispatch.plan.copy_forward").count() == 1

    again = planning.copy_forward(actor=district_coordinator, month=month)
    assert (again.copied, again.already_copied) == (0, 1)
    assert ServiceRequest.objects.count() == 4

    # The copy is itself recurring: next month it is copied on again.
    onwards = planning.copy_forward(actor=district_coordinator, month=next_month(month))
    assert onwards.copied == 1


def test_copy_forward_reports_what_cannot_be_copied(venue, district_coordinator):
    month = _month_ahead(1)
    day = month + datetime.timedelta(days=3)
    original = _recurring(venue, day)
    venue.is_active = False
    venue.save()
    report = planning.copy_forward(actor=district_coordinator, month=month)
    assert report.copied == 0
    assert [item.original for item in report.problems] == [original]
    assert "no longer active" in report.problems[0].problem


def test_copy_forward_stays_in_the_coordinators_scope(
    venue, other_venue, district_coordinator, other_district_coordinator, trainee
):
    month = _month_ahead(1)
    _recurring(venue, month + datetime.timedelta(days=3))
    theirs = planning.copy_forward(actor=other_district_coordinator, month=month)
    assert theirs.copied == 0 and not theirs.items
    with pytest.raises(PermissionDenied):
        planning.copy_forward(actor=trainee, month=month)


def test_the_copy_forward_page_previews_then_copies(client, venue, district_coordinator):
    month = _month_ahead(1)
    original = _recurring(venue, month + datetime.timedelta(days=3))
    client.force_login(district_coordinator)
    url = reverse("dispatch:copy_forward")
    page = client.get(url, {"month": f"{month:%Y-%m}"}).content.decode()
    assert f'copy-{original.pk}"' in page
    assert ServiceRequest.objects.count() == 1
    response = client.post(url, {"month": f"{month:%Y-%m}"})
    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 2


def test_marking_a_request_recurring(
    client, venue, district_coordinator, other_district_coordinator
):
    service_request = make_request(venue=venue)
    with pytest.raises(PermissionDenied):
        services.set_recurring(
            actor=other_district_coordinator, service_request=service_request, recurring=True
        )
    client.force_login(district_coordinator)
    response = client.post(
        reverse("dispatch:recurring_toggle", args=[service_request.pk]), {"recurring": "1"}
    )
    assert response.status_code == 302
    assert PlannedRequest.objects.get(service_request=service_request).recurring
    client.force_login(other_district_coordinator)
    response = client.post(
        reverse("dispatch:recurring_toggle", args=[service_request.pk]), {"recurring": "0"}
    )
    assert response.status_code == 404


def test_api_copy_forward(api_client, venue, district_coordinator):
    month = _month_ahead(1)
    _recurring(venue, month + datetime.timedelta(days=3))
    client = api_client.as_user(district_coordinator)
    body = {"year": month.year, "month": month.month, "dry_run": True}
    preview = client.post("/api/v1/dispatch/copy-forward", body, content_type="application/json")
    assert preview.status_code == 200 and preview.json()["items"][0]["copy_id"] is None
    body["dry_run"] = False
    done = client.post("/api/v1/dispatch/copy-forward", body, content_type="application/json")
    assert done.json()["copied"] == 1
    bad = client.post(
        "/api/v1/dispatch/copy-forward",
        {"year": 2031, "month": 13},
        content_type="application/json",
    )
    assert bad.status_code == 422


# --- import ------------------------------------------------------------------------------------

HEADER = "场所,区县,主题,对象,年龄段,人数,语言,日期,开始,结束,课时,讲师人数,每月重复,备注"


def _csv(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "requests.csv", ("\n".join([HEADER, *lines]) + "\n").encode(), content_type="text/csv"
    )


def _xlsx(rows) -> SimpleUploadedFile:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("requests.xlsx", buffer.getvalue())


def _day(weeks=3) -> str:
    return (timezone.localdate() + datetime.timedelta(weeks=weeks)).isoformat()


def test_a_good_file_imports_every_row_with_its_monthly_mark(venue, district_coordinator):
    upload = _csv(
        f"葡萄镇中心小学,高昌区,child_01,儿童,6-11,30,普通话,{_day()},09:00,11:00,2,1,是,二楼",
        f"葡萄镇中心小学,,如何说，孩子才会听,,,25,维吾尔语,{_day(4)},15:00,16:40,,,,",
    )
    report = planning.import_requests(actor=district_coordinator, upload=upload)
    assert report.ok, report.errors
    first, second = sorted(report.created, key=lambda r: r.date)
    assert (first.topic, first.audience, first.language, first.notes) == (
        "child_01",
        "children",
        "zh",
        "二楼",
    )
    assert (second.topic, second.audience, second.language) == ("caregiver_03", "caregivers", "ug")
    assert first.plan.recurring and not second.plan.recurring
    assert {first.plan.source, second.plan.source} == {RequestSource.IMPORT}
    assert AuditLog.objects.filter(action="dispatch.plan.import").count() == 1
    assert AuditLog.objects.filter(action="lecturer_corps.request.create").count() == 2


def test_a_broken_file_writes_nothing_and_names_each_line(venue, other_venue, district_coordinator):
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    upload = _csv(
        f"葡萄镇中心小学,,child_01,儿童,6-11,30,普通话,{_day()},09:00,11:00,2,1,,",  # good
        f"葡萄镇中心小学,,child_01,儿童,6-11,30,普通话,{past},09:00,11:00,2,1,,",  # line 3
        f"不存在的学校,,child_01,儿童,6-11,30,普通话,{_day()},09:00,11:00,2,1,,",  # line 4
        f"鄯善县第一小学,,child_01,儿童,6-11,30,普通话,{_day()},09:00,11:00,2,1,,",  # 5: scope
        f"葡萄镇中心小学,,child_77,儿童,6-11,30,法语,{_day()},9点,11:00,5,1,也许,",  # line 6
        f"葡萄镇中心小学,,child_01,儿童,6-11,300,普通话,{_day()},09:00,09:30,2,1,,",  # line 7
        f"葡萄镇中心小学,,child_01,儿童,,30,普通话,{_day()},09:00,11:00,2,1,,学生电话13912345678",
    )
    report = planning.import_requests(actor=district_coordinator, upload=upload)
    assert not report.ok and not report.created
    errors = dict(report.errors)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "in the past" in errors[3]
    assert "no active venue" in errors[4]
    assert "no active venue" in errors[5]  # another district's venue is outside the scope
    assert all(
        word in errors[6]
        for word in ("unknown topic", "unknown language", "not a time", "class_hours", "monthly")
    )
    assert "holds 60" in errors[7] and "class hours need" in errors[7]
    assert "notes" in errors[8] and "age band" in errors[8]
    assert not ServiceRequest.objects.exists() and not PlannedRequest.objects.exists()
    assert not AuditLog.objects.filter(
        action__in=["dispatch.plan.import", "lecturer_corps.request.create"]
    )


def test_a_missing_column_is_named_on_the_header_line(venue, district_coordinator):
    upload = SimpleUploadedFile("r.csv", "场所,主题\n葡萄镇中心小学,child_01\n".encode())
    report = planning.import_requests(actor=district_coordinator, upload=upload)
    assert report.errors[0][0] == 1 and "expected_size" in report.errors[0][1]


def test_an_xlsx_file_with_dates_and_times_as_cells_imports(venue, district_coordinator):
    day = timezone.localdate() + datetime.timedelta(weeks=3)
    upload = _xlsx(
        [
            [
                "葡萄镇中心小学",
                "",
                "child_02",
                "",
                "0-5",
                20,
                "zh",
                day,
                "09:00",
                "10:30",
                2,
                1,
                "",
                "",
            ]
        ]
    )
    report = planning.import_requests(actor=district_coordinator, upload=upload)
    assert report.ok, report.errors
    assert report.created[0].date == day and report.created[0].age_band == "0-5"


def test_a_dry_run_checks_and_writes_nothing(venue, district_coordinator):
    upload = _csv(f"葡萄镇中心小学,,child_01,儿童,6-11,30,普通话,{_day()},09:00,11:00,2,1,,")
    report = planning.import_requests(actor=district_coordinator, upload=upload, dry_run=True)
    assert report.ok and report.checked == 1 and not ServiceRequest.objects.exists()


def test_the_import_page_shows_the_line_numbered_report(
    client, venue, district_coordinator, trainee
):
    client.force_login(district_coordinator)
    upload = _csv("葡萄镇中心小学,,child_01,儿童,6-11,30,普通话,not-a-date,09:00,11:00,2,1,,")
    response = client.post(reverse("dispatch:request_import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "Line 2" in page
    assert not ServiceRequest.objects.exists()
    template = client.get(reverse("dispatch:import_template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")
    client.force_login(trainee)
    assert client.get(reverse("dispatch:request_import")).status_code == 403


def test_the_template_reads_back_as_an_empty_import(venue, district_coordinator):
    upload = SimpleUploadedFile("t.xlsx", planning.template_bytes())
    report = planning.import_requests(actor=district_coordinator, upload=upload)
    assert report.ok and report.checked == 0 and not report.created


def test_an_old_excel_file_is_refused_as_a_whole(venue, district_coordinator, client):
    client.force_login(district_coordinator)
    upload = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    response = client.post(reverse("dispatch:request_import"), {"file": upload})
    assert response.status_code == 400 and ".xls" in response.content.decode()


def test_the_request_page_offers_the_monthly_mark(client, venue, district_coordinator):
    service_request = make_request(venue=venue)
    client.force_login(district_coordinator)
    url = reverse("lecturer_corps:request_detail", args=[service_request.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="recurring-toggle"' in page and 'name="recurring" value="1"' in page
    services.set_recurring(
        actor=district_coordinator, service_request=service_request, recurring=True
    )
    page = client.get(url).content.decode()
    assert 'name="recurring" value="0"' in page
