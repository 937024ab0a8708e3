"""Certificate PDFs with WeasyPrint: one FontConfiguration and one parsed stylesheet per process.

WeasyPrint's ``FontConfiguration`` loads fonts through fontconfig and keeps them for
the documents that use it; building a new one (and re-parsing the stylesheet) for
every certificate costs time and makes a worker grow by several megabytes a render.
Here both are built once, lazily, and shared by every render in the process.

Fonts: Noto Sans CJK SC cut to GB 2312 (``certification/fonts``, built from Debian's
fonts-noto-cjk by ``build_subset.py``) for Chinese and Latin text, with the full system
Noto Sans CJK SC behind it for rarer characters, and Noto Naskh Arabic (fonts-noto-core)
for Uyghur; the system fonts are installed by ``make run``/``.ci/run``. The document says ``lang="zh-CN"`` so that Simplified Chinese glyph
forms are chosen. WeasyPrint embeds only the glyphs used (HarfBuzz subsetter).
"""

from __future__ import annotations

import atexit
import base64
import logging
import threading
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

STYLESHEET_PATH = Path(__file__).resolve().parent / "assets" / "certificate.css"

_lock = threading.Lock()
_font_config = None
_stylesheet = None


def stylesheet_text() -> str:
    return STYLESHEET_PATH.read_text(encoding="utf-8")


def shared_resources():
    """The process-wide (FontConfiguration, CSS) pair, built on first use."""
    global _font_config, _stylesheet
    if _stylesheet is None:
        with _lock:
            if _stylesheet is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                _stylesheet = CSS(
                    string=stylesheet_text(), base_url=str(STYLESHEET_PATH), font_config=font_config
                )
                _font_config = font_config
    return _font_config, _stylesheet


@atexit.register
def _release_shared_resources():
    """Free the fonts while the C libraries are still loaded (avoids noise at exit)."""
    global _font_config, _stylesheet
    _stylesheet = _font_config = None


def qr_svg(url: str) -> str:
    """The verification URL as an inline SVG QR code (one path, error correction M)."""
    import segno

    return segno.make(url, error="m", micro=False).svg_inline(
        scale=4, border=0, dark="#111", omitsize=True
    )


@lru_cache(maxsize=32)
def _data_uri(name: str, content: bytes) -> str:
    mime = "image/png" if content[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def signature_uri(signatory) -> str | None:
    """A data URI of the signatory's uploaded signature (cached by file name)."""
    if not signatory.signature:
        return None
    try:
        with signatory.signature.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        logger.warning("certification.signature_missing", extra={"signatory": signatory.pk})
        return None
    return _data_uri(signatory.signature.name, content)


def _hours(value) -> str:
    number = Decimal(str(value or 0)).normalize()
    return f"{number:f}"


def is_arabic_script(text: str) -> bool:
    """Whether ``text`` holds letters of the Arabic script (Uyghur is written in it)."""
    return any("\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufefc" for char in text or "")


def context_for(certificate) -> dict:
    """Everything the certificate template shows, from the frozen snapshot."""
    certification = certificate.certification
    snapshot = certificate.snapshot or {}
    practicum = snapshot.get("practicum") or {}
    signatories = [
        {"name": s.name, "title": s.title, "title_en": s.title_en, "image": signature_uri(s)}
        for s in certification.signatories.all()
    ]
    return {
        "certificate": certificate,
        "certification": certification,
        "holder_name": certificate.holder_name,
        # A name in Uyghur (Arabic) script is set right to left, shaped by Noto Naskh Arabic.
        "holder_name_rtl": is_arabic_script(certificate.holder_name),
        "show_uyghur": "ug" in (certificate.holder_languages or []),
        "courses_count": len(snapshot.get("courses") or []),
        "class_hours": _hours(snapshot.get("class_hours")),
        "practicum_total": _hours(practicum.get("total_hours")) if practicum else None,
        "practicum_direct": _hours(practicum.get("direct_hours")) if practicum else None,
        "exam_score": snapshot.get("exam_score"),
        "signatories": signatories,
        "qr_svg": qr_svg(certificate.verification_url()),
        "verification_url": certificate.verification_url(),
        "issued_on": timezone.localtime(certificate.issued_at).date(),
    }


def certificate_html(certificate) -> str:
    return render_to_string("certification/certificate_pdf.html", context_for(certificate))


def render(certificate) -> bytes:
    """The certificate as PDF bytes, using the process-wide fonts and stylesheet."""
    from weasyprint import HTML

    font_config, stylesheet = shared_resources()
    document = HTML(string=certificate_html(certificate), base_url=str(STYLESHEET_PATH.parent))
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)


def render_uncached(certificate) -> bytes:
    """The slow way (a new FontConfiguration and stylesheet per document), for benchmarks."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    stylesheet = CSS(
        string=stylesheet_text(), base_url=str(STYLESHEET_PATH), font_config=font_config
    )
    document = HTML(string=certificate_html(certificate), base_url=str(STYLESHEET_PATH.parent))
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)
