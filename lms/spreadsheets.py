"""Every CSV and XLSX file the site produces is written here, safe from formula injection.

A name, unit or job title such as ``=HYPERLINK("http://x","点我")`` typed by a person or
imported from a list must arrive in a spreadsheet as text, never as a live formula
(OWASP "CSV Injection"). A cell is *formula-like* when its text begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return.

- **CSV** (``csv_bytes``): such a cell gets a leading apostrophe, as OWASP recommends;
  a spreadsheet shows the text and evaluates nothing. CSV is UTF-8 with a byte-order
  mark so that Excel on a Chinese Windows opens it without garbling the characters.
- **XLSX** (``Workbook``, ``workbook_bytes``): such a cell is written as a plain string
  cell carrying Excel's "quote prefix" flag (what Excel itself stores when one types a
  leading apostrophe): it is shown exactly as typed, is never a formula on opening, and
  stays text when edited. ``Workbook.save`` applies this to every cell of every sheet,
  and the write-only sheets of ``Workbook(write_only=True)`` apply it to each appended
  row, so no code path saves a workbook without it.

Nothing else in the project may call ``csv.writer`` or construct ``openpyxl.Workbook``:
``tests/test_spreadsheet_exports.py`` finds every caller of this module, drives each
export with formula-like data and fails on a new caller it does not know.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value):
    """A value ready for ``csv.writer``: None is empty, formula-like text is quoted."""
    if value is None:
        return ""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """Rows as CSV bytes (UTF-8 with a byte-order mark), every cell through ``csv_cell``."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def neutralise_cell(cell) -> None:
    """Make a formula-like or formula cell a plain string cell with the quote prefix."""
    if cell.data_type == "f" or is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


class _SafeWriteOnlyWorksheet(WriteOnlyWorksheet):
    def append(self, row):
        safe = []
        for value in row:
            if is_formula_like(value):
                value = WriteOnlyCell(self, value=value)
                neutralise_cell(value)
            safe.append(value)
        super().append(safe)


class Workbook(openpyxl.Workbook):
    """``openpyxl.Workbook`` that neutralises formula-like cells whenever it is saved."""

    def create_sheet(self, title=None, index=None):
        if not self.write_only:
            return super().create_sheet(title=title, index=index)
        sheet = _SafeWriteOnlyWorksheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename):
        if not self.write_only:
            for sheet in self.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        neutralise_cell(cell)
        super().save(filename)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as XLSX bytes (formula-like cells neutralised by ``Workbook.save``)."""
    if not isinstance(workbook, Workbook):
        raise TypeError("Build spreadsheets with lms.spreadsheets.Workbook.")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: Iterable[Iterable], *, title: str) -> bytes:
    """Rows as a one-sheet workbook, written in openpyxl's fast write-only mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    return workbook_bytes(workbook)
