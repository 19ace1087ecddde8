"""The export page (exchange:exports): the form, the downloads (POST), refusals and errors as
pages with a reason — never a 500 — and no inline script or style (CSP)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qcredit.audit.models import AuditEvent
from tests.lists.world import last_seq

from .conftest import read_csv, read_json, read_xlsx

PAGE = "/workspace/exchange/exports/"
DOWNLOAD = "/workspace/exchange/exports/download/"


def test_urls():
    assert reverse("exchange:exports") == PAGE
    assert reverse("exchange:exports-download") == DOWNLOAD


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_page_shows_the_datasets_fields_and_mapping(client, people, world):
    client.force_login(people["jinan-office"])
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("质量信用红名单", "A级（守信）企业公示", "失信黑名单", "行政处罚（双公示）", "行政处罚决定书文号",
                 "档案不记载", "济南市（3701）", 'type="date"'):
        assert text in html
    assert 'value="3702"' not in html  # Qingdao is no choice for Jinan staff
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and not re.search(r"\son\w+=", html)
    assert "{#" not in html and "{%" not in html


@pytest.mark.parametrize(("fmt", "kind"), [("csv", "text/csv"), ("xlsx", "spreadsheetml"), ("json", "application/json")])
def test_a_download_in_each_format(client, people, penalties, fmt, kind):
    client.force_login(people["jinan-division"])
    seq = last_seq()
    response = client.post(DOWNLOAD, {"dataset": "penalties", "region": "", "format": fmt,
                                      "date_from": "2026-03-01", "date_to": ""})
    assert response.status_code == 200 and kind in response["Content-Type"]
    assert response["Content-Disposition"].startswith('attachment; filename="qcredit-penalties_3701_2026-03-01~')
    assert response["Cache-Control"] == "no-store"
    data = content(response)
    if fmt == "csv":
        ids = [r[-1] for r in read_csv(data)[1:]]
    elif fmt == "xlsx":
        ids = [r[-1] for r in read_xlsx(data)[0][1:]]
    else:
        ids = [r["档案记录编号"] for r in read_json(data)["records"]]
    assert ids == ["PEN-1", "PEN-2", "PEN-3"]
    assert AuditEvent.objects.filter(seq__gt=seq, action="exchange.export.penalties", actor_name="jinan-division").count() == 1


def test_download_is_post_only(client, people, world):
    client.force_login(people["sheng-office"])
    assert client.get(DOWNLOAD, {"dataset": "redlist", "format": "csv"}).status_code == 405


def test_invalid_input_shows_the_form_again_with_the_reason(client, people, world):
    client.force_login(people["sheng-office"])
    seq = last_seq()
    response = client.post(DOWNLOAD, {"dataset": "redlist", "format": "csv", "date_from": "2026-06-30",
                                      "date_to": "2026-06-01"})
    assert response.status_code == 400
    assert "早于起始日期" in response.content.decode()
    response = client.post(DOWNLOAD, {"dataset": "redlist", "format": "csv", "region": "3799"})
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()


@pytest.mark.parametrize("username", ["sheng-legal", "jinan-reviewer", "sheng-auditor", "lixia-leader"])
def test_other_roles_get_a_refusal_page(client, people, world, username):
    client.force_login(people[username])
    for response in (client.get(PAGE), client.post(DOWNLOAD, {"dataset": "redlist", "format": "csv"})):
        assert response.status_code == 403
        assert "数据导出由领导小组办公室、系统管理员和提报处室/直属单位办理" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
