"""The monthly supervision report as a PDF (WeasyPrint), in Simplified Chinese with charts.

As in certification's PDFs, one ``FontConfiguration`` and one parsed stylesheet are
built per process and shared by every render; the document says ``lang="zh-CN"`` and
uses Noto Sans CJK SC (Debian's fonts-noto-cjk, installed by ``make run``) so that
Simplified Chinese glyph forms are drawn and embedded (subset by HarfBuzz).
The report is rendered in the zh-hans interface language whatever the requester's
language: it is the bureau's document.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .charts import render_chart
from .figures import FigureGroup
from .periods import Scope

STYLESHEET_PATH = Path(__file__).resolve().parent / "assets" / "monthly_report.css"
REPORT_LANGUAGE = "zh-hans"
CHART_WIDTH_MM = 90

_lock = threading.Lock()
_resources = None


def shared_resources():
    """The process-wide (FontConfiguration, CSS) pair, built on first use."""
    global _resources
    if _resources is None:
        with _lock:
            if _resources is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                stylesheet = CSS(
                    string=STYLESHEET_PATH.read_text(encoding="utf-8"), font_config=font_config
                )
                _resources = (font_config, stylesheet)
    return _resources


def report_html(
    groups: list[FigureGroup], scope: Scope, highlights: list[str], generated_at=None
) -> str:
    with translation.override(REPORT_LANGUAGE):
        sections = [
            {
                "group": group,
                "tables": [
                    {
                        "table": table,
                        "chart": render_chart(
                            table, element_id=f"pdf-{table.key}", width_mm=CHART_WIDTH_MM
                        ),
                    }
                    for table in group.tables
                ],
            }
            for group in groups
        ]
        return render_to_string(
            "reports/monthly_report_pdf.html",
            {
                "scope": scope,
                "sections": sections,
                "highlights": highlights,
                "generated_at": timezone.localtime(generated_at or timezone.now()),
            },
        )


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for a render.

    Laying out nine pages makes WeasyPrint allocate millions of short-lived objects,
    which sets off a full collection over the whole process heap again and again:
    about a quarter of the render's CPU time. The objects are freed by reference
    counting anyway; the collector resumes (and catches up) as soon as the render ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_report_pdf(
    groups: list[FigureGroup], scope: Scope, highlights: list[str], generated_at=None
) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML

    font_config, stylesheet = shared_resources()
    html = report_html(groups, scope, highlights, generated_at)
    with _collector_paused():
        document = HTML(string=html, base_url=str(STYLESHEET_PATH.parent))
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)
