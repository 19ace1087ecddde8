"""The Atom feed of list changes, the sitemap, and the official notices (公告) as PDF with an
embedded CJK font."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from qcredit.accounts.models import EnterpriseAccount
from qcredit.lists import services as lists

from . import pdftext
from . import world as w

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_feed_is_atom_with_one_entry_per_public_listing(client, world):
    response = client.get(reverse("portal:feed"))
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links == {f"http://testserver/enterprises/{s.uscc}/" for s in world.public.values()}
    titles = {e.find(f"{ATOM}title").text for e in entries}
    assert f"失信黑名单：{w.XSS_NAME}" in titles  # the parsed text is the name; the XML escaped it
    assert b"<script>" not in response.content and b"&lt;script&gt;" in response.content
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    assert all(e.find(f"{ATOM}updated").text.startswith(w.TODAY.isoformat()) for e in entries)
    for subject in world.hidden.values():
        assert subject.uscc.encode() not in response.content and subject.name.encode() not in response.content


def test_an_entry_that_leaves_its_list_leaves_the_feed(client, world):
    entry = world.public["published_a"].published_as.get(state="published")
    owner = EnterpriseAccount.objects.get(enterprise=entry.enterprise).user
    lists.published_a_withdraw_request(entry=entry, reason="企业申请", actor=owner)
    body = client.get(reverse("portal:feed")).content
    assert world.public["published_a"].uscc.encode() not in body


def test_the_sitemap_lists_the_pages_files_and_listed_enterprises_only(client, world):
    response = client.get(reverse("portal:sitemap"))
    urls = {u.find(f"{SITEMAP}loc").text for u in ET.fromstring(response.content).findall(f"{SITEMAP}url")}
    base = "http://testserver"
    assert {f"{base}/", f"{base}/redlist/", f"{base}/a-list/", f"{base}/blacklist/", f"{base}/feed.atom",
            f"{base}/open-data/blacklist.xlsx", f"{base}/notices/redlist/{w.TODAY.isoformat()}.pdf",
            f"{base}/notices/blacklist/{w.TODAY.isoformat()}.pdf"} <= urls
    enterprises = {u for u in urls if "/enterprises/" in u}
    assert enterprises == {f"{base}/enterprises/{s.uscc}/" for s in world.public.values()}
    for url in urls:
        assert client.get(url.removeprefix(base)).status_code == 200, url


def notice(client, kind: str):
    response = client.get(reverse("portal:notice", args=[kind, w.TODAY.isoformat()]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return pdftext.read(response.content)


def test_the_red_list_notice_is_a_pdf_with_the_cjk_font_embedded_and_chinese_text(client, world):
    pdf = notice(client, "redlist")
    assert pdf.fonts and all(f.embedded for f in pdf.fonts)
    assert {f.family for f in pdf.fonts} == {"WenQuanYi Micro Hei"}
    text = pdf.text.replace("\n", "")
    assert "质量信用红名单公告" in text and "山东省质量信用红名单" in text
    for key in ("redlisted", "qingdao_red"):
        assert world.public[key].name in text and world.public[key].uscc in text
    assert "荣获山东省省长质量奖" in text
    assert "候选" not in text and world.hidden["candidate"].uscc not in text
    assert not pdf.has_javascript


def test_the_black_list_notice_shows_a_script_name_as_text(client, world):
    pdf = notice(client, "blacklist")
    text = pdf.text.replace("\n", "")
    assert "失信黑名单曝光公告" in text
    assert w.XSS_NAME in text  # printed literally, as the enterprise's name
    assert w.FORMULA_NAME in text and world.hidden["unconfirmed_d"].uscc not in text
    assert not pdf.has_javascript


def test_there_is_no_notice_for_a_day_without_public_entries(client, world):
    assert client.get(reverse("portal:notice", args=["redlist", "2020-01-01"])).status_code == 404
    assert client.get(reverse("portal:notice", args=["redlist", "2026-13-01"])).status_code == 404
    assert client.get(reverse("portal:notice", args=["a-list", w.TODAY.isoformat()])).status_code == 404
    page = client.get(reverse("portal:notices")).content.decode()
    assert f'/notices/redlist/{w.TODAY.isoformat()}.pdf' in page and "2 家" in page


def test_notices_load_no_resource_but_the_font(settings, tmp_path):
    from qcredit.web.pdf import font_only_fetcher, font_path

    fetcher = font_only_fetcher(font_path())
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.png")
    assert fetcher.fetch(font_path().resolve().as_uri()).read(4)


def test_a_missing_font_is_a_clear_503_not_a_500(client, world, settings, tmp_path):
    settings.QCREDIT_PDF_FONT = str(tmp_path / "missing.ttc")
    response = client.get(reverse("portal:notice", args=["redlist", w.TODAY.isoformat()]))
    assert response.status_code == 503 and "缺少中文字体" in response.content.decode()


def test_a_notice_is_rendered_once_and_again_when_its_entries_change(client, world, monkeypatch):
    from django.core.cache import cache
    from weasyprint import HTML

    cache.clear()
    renders = []
    write_pdf = HTML.write_pdf
    monkeypatch.setattr(HTML, "write_pdf", lambda self, *a, **k: renders.append(1) or write_pdf(self, *a, **k))
    first, second = notice(client, "blacklist"), notice(client, "blacklist")
    assert len(renders) == 1 and first.text == second.text
    entry = world.public["xss"].blacklist_entries.get(state="exposed")
    lists.blacklist_credit_repair(entry=entry, reason="信用修复", actor=world.people["sheng-office"])
    third = notice(client, "blacklist")
    assert len(renders) == 2
    assert w.XSS_NAME not in third.text and w.FORMULA_NAME in third.text.replace("\n", "")
