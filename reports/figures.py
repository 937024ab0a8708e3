"""Plain data shapes shared by the dashboard, charts, exports, the PDF report and the API.

A selector returns a ``FigureGroup``: a few headline figures and the tables behind
them; a table may say how it is best drawn (``Chart``). Everything downstream renders
these shapes, so the dashboard, the report and the API always show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TEXT, INT, PERCENT, HOURS, DAYS = "text", "int", "percent", "hours", "days"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = INT

    @property
    def numeric(self) -> bool:
        return self.kind != TEXT


@dataclass(frozen=True)
class Chart:
    """How to draw a table: ``bar`` (one bar per row) or ``line`` (rows along time).

    ``label`` is the column naming each row; ``values`` the columns drawn.
    Bar charts of percentages are drawn on a 0–100 scale.
    """

    kind: str
    label: str
    values: tuple[str, ...]
    title: str = ""
    target: int | None = None  # a reference line (e.g. the coverage target, in %)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: Chart | None = None
    note: str = ""
    total: dict | None = None

    def cells(self, row: dict) -> list:
        return [row.get(column.key) for column in self.columns]

    def as_data(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "columns": [
                {"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns
            ],
            "rows": [{c.key: plain(row.get(c.key)) for c in self.columns} for row in self.rows],
            "total": (
                {c.key: plain(self.total.get(c.key)) for c in self.columns} if self.total else None
            ),
        }


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: object
    kind: str = INT
    metric: str = ""  # anchor in docs/metrics.md
    compare: bool = False  # a monthly flow: the report compares it with the month before


@dataclass
class FigureGroup:
    key: str
    title: str
    headlines: list[Headline] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)  # sentences for the monthly report

    def as_data(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "headlines": [
                {"key": h.key, "label": str(h.label), "value": plain(h.value), "kind": h.kind}
                for h in self.headlines
            ],
            "tables": [table.as_data() for table in self.tables],
        }


def plain(value):
    """A JSON-friendly value: Decimals become floats rounded to one place."""
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if isinstance(value, float):
        return round(value, 1)
    return value


def percent(part, whole) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal, or None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def format_value(value, kind: str) -> str:
    """How a figure is written in tables and the PDF (no locale-dependent separators)."""
    if value is None:
        return "—"
    if kind == PERCENT:
        return f"{plain(Decimal(str(value))):.1f}%"
    if kind in (HOURS, DAYS) and not isinstance(value, int):
        return f"{plain(Decimal(str(value))):.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
