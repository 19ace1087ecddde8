"""The report pages: who may read them (staff with a role, auditors excepted), limited to the
jurisdiction; grade statistics are access events, list and deadline statistics are not; every
table downloads as CSV and XLSX with the page's filters; no inline script or style (CSP)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qcredit.audit.models import AuditEvent
from qcredit.reports import selectors
from qcredit.reports.selectors import Scope
from tests.lists.world import last_seq

PAGES = {"index": "/workspace/reports/", "grades": "/workspace/reports/grades/",
         "movements": "/workspace/reports/movements/", "lists": "/workspace/reports/lists/",
         "deadlines": "/workspace/reports/deadlines/"}


def test_urls():
    for name, path in PAGES.items():
        assert reverse(f"reports:{name}") == path
    assert reverse("reports:download", args=["grades-area", "csv"]) == "/workspace/reports/download/grades-area.csv"


@pytest.mark.parametrize("username", ["sheng-division", "jinan-legal", "lixia-leader", "sheng-evaluator",
                                      "jinan-inspection", "sheng-reviewer", "jinan-office", "lixia-admin"])
def test_every_staff_role_reads_every_page(client, history, people, username):
    client.force_login(people[username])
    for path in PAGES.values():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and not re.search(r"\son[a-z]+=", html), path
        assert "{#" not in html and "{%" not in html, path  # no template syntax leaks into the page


def test_auditors_and_visitors_are_refused(client, history, people):
    assert client.get(PAGES["grades"]).status_code == 302
    client.force_login(people["sheng-auditor"])
    for path in [*PAGES.values(), "/workspace/reports/download/grades-area.csv"]:
        response = client.get(path)
        assert response.status_code == 403 and "统计报表供在监管单位担任角色的工作人员查看" in response.content.decode()


def test_the_nav_offers_reports_to_staff_but_not_to_auditors(client, history, people):
    client.force_login(people["jinan-division"])
    assert 'href="/workspace/reports/"' in client.get("/workspace/").content.decode()
    client.force_login(people["jinan-auditor"])
    response = client.get("/workspace/audit/")
    assert response.status_code == 200 and 'href="/workspace/reports/"' not in response.content.decode()


def test_grade_pages_are_access_events_and_others_are_not(client, history, people):
    client.force_login(people["jinan-office"])
    seq = last_seq()
    client.get(PAGES["grades"], {"industry": "C"})
    client.get(PAGES["movements"])
    client.get(PAGES["lists"])
    client.get(PAGES["deadlines"])
    client.get(PAGES["index"])
    events = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))
    assert [(e.kind, e.action) for e in events] == [("access", "reports.grades.view"),
                                                    ("access", "reports.movements.view")]
    grades = events[0]
    assert grades.actor_name == "jinan-office" and "济南市市场监督管理局" in grades.unit_name
    assert '"industry":"C"' in grades.after.replace(" ", "") and '"counted":3' in grades.after.replace(" ", "")


def test_a_city_reader_sees_only_its_areas_and_cannot_choose_another(client, history, people):
    client.force_login(people["jinan-division"])
    html = client.get(PAGES["grades"]).content.decode()
    assert "历下区" in html and "历城区" in html and "青岛市" not in html and "淄博市" not in html
    assert 'value="3702"' not in html
    # a region outside the jurisdiction is not a valid choice: the page says so and keeps to Jinan
    response = client.get(PAGES["grades"], {"region": "3702"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "选择一个有效的选项" in html and "青岛市" not in html
    response = client.get("/workspace/reports/download/grades-area.csv", {"region": "3702"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:-1]] == ["济南市历下区", "济南市历城区"]


def test_drill_down_links_keep_the_filters(client, history, people):
    client.force_login(people["sheng-office"])
    html = client.get(PAGES["grades"], {"industry": "C"}).content.decode()
    assert 'href="?region=3701&amp;industry=C"' in html
    assert "/workspace/reports/download/grades-area.xlsx?industry=C" in html


def read_download(response, fmt):
    if fmt == "csv":
        data = b"".join(response.streaming_content)
        assert data.startswith(b"\xef\xbb\xbf")
        return [[int(v) if v.isdigit() else v for v in row] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return [["" if c.value is None else c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("key", sorted(selectors.TABLE_SECTION))
def test_every_table_downloads_with_the_figures_of_the_page(client, history, people, key, fmt):
    client.force_login(people["sheng-office"])
    seq = last_seq()
    response = client.get(f"/workspace/reports/download/{key}.{fmt}", {"start": "2026-01", "end": "2026-06"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert f"qcredit-report-{key}_37_" in response["Content-Disposition"]
    table = selectors.report_table(key, Scope(("37",)), start=date(2026, 1, 1),
                                   end=date(2026, 6, 1), today=history.today)
    assert read_download(response, fmt) == [table.columns, *[["" if v is None else v for v in r] for r in table.all_rows()]]
    logged = list(AuditEvent.objects.filter(seq__gt=seq).values_list("action", flat=True))
    section = selectors.TABLE_SECTION[key]
    assert logged == ([f"reports.{section}.download"] if section in selectors.GRADE_SECTIONS else [])


def test_an_unknown_table_or_format_is_not_found(client, history, people):
    client.force_login(people["sheng-office"])
    assert client.get("/workspace/reports/download/everything.csv").status_code == 404
    assert client.get("/workspace/reports/download/grades-area.pdf").status_code == 404


def test_bad_months_fall_back_to_the_last_twelve_with_a_reason(client, history, people):
    client.force_login(people["sheng-office"])
    html = client.get(PAGES["movements"], {"start": "2026-13", "end": "2026-06"}).content.decode()
    assert "月份应为 YYYY-MM" in html and "2025-07" in html and "2026-06" in html
    html = client.get(PAGES["lists"], {"start": "2026-06", "end": "2026-01"}).content.decode()
    assert "截止月份早于起始月份" in html
