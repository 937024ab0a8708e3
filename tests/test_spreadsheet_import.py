"""The shared spreadsheet reader (lms/spreadsheet_import.py) refuses zip bombs before parsing.

The bombs are generated here: a real workbook whose sheet part (or shared-strings part)
is replaced by one that unpacks to hundreds of megabytes but packs to well under the
5 MB upload limit. Each must be refused for the right reason by the reader and by each
of the three imports that use it, with the reader's peak memory printed (and bounded
far below the 300 MB the issue allows). Nothing here measures time.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from lms import spreadsheet_import
from lms.spreadsheet_import import RowLimitExceeded, SpreadsheetRejected

MB = 1024 * 1024
ROW = b'<row><c t="inlineStr"><is><t>bomb</t></is></c></row>'


def small_workbook(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_part(base: bytes, part_name: str, write_part) -> bytes:
    """``base`` with ``part_name`` replaced by what ``write_part(stream)`` writes (deflated)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        names = source.namelist()
        for name in names:
            if name != part_name:
                target.writestr(name, source.read(name))
        with target.open(part_name, "w") as stream:
            write_part(stream)
    return out.getvalue()


def sheet_bomb(unpacked_bytes: int) -> bytes:
    """A workbook whose first sheet holds ``unpacked_bytes`` of rows."""

    def write(stream):
        stream.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/')
        stream.write(b'spreadsheetml/2006/main"><sheetData>')
        block = ROW * 20_000
        written = 0
        while written < unpacked_bytes:
            stream.write(block)
            written += len(block)
        stream.write(b"</sheetData></worksheet>")

    return _with_part(small_workbook([["用户名"]]), "xl/worksheets/sheet1.xml", write)


def shared_strings_bomb(unpacked_bytes: int) -> bytes:
    """A workbook with a shared-strings part of ``unpacked_bytes``."""
    base = small_workbook([["用户名", "姓名"], ["a", "b"]])

    def write(stream):
        stream.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/')
        stream.write(b'spreadsheetml/2006/main">')
        block = (b"<si><t>" + b"x" * 1000 + b"</t></si>") * 1000
        written = 0
        while written < unpacked_bytes:
            stream.write(block)
            written += len(block)
        stream.write(b"</sst>")

    return _with_part(base, "xl/sharedStrings.xml", write)


def refusal(data: bytes, **kwargs) -> tuple[SpreadsheetRejected, int]:
    """The reader's refusal of ``data`` and its peak traced memory in bytes."""
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetRejected) as caught:
            for _row in spreadsheet_import.iter_rows(data, max_rows=5000, **kwargs):
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return caught.value, peak


@pytest.fixture(scope="module")
def big_sheet_bomb():
    return sheet_bomb(870 * MB)


@pytest.fixture(scope="module")
def big_shared_strings_bomb():
    return shared_strings_bomb(1024 * MB)


def test_a_sheet_that_unpacks_to_870_mb_is_refused_before_parsing(big_sheet_bomb):
    assert len(big_sheet_bomb) < 5 * MB
    error, peak = refusal(big_sheet_bomb)
    print(f"\nsheet bomb: {len(big_sheet_bomb) / MB:.1f} MB packed, peak {peak / MB:.1f} MB")
    assert error.code == "zip_bomb"
    assert "xl/worksheets/sheet1.xml" in error.messages[0]
    assert peak < 60 * MB  # the archive is read, nothing is unpacked


def test_a_1_gb_shared_strings_part_is_refused_before_parsing(big_shared_strings_bomb):
    assert len(big_shared_strings_bomb) < 5 * MB
    error, peak = refusal(big_shared_strings_bomb)
    print(
        f"\nshared strings bomb: {len(big_shared_strings_bomb) / MB:.1f} MB, peak {peak / MB:.1f} MB"
    )
    assert error.code == "zip_bomb"
    assert "sharedStrings.xml" in error.messages[0]
    assert peak < 60 * MB


def test_a_part_under_the_size_limit_that_packs_too_well_is_refused():
    error, _peak = refusal(sheet_bomb(20 * MB))
    assert error.code == "zip_bomb" and "→" in error.messages[0]


def test_rows_are_streamed_and_reading_stops_at_the_row_limit():
    data = small_workbook([["用户名"]] + [[f"user{n}"] for n in range(120)])
    read = []
    with pytest.raises(RowLimitExceeded) as caught:
        for line, cells in spreadsheet_import.iter_rows(data, max_rows=100):
            read.append((line, cells))
    assert caught.value.code == "too_many_rows" and "100" in caught.value.messages[0]
    assert len(read) == 101  # the header and 100 rows; the 102nd row was never yielded
    assert read[1] == (2, ["user0"])


def test_a_csv_over_the_row_limit_is_refused_too():
    data = ("用户名\n" + "".join(f"user{n}\n" for n in range(20))).encode()
    with pytest.raises(RowLimitExceeded):
        list(spreadsheet_import.iter_rows(data, max_rows=10))


def test_an_upload_over_the_size_limit_is_refused_without_reading_it_all():
    class Upload(io.BytesIO):
        size = None

    upload = Upload(b"x" * (MB + 10))
    with pytest.raises(SpreadsheetRejected) as caught:
        spreadsheet_import.read_upload(upload, MB)
    assert caught.value.code == "too_large"
    assert upload.tell() == MB + 1


def test_a_damaged_workbook_is_refused():
    with pytest.raises(SpreadsheetRejected) as caught:
        list(spreadsheet_import.iter_rows(b"PK\x03\x04not a zip", max_rows=10))
    assert caught.value.code == "damaged"


@pytest.mark.django_db
def test_the_people_import_refuses_the_bomb(big_sheet_bomb, administrator):
    from accounts.importers import import_people

    upload = io.BytesIO(big_sheet_bomb)
    report = import_people(upload, filename="staff.xlsx", dry_run=True, actor=administrator)
    assert not report.ok
    assert "unpacks" in report.errors[0].message


@pytest.mark.django_db
def test_the_venue_import_refuses_the_bomb(big_shared_strings_bomb, coordinator):
    from django.core.exceptions import ValidationError

    from lecturer_corps.importers import import_venues

    upload = io.BytesIO(big_shared_strings_bomb)
    with pytest.raises(ValidationError) as caught:
        import_venues(actor=coordinator, upload=upload, dry_run=True)
    assert "unpacks" in caught.value.messages[0]


def test_the_question_import_refuses_the_bomb(big_sheet_bomb):
    from quizzes import xlsx

    questions, issues = xlsx.parse(big_sheet_bomb)
    assert questions == []
    assert issues[0].line == 1 and "unpacks" in issues[0].message
