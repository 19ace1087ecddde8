"""A crawl of every public URL in a real browser (Debian's Chromium through Playwright) on an
archive with A/B/C/D enterprises, unpublished A, an A application pending, a withdrawn A,
an unconfirmed D and an undecided red-list candidate (tests/portal/world.py).

Start at "/", follow every same-site link of every page, add every URL of the sitemap and
the feed; HTML pages are rendered by Chromium (scripts run, CSP enforced), downloads (CSV,
XLSX, JSON, PDF), the feed, the sitemap and robots.txt are fetched through the same browser
context. On each resource the checks of :mod:`tests.portal.disclosure` apply: no hidden
enterprise is named, no grade label, no workflow internals, nothing unescaped — the module
docstring there explains why this is the right assertion. No page may raise a dialog (the
``<script>alert(1)</script>`` enterprise), log a console error or violate the CSP. Then each
hidden enterprise is found through the search box, and its page must say nothing about it
that differs from the others'. Finally the main pages must fit a 375 px phone.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from ..portal import disclosure, pdftext
from ..portal import world as portal_world

EXCLUDED = ("/workspace/", "/self-service/", "/accounts/", "/admin/", "/static/")


@pytest.fixture
def public_world(transactional_db, monkeypatch):
    portal_world.pin_clock(monkeypatch)
    return portal_world.build()


def _same_site(live_server, url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(live_server.url).netloc:
        return None
    if parts.path.startswith(EXCLUDED):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _text_of(response) -> tuple[str, bool]:
    kind = response.headers["content-type"]
    body = response.body()
    if kind.startswith("application/pdf"):
        return pdftext.read(body).text, False
    if kind.startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(body)).active
        # Cells joined by a tab: "A 守信" must not arise from a USCC ending in A beside "守信红名单".
        return "\n".join("\t".join(str(c) for c in r if c is not None) for r in sheet.iter_rows(values_only=True)), False
    return body.decode("utf-8"), kind.startswith(("application/atom+xml", "application/xml"))


@pytest.mark.django_db(transaction=True)
def test_no_public_url_reveals_b_c_unpublished_a_or_unconfirmed_d(live_server, page, public_world):
    world = public_world
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    base = live_server.url
    sitemap = ET.fromstring(page.request.get(base + "/sitemap.xml").body())
    queue = ["/", "/robots.txt", "/sitemap.xml", "/feed.atom"]
    queue += [_same_site(live_server, loc.text) for loc in sitemap.iter() if loc.tag.endswith("loc")]
    seen: set[str] = set()
    problems: list[str] = []
    html_pages = 0
    while queue:
        path = queue.pop(0)
        if not path or path in seen:
            continue
        seen.add(path)
        response = page.request.get(base + path)
        assert response.status == 200, path
        if not response.headers["content-type"].startswith("text/html"):
            body, markup = _text_of(response)
            problems += disclosure.problems(url=path, body=body, markup=markup, world=world)
            continue
        page.goto(base + path)
        html_pages += 1
        problems += disclosure.problems(url=path, body=page.content(), markup=True, world=world)
        problems += disclosure.problems(url=path + " (text)", body=page.inner_text("body"), markup=False, world=world)
        hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
        queue += [p for p in (_same_site(live_server, h) for h in hrefs) if p and p not in seen]
    assert problems == []
    assert dialogs == [] and page.console_errors == []
    assert html_pages >= 12
    for suffix in (".csv", ".xlsx", ".json", ".pdf", ".atom", "sitemap.xml", "robots.txt"):
        assert any(p.endswith(suffix) for p in seen), suffix
    for subject in world.public.values():
        assert f"/enterprises/{subject.uscc}/" in seen

    # Each hidden enterprise: found by search, and its page is the same as any other's.
    pages = {}
    for key, subject in world.hidden.items():
        page.goto(base + "/")
        page.fill("input[name=q]", subject.name)
        page.click("form.portal-search button[type=submit]")
        page.click(f"a[href='/enterprises/{subject.uscc}/']")
        html = page.content()
        assert disclosure.problems(url=page.url, body=html, markup=True, world=world, own_page_of=key) == []
        pages[key] = html.replace(subject.name, "NAME").replace(subject.uscc, "USCC")
    assert len(set(pages.values())) == 1
    assert dialogs == [] and page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_main_public_pages_fit_a_phone(live_server, phone_page, public_world):
    page = phone_page
    red = public_world.public["redlisted"]
    for path in ("/", "/redlist/", "/a-list/", "/blacklist/", f"/enterprises/{red.uscc}/", "/open-data/",
                 "/notices/", "/objection/", "/objection/track/", "/search/?q=济南"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    page.goto(live_server.url + "/")
    assert not page.locator("#site-nav").is_visible()
    page.click("button.nav-toggle")
    page.click("#site-nav >> text=质量信用红名单")
    assert page.locator("h1").inner_text() == "质量信用红名单"
    assert page.console_errors == []
