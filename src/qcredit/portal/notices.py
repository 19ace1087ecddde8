"""Official notices (公告) as PDF: the red-list publication notice of one publication day
(SRL 第十一条: 名称、统一社会信用代码、主要信用事实) and the black-list exposure notice of one
listing day (QCO 四(四) 依法披露曝光), rendered by WeasyPrint from a template.

The CJK font is embedded in the PDF (a subset of the TrueType collection), so the notice
reads the same on a machine without Chinese fonts. It is loaded from the system path
``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc`` (Debian ``fonts-wqy-microhei``), or from
the setting ``QCREDIT_PDF_FONT``. WeasyPrint fetches nothing else: the URL fetcher refuses
every URL but that font file, so text in a notice can never make the server read a file or
a remote address.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
CACHE_SECONDS = 24 * 3600


class NoticeFontMissing(RuntimeError):
    pass


def font_path() -> Path:
    path = Path(getattr(settings, "QCREDIT_PDF_FONT", DEFAULT_FONT))
    if not path.is_file():
        raise NoticeFontMissing(f"CJK font for PDF notices not found: {path}")
    return path


def _font_only_fetcher(font: Path):
    """A WeasyPrint URL fetcher that loads the font file and refuses everything else."""
    from weasyprint.urls import URLFetcher

    class FontOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url != font.resolve().as_uri():
                raise ValueError(f"notice PDFs load no resource but the font ({url!r} refused)")
            return super().fetch(url, headers)

    return FontOnlyFetcher(allowed_protocols=("file",))


def notice_pdf(*, title: str, kind: str, on: date, sections: list) -> bytes:
    """The PDF of one notice day: one page per deciding bureau (a section)."""
    from weasyprint import HTML

    font = font_path()
    html = render_to_string("portal/notice_pdf.html", {
        "title": title, "kind": kind, "on": on, "sections": sections, "font_url": font.resolve().as_uri(),
        "generated_on": timezone.localdate()})
    # Rendering takes WeasyPrint about a second; the same HTML always gives the same notice,
    # so the PDF is kept under the hash of its HTML (never stale: other data, other key).
    key = "qcredit.portal.notice:" + hashlib.sha256(html.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = HTML(string=html, url_fetcher=_font_only_fetcher(font)).write_pdf()
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
