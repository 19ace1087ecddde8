"""SPEC §7.1: only published entries are public, and of them only the public fields (SRL 第十一条
name, USCC, main credit facts; dates and the deciding bureau). Drafts, legal opinions, minutes,
decisions' notes, grades and archived entries never reach the public selector or the
publication events pushed to partners."""

from __future__ import annotations

import dataclasses
import json

import pytest

from qcredit.accounts.services import AccessDenied
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.redlist import services
from qcredit.redlist.selectors import (
    PublicEntry,
    entries_archive,
    meeting_detail,
    nomination_detail,
    public_entries,
    public_partner_rows,
)

from .conftest import account, decide, on_agenda, subject

pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {"key", "list_name", "category", "name", "uscc", "region", "credit_facts", "published_on",
                 "valid_until", "decided_by", "source_unit", "source_unit_uscc"}
# SPEC §7.2, in its order.
PARTNER_FIELDS = ["主体名称", "统一社会信用代码", "名单类别", "列入原因", "认定部门", "列入日期", "有效期至", "数据来源单位",
                  "数据来源单位统一社会信用代码"]


def nominate(people, redlist, enterprise, *, reasons: str, justification: str = "", stop: str):
    division, legal = account(people, redlist, "division"), account(people, redlist, "legal")
    nomination = services.nomination_draft(redlist=redlist, enterprise=enterprise, reasons=reasons,
                                           credit_facts="公开的主要信用事实", justification=justification,
                                           actor=division)
    if stop == "draft":
        return nomination
    services.nomination_submit(nomination=nomination, actor=division)
    if stop == "submitted":
        return nomination
    passed = stop != "rejected"
    services.nomination_legal_review(nomination=nomination, passed=passed, opinion=f"审查意见-{stop}", actor=legal)
    return nomination


def test_public_entries_carry_only_the_public_fields_and_nothing_of_the_workflow(people, province_list):
    listed = subject(name="公开企业有限公司")
    nomination = nominate(people, province_list, listed, reasons="内部理由-甲", justification="内部说明-乙",
                          stop="awaiting_meeting")
    services.agenda_item_decide(item=on_agenda(people, province_list, nomination), approved=True,
                                minutes_ref="纪要文号-丙", leaders=[people["sheng-leader"]], attendees="出席人员-丁",
                                note="决定说明-戊", actor=people["sheng-office"])
    # Subjects at every other stage, and one the meeting declined.
    for stop in ("draft", "submitted", "rejected", "awaiting_meeting"):
        nominate(people, province_list, subject(name=f"未公开企业-{stop}"), reasons=f"内部理由-{stop}", stop=stop)
    declined = nominate(people, province_list, subject(name="未公开企业-declined"), reasons="内部理由-庚",
                        stop="awaiting_meeting")
    decide(people, province_list, on_agenda(people, province_list, declined), approved=False, note="不予列入-辛")

    entries = public_entries()
    assert [e.name for e in entries] == ["公开企业有限公司"]
    assert {f.name for f in dataclasses.fields(PublicEntry)} == PUBLIC_FIELDS
    entry = entries[0].as_dict()
    assert (entry["category"], entry["credit_facts"], entry["decided_by"]) == (
        "守信红名单", "公开的主要信用事实", "山东省市场监督管理局")
    assert public_entries(uscc=listed.uscc.lower()) == entries and public_entries(uscc=declined.enterprise.uscc) == []

    rows = public_partner_rows()
    assert [list(r) for r in rows] == [PARTNER_FIELDS]
    pushed = [e.payload for e in PublicationEvent.objects.all()]
    assert [set(p) for p in pushed] == [set(PARTNER_FIELDS)] and pushed == rows  # jsonb keeps no key order

    public_text = json.dumps([entry, rows, pushed], ensure_ascii=False, default=str)
    for internal in ("内部", "审查意见", "纪要文号", "出席人员", "决定说明", "不予列入", "未公开企业", "SRL-8", "grade"):
        assert internal not in public_text, internal


def test_workflow_internals_are_for_staff_of_the_lists_jurisdiction_and_every_read_is_logged(
        people, province_list, jinan_list):
    nomination = nominate(people, jinan_list, subject(), reasons="内部理由", stop="draft")
    meeting = services.meeting_schedule(redlist=jinan_list, kind="regular", date=nomination.evaluated_on,
                                        actor=people["jinan-office"])
    # Jinan's staff and the province above it may read Jinan's internals; the county, the
    # auditors and the enterprise's public may not (SPEC §7.1).
    for username in ("jinan-legal", "sheng-division"):
        assert nomination_detail(nomination=nomination, actor=people[username]) == nomination
        assert meeting_detail(meeting=meeting, actor=people[username]) == meeting
        assert list(entries_archive(redlist=jinan_list, actor=people[username])) == []
    for username in ("lixia-office", "jinan-auditor", "sheng-auditor"):
        with pytest.raises(AccessDenied):
            nomination_detail(nomination=nomination, actor=people[username])
    with pytest.raises(AccessDenied):
        entries_archive(redlist=province_list, actor=people["jinan-office"])
    reads = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS, action__startswith="redlist.")
    assert reads.count() == 6 and {e.actor_name for e in reads} == {"jinan-legal", "sheng-division"}
