"""Template helpers for figure tables (formatting cells the same way everywhere)."""

from django import template
from django.utils.translation import gettext as _

from lms.content_text import local_name

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


@register.filter
def scope_name(scope):
    """The name of a scope or a monthly report's scope in the interface language: the
    district's translated name (else its name marked as content), or "Whole city". The
    exports keep ``Scope.label`` (the district's own name), which their readers match."""
    district = getattr(scope, "district", None)
    return local_name(district) if district is not None else _("Whole city")


@register.simple_tag
def chart(table, prefix="chart"):
    return render_chart(table, element_id=f"{prefix}-{table.key}")
