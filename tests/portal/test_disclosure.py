"""A crawl of the whole public site with the test client (the same checks as the browser
crawl, on SQLite and PostgreSQL alike): from "/" every same-site link, plus the sitemap, the
feed, the downloads and the notices; then each hidden enterprise's page, found by search.
What is checked, and why, is in :mod:`tests.portal.disclosure`."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from openpyxl import load_workbook

from . import disclosure, pdftext
from . import world as w

pytestmark = pytest.mark.django_db

PUBLIC_PREFIXES = ("/workspace/", "/self-service/", "/accounts/", "/admin/", "/static/")


def readable(response) -> tuple[str, bool]:
    """(the text a reader gets, whether it is markup that a browser or feed reader renders)."""
    kind = response["Content-Type"]
    if kind.startswith("application/pdf"):
        return pdftext.read(response.content).text, False
    if kind.startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(response.content)).active
        # Cells joined by a tab: a label like "A 守信" must not arise from two neighbouring cells
        # (a USCC whose check character is A beside "守信红名单").
        return "\n".join("\t".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True)), False
    body = response.content.decode("utf-8")
    return body, kind.startswith(("text/html", "application/atom+xml", "application/xml"))


def links(url: str, body: str) -> set[str]:
    out = set()
    for href in re.findall(r'(?:href|src)="([^"]+)"', body):
        target = urljoin(url, unescape(href))
        parts = urlsplit(target)
        if parts.netloc in ("", "testserver") and not parts.path.startswith(PUBLIC_PREFIXES):
            out.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def crawl(client, world) -> dict[str, str]:
    """Every public resource reachable from "/" and the sitemap → its text."""
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    queue = ["/", "/robots.txt", "/sitemap.xml", "/feed.atom"] + [urlsplit(loc.text).path for loc in sitemap.iter()
                                                   if loc.tag.endswith("loc")]
    seen: dict[str, str] = {}
    problems = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        body, markup = readable(response)
        seen[url] = body
        problems += disclosure.problems(url=url, body=body, markup=markup, world=world)
        if response["Content-Type"].startswith("text/html"):
            queue += sorted(links(url, body) - set(seen))
    assert problems == []
    return seen


def test_no_public_url_reveals_an_internal_grade_or_a_hidden_enterprise(client, world):
    seen = crawl(client, world)
    kinds = {u.rsplit(".", 1)[-1] for u in seen if "." in u.rsplit("/", 1)[-1]}
    assert {"csv", "xlsx", "json", "pdf", "atom", "xml", "txt"} <= kinds
    assert {"/", "/redlist/", "/a-list/", "/blacklist/", "/objection/", "/objection/track/", "/open-data/",
            "/notices/", "/sitemap.xml"} <= set(seen)
    for subject in world.public.values():
        assert f"/enterprises/{subject.uscc}/" in seen
    # the escaped name is there (the XSS enterprise is public), the raw one is not
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in body for body in seen.values())


def test_each_hidden_enterprise_is_reachable_by_search_and_its_page_tells_nothing(client, world):
    pages = {}
    for key, subject in world.hidden.items():
        results = client.get("/search/", {"q": subject.name}).content.decode()
        problems = disclosure.problems(url="/search/", body=results, markup=True, world=world, own_page_of=key)
        assert problems == []
        [href] = {h for h in re.findall(r'href="(/enterprises/[^"]+/)"', results) if subject.uscc in h}
        page = client.get(href).content.decode()
        assert disclosure.problems(url=href, body=page, markup=True, world=world, own_page_of=key) == []
        pages[key] = page.replace(subject.name, "NAME").replace(subject.uscc, "USCC")
    assert len(set(pages.values())) == 1


def test_every_html_page_escapes_the_script_name(client, world):
    xss = world.public["xss"]
    for url in ("/", "/blacklist/", f"/enterprises/{xss.uscc}/", f"/objection/?uscc={xss.uscc}",
                f"/search/?q={xss.uscc}", "/feed.atom"):
        body = client.get(url).content.decode()
        assert w.XSS_NAME not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
