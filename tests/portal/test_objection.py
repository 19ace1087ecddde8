"""The public objection (SPEC §5.4): anyone finds the enterprise by its code, picks one of its
public entries, lodges reasons and attachments through the lists app's service, gets a
receipt number once, and follows the status and the answer with it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qcredit.audit.models import AuditEvent
from qcredit.lists import services as lists
from qcredit.lists.models import Objection, TargetKind
from qcredit.lists.services import common

pytestmark = pytest.mark.django_db

URL = "/objection/"
TRACK = "/objection/track/"


def text(response) -> str:
    return response.content.decode()


def lodge(client, subject, target: str, **changes):
    data = {"uscc": subject.uscc, "target": target, "name": "张三", "contact": "13800000000",
            "reasons": "该企业的公示信息与事实不符。", **changes}
    return client.post(URL, data)


def key_of(subject, kind: TargetKind) -> str:
    from qcredit.lists.selectors import objection_targets_public

    return next(t.key for t in objection_targets_public(uscc=subject.uscc) if t.target_kind == kind.value)


def test_the_form_offers_the_public_entries_of_the_enterprise_found_by_its_code(client, world):
    subject = world.public["xss"]
    page = text(client.get(URL, {"uscc": subject.uscc.lower(), "list": "blacklist"}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    key = key_of(subject, TargetKind.BLACKLIST)
    assert f'value="{key}"' in page and "checked" in page
    assert "失信黑名单 · 山东省市场监督管理局" in page
    assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page


def test_an_enterprise_on_no_public_list_offers_nothing_to_object_to_whatever_its_grade(client, world):
    pages = set()
    for subject in world.hidden.values():
        page = text(client.get(URL, {"uscc": subject.uscc}))
        assert "没有可以提出异议的公示信息" in page and "<textarea" not in page
        pages.add(page.replace(subject.name, "NAME").replace(subject.uscc, "USCC"))
    assert len(pages) == 1
    unknown = client.get(URL, {"uscc": "91370102MA9999999X"})
    assert unknown.status_code == 400 and "未找到该统一社会信用代码对应的企业" in text(unknown)


def test_a_member_of_the_public_lodges_an_objection_and_follows_it_to_the_answer(client, world):
    subject = world.public["blacklisted"]
    target = key_of(subject, TargetKind.BLACKLIST)
    pdf = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = client.post(URL, {"uscc": subject.uscc, "target": target, "name": "李四", "contact": "li@example.cn",
                                 "reasons": "产品经复检合格。", "attachments": [pdf]})
    assert response.status_code == 200
    objection = Objection.objects.get()
    page = text(response)
    assert "异议已受理" in page and objection.receipt in page
    assert objection.target_kind == "blacklist" and objection.objector_name == "李四"
    assert objection.attachments.count() == 1
    event = AuditEvent.objects.get(action="lists.objection.lodge")
    assert event.actor is None and '"channel":"public"' in event.after.replace(" ", "")
    assert "答复期限" in page and objection.due_on.strftime("%Y年%-m月%-d日") in page

    tracked = text(client.post(TRACK, {"receipt": objection.receipt.lower()}))
    assert "已受理" in tracked and objection.receipt in tracked
    assert subject.name in tracked  # the entry objected to, as published

    office = world.people["sheng-office"]
    lists.objection_assign(objection=objection, assignee=office, actor=office)
    assert "调查核实中" in text(client.post(TRACK, {"receipt": objection.receipt}))
    lists.objection_answer(objection=Objection.objects.get(), well_founded=True, answer="经核实，异议成立，已撤下。",
                           actor=office)
    answered = text(client.post(TRACK, {"receipt": objection.receipt}))
    assert "已答复" in answered and "经核实，异议成立，已撤下。" in answered and "异议成立" in answered
    assert "李四" not in answered and "li@example.cn" not in answered  # the objector's data is not shown back
    assert subject.uscc not in text(client.get(reverse("portal:blacklist")))


def test_an_unknown_or_mistyped_receipt_gets_the_same_answer(client, world):
    subject = world.public["xss"]
    lodge(client, subject, key_of(subject, TargetKind.BLACKLIST))
    receipt = Objection.objects.get().receipt
    mistyped = client.post(TRACK, {"receipt": receipt[:-1] + ("A" if receipt[-1] != "A" else "B")})
    unknown = client.post(TRACK, {"receipt": "YY-2026-999999-ABCDEFGH"})
    garbage = client.post(TRACK, {"receipt": "<b>x</b>"})
    assert mistyped.status_code == unknown.status_code == garbage.status_code == 200  # a lookup that found nothing
    pages = {re.sub(r'value="[^"]*"', 'value=""', text(r)) for r in (mistyped, unknown, garbage)}
    assert len(pages) == 1  # apart from the echoed receipt and the CSRF token
    assert "未查到该受理编号" in text(unknown)
    assert "请输入受理编号" in text(client.post(TRACK, {"receipt": ""}))


def test_a_missing_field_is_shown_on_the_form_and_nothing_is_lodged(client, world):
    subject = world.public["published_a"]
    response = lodge(client, subject, key_of(subject, TargetKind.PUBLISHED_A), reasons="  ")
    assert "请写明异议理由" in text(response) and Objection.objects.count() == 0
    response = lodge(client, subject, "", contact="")
    assert "请选择对哪一条公示信息提出异议" in text(response) and "请填写联系方式" in text(response)
    assert Objection.objects.count() == 0


def test_an_entry_that_is_not_public_cannot_be_objected_to_even_by_a_forged_form(client, world):
    withdrawn = world.hidden["withdrawn_a"].published_as.get()
    response = lodge(client, world.public["published_a"], f"published_a:{withdrawn.pk}")
    assert "所选条目已不在公开名单中" in text(response) and Objection.objects.count() == 0


def test_the_service_refusal_is_shown_in_chinese_with_its_reason(client, world):
    subject = world.public["xss"]
    fake = SimpleUploadedFile("证明.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(URL, {"uscc": subject.uscc, "target": key_of(subject, TargetKind.BLACKLIST), "name": "王五",
                                 "contact": "1", "reasons": "理由", "attachments": [fake]})
    assert response.status_code == 400
    assert "异议未能受理：附件“证明.pdf”的内容与其类型不符" in text(response) and Objection.objects.count() == 0


def test_a_year_without_a_holiday_schedule_stops_the_lodging_with_a_message_naming_it(client, world, monkeypatch):
    subject = world.public["xss"]
    target = key_of(subject, TargetKind.BLACKLIST)
    monkeypatch.setattr(common, "today", lambda: date(2099, 6, 15))
    response = lodge(client, subject, target)
    assert response.status_code == 400
    assert "2099 年的法定节假日安排尚未导入" in text(response) and Objection.objects.count() == 0


def test_lodging_and_tracking_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    subject = world.public["xss"]
    assert lodge(client, subject, key_of(subject, TargetKind.BLACKLIST)).status_code == 403
    assert client.post(TRACK, {"receipt": "YY-2026-000001-ABCDEFGH"}).status_code == 403
    assert Objection.objects.count() == 0


def test_the_objection_pages_are_not_cached(client, world):
    subject = world.public["xss"]
    for response in (client.get(URL), client.get(URL, {"uscc": subject.uscc}), client.get(TRACK),
                     lodge(client, subject, key_of(subject, TargetKind.BLACKLIST))):
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
