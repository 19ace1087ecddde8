"""The public pages: every page answers anonymously and is cacheable; the lists show exactly
the public entries with their statements, filter by region, industry and period and page
through; an enterprise's page shows its public entries — and an enterprise on no public list
gets the same page whatever its internal grade (SPEC §7.1)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from qcredit.portal import taxonomy

from . import world as w

pytestmark = pytest.mark.django_db

PAGES = ["portal:home", "portal:redlist", "portal:a-list", "portal:blacklist", "portal:objection",
         "portal:objection-track", "portal:open-data", "portal:notices", "portal:search"]


def text(response) -> str:
    return response.content.decode()


def test_every_page_answers_an_anonymous_visitor_in_chinese(client, world):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert '<html lang="zh-Hans">' in text(response)
        assert "<script>" not in text(response).replace('<script src="/static/web/qcredit.js" defer></script>', "")


def test_public_pages_are_cacheable_and_forms_are_not(client, world):
    for name in ("portal:home", "portal:redlist", "portal:a-list", "portal:blacklist", "portal:open-data",
                 "portal:notices", "portal:feed", "portal:sitemap", "portal:search"):
        response = client.get(reverse(name))
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"], name
        assert "Cookie" in response["Vary"]
        assert "Set-Cookie" not in response.headers
    assert client.head(reverse("portal:redlist")).status_code == 200
    assert client.post(reverse("portal:redlist")).status_code == 405
    form = client.get(reverse("portal:objection-track"))
    assert "no-cache" in form["Cache-Control"] and "public" not in form["Cache-Control"]


def test_home_counts_each_list_and_shows_the_latest_entries(client, world):
    page = text(client.get("/"))
    counts = dict(re.findall(r'<span class="list-name">([^<]+)</span><b>(\d+)</b>', page))
    assert counts == {"质量信用红名单": "2", "质量信用A级（守信）企业": "1", "失信黑名单": "2"}
    for subject in world.public.values():
        assert reverse("portal:enterprise", args=[subject.uscc]) in page
    for subject in world.hidden.values():
        assert subject.uscc not in page


@pytest.mark.parametrize(("list_name", "members"), [
    ("portal:redlist", {"redlisted", "qingdao_red"}),
    ("portal:a-list", {"published_a"}),
    ("portal:blacklist", {"blacklisted", "xss"}),
])
def test_a_list_page_shows_exactly_its_public_entries(client, world, list_name, members):
    page = text(client.get(reverse(list_name)))
    shown = {key for key, subject in world.all.items() if subject.uscc in page}
    assert shown == members


def test_statements_are_shown_beside_their_entries_as_the_enterprises_words(client, world):
    red = text(client.get(reverse("portal:redlist")))
    assert "企业自述：</span>我公司将继续坚持质量第一。" in red
    a = text(client.get(reverse("portal:enterprise", args=[world.public["published_a"].uscc])))
    assert "企业声明（以下为企业自述，经审核后公示）" in a and "感谢社会监督。" in a


def test_the_lists_filter_by_region_industry_and_period(client, world, today):
    url = reverse("portal:redlist")
    jinan, qingdao = world.public["redlisted"].uscc, world.public["qingdao_red"].uscc

    def shown(**query):
        page = text(client.get(url, query))
        return {u for u in (jinan, qingdao) if u in page}

    assert shown() == {jinan, qingdao}
    assert shown(region="3702") == {qingdao}
    assert shown(region="3701") == {jinan}
    assert shown(industry="C14") == {qingdao}
    assert shown(industry="C") == {jinan, qingdao}
    assert shown(industry="C34", region="3702") == set()
    assert shown(period="30") == {jinan, qingdao}
    assert shown(period=str(today.year)) == {jinan, qingdao}
    assert shown(period=str(today.year - 1)) == {jinan, qingdao}  # a year with no entries is not offered
    assert shown(region="<script>") == {jinan, qingdao}  # unknown values filter nothing
    assert "没有符合筛选条件的条目" in text(client.get(url, {"industry": "C34", "region": "3702"}))


def test_the_period_filter_counts_back_from_today(client, world, monkeypatch, today):
    later = today + timedelta(days=45)
    w.pin_clock(monkeypatch, later)
    page = text(client.get(reverse("portal:blacklist"), {"period": "30"}))
    assert world.public["xss"].uscc not in page and "没有符合筛选条件的条目" in page
    assert world.public["xss"].uscc in text(client.get(reverse("portal:blacklist"), {"period": "90"}))


def test_a_long_list_pages_through_twenty_entries_at_a_time_keeping_its_filters(client, world):
    people = world.people
    for n in range(22):
        w._blacklist(w.enterprise(f"枣庄分页测试{n:02d}号有限公司", region="370402"), people, facts=f"事实{n}")
    url = reverse("portal:blacklist")
    first = text(client.get(url, {"region": "3704"}))
    second = text(client.get(url, {"region": "3704", "page": "2"}))
    names = set(re.findall(r"枣庄分页测试\d\d号有限公司", first)), set(re.findall(r"枣庄分页测试\d\d号有限公司", second))
    assert len(names[0]) == 20 and len(names[1]) == 2 and not names[0] & names[1]
    assert "第 1 / 2 页" in first and 'href="?region=3704&amp;page=2"' in first
    assert 'href="?region=3704&amp;page=1" rel="prev"' in second
    assert "符合筛选条件 22 条" in first
    assert world.public["xss"].uscc not in first + second  # the region filter holds across pages
    assert text(client.get(url, {"region": "3704", "page": "99"})) == second  # past the end: the last page


def test_an_enterprise_page_shows_its_registration_data_and_public_entries(client, world):
    subject = world.public["qingdao_red"]
    page = text(client.get(reverse("portal:enterprise", args=[subject.uscc])))
    assert "青岛红名单食品有限公司" in page and subject.uscc in page
    assert taxonomy.region_label("370212") in page and "C1441 食品制造业" in page
    assert "主要信用事实：</span>荣获山东省质量奖" in page and "山东省质量信用红名单" in page
    assert "不在本网站公示的" not in page
    assert f'/objection/?uscc={subject.uscc}&amp;list=redlist' in page


def test_an_unknown_enterprise_is_not_found_and_a_lower_case_code_is_redirected(client, world):
    missing = client.get(reverse("portal:enterprise", args=["91370102MA9999999X"]))
    assert missing.status_code == 404 and "未找到企业" in text(missing)
    garbage = client.get("/enterprises/%3Cb%3E/")
    assert garbage.status_code == 404 and "<b>" not in text(garbage)
    subject = world.public["redlisted"]
    lower = client.get(reverse("portal:enterprise", args=[subject.uscc.lower()]))
    assert lower.status_code == 301 and lower["Location"] == reverse("portal:enterprise", args=[subject.uscc])


def _normalised(response, subject) -> str:
    """The page with what may differ between two enterprises — their registration data —
    replaced by placeholders."""
    body = text(response)
    for value, placeholder in ((subject.name, "NAME"), (subject.uscc, "USCC"),
                               (taxonomy.region_label(subject.region), "REGION"),
                               (taxonomy.industry_label(subject.industry), "INDUSTRY")):
        body = body.replace(value, placeholder)
    return body


def test_an_enterprise_on_no_public_list_gets_the_same_page_whatever_its_internal_grade(client, world):
    assert {k: w.grade_of(v) for k, v in world.hidden.items()} == w.expected_grades()
    pages, headers = {}, {}
    for key, subject in world.hidden.items():
        response = client.get(reverse("portal:enterprise", args=[subject.uscc]))
        assert response.status_code == 200
        pages[key] = _normalised(response, subject)
        headers[key] = {k: v for k, v in response.headers.items() if k not in ("Content-Length", "Date")}
    reference = pages["b"]
    assert "该企业目前不在本网站公示的质量信用红名单、A级（守信）企业名单和失信黑名单中" in reference
    for key in pages:
        assert pages[key] == reference, f"{key} ({w.expected_grades()[key]}) differs from B"
        assert headers[key] == headers["b"]


def test_search_finds_by_name_fragment_or_code_and_shows_only_public_lists(client, world):
    page = text(client.get(reverse("portal:search"), {"q": "济南"}))
    assert "济南千佛山纺织有限公司" in page and "济南红名单示范机械有限公司" in page
    assert page.count('<span class="badge">守信红名单</span>') == 1
    assert page.count('<span class="badge">质量信用A级（守信）企业</span>') == 1
    c = world.hidden["c"]
    by_code = text(client.get(reverse("portal:search"), {"q": c.uscc.lower()}))
    assert "共找到 1 家企业" in by_code and c.name in by_code
    assert "请至少输入2个字" in text(client.get(reverse("portal:search"), {"q": "济"}))
    assert "共找到" not in text(client.get(reverse("portal:search")))


def test_search_results_of_hidden_enterprises_look_alike_whatever_their_grade(client, world):
    rows = {}
    for key, subject in world.hidden.items():
        page = text(client.get(reverse("portal:search"), {"q": subject.uscc}))
        row = re.search(r"<tbody>(.*?)</tbody>", page, re.S)[1]
        rows[key] = row.replace(subject.name, "NAME").replace(subject.uscc, "USCC")
    assert len(set(rows.values())) == 1


def test_the_favicon_and_robots_are_served(client, world):
    assert client.get("/favicon.ico")["Content-Type"] == "image/x-icon"
    robots = text(client.get("/robots.txt"))
    assert "Disallow: /workspace/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
