"""Bulk import of people: formats, checks, all-or-nothing, matching, permissions, command, pages."""

import csv
import io
import os
import re
import threading

import pytest
from django.core import mail
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from accounts import roles
from accounts.importers import MAX_ROWS, import_people
from accounts.models import System, User
from audit.models import AuditLog
from tests.factories import TownshipFactory, make_user

pytestmark = pytest.mark.django_db

HEADER = [
    "用户名",
    "姓名",
    "邮箱",
    "手机",
    "工作单位",
    "系统",
    "区县",
    "乡镇",
    "语言",
    "职务",
    "角色",
]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in their English source form."""
    with translation.override("en"):
        yield


@pytest.fixture
def places(district, other_district):
    """高昌区 with 葡萄镇 and 亚尔镇; 鄯善县 with 鲁克沁镇."""
    TownshipFactory(district=district, name="葡萄镇")
    TownshipFactory(district=district, name="亚尔镇")
    TownshipFactory(district=other_district, name="鲁克沁镇")
    return district, other_district


def csv_file(rows, *, encoding="utf-8", name="people.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    data = io.BytesIO(text.getvalue().encode(encoding))
    data.name = name
    return data


def xlsx_file(rows, *, name="people.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = name
    return data


def run(fileobj, *, dry_run=False, actor=None):
    return import_people(fileobj, filename=fileobj.name, dry_run=dry_run, actor=actor)


def person(**overrides):
    row = {
        "用户名": "",
        "姓名": "李娜",
        "邮箱": "lina@example.org",
        "手机": "13800000001",
        "工作单位": "高昌区民政局",
        "系统": "民政",
        "区县": "高昌区",
        "乡镇": "葡萄镇",
        "语言": "普通话、维吾尔语",
        "职务": "社会工作者",
        "角色": "",
    }
    row.update(overrides)
    return [row[column] for column in HEADER]


def test_csv_creates_people_with_their_profile(places, django_capture_on_commit_callbacks):
    district, _other = places
    file = csv_file([HEADER, person(), person(姓名="王芳", 邮箱="wf@example.org", 手机="")])
    with django_capture_on_commit_callbacks(execute=True):
        report = run(file)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    lina = User.objects.get(email="lina@example.org")
    assert lina.real_name == "李娜"
    assert lina.mobile == "13800000001"
    assert lina.system == System.CIVIL_AFFAIRS
    assert lina.district == district
    assert lina.township.name == "葡萄镇"
    assert lina.languages == ["zh", "ug"]
    assert lina.job_title == "社会工作者"
    assert lina.role_codes == {roles.TRAINEE}
    assert not lina.has_usable_password()


def test_new_people_are_invited_by_email_once_the_import_commits(
    places, django_capture_on_commit_callbacks
):
    file = csv_file([HEADER, person()])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run(file)
    assert mail.outbox == []  # nothing is sent before the commit
    # The invitation task queues each e-mail in the outbox, sent after its own commit.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lina@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_invitation_link_lets_the_new_person_choose_a_password(
    client, places, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run(csv_file([HEADER, person(用户名="lina")]))
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body)
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    response = client.post(
        form_url, {"password1": "Grape-Valley-2026", "password2": "Grape-Valley-2026"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="lina").check_password("Grape-Valley-2026")
    client.logout()
    response = client.post("/accounts/login/", {"login": "lina", "password": "Grape-Valley-2026"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(User.objects.get(username="lina").pk)


def test_xlsx_with_english_headers_and_a_numeric_mobile(places):
    file = xlsx_file(
        [
            ["real_name", "email", "mobile", "system", "district", "township", "languages"],
            ["Aygul", "aygul@example.org", 13900000002, "education", "shanshan", "鲁克沁镇", "ug"],
        ]
    )
    report = run(file)
    assert report.ok, report.errors
    aygul = User.objects.get(email="aygul@example.org")
    assert aygul.mobile == "13900000002"
    assert aygul.system == System.EDUCATION
    assert aygul.district.code == "shanshan"
    assert aygul.languages == ["ug"]


def test_gbk_csv_from_chinese_excel_is_read(places):
    file = csv_file([HEADER, person(姓名="阿依古丽·买买提")], encoding="gbk")
    report = run(file)
    assert report.ok, report.errors
    assert User.objects.get(email="lina@example.org").real_name == "阿依古丽·买买提"


def test_utf8_csv_with_byte_order_mark_is_read(places):
    file = csv_file([HEADER, person()], encoding="utf-8-sig")
    report = run(file)
    assert report.ok, report.errors
    assert User.objects.filter(real_name="李娜").exists()


def test_dry_run_changes_nothing(places, trainee, django_capture_on_commit_callbacks):
    file = csv_file([HEADER, person(), person(姓名="新名字", 邮箱=trainee.email, 手机="")])
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        report = run(file, dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated) == (1, 1)
    assert User.objects.count() == users_before
    trainee.refresh_from_db()
    assert trainee.real_name != "新名字"
    assert not AuditLog.objects.filter(action="accounts.import").exists()
    assert mail.outbox == []


def test_one_bad_row_changes_nothing_and_names_its_line_and_column(places, trainee):
    file = csv_file(
        [
            HEADER,
            person(),
            person(姓名="新名字", 邮箱=trainee.email, 手机=""),
            person(姓名="王芳", 邮箱="not-an-email", 手机="13800000003"),
        ]
    )
    users_before = User.objects.count()
    report = run(file)
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [(4, "邮箱")]
    assert User.objects.count() == users_before
    trainee.refresh_from_db()
    assert trainee.real_name != "新名字"
    assert not AuditLog.objects.filter(action="accounts.import").exists()


def test_line_numbers_are_the_files_own_lines(places):
    text = (
        "姓名,邮箱,工作单位\n"
        '李娜,lina@example.org,"高昌区\n民政局"\n'  # a cell over two lines: lines 2-3
        "\n"  # a blank line 4
        "王芳,bad-address,单位\n"  # line 5
    )
    file = io.BytesIO(text.encode())
    file.name = "people.csv"
    report = run(file)
    assert [(e.line, e.column) for e in report.errors] == [(5, "邮箱")]


def test_existing_person_matched_by_email_is_updated_not_duplicated(places, trainee):
    trainee.mobile = "13700000000"
    trainee.save()
    users_before = User.objects.count()
    report = run(csv_file([HEADER, person(邮箱=trainee.email.upper(), 手机="", 职务="站长")]))
    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 1)
    assert User.objects.count() == users_before
    trainee.refresh_from_db()
    assert trainee.job_title == "站长"
    assert trainee.mobile == "13700000000"  # an empty cell keeps what is stored


def test_existing_person_matched_by_mobile_is_updated_not_duplicated(places, trainee):
    trainee.mobile = "13700000000"
    trainee.save()
    users_before = User.objects.count()
    report = run(csv_file([HEADER, person(邮箱="", 手机="137 0000 0000", 姓名="改名")]))
    assert report.ok, report.errors
    assert User.objects.count() == users_before
    trainee.refresh_from_db()
    assert trainee.real_name == "改名"
    assert trainee.email.endswith("@example.org")


def test_reimporting_the_same_row_reports_it_unchanged(places):
    run(csv_file([HEADER, person()]))
    report = run(csv_file([HEADER, person()]))
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_row_matching_two_different_existing_people_is_refused(places, trainee, other_trainee):
    other_trainee.mobile = "13700000009"
    other_trainee.save()
    report = run(csv_file([HEADER, person(邮箱=trainee.email, 手机="13700000009")]))
    assert not report.ok
    assert report.errors[0].line == 2
    assert "two different people" in report.errors[0].message


def test_duplicates_inside_the_file_are_reported(places):
    file = csv_file(
        [
            HEADER,
            person(),
            person(姓名="王芳", 邮箱="lina@example.org", 手机="13800000002"),
            person(姓名="张伟", 邮箱="zw@example.org", 手机="13800000001"),
        ]
    )
    report = run(file)
    assert [(e.line, e.column) for e in report.errors] == [(3, "邮箱"), (4, "手机")]
    assert "line 2" in report.errors[0].message
    assert not User.objects.filter(real_name="李娜").exists()


def test_generated_usernames_are_unique(places, trainee):
    User.objects.create(username="lina", email="other@example.org")
    file = csv_file(
        [
            HEADER,
            person(),
            person(邮箱="lina@example.com", 手机="13800000002"),
            person(邮箱="", 手机="13800000003"),
        ]
    )
    report = run(file)
    assert report.ok, report.errors
    names = set(
        User.objects.filter(mobile__in=["13800000001", "13800000002", "13800000003"]).values_list(
            "username", flat=True
        )
    )
    assert names == {"lina2", "lina3", "user"}


def test_person_without_email_is_imported_with_a_warning(places):
    report = run(csv_file([HEADER, person(邮箱="")]))
    assert report.ok
    assert report.created == 1
    assert [w.line for w in report.warnings] == [2]
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"手机": "1380000"}, "手机", "11-digit"),
        ({"邮箱": "", "手机": ""}, "邮箱", "e-mail address or a mobile"),
        ({"姓名": ""}, "姓名", "real name is required"),
        ({"区县": "乌鲁木齐"}, "区县", "Unknown district"),
        ({"乡镇": "鲁克沁镇"}, "乡镇", "no township"),
        ({"系统": "公安"}, "系统", "Unknown system"),
        ({"语言": "英语"}, "语言", "Unknown language"),
        ({"角色": "校长"}, "角色", "Unknown role"),
        ({"用户名": "有 空格"}, "用户名", "username"),
    ],
)
def test_bad_values_are_reported_with_line_and_column(places, overrides, column, fragment):
    report = run(csv_file([HEADER, person(), person(**overrides)]))
    assert [(e.line, e.column) for e in report.errors] == [(3, column)]
    assert fragment in report.errors[0].message
    assert not User.objects.filter(real_name="李娜").exists()


def test_township_alone_finds_its_district(places):
    district, _other = places
    report = run(csv_file([HEADER, person(区县="")]))
    assert report.ok, report.errors
    assert User.objects.get(email="lina@example.org").district == district


def test_unknown_column_is_reported_on_the_header_line(places):
    report = run(csv_file([[*HEADER, "身份证号", "序号"], [*person(), "x", "1"]]))
    assert [(e.line, e.column) for e in report.errors] == [(1, "身份证号")]
    assert not User.objects.filter(email="lina@example.org").exists()


def test_header_and_row_problems_are_reported_together(places):
    report = run(csv_file([[*HEADER, "身份证号"], [*person(邮箱="bad", 手机=""), "x"]]))
    assert [(e.line, e.column) for e in report.errors] == [(1, "身份证号"), (2, "邮箱")]


def test_missing_name_column_is_reported(places):
    report = run(csv_file([["邮箱", "手机"], ["a@example.org", "13800000001"]]))
    assert not report.ok
    assert report.errors[0].line == 1
    assert "real names" in report.errors[0].message


def test_title_row_above_the_header_is_skipped(places):
    report = run(xlsx_file([["高昌区民政局人员名单"], HEADER, person()]))
    assert report.ok, report.errors
    assert report.created == 1


def test_file_over_5_mb_is_refused(places):
    file = io.BytesIO(b"a" * (5 * 1024 * 1024 + 1))
    file.name = "big.csv"
    report = run(file)
    assert not report.ok
    assert "5 MB" in report.errors[0].message


def test_more_than_5000_rows_is_refused(places):
    rows = [["姓名", "邮箱"]] + [[f"人{i}", f"p{i}@example.org"] for i in range(MAX_ROWS + 1)]
    report = run(csv_file(rows))
    assert not report.ok
    assert "5,000 rows" in report.errors[0].message
    assert not User.objects.filter(email="p1@example.org").exists()


def test_old_excel_format_is_refused_with_advice(places):
    file = io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    file.name = "people.xls"
    report = run(file)
    assert "XLSX" in report.errors[0].message


def test_administrator_role_cannot_be_imported(places):
    report = run(csv_file([HEADER, person(角色="管理员")]))
    assert [(e.line, e.column) for e in report.errors] == [(2, "角色")]


def test_scoped_coordinator_may_not_import_people_of_another_district(places, district_coordinator):
    file = csv_file(
        [
            HEADER,
            person(),
            person(姓名="王芳", 邮箱="wf@example.org", 手机="", 区县="鄯善县", 乡镇="鲁克沁镇"),
            person(姓名="张伟", 邮箱="zw@example.org", 手机="", 区县="", 乡镇=""),
        ]
    )
    report = run(file, actor=district_coordinator)
    assert [(e.line, e.column) for e in report.errors] == [(3, "区县"), (4, "区县")]
    assert not User.objects.filter(email="lina@example.org").exists()


def test_scoped_coordinator_may_not_update_a_person_of_another_district(
    places, district_coordinator, other_district
):
    outsider = make_user(roles.TRAINEE, district=other_district)
    report = run(
        csv_file([HEADER, person(邮箱=outsider.email, 手机="")]), actor=district_coordinator
    )
    assert not report.ok
    assert "another district" in report.errors[0].message
    outsider.refresh_from_db()
    assert outsider.district == other_district


def test_scoped_coordinator_imports_people_of_their_district(places, district_coordinator):
    report = run(csv_file([HEADER, person(角色="讲师")]), actor=district_coordinator)
    assert report.ok, report.errors
    assert User.objects.get(email="lina@example.org").role_codes == {roles.LECTURER}


def test_coordinator_may_not_grant_supervisor_or_coordinator_roles(places, coordinator):
    report = run(csv_file([HEADER, person(角色="督导专家、协调员")]), actor=coordinator)
    assert [(e.line, e.column) for e in report.errors] == [(2, "角色"), (2, "角色")]
    assert not User.objects.filter(email="lina@example.org").exists()


def test_coordinator_may_not_change_a_staff_account(places, coordinator, supervisor):
    report = run(csv_file([HEADER, person(邮箱=supervisor.email, 手机="")]), actor=coordinator)
    assert not report.ok
    assert "staff role" in report.errors[0].message


def test_administrator_grants_roles_and_coordinator_scope(places, administrator):
    district, _other = places
    header = [*HEADER, "协调范围"]
    report = run(
        csv_file([header, [*person(角色="协调员、督导专家"), "高昌区"]]), actor=administrator
    )
    assert report.ok, report.errors
    imported = User.objects.get(email="lina@example.org")
    assert imported.role_codes == {roles.COORDINATOR, roles.SUPERVISOR}
    assert imported.coordinator_district == district


def test_roles_are_added_never_removed(places, lecturer):
    report = run(csv_file([HEADER, person(邮箱=lecturer.email, 手机="", 角色="学员")]))
    assert report.ok, report.errors
    lecturer = User.objects.get(pk=lecturer.pk)
    assert lecturer.role_codes == {roles.LECTURER, roles.TRAINEE}


def test_trainee_may_not_import_at_all(places, trainee):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(csv_file([HEADER, person()]), actor=trainee)


def test_one_audit_record_with_counts_only(places, trainee, coordinator):
    run(
        csv_file([HEADER, person(), person(姓名="新名字", 邮箱=trainee.email, 手机="")]),
        actor=coordinator,
    )
    entry = AuditLog.objects.get(action="accounts.import")
    assert entry.actor == coordinator
    assert entry.changes["created"] == 1
    assert entry.changes["updated"] == 1
    assert entry.changes["rows"] == 2
    text = str(entry.changes)
    assert "lina" not in text and "李娜" not in text and "新名字" not in text


def test_checking_uses_a_fixed_number_of_queries(places, django_assert_max_num_queries):
    def rows(count):
        return [HEADER] + [
            person(邮箱=f"p{i}@example.org", 手机=f"1380000{i:04d}") for i in range(count)
        ]

    with django_assert_max_num_queries(12):
        assert run(csv_file(rows(5)), dry_run=True).ok
    with django_assert_max_num_queries(12):
        assert run(csv_file(rows(300)), dry_run=True).ok


@pytest.mark.postgres
@pytest.mark.skipif(  # before any database set-up: a transactional test flushes the database
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (advisory locks); run with DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_imports_of_one_list_create_each_person_once(places):
    from django.db import connection, connections

    assert connection.vendor == "postgresql"
    data = csv_file(
        [HEADER, person(), person(姓名="王芳", 邮箱="wf@example.org", 手机="13800000002")]
    ).getvalue()
    barrier = threading.Barrier(2)
    reports = []

    def upload():
        try:
            file = io.BytesIO(data)
            file.name = "people.csv"
            barrier.wait()
            reports.append(run(file))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(report.ok for report in reports) and len(reports) == 2
    assert sorted(report.created for report in reports) == [0, 2]
    assert User.objects.filter(email="lina@example.org").count() == 1
    assert User.objects.filter(email="wf@example.org").count() == 1


# ------------------------------------------------------------------ the command


def write(tmp_path, rows, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(csv_file(rows).getvalue())
    return path


def test_command_dry_run_reports_and_changes_nothing(places, tmp_path):
    out = io.StringIO()
    call_command("import_users", str(write(tmp_path, [HEADER, person()])), "--dry-run", stdout=out)
    assert "1 would be created" in out.getvalue()
    assert not User.objects.filter(email="lina@example.org").exists()


def test_command_imports(places, tmp_path):
    out = io.StringIO()
    call_command("import_users", str(write(tmp_path, [HEADER, person()])), stdout=out)
    assert "1 created" in out.getvalue()
    assert User.objects.filter(email="lina@example.org").exists()


def test_command_prints_line_numbered_problems_and_exits_non_zero(
    places, tmp_path, capsys, monkeypatch
):
    path = write(tmp_path, [HEADER, person(), person(邮箱="bad", 手机="13800000002")])
    # run_from_argv closes every connection on its way out, the test's one too.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "import_users", str(path), "--skip-checks"]).execute()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "line 3, 邮箱:" in err
    assert "Nothing was imported" in err
    assert not User.objects.filter(email="lina@example.org").exists()


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_users", str(tmp_path / "missing.csv"))


# ------------------------------------------------------------------ the pages


def test_import_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("accounts:import_people"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_import_page_refuses_a_trainee(client, trainee):
    client.force_login(trainee)
    assert client.get(reverse("accounts:import_people")).status_code == 403
    assert client.get(reverse("accounts:import_template")).status_code == 403


def test_import_page_opens_for_a_coordinator_with_the_template_link(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("accounts:import_people"))
    assert response.status_code == 200
    assert reverse("accounts:import_template") in response.content.decode()


def test_upload_shows_the_report_of_problems(client, coordinator, places):
    client.force_login(coordinator)
    upload = csv_file([HEADER, person(邮箱="bad", 手机="")])
    response = client.post(reverse("accounts:import_people"), {"file": upload, "dry_run": ""})
    assert response.status_code == 200
    assert response.context["report"].errors[0].line == 2
    assert "邮箱" in response.content.decode()
    assert not User.objects.filter(real_name="李娜").exists()


def test_upload_imports_for_a_coordinator(client, coordinator, places):
    client.force_login(coordinator)
    upload = csv_file([HEADER, person()])
    response = client.post(reverse("accounts:import_people"), {"file": upload, "dry_run": ""})
    assert response.status_code == 200
    assert response.context["report"].created == 1
    assert User.objects.filter(email="lina@example.org").exists()


def test_template_download_opens_with_openpyxl_and_its_example_passes(client, coordinator, places):
    client.force_login(coordinator)
    response = client.get(reverse("accounts:import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("用户名", "姓名", "邮箱")
    upload = io.BytesIO(response.content)
    upload.name = "template.xlsx"
    report = run(upload, dry_run=True, actor=coordinator)
    assert report.ok, report.errors
    assert report.created == 1


def test_wagtail_menu_shows_import_to_coordinators_only(rf, coordinator, supervisor):
    from accounts.wagtail_hooks import register_import_people_menu_item

    item = register_import_people_menu_item()
    assert item.url == reverse("accounts:import_people")
    request = rf.get("/cms/")
    request.user = coordinator
    assert item.is_shown(request)
    request.user = supervisor
    assert not item.is_shown(request)


def test_wagtail_admin_shows_the_menu_item_to_a_coordinator(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/cms/")
    assert response.status_code == 200
    assert reverse("accounts:import_people") in response.content.decode()


def test_a_broken_xlsx_file_is_refused_with_a_message(places):
    file = io.BytesIO(b"PK\x03\x04 this is not a workbook")
    file.name = "people.xlsx"
    report = run(file)
    assert not report.ok
    assert "XLSX" in report.errors[0].message


def test_no_invitation_for_someone_who_already_chose_a_password(
    places, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run(csv_file([HEADER, person()]))
    lina = User.objects.get(email="lina@example.org")
    lina.set_password("Chosen-Already-7")
    lina.save()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert mail.outbox == []
