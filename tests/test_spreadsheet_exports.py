"""Every CSV and XLSX export is safe from formula injection (lms/spreadsheets.py).

Three guarantees, each failing on a new export that escapes them:
- no module but lms/spreadsheets.py writes CSV or builds an openpyxl workbook;
- every function that produces a spreadsheet (calls ``csv_bytes``, ``xlsx_bytes`` or
  ``workbook_bytes``) is in ``EXPORTS`` below, with a driver that fills it with
  formula-like names, units, titles and details;
- each driver's files hold that text, and no cell of them is a live formula.
"""

import ast
import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts import roles
from lms.spreadsheets import FORMULA_TRIGGERS
from tests.factories import DistrictFactory, make_user

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '=HYPERLINK("http://x","点我")'
HOSTILE_DISTRICT = "@区" + HOSTILE
HOSTILE_QUIZ = "+测验" + HOSTILE
HOSTILE_USERNAME = "-trainee"
WRITERS = {"csv_bytes", "xlsx_bytes", "workbook_bytes"}
SKIPPED_FOLDERS = {".venv", "tests", "bench", "migrations", "node_modules", "staticfiles"}


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_FOLDERS & set(relative.parts) or relative.parts[0].startswith("."):
            continue
        yield ".".join(relative.with_suffix("").parts), ast.parse(path.read_text())


def spreadsheet_call_sites() -> set[str]:
    """``module:function`` of every top-level function or method naming a writer."""
    sites = set()
    for module, tree in project_modules():
        if module == "lms.spreadsheets":
            continue
        functions = [
            (node.name, node)
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                functions += [
                    (f"{node.name}.{item.name}", item)
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
        for name, function in functions:
            for inner in ast.walk(function):
                named = getattr(inner, "id", None) or getattr(inner, "attr", None)
                if named in WRITERS:
                    sites.add(f"{module}:{name}")
    return sites


def direct_writers() -> list[str]:
    """Places outside lms/spreadsheets.py that write CSV or build workbooks themselves."""
    found = []
    for module, tree in project_modules():
        if module == "lms.spreadsheets":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in {
                    ("csv", "writer"),
                    ("csv", "DictWriter"),
                    ("openpyxl", "Workbook"),
                }:
                    found.append(f"{module}:{node.lineno} {node.value.id}.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
                for alias in node.names:
                    if alias.name == "Workbook":
                        found.append(f"{module}:{node.lineno} from {node.module} import Workbook")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names] + [getattr(node, "module", "")]
                if any((name or "").startswith(("xlsxwriter", "pandas")) for name in names):
                    found.append(f"{module}:{node.lineno} {names}")
    return found


# --- checking files -------------------------------------------------------------------


def csv_cells(content: bytes) -> list[str]:
    assert content.startswith("\ufeff".encode())
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def assert_csv_safe(content: bytes, expected: tuple[str, ...]) -> None:
    cells = csv_cells(content)
    live = [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    assert not live, live
    for text in expected:
        assert any(cell.startswith("'" + text) for cell in cells), (text, cells[:40])


def assert_xlsx_safe(content: bytes, expected: tuple[str, ...]) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    workbook = load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    assert cell.data_type == "s"
                values.append(cell.value)
    for text in expected:
        assert any(str(value).startswith(text) for value in values), (text, values[:40])


# --- the exports and their drivers ----------------------------------------------------


@pytest.fixture
def hostile_district(db):
    return DistrictFactory(code="hostile", name=HOSTILE_DISTRICT, name_en=HOSTILE_DISTRICT)


@pytest.fixture
def hostile_trainee(hostile_district):
    return make_user(
        roles.TRAINEE,
        username=HOSTILE_USERNAME,
        real_name=HOSTILE,
        district=hostile_district,
        employer_unit="+" + HOSTILE,
        job_title="\t" + HOSTILE,
    )


def gradebook_files(client, request):
    from quizzes import services
    from quizzes.tests import factories as quiz_factories

    trainee = request.getfixturevalue("hostile_trainee")
    quiz = quiz_factories.quiz([quiz_factories.single()], title=HOSTILE_QUIZ, pass_mark=60)
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    services.submit_attempt(user=trainee, attempt=attempt, answers={})
    client.force_login(request.getfixturevalue("coordinator"))
    expected = (HOSTILE_USERNAME, HOSTILE, HOSTILE_DISTRICT, HOSTILE_QUIZ)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("quizzes:gradebook"), {"format": fmt})
        assert response.status_code == 200
        yield fmt, response.content, expected


def report_table_files(client, request):
    """Every dashboard table through the export view, for a district with a formula name."""
    from reports import selectors
    from reports.periods import Period, Scope

    request.getfixturevalue("hostile_trainee")
    client.force_login(request.getfixturevalue("coordinator"))
    period = Period.current()
    groups = selectors.dashboard_figures(Scope(period, None))
    walked = 0
    for group in groups:
        for table in group.tables:
            for fmt in ("csv", "xlsx"):
                url = f"/reports/export/{group.key}/{table.key}.{fmt}"
                response = client.get(url, {"period": period.code})
                assert response.status_code == 200, url
                expected = (HOSTILE_DISTRICT,) if table.key == "trainees_by_district" else ()
                walked += 1
                yield fmt, response.content, expected
    assert walked >= 2


def monthly_report_files(client, request):
    from reports import selectors
    from reports.exports import report_workbook
    from reports.periods import Period, Scope

    district = request.getfixturevalue("hostile_district")
    request.getfixturevalue("hostile_trainee")
    scope = Scope(Period.current(), district)
    groups = selectors.dashboard_figures(scope)
    yield "xlsx", report_workbook(groups, scope, [HOSTILE]), (HOSTILE,)


def audit_log_files(client, request):
    from audit.services import record

    trainee = request.getfixturevalue("hostile_trainee")
    district = request.getfixturevalue("hostile_district")
    record("practicum.entry.approve", actor=trainee, obj=district, changes={"n": 1})
    client.force_login(request.getfixturevalue("administrator"))
    response = client.get("/reports/audit/", {"format": "csv"})
    assert response.status_code == 200
    yield "csv", response.content, (HOSTILE_DISTRICT,)


def people_import_template_files(client, request):
    from accounts.importers import build_import_template

    yield "xlsx", build_import_template(), ()


def question_template_files(client, request):
    from quizzes.xlsx import template_bytes

    yield "xlsx", template_bytes(), ()


def dispatch_cost_files(client, request):
    """The finance export of a month's session costs, for a district, venue and lecturer
    with formula-like names."""
    import datetime

    from dispatch.costs import finance_file, month_costs
    from dispatch.tests.factories import make_tariff
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
    from tests.factories import VenueFactory

    district = request.getfixturevalue("hostile_district")
    venue = VenueFactory(district=district, name="=" + HOSTILE)
    lecturer = make_lecturer(district=district, username="hostile_lecturer").user
    lecturer.real_name = "+" + HOSTILE
    lecturer.save(update_fields=["real_name"])
    day = datetime.date(2031, 3, 4)
    make_session(make_request(venue=venue, date=day), lecturer)
    make_tariff()
    sheet = month_costs(None, day.replace(day=1))
    names = {district.pk: district.name}
    expected = (HOSTILE_DISTRICT, "=" + HOSTILE, "+" + HOSTILE)
    for fmt in ("csv", "xlsx"):
        yield fmt, finance_file(sheet, names, fmt), expected


def dispatch_import_template_files(client, request):
    from dispatch.planning import template_bytes

    yield "xlsx", template_bytes(), ()


EXPORTS = {
    "quizzes.views:_export": gradebook_files,
    "reports.exports:table_csv": report_table_files,
    "reports.exports:table_xlsx": report_table_files,
    "reports.exports:report_workbook": monthly_report_files,
    "reports.views:_audit_csv": audit_log_files,
    "accounts.importers:build_import_template": people_import_template_files,
    "quizzes.xlsx:template_bytes": question_template_files,
    "dispatch.costs:finance_file": dispatch_cost_files,
    "dispatch.planning:template_bytes": dispatch_import_template_files,
}


def test_no_module_writes_spreadsheets_around_the_helper():
    assert direct_writers() == []


def test_every_spreadsheet_export_is_walked_below():
    sites = spreadsheet_call_sites()
    assert sites - set(EXPORTS) == set(), "a new export: add it with a driver to EXPORTS"
    assert set(EXPORTS) - sites == set(), "an export listed here no longer exists"


@pytest.mark.django_db
@pytest.mark.parametrize("driver", sorted(set(EXPORTS.values()), key=lambda d: d.__name__))
def test_export_writes_formula_like_text_as_text(driver, client, request):
    files = list(driver(client, request))
    assert files
    for fmt, content, expected in files:
        if fmt == "csv":
            assert_csv_safe(content, expected)
        else:
            assert_xlsx_safe(content, expected)


def test_the_checks_catch_a_live_formula():
    """The assertions above fail on an unescaped file (so the walk can fail)."""
    import openpyxl

    with pytest.raises(AssertionError):
        assert_csv_safe(("\ufeff" + HOSTILE + "\r\n").encode(), ())
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = HOSTILE
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(AssertionError):
        assert_xlsx_safe(buffer.getvalue(), ())
