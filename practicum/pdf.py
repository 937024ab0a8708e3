"""The printable practicum record: a PDF made with WeasyPrint, Chinese set in Noto Sans CJK SC.

The font configuration and the stylesheet are built once per process and reused:
rebuilding them for every document is slow and makes a worker's memory grow.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Qualification

RECORD_CSS = """
@page {
  size: A4;
  margin: 16mm 14mm 18mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; }
}
html { font-family: "Noto Sans CJK SC", sans-serif; font-size: 9.5pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; border-bottom: 0.4pt solid #888; padding-bottom: 1mm; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; }
p { margin: 1mm 0; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; table-layout: fixed; }
th, td { border: 0.4pt solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: normal; }
/* One weight only: subsetting a second CJK font doubles the time to write the PDF. */
h1, h2, h3, strong, b { font-weight: normal; }
td.num, th.num { text-align: right; }
.meta td { border: 0; padding: 0.5mm 2mm 0.5mm 0; }
.met { color: #1e6b3a; }
.unmet { color: #a3222b; }
.small { font-size: 8pt; color: #333; }
.signature { margin-top: 2mm; padding: 2mm; border: 0.4pt solid #999; }
"""


@lru_cache(maxsize=1)
def _fonts_and_stylesheet():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    return font_config, CSS(string=RECORD_CSS, font_config=font_config)


def render_record_html(ledger) -> str:
    with translation.override("zh-hans"):
        return render_to_string(
            "practicum/record_pdf.html",
            {
                "ledger": ledger,
                "trainee": ledger.trainee,
                "qualification_label": Qualification(ledger.qualification).label,
                "generated_at": timezone.localtime(),
            },
        )


def render_record(ledger) -> bytes:
    """The trainee's practicum record for one qualification, as PDF bytes."""
    from weasyprint import HTML

    font_config, stylesheet = _fonts_and_stylesheet()
    html = HTML(string=render_record_html(ledger), base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[stylesheet], font_config=font_config)
