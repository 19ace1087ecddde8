"""Fixtures of the export scenarios: the portal's world (public and hidden list entries, built
through the services, clock pinned to 2026-06-15) plus penalty records in several states."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from qcredit.archive.services import record_add, record_correct, record_withdraw
from tests.portal import world as portal_world

FORMULA_DECISION = "=cmd|' /C calc'!A0"


@pytest.fixture
def today(monkeypatch):
    return portal_world.pin_clock(monkeypatch)


@pytest.fixture
def world(db, today) -> portal_world.PortalWorld:
    return portal_world.build()


@pytest.fixture
def people(world) -> dict:
    return world.people


def _penalty(subject, record_id: str, day: str, source: str, **fields):
    return record_add(enterprise=subject, data={"id": record_id, "kind": "penalty", "date": day, "source": source,
                                                "scope": "quality", "severity": "ordinary", **fields}, actor=None)


@dataclass
class Penalties:
    jinan: object  # an enterprise of Lixia (370102)
    qingdao: object  # an enterprise of Qingdao (370202)
    formula: object  # the black-listed enterprise whose name starts with "@" (Zibo, 370303)
    records: dict


@pytest.fixture
def penalties(world) -> Penalties:
    """Penalty records: current ones in Jinan, Qingdao and Zibo; one corrected (only its new
    version is current), one withdrawn; and a failed sampling, which is not a penalty."""
    jinan = portal_world.enterprise("济南处罚测试甲机械有限公司", region="370102")
    qingdao = portal_world.enterprise("青岛处罚测试乙食品有限公司", region="370202", industry="C1441")
    formula = world.public["blacklisted"]
    records = {
        "decision_no": _penalty(jinan, "PEN-1", "2026-03-01", "济南市市场监督管理局", decision_no="济市监罚〔2026〕1号",
                                ref="济市监通〔2026〕9号", note="内部备注：不得导出"),
        "ref_only": _penalty(jinan, "PEN-2", "2026-05-10", "济南市市场监督管理局", scope="metrology",
                             ref="济市监罚〔2026〕2号"),
        "bare": _penalty(jinan, "PEN-3", "2026-05-31", "济南市市场监督管理局", scope="other"),
        "qingdao": _penalty(qingdao, "PEN-4", "2026-04-01", "青岛市市场监督管理局", decision_no="青市监罚〔2026〕4号"),
        "formula": _penalty(formula, "PEN-5", "2026-02-01", "山东省市场监督管理局", decision_no=FORMULA_DECISION,
                            severity="grave"),
    }
    old = _penalty(jinan, "PEN-6", "2026-01-15", "济南市市场监督管理局", decision_no="济市监罚〔2026〕旧6号")
    records["corrected"] = record_correct(record=old, data={"decision_no": "济市监罚〔2026〕6号"}, reason="文号更正")
    records["corrected_old"] = old
    withdrawn = _penalty(jinan, "PEN-7", "2026-02-20", "济南市市场监督管理局", decision_no="济市监罚〔2026〕7号")
    record_withdraw(record=withdrawn, reason="录入错误")
    records["withdrawn"] = withdrawn
    record_add(enterprise=jinan, data={"id": "SMP-1", "kind": "sampling", "date": "2026-03-03",
                                       "source": "济南市市场监督管理局", "scope": "quality", "result": "fail"}, actor=None)
    return Penalties(jinan, qingdao, formula, records)


# --- reading the written files (independently of the writers) -----------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "CSV must begin with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def read_xlsx(data: bytes) -> tuple[list[list[str]], list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    rows = [["" if c.value is None else c.value for c in row] for row in sheet.iter_rows()]
    return rows, cells


def read_json(data: bytes) -> dict:
    return json.loads(data.decode("utf-8"))
