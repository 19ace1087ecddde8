"""The first staff screens: search, and an enterprise page that explains the grade with its
articles and evidence records and shows the archive as a timeline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.archive import services
from qcredit.archive.models import Record
from qcredit.rules.uscc import make_uscc

from .. import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECENT, EARLIER = (TODAY - timedelta(days=30)).isoformat(), (TODAY - timedelta(days=200)).isoformat()
SEARCH = "/workspace/enterprises/"


def enterprise_data(n: int, **changes) -> dict:
    data = {"uscc": make_uscc(f"91370102MA{n:07d}"), "name": f"济南测试机械有限公司{n}", "established_on": "2010-01-01",
            "region": "370102", "industry": "C3491", "licence_required": False, "mandatory_testing": False,
            "exporter": False, "status": "active"}
    data.update(changes)
    return data


@pytest.fixture
def staff(client):
    user = factories.staff(Role.DIVISION, "37", username="clerk")
    client.force_login(user)
    return user


@pytest.fixture
def graded(staff):
    enterprise = services.enterprise_register(data=enterprise_data(1), actor=staff)
    fail = services.record_add(enterprise=enterprise, actor=staff, data={
        "id": "S-1", "kind": "sampling", "date": RECENT, "source": "济南市市场监督管理局",
        "ref": "济市监抽〔2026〕3号", "scope": "quality", "result": "fail"})
    ok = services.record_add(enterprise=enterprise, actor=staff, data={
        "id": "S-2", "kind": "sampling", "date": EARLIER, "source": "济南市市场监督管理局",
        "scope": "metrology", "result": "fail"})
    corrected = services.record_correct(record=ok, data={"result": "pass"}, reason="复检合格", actor=staff)
    services.record_add(enterprise=enterprise, actor=staff, data={
        "id": "C-1", "kind": "external_credit", "date": RECENT, "source": "人民银行济南分行",
        "provider": "bank", "rating": "AA"})
    return enterprise, fail, corrected


def test_login_required_and_staff_only(client):
    for url in ("/workspace/", SEARCH):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    citizen = get_user_model().objects.create_user("citizen", password="pw")
    client.force_login(citizen)
    for url in ("/workspace/", SEARCH):
        assert client.get(url).status_code == 403


def test_login_page_in_chinese(client):
    response = client.get("/accounts/login/")
    assert "<h1>登录</h1>" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert "用户名或密码不正确" in response.content.decode()


def test_search_by_uscc_any_case_and_by_name(client, graded):
    enterprise, _, _ = graded
    services.enterprise_register(data=enterprise_data(2, name="青岛另一家公司"))
    page = client.get(SEARCH, {"q": enterprise.uscc.lower()}).content.decode()
    assert enterprise.uscc in page and "青岛另一家公司" not in page
    page = client.get(SEARCH, {"q": "另一家"}).content.decode()
    assert "青岛另一家公司" in page and enterprise.name not in page


def test_enterprise_page_explains_the_grade(client, graded, django_assert_max_num_queries):
    enterprise, fail, corrected = graded
    # 12 for the page, 9 for the lists it is on and their workflow items (one query each),
    # 4 for the access event (SPEC §7.3: lock, chain head, insert; savepoint)
    with django_assert_max_num_queries(25):
        response = client.get(f"/workspace/enterprises/{enterprise.uscc}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "C 失信" in html
    for cid, article in (("QCO-A1", "QCO 三(一)1"), ("QCO-C2", "QCO 三(三)"), ("QCO-D4", "QCO 三(四)"),
                         ("SRL-9.2", "SRL 第九条")):
        assert f'id="criterion-{cid}"' in html and article in html
    # the adverse criterion links to the failed sampling, which is on the timeline
    row = re.search(r'<tr id="criterion-QCO-C2".*?</tr>', html, re.S).group(0)
    assert f'href="#record-{fail.pk}"' in row and "情形成立" in row
    assert f'id="record-{fail.pk}"' in html and "济市监抽〔2026〕3号" in html
    # the corrected record: its current version on the timeline, the old one in the history
    assert f'id="record-{corrected.pk}"' in html and f'id="record-{corrected.supersedes_id}"' in html
    assert "复检合格" in html and "已更正" in html
    assert "外部信用信息（不影响等级" in html and "AA" in html
    assert "解释 I-1" in html  # the interpretations a criterion relies on are shown


def test_unknown_enterprise_is_404(client, staff):
    assert client.get("/workspace/enterprises/91350100M000100Y43/").status_code == 404
    assert client.get("/workspace/enterprises/not-a-code/").status_code == 404


def test_names_are_escaped(client, staff):
    evil = services.enterprise_register(data=enterprise_data(3, name="<script>alert(1)</script>有限公司"))
    for url in (f"{SEARCH}?q=script", f"/workspace/enterprises/{evil.uscc}/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_staff_see_only_their_jurisdiction_and_every_view_is_logged(client, graded):
    from qcredit.audit.models import AuditEvent

    enterprise, *_ = graded
    assert client.get(f"/workspace/enterprises/{enterprise.uscc}/").status_code == 200
    event = AuditEvent.objects.filter(kind="access").latest("seq")
    assert event.action == "workspace.enterprise.view" and event.object_id == str(enterprise.pk)
    qingdao = factories.staff(Role.DIVISION, "3702")
    client.force_login(qingdao)
    assert client.get(f"/workspace/enterprises/{enterprise.uscc}/").status_code == 404
    assert f"/workspace/enterprises/{enterprise.uscc}/" not in client.get(f"{SEARCH}?q={enterprise.uscc}").content.decode()


def test_admin_shows_the_archive_read_only(client, graded):
    admin = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(admin)
    for url in ("/admin/archive/enterprise/", "/admin/archive/record/", "/admin/grading/evaluation/",
                "/admin/grading/gradestate/", "/admin/grading/gradechange/", "/admin/grading/gradingrun/"):
        assert client.get(url).status_code == 200, url
    record = Record.objects.first()
    page = client.get(f"/admin/archive/record/{record.pk}/change/")
    assert page.status_code == 200 and "删除" not in page.content.decode().split("<footer")[0].split('id="content"')[-1]
    assert client.post(f"/admin/archive/record/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Record.objects.filter(pk=record.pk).exists()
