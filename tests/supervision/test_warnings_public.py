"""Nothing of early warning is public (SPEC §7.1; QCO 五(四)): no public page, file or feed names
a warning letter, a risk score, a review of honours or a preferential policy; the warned
enterprise's portal page is byte for byte what it was before; and the letter, the queue and the
reviews answer anonymous visitors with the login, never with the content."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.supervision import warnings
from qcredit.supervision.models_warnings import HonourPolicyReview, PreferentialPolicy
from tests.lists.world import World

PRIVATE = ("/workspace/", "/self-service/", "/accounts/", "/admin/", "/static/", "/api/")


def _csrf_free(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def crawl(client, start: list[str], limit: int = 400) -> dict[str, str]:
    """Every public resource reachable from ``start`` (same site, not the staff or enterprise areas)."""
    queue, seen = list(start), {}
    while queue and len(seen) < limit:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code != 200:
            seen[url] = ""
            continue
        kind = response["Content-Type"]
        body = response.content.decode("utf-8", "replace") if not kind.startswith(("application/pdf",
                                                                                  "application/vnd")) else ""
        seen[url] = body
        for href in re.findall(r'(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>', body):
            target = urljoin(url, unescape(href[0] or href[1]))
            parts = urlsplit(target)
            if parts.netloc in ("", "testserver") and not parts.path.startswith(PRIVATE):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.mark.django_db
def test_no_public_page_reveals_a_letter_a_risk_a_review_or_a_policy(client, monkeypatch):
    monkeypatch.setattr(warnings, "today", lambda: date(2026, 9, 28))
    ensure_demo_accounts()
    people = {u.username: u for u in get_user_model().objects.all()}
    world = World()
    warned = world.enterprise(region="370102", name="济南预警对象机械有限公司")
    world.record(warned, "honour", honour_type="government_quality_award", level="provincial",
                 issued_by="山东省人民政府")
    portal_before = _csrf_free(client.get(f"/enterprises/{warned.uscc}/").content.decode())

    warnings.preferential_policy_save(policy=PreferentialPolicy(
        enterprise=warned, kind="export_exemption", name="出口免验证书鲁001号", granted_by="山东出入境检验检疫局",
        granted_on=date(2024, 5, 1)), actor=people["sheng-division"])
    world.make_c(warned)
    world.record(warned, "external_credit", provider="tax", rating="D级纳税人")
    letter = warnings.warning_letter_issue(enterprise=warned, rectification_workdays=10,
                                           actor=people["lixia-office"])
    warnings.honour_reviews_open(on=timezone.localdate())  # the grading clock: records are dated near it
    honour_item = HonourPolicyReview.objects.get(subject_kind="honour")
    warnings.honour_review_decide(review=honour_item, decision="revoke", reason="失信后撤销省长质量奖",
                                  actor=people["lixia-division"], on=timezone.localdate())
    assert HonourPolicyReview.objects.count() == 2

    # The warned enterprise's public page did not change at all (it is on no public list).
    assert _csrf_free(client.get(f"/enterprises/{warned.uscc}/").content.decode()) == portal_before

    pages = crawl(client, ["/", "/sitemap.xml", "/feed.atom", "/inspections/", f"/enterprises/{warned.uscc}/",
                           f"/search/?q={warned.uscc}", f"/search/?q={warned.name}"])
    assert len(pages) > 5
    forbidden = (letter.number, "质信警", "黄牌", "风险预警", "风险分", "扶优", "出口免验证书鲁001号", "失信后撤销省长质量奖",
                 "/supervision/warnings", honour_item.label)
    for url, body in pages.items():
        for word in forbidden:
            assert word not in body, f"{word!r} on the public {url}"

    # Anonymous visitors get the login for every early-warning address, never its content.
    for url in ("/workspace/supervision/warnings/", f"/workspace/supervision/warnings/letters/{letter.pk}/",
                f"/workspace/supervision/warnings/letters/{letter.pk}/pdf/", "/workspace/supervision/warnings/mine/",
                f"/workspace/supervision/warnings/reviews/{honour_item.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
        assert letter.number.encode() not in response.content
