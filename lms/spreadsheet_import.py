"""One spreadsheet reader for every import (people, venues, questions): bounded before parsing.

(Writing is ``lms/spreadsheets.py``, safe from formula injection.)

An XLSX file is a zip archive, and a zip a few megabytes long can unpack to gigabytes
(a "zip bomb": one sheet part of 870 MB of rows, or a 1 GB shared-strings part, kept an
import busy for minutes at gigabytes of memory). So, before any parser sees a file:

1. the upload's size is checked without reading past the limit (``read_upload``);
2. for XLSX, the archive's directory is read (no part is unpacked) and the file is
   refused if it has too many parts, a part larger than ``MAX_PART_BYTES`` unpacked
   (``MAX_SHARED_STRINGS_BYTES`` for the shared-strings part, which openpyxl holds in
   memory whole), more than ``MAX_TOTAL_BYTES`` in all, or a large part that unpacks
   more than ``MAX_RATIO`` times its packed size. The sizes checked are the ones the
   directory declares; Python's zipfile, which openpyxl reads through, never unpacks a
   part past its declared size (a part that lies fails its CRC check instead);
3. rows are then streamed with openpyxl's read-only mode (CSV with the csv module) and
   reading stops as soon as the caller's row limit is passed (``RowLimitExceeded``), so
   a file with a million rows costs what the first rows cost.

Every refusal is a ``SpreadsheetRejected`` (a ``ValidationError``) with a message a
person can act on; callers add it to their own line-numbered, all-or-nothing report.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_PART_BYTES = 64 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_RATIO = 100  # office files pack 5-30 times; a bomb packs thousands of times
RATIO_CHECKED_FROM = 1024 * 1024  # small parts may pack very well; they cost nothing
MAX_PARTS = 500
MAX_COLUMNS = 100
MAX_BLANK_RUN = 1000  # blank rows in a row after which a sheet is taken to end

XLSX = "xlsx"
CSV = "csv"


class SpreadsheetRejected(ValidationError):
    """The file as a whole cannot be read (too big, a zip bomb, damaged, too many rows)."""


class RowLimitExceeded(SpreadsheetRejected):
    pass


def read_upload(upload, max_bytes: int) -> bytes:
    """The upload's bytes, refused (code ``too_large``) without reading past ``max_bytes``."""
    too_large = SpreadsheetRejected(
        _("The file is larger than %(limit)s. Split it into smaller files.")
        % {"limit": f"{max_bytes / (1024 * 1024):g} MB"},
        code="too_large",
    )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise too_large
    return data


def kind_of(data: bytes) -> str:
    """``xlsx`` for a zip archive, else ``csv`` (old binary .xls is refused)."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetRejected(
            _("Old Excel files (.xls) are not read. Save the list as XLSX or CSV."),
            code="xls",
        )
    return XLSX if data.startswith(b"PK\x03\x04") else CSV


def check_xlsx_archive(data: bytes) -> None:
    """Refuse an XLSX whose parts would unpack too large, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpreadsheetRejected(
            _("The file could not be read as an Excel (XLSX) workbook."), code="damaged"
        ) from error
    if len(parts) > MAX_PARTS:
        raise _bomb(_("%(count)d parts") % {"count": len(parts)})
    total = 0
    for part in parts:
        total += part.file_size
        limit = (
            MAX_SHARED_STRINGS_BYTES
            if part.filename.lower().endswith("sharedstrings.xml")
            else MAX_PART_BYTES
        )
        if part.file_size > limit:
            raise _bomb(f"{part.filename}: {filesizeformat(part.file_size)}")
        if part.file_size > RATIO_CHECKED_FROM and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise _bomb(
                f"{part.filename}: {filesizeformat(part.compress_size)} → "
                f"{filesizeformat(part.file_size)}"
            )
    if total > MAX_TOTAL_BYTES:
        raise _bomb(filesizeformat(total))


def _bomb(detail: str) -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _(
            "The workbook unpacks to far more data than a list of this kind holds "
            "(%(detail)s). Save the list again from Excel, or as CSV."
        )
        % {"detail": detail},
        code="zip_bomb",
    )


def decode_csv(data: bytes) -> str:
    """CSV text: UTF-16 with a byte-order mark, UTF-8 (with or without one), or GB18030
    (what Chinese Excel writes as "CSV")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise SpreadsheetRejected(
            _("The file's text encoding was not recognised. Save it as CSV (UTF-8)."),
            code="encoding",
        ) from error


def cell_text(value) -> str:
    """A cell as text: numbers typed into Excel lose their ``.0``; dates are ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # mobile numbers typed into Excel become numbers
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def iter_rows(
    data: bytes,
    *,
    max_rows: int,
    header_rows: int = 1,
    max_columns: int = MAX_COLUMNS,
    max_blank_run: int = MAX_BLANK_RUN,
    raw: bool = False,
) -> Iterator[tuple[int, list]]:
    """``(line number, cells)`` for each row of the first sheet (or of the CSV text).

    Cells are text (``cell_text``) unless ``raw``; empty cells at the end are dropped. Raises ``RowLimitExceeded`` as soon
    as more than ``max_rows`` rows with content follow the ``header_rows`` (without
    reading further). Blank rows are yielded too (callers skip them); after
    ``max_blank_run`` blank rows in a row the sheet is taken to have ended.
    """
    rows = _xlsx_rows(data, max_columns) if kind_of(data) == XLSX else _csv_rows(data, max_columns)
    filled = blank_run = 0
    for line, cells in rows:
        if any(cell not in (None, "") for cell in cells):
            filled += 1
            blank_run = 0
            if filled > max_rows + header_rows:
                raise RowLimitExceeded(
                    _("The file has more than %(max)s rows. Split it into smaller files.")
                    % {"max": f"{max_rows:,}"},
                    code="too_many_rows",
                )
        else:
            blank_run += 1
            if blank_run > max_blank_run:
                return
        cells = list(cells) if raw else [cell_text(cell) for cell in cells]
        while cells and cells[-1] in (None, ""):
            cells.pop()  # read-only sheets pad rows to the widest column
        yield line, cells


def _xlsx_rows(data: bytes, max_columns: int):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise SpreadsheetRejected(
            _("The file could not be read as an Excel (XLSX) workbook."), code="damaged"
        ) from error
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        try:
            yield from enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), start=1)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as error:
            raise SpreadsheetRejected(
                _("The file could not be read as an Excel (XLSX) workbook."), code="damaged"
            ) from error
    finally:
        workbook.close()


def _csv_rows(data: bytes, max_columns: int):
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=lambda d: (first_line.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            yield line, cells[:max_columns]
            line = reader.line_num + 1
    except csv.Error as error:
        raise SpreadsheetRejected(
            _("Line %(line)d could not be read as CSV: %(error)s") % {"line": line, "error": error},
            code="damaged",
        ) from error
