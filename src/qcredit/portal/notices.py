"""Official notices (公告) as PDF: the red-list publication notice of one publication day
(SRL 第十一条: 名称、统一社会信用代码、主要信用事实) and the black-list exposure notice of one
listing day (QCO 四(四) 依法披露曝光), rendered by WeasyPrint from a template.

The CJK font is embedded and nothing but the font is ever fetched (qcredit.web.pdf).
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from qcredit.web.pdf import PdfFontMissing, html_to_pdf, render_html

CACHE_SECONDS = 24 * 3600
# A missing font is the shared PDF layer's error (qcredit.web.pdf); the portal's views catch it
# by this name.
NoticeFontMissing = PdfFontMissing


def notice_pdf(*, title: str, kind: str, on: date, sections: list) -> bytes:
    """The PDF of one notice day: one page per deciding bureau (a section)."""
    html = render_html("portal/notice_pdf.html", {
        "title": title, "kind": kind, "on": on, "sections": sections, "generated_on": timezone.localdate()})
    # Rendering takes WeasyPrint about a second; the same HTML always gives the same notice,
    # so the PDF is kept under the hash of its HTML (never stale: other data, other key).
    key = "qcredit.portal.notice:" + hashlib.sha256(html.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = html_to_pdf(html)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
