"""Server-rendered SVG charts, readable on a phone and accessible.

Each chart is drawn from a ``figures.Table`` and always sits next to that table
(the table is the accessible form: the SVG is ``role="img"`` with a title and a
description that points to it). No JavaScript, no charting library, no CDN; the
same SVG is embedded in the monthly PDF report.

Bar charts put each row's label above its bar, so long Chinese or Uyghur labels
never squeeze the bars on a narrow screen. The drawing runs left to right in every
interface (``direction="ltr"`` on the root: bars grow from the left edge, also in the
right-to-left Uyghur page); a row's label in another script than the interface (a
district's or a topic's Chinese name in the Uyghur interface) carries its own ``lang``
and ``data-content``, as names do in the page (``lms.content_text``). Colours are the Okabe–Ito palette
(distinguishable with colour-vision deficiencies) and every bar carries its value
as text, so colour is never the only carrier of meaning.
"""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from lms.content_text import foreign_text_language

from .figures import PERCENT, Table, format_value

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
WIDTH = 360
FONT = 14
FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'Noto Naskh Arabic', sans-serif"
LABEL_MAX_CHARS = 28


def render_chart(
    table: Table, *, element_id: str | None = None, width_mm: float | None = None
) -> SafeString:
    """The table's chart as inline SVG, or an empty string when it has none or no data.

    On pages the SVG takes the width of its container; for print (``width_mm``) it
    gets a fixed size in millimetres, the height following the drawing's proportions.
    """
    if table.chart is None or not table.rows:
        return mark_safe("")
    element_id = element_id or f"chart-{table.key}"
    if table.chart.kind == "line":
        body, height = _line_chart(table)
    else:
        body, height = _bar_chart(table)
    title = table.chart.title or table.title
    description = _("Chart of the table “%(table)s”; the same figures are in the table.") % {
        "table": table.title
    }
    if width_mm:
        size = f'width="{width_mm}mm" height="{width_mm * height / WIDTH:.1f}mm"'
    else:
        size = 'width="100%"'
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" {size} preserveAspectRatio="xMinYMin meet" '
        f'direction="ltr" '
        f'aria-labelledby="{element_id}-title {element_id}-desc" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT}">'
        f'<title id="{element_id}-title">{escape(str(title))}</title>'
        f'<desc id="{element_id}-desc">{escape(description)}</desc>'
        f"{body}</svg>"
    )
    return mark_safe(svg)  # noqa: S308  every text node above is escaped


def _number(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, Decimal):
        return float(value)
    return float(value)


def _language_attrs(label: str) -> str:
    """` lang="…" data-content` for a label in another script than the interface, else ""."""
    foreign = foreign_text_language(label)
    return f' lang="{escape(foreign[0])}" data-content' if foreign else ""


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"


def _legend(table: Table, top: int) -> tuple[str, int]:
    series = table.chart.values
    if len(series) < 2:
        return "", top
    labels = {c.key: str(c.label) for c in table.columns}
    parts, x, y = [], 0, top
    for index, key in enumerate(series):
        text = _short(labels[key])
        width = 18 + FONT * 0.62 * _visual_len(text) + 14
        if x + width > WIDTH and x > 0:
            x, y = 0, y + FONT + 8
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.0f}" y="{y + 10}" fill="#1c2430"{_language_attrs(text)}>'
            f"{escape(text)}</text>"
        )
        x += width
    return "".join(parts), y + FONT + 10


def _visual_len(text: str) -> float:
    """Approximate width in 'Latin characters': CJK glyphs are about twice as wide."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _bar_chart(table: Table) -> tuple[str, int]:
    chart = table.chart
    kinds = {c.key: c.kind for c in table.columns}
    series = chart.values
    legend, top = _legend(table, 0)
    bar_height = 16 if len(series) == 1 else 12
    values = [_number(row.get(key)) for row in table.rows for key in series]
    scale_max = 100.0 if all(kinds[k] == PERCENT for k in series) else max(values + [0.0])
    scale_max = max(scale_max, max(values + [0.0])) or 1.0
    value_room = 72
    bar_room = WIDTH - value_room
    parts = [legend]
    y = top
    for row in table.rows:
        label = _short(row.get(chart.label) or "—")
        parts.append(
            f'<text x="0" y="{y + FONT}" fill="#1c2430"{_language_attrs(label)}>'
            f"{escape(label)}</text>"
        )
        y += FONT + 4
        for index, key in enumerate(series):
            value = row.get(key)
            width = bar_room * _number(value) / scale_max
            colour = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect x="0" y="{y}" width="{max(width, 0.0):.1f}" height="{bar_height}" '
                f'fill="{colour}"/>'
                f'<text x="{width + 4:.1f}" y="{y + bar_height - 2}" fill="#1c2430">'
                f"{escape(format_value(value, kinds[key]))}</text>"
            )
            y += bar_height + 2
        y += 8
    if all(kinds[k] == PERCENT for k in series):
        target = chart.target
        if target:
            x = bar_room * float(target) / scale_max
            # Outside the f-string: makemessages (xgettext) does not read inside one.
            target_label = _("target %(percent)s%%") % {"percent": target}
            parts.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{y - 6}" stroke="#a3222b" '
                f'stroke-width="2" stroke-dasharray="4 3"/>'
                f'<text x="{x + 3:.1f}" y="{y + 6}" fill="#a3222b">'
                f"{escape(target_label)}</text>"
            )
            y += FONT + 4
    return "".join(parts), int(y + 4)


def _line_chart(table: Table) -> tuple[str, int]:
    chart = table.chart
    kinds = {c.key: c.kind for c in table.columns}
    series = chart.values
    legend, top = _legend(table, 0)
    left, right, plot_top, plot_height = 40, 12, top + 8, 150
    plot_width = WIDTH - left - right
    values = [_number(row.get(key)) for row in table.rows for key in series]
    ceiling = _nice_ceiling(max(values + [0.0]))
    parts = [legend]
    # Horizontal grid lines with their values.
    for step in range(5):
        value = ceiling * step / 4
        y = plot_top + plot_height - plot_height * step / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="#d5dbe1"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#52606d" '
            f'font-size="10">{_axis_number(value)}</text>'
        )
    count = len(table.rows)
    step_x = plot_width / max(count - 1, 1)

    def point(index, value):
        x = left + (step_x * index if count > 1 else plot_width / 2)
        y = plot_top + plot_height - plot_height * _number(value) / ceiling
        return x, y

    for index, row in enumerate(table.rows):
        if count <= 6 or index % 2 == (count - 1) % 2:  # every other month, ending on the last
            x, _y = point(index, 0)
            parts.append(
                f'<text x="{x:.1f}" y="{plot_top + plot_height + 14}" text-anchor="middle" '
                f'fill="#52606d" font-size="10">{escape(str(row.get(chart.label))[-5:])}</text>'
            )
    for series_index, key in enumerate(series):
        colour = PALETTE[series_index % len(PALETTE)]
        points = [point(i, row.get(key)) for i, row in enumerate(table.rows)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        for (x, y), row in zip(points, table.rows, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(str(row.get(chart.label)))}: "
                f"{escape(format_value(row.get(key), kinds[key]))}</title></circle>"
            )
    return "".join(parts), int(plot_top + plot_height + 22)


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 4.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 4, 5, 8, 10):
        if value <= factor * magnitude:
            ceiling = factor * magnitude
            break
    return max(ceiling, 4.0)


def _axis_number(value: float) -> str:
    if value >= 10000:
        return f"{value / 1000:.0f}k"
    if value == int(value):
        return f"{int(value)}"
    return f"{value:.1f}"


def chart_figure(table: Table) -> SafeString:
    """Convenience for templates: ``<figure>`` wrapping the chart, or nothing."""
    svg = render_chart(table)
    if not svg:
        return svg
    return format_html('<figure class="chart-figure">{}</figure>', svg)
