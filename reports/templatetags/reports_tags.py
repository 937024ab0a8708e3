"""Template helpers for figure tables (formatting cells the same way everywhere)."""

from django import template

from ..charts import render_chart
from ..figures import format_value

register = template.Library()


@register.filter
def figure(value, kind):
    """A figure written as the dashboard and the report write it."""
    return format_value(value, kind)


@register.filter
def cells(row, table):
    """(formatted value, column) pairs for one row of a table, in column order."""
    return [(format_value(row.get(c.key), c.kind), c) for c in table.columns]


@register.simple_tag
def chart(table, prefix="chart"):
    return render_chart(table, element_id=f"{prefix}-{table.key}")
