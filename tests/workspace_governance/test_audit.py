"""The audit trail for auditors (SPEC §7.3, SRL 第十七条): filters, an event with before/after,
the chain verification, the access log apart — and reading the trail is itself logged."""

from __future__ import annotations

import re

import pytest

from qcredit.audit.chain import Break
from qcredit.audit.models import AuditEvent
from qcredit.redlist import services

from ..redlist.conftest import subject
from .conftest import page, refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(people, province_list, jinan_list):
    """Writes by the province's and Jinan's divisions, and a read of an internal page."""
    sheng = services.nomination_draft(redlist=province_list, enterprise=subject(name="省级提报企业"), reasons="理由",
                                      credit_facts="事实", actor=people["sheng-division"])
    jinan = services.nomination_draft(redlist=jinan_list, enterprise=subject(name="市级提报企业"), reasons="理由",
                                      credit_facts="事实", actor=people["jinan-division"])
    from qcredit.redlist.selectors import nomination_detail

    nomination_detail(nomination=sheng, actor=people["sheng-office"])
    return sheng, jinan


def seqs(response) -> list[int]:
    return [int(s) for s in re.findall(r'href="/workspace/audit/(\d+)/"', page(response))]


def test_only_auditors_read_the_trail(as_user):
    for username in ("sheng-admin", "sheng-office", "jinan-division"):
        response = as_user(username).get("/workspace/audit/")
        assert response.status_code == 403 and "纪检/审计" in refusal(response), username


def test_filters_by_action_kind_actor_and_object(as_user, trail, people):
    sheng, _ = trail
    client = as_user("sheng-auditor")
    drafts = AuditEvent.objects.filter(action="redlist.nomination.draft").values_list("seq", flat=True)
    assert sorted(seqs(client.get("/workspace/audit/", {"action": "redlist.nomination.draft"}))) == sorted(drafts)

    by_jinan = seqs(client.get("/workspace/audit/", {"actor": "jinan-division"}))
    assert by_jinan and set(by_jinan) == set(AuditEvent.objects.filter(actor=people["jinan-division"])
                                             .values_list("seq", flat=True))

    of_object = seqs(client.get("/workspace/audit/", {"object": str(sheng.pk), "action": "redlist.nomination"}))
    assert set(of_object) == set(AuditEvent.objects.filter(action__startswith="redlist.nomination",
                                                           object_id=str(sheng.pk)).values_list("seq", flat=True))

    response = client.get("/workspace/audit/", {"date_from": "2026-03-03", "date_to": "2026-03-01"})
    assert "起始日期不能晚于截止日期" in page(response)


def test_viewing_the_trail_is_an_access_event(as_user, trail, people):
    as_user("sheng-auditor").get("/workspace/audit/", {"action": "redlist"})
    event = AuditEvent.objects.filter(action="audit.trail.view").get()
    assert event.actor == people["sheng-auditor"] and event.kind == AuditEvent.Kind.ACCESS
    assert event.after_data["action"] == "redlist" and event.role == "auditor"


def test_the_access_log_shows_reads_only(as_user, trail):
    response = as_user("sheng-auditor").get("/workspace/audit/access/")
    shown = set(seqs(response))
    reads = set(AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).values_list("seq", flat=True))
    assert shown and shown <= reads
    assert AuditEvent.objects.filter(action="redlist.nomination.view").get().seq in shown
    assert not shown & set(AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).values_list("seq", flat=True))


def test_an_event_with_before_and_after(as_user, trail, people):
    sheng, _ = trail
    services.nomination_edit(nomination=sheng, credit_facts="修改后的事实", actor=people["sheng-division"])
    event = AuditEvent.objects.get(action="redlist.nomination.edit")
    response = as_user("sheng-auditor").get(f"/workspace/audit/{event.seq}/")
    text = page(response)
    assert "修改后的事实" in text and "credit_facts" in text and 'class="changed"' in text
    assert event.hash in text and event.prev_hash in text
    assert AuditEvent.objects.filter(action="audit.event.view", object_id=str(event.seq)).exists()


def test_a_city_auditor_reads_the_events_of_its_units(as_user, trail, people):
    response = as_user("jinan-auditor").get("/workspace/audit/", {"action": "redlist.nomination.draft"})
    shown = set(seqs(response))
    jinan_draft = AuditEvent.objects.get(action="redlist.nomination.draft", actor=people["jinan-division"]).seq
    sheng_draft = AuditEvent.objects.get(action="redlist.nomination.draft", actor=people["sheng-division"]).seq
    assert jinan_draft in shown and sheng_draft not in shown
    assert as_user("jinan-auditor").get(f"/workspace/audit/{sheng_draft}/").status_code == 404


def test_chain_verification(as_user, trail, monkeypatch):
    client = as_user("sheng-auditor")
    text = page(client.get("/workspace/audit/verify/"))
    count = AuditEvent.objects.filter(action="audit.chain.verify").count()
    last = AuditEvent.objects.order_by("-seq").exclude(action="audit.chain.verify").first()
    assert "校验通过" in text and f"共 {last.seq} 条事件" in text and count == 1

    from qcredit.workspace import views_governance

    monkeypatch.setattr(views_governance, "audit_chain_verify",
                        lambda: (6, "f" * 64, Break(7, "内容与其哈希不符：事件在记录后被修改")))
    text = page(client.get("/workspace/audit/verify/"))
    assert "校验未通过" in text and "事件 #7" in text and "事件在记录后被修改" in text
