"""Enterprise search (issue 4 item 1): by name fragment or USCC, filtered by region, industry,
grade and list status, sorted and paginated — only ever inside the reader's jurisdictions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from qcredit.archive.models import Enterprise
from qcredit.archive.services import enterprise_register
from qcredit.grading.models import GradeState
from qcredit.lists import services as lists
from qcredit.rules.uscc import make_uscc

from ..lists.world import World, redlist_entry

pytestmark = pytest.mark.django_db

SEARCH = "/workspace/enterprises/"
_serial = iter(range(1, 10_000))


def register(*, region: str = "370102", industry: str = "C3431", name: str | None = None,
             established_on: str = "2010-03-01") -> Enterprise:
    n = next(_serial)
    return enterprise_register(data={
        "uscc": make_uscc(f"91{region}MA{n:07d}"), "name": name or f"查询测试{n:03d}号有限公司",
        "established_on": established_on, "region": region, "industry": industry, "licence_required": False,
        "mandatory_testing": False, "exporter": False, "status": "active"})


def found(client, **params) -> list[str]:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return re.findall(r'<tr data-uscc="([^"]+)">', response.content.decode())


def count(client, **params) -> int:
    html = client.get(SEARCH, params).content.decode()
    return int(re.search(r'data-count="(\d+)"', html).group(1))


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def archive(db):
    return {
        "lixia_c34": register(region="370102", industry="C3431", name="济南历下锅炉有限公司"),
        "lixia_c13": register(region="370102", industry="C1371", name="济南历下食品有限公司"),
        "licheng_f": register(region="370112", industry="F5123", name="济南历城商贸有限公司"),
        "qingdao": register(region="370202", industry="C3431", name="青岛市南锅炉有限公司"),
        "young": register(region="370102", industry="C3431", name="济南新设机械有限公司",
                          established_on=(timezone.localdate() - timedelta(days=100)).isoformat()),
    }


def test_filters_by_region_industry_and_grade_and_combines_them(client, people, archive):
    client.force_login(people["sheng-division"])
    e = archive
    assert set(found(client, region="3701")) == {e["lixia_c34"].uscc, e["lixia_c13"].uscc, e["licheng_f"].uscc,
                                                 e["young"].uscc}
    assert set(found(client, region="370112")) == {e["licheng_f"].uscc}
    assert set(found(client, industry="C")) == {e["lixia_c34"].uscc, e["lixia_c13"].uscc, e["qingdao"].uscc,
                                                e["young"].uscc}
    assert set(found(client, industry="C34")) == {e["lixia_c34"].uscc, e["qingdao"].uscc, e["young"].uscc}
    assert set(found(client, industry="F")) == {e["licheng_f"].uscc}
    assert set(found(client, grade="N")) == {e["young"].uscc}
    graded_a = set(GradeState.objects.filter(grade="A").values_list("enterprise__uscc", flat=True))
    assert set(found(client, grade="A")) == graded_a and len(graded_a) == 4
    assert set(found(client, region="3701", industry="C34", grade="A")) == {e["lixia_c34"].uscc}
    # junk filter values are ignored, never an error
    assert len(found(client, region="37'; --", industry="<x>", grade="Z", status="?", sort="drop")) == 5


def test_an_enterprise_without_a_grade_yet_is_found_as_not_graded(client, people, archive):
    ungraded = Enterprise.objects.create(uscc=make_uscc("91370102MA9999999"), name="尚未评定的企业有限公司",
                                         established_on=date(2012, 1, 1), region="370102")  # not through grading
    client.force_login(people["sheng-division"])
    assert found(client, grade="none") == [ungraded.uscc]
    assert "尚未评定" in client.get(SEARCH, {"grade": "none"}).content.decode()


def test_search_by_uscc_prefix_exact_code_or_name_fragment(client, people, archive):
    client.force_login(people["sheng-division"])
    target = archive["licheng_f"]
    assert found(client, q=target.uscc.lower()) == [target.uscc]
    assert target.uscc in found(client, q=target.uscc[:10])
    assert set(found(client, q="锅炉")) == {archive["lixia_c34"].uscc, archive["qingdao"].uscc}
    assert found(client, q="没有这样的企业") == []
    latin = register(region="370102", name="济南TCL电器有限公司")
    assert found(client, q="TCL") == [latin.uscc]  # letters that are no USCC beginning: names too


def test_list_status_filter_and_badges(client, people, world, clock):
    red = world.enterprise(name="济南红名单企业有限公司")
    redlist_entry(red, people)
    published = world.enterprise(name="济南公示A级企业有限公司")
    application = lists.a_application_submit(enterprise=published, actor=world.account(published))
    lists.a_application_evaluate(application=application, approved=True, actor=people["sheng-evaluator"])
    black = world.enterprise(name="济南黑名单企业有限公司")
    world.make_d(black)
    lists.recheck_reconcile(today=clock.today)  # the computed D opens its re-check (QCO 三(五))
    recheck = black.rechecks.get()
    lists.recheck_confirm(recheck=recheck, facts="故意生产假冒伪劣产品", actor=people["lixia-reviewer"])
    plain = world.enterprise(name="济南普通企业有限公司")

    client.force_login(people["jinan-division"])
    assert found(client, status="redlist") == [red.uscc]
    assert found(client, status="published_a") == [published.uscc]
    assert found(client, status="blacklist") == [black.uscc]
    assert found(client, status="none") == [plain.uscc]
    html = client.get(SEARCH, {"q": "济南"}).content.decode()
    row = {u: r for u, r in re.findall(r'<tr data-uscc="([^"]+)">(.*?)</tr>', html, re.S)}
    assert "list-redlist" in row[red.uscc] and "list-published_a" in row[published.uscc]
    assert "list-blacklist" in row[black.uscc] and "list-" not in row[plain.uscc]


def test_sorting_and_pagination_keep_the_filters(client, people):
    names = [f"分页测试{n:02d}号有限公司" for n in range(60)]
    for name in reversed(names):
        register(region="370102", name=name)
    register(region="370202", name="分页测试青岛有限公司")
    client.force_login(people["jinan-division"])
    first = client.get(SEARCH, {"q": "分页测试", "sort": "name"}).content.decode()
    assert count(client, q="分页测试", sort="name") == 60
    page_one = re.findall(r"<td>(分页测试\d+号有限公司)</td>", first)
    assert page_one == names[:50]
    assert "page=2" in first and "q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95" in first and "sort=name" in first
    second = client.get(SEARCH, {"q": "分页测试", "sort": "name", "page": 2}).content.decode()
    assert re.findall(r"<td>(分页测试\d+号有限公司)</td>", second) == names[50:]


def test_staff_never_find_enterprises_outside_their_jurisdiction(client, people, archive):
    client.force_login(people["lixia-division"])
    assert "青岛" not in client.get(SEARCH, {"q": "锅炉"}).content.decode()
    assert found(client, region="3702") == []
    assert set(found(client)) == {e.uscc for e in archive.values() if e.region == "370102"}
    html = client.get(SEARCH).content.decode()
    assert 'value="370112"' not in html and 'value="370102"' in html  # only its own districts to choose from
