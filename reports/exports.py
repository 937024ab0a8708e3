"""CSV and XLSX for every dashboard table, and the monthly report's workbook.

Numbers are written as numbers (percentages as e.g. ``82.5`` with a ``0.0`` format, so
a spreadsheet can compute with them); text is written formula-safe and CSV as UTF-8
with a byte-order mark, by lms/spreadsheets.py.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from lms.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Workbook,
    csv_bytes,
    workbook_bytes,
)

from .figures import DAYS, HOURS, PERCENT, TEXT, FigureGroup, Table, plain
from .periods import Scope

__all__ = ["CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "report_workbook", "table_csv", "table_xlsx"]
HEADER_ROW = 4  # rows 1–2 carry the title and the scope, row 4 the column headings
_SHEET_FORBIDDEN = re.compile(r"[\[\]\*\?/\\:]")


def _cell(value):
    if isinstance(value, Decimal | float):
        return plain(value)
    return value


def _table_rows(table: Table):
    yield [
        f"{column.label} (%)" if column.kind == PERCENT else str(column.label)
        for column in table.columns
    ]
    for row in table.rows:
        yield [_cell(value) for value in table.cells(row)]
    if table.total:
        yield [_cell(value) for value in table.cells(table.total)]


def table_csv(table: Table) -> bytes:
    """The table as CSV: a heading row, one row per table row, the total row last."""
    return csv_bytes(_table_rows(table))


def _number_format(kind: str) -> str | None:
    if kind == PERCENT:
        return "0.0"
    if kind in (HOURS, DAYS):
        return "0.0"
    if kind == TEXT:
        return None
    return "#,##0"


def _write_table(sheet, table: Table, scope: Scope) -> None:
    sheet["A1"] = str(table.title)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = f"{scope.period.code} · {scope.label}"
    if table.note:
        sheet["A3"] = str(table.note)
    bold = Font(bold=True)
    for index, row in enumerate(_table_rows(table)):
        row_number = HEADER_ROW + index
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_index, value=value)
            column = table.columns[column_index - 1]
            if index == 0:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif column.numeric and (fmt := _number_format(column.kind)):
                cell.number_format = fmt
        if table.total and index == len(table.rows) + 1:
            for column_index in range(1, len(row) + 1):
                sheet.cell(row=row_number, column=column_index).font = bold
    for column_index, column in enumerate(table.columns, start=1):
        width = 28 if column.kind == TEXT else 14
        sheet.column_dimensions[get_column_letter(column_index)].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)


def sheet_title(text: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (≤ 31 characters, no []*?/\\:)."""
    base = _SHEET_FORBIDDEN.sub(" ", text).strip()[:31] or "Sheet"
    title, counter = base, 2
    while title.lower() in taken:
        suffix = f" ({counter})"
        title = base[: 31 - len(suffix)] + suffix
        counter += 1
    taken.add(title.lower())
    return title


def table_xlsx(table: Table, scope: Scope) -> bytes:
    """One table as a one-sheet workbook."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(table.key, set())
    _write_table(sheet, table, scope)
    return workbook_bytes(workbook)


def report_workbook(groups: list[FigureGroup], scope: Scope, highlights: list[str]) -> bytes:
    """The monthly report's workbook: a summary sheet, then one sheet per table."""
    workbook = Workbook()
    summary = workbook.active
    taken: set[str] = set()
    summary.title = sheet_title(_("Summary"), taken)
    summary["A1"] = _("Monthly supervision report")
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = f"{scope.period.code} · {scope.label}"
    summary.cell(row=HEADER_ROW, column=1, value=_("Figure")).font = Font(bold=True)
    summary.cell(row=HEADER_ROW, column=2, value=_("Value")).font = Font(bold=True)
    summary.cell(row=HEADER_ROW, column=3, value=_("Group")).font = Font(bold=True)
    row_number = HEADER_ROW + 1
    for group in groups:
        for headline in group.headlines:
            summary.cell(row=row_number, column=1, value=str(headline.label))
            cell = summary.cell(row=row_number, column=2, value=_cell(headline.value))
            if headline.kind != TEXT and (fmt := _number_format(headline.kind)):
                cell.number_format = fmt
            summary.cell(row=row_number, column=3, value=str(group.title))
            row_number += 1
    if highlights:
        row_number += 1
        summary.cell(row=row_number, column=1, value=_("Highlights")).font = Font(bold=True)
        for text in highlights:
            row_number += 1
            summary.cell(row=row_number, column=1, value=text)
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 14
    summary.column_dimensions["C"].width = 24
    for group in groups:
        for table in group.tables:
            sheet = workbook.create_sheet(sheet_title(str(table.title), taken))
            _write_table(sheet, table, scope)
    return workbook_bytes(workbook)
