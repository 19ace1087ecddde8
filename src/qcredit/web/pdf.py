"""PDF documents (public notices, warning letters) rendered by WeasyPrint with an embedded CJK
TrueType font.

The font is embedded in every PDF (a subset of the TrueType collection), so a document reads the
same on a machine without Chinese fonts. It is loaded from the system path
``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc`` (Debian ``fonts-wqy-microhei``), or from the
setting ``QCREDIT_PDF_FONT``. WeasyPrint fetches nothing else: the URL fetcher refuses every URL
but that font file, so text in a document can never make the server read a file or a remote
address. Templates reference the font as ``{{ font_url }}`` in an ``@font-face`` rule.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


class PdfFontMissing(RuntimeError):
    pass


def font_path() -> Path:
    path = Path(getattr(settings, "QCREDIT_PDF_FONT", DEFAULT_FONT))
    if not path.is_file():
        raise PdfFontMissing(f"CJK font for PDF documents not found: {path}")
    return path


def font_only_fetcher(font: Path):
    """A WeasyPrint URL fetcher that loads the font file and refuses everything else."""
    from weasyprint.urls import URLFetcher

    class FontOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url != font.resolve().as_uri():
                raise ValueError(f"PDF documents load no resource but the font ({url!r} refused)")
            return super().fetch(url, headers)

    return FontOnlyFetcher(allowed_protocols=("file",))


def render_html(template: str, context: dict) -> str:
    """The document's HTML, with ``font_url`` for its ``@font-face`` (raises PdfFontMissing)."""
    return render_to_string(template, {**context, "font_url": font_path().resolve().as_uri()})


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=font_only_fetcher(font_path())).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template, context))
