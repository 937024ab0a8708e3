"""The server-rendered SVG charts."""

import re

import pytest

from reports.charts import render_chart
from reports.figures import PERCENT, TEXT, Chart, Column, Table


def _table(kind="bar", rows=None, target=None, value_kind="int"):
    return Table(
        key="demo",
        title="Demo <table>",
        columns=[Column("name", "Name", TEXT), Column("value", "Value", value_kind)],
        rows=rows
        if rows is not None
        else [{"name": "高昌区", "value": 3}, {"name": "<b>x</b>", "value": 1}],
        chart=Chart(kind, "name", ("value",), target=target),
    )


def test_bar_chart_is_an_accessible_image_with_one_bar_per_row():
    svg = str(render_chart(_table()))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="chart-demo-title chart-demo-desc"' in svg
    assert '<title id="chart-demo-title">Demo &lt;table&gt;</title>' in svg
    assert len(re.findall(r"<rect ", svg)) == 2
    assert "高昌区" in svg


def test_labels_are_escaped():
    svg = str(render_chart(_table()))
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg


def test_bars_are_proportional_to_values():
    svg = str(render_chart(_table()))
    widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2)


def test_percent_chart_draws_the_target_line():
    table = _table(rows=[{"name": "A", "value": 50}], target=80, value_kind=PERCENT)
    svg = str(render_chart(table))
    assert "<line" in svg and "80%" in svg


def test_line_chart_has_one_point_per_row():
    rows = [{"name": f"2026-{m:02d}", "value": m} for m in range(1, 13)]
    svg = str(render_chart(_table(kind="line", rows=rows)))
    assert svg.count("<circle") == 12 and "<polyline" in svg


def test_a_table_without_rows_draws_nothing():
    assert str(render_chart(_table(rows=[]))) == ""
