"""Who may export what (office, admin and division staff, within the jurisdictions of those
roles), and the audit event every export writes (SPEC §7.3)."""

from __future__ import annotations

import io

import pytest

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied
from qcredit.audit.models import AuditEvent
from qcredit.exchange import exports
from qcredit.exchange.exports import ExportError, ExportErrorCode, export_open, export_write
from tests.lists.world import actions_since, last_seq

from .conftest import read_json

ALLOWED = ("office", "admin", "division")
REFUSED = tuple(r.value for r in Role if r.value not in ALLOWED)


def records(export) -> list[dict]:
    out = io.BytesIO()
    export_write(export, out)
    return read_json(out.getvalue())["records"]


@pytest.mark.parametrize("role", ALLOWED)
def test_export_roles_may_export_within_their_jurisdiction(penalties, people, role):
    export = export_open(actor=people[f"jinan-{role}"], dataset="penalties", fmt="json")
    assert export.regions == ("3701",)
    assert {r["档案记录编号"] for r in records(export)} == {"PEN-1", "PEN-2", "PEN-3", "PEN-6"}


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_may_not_export(penalties, people, role):
    seq = last_seq()
    with pytest.raises(AccessDenied):
        export_open(actor=people[f"sheng-{role}"], dataset="redlist", fmt="csv")
    assert actions_since(seq) == []


def test_a_region_outside_the_jurisdiction_is_refused(penalties, people):
    with pytest.raises(AccessDenied):
        export_open(actor=people["jinan-office"], dataset="penalties", fmt="csv", region="3702")
    with pytest.raises(AccessDenied):
        export_open(actor=people["lixia-office"], dataset="penalties", fmt="csv", region="3701")
    export = export_open(actor=people["sheng-office"], dataset="penalties", fmt="json", region="370202")
    assert [r["档案记录编号"] for r in records(export)] == ["PEN-4"]


def test_a_county_sees_its_county_only_and_lists_follow_the_same_rule(penalties, people, world):
    lixia = export_open(actor=people["lixia-division"], dataset="penalties", fmt="json")
    assert {r["统一社会信用代码"] for r in records(lixia)} == {penalties.jinan.uscc}
    red = export_open(actor=people["jinan-office"], dataset="redlist", fmt="json")
    assert [r["统一社会信用代码"] for r in records(red)] == [world.public["redlisted"].uscc]


def test_every_export_is_an_audit_event_with_its_filters_and_row_count(penalties, people):
    seq = last_seq()
    export_open(actor=people["jinan-division"], dataset="penalties", fmt="xlsx", date_from="2026-03-01")
    event = AuditEvent.objects.get(seq=seq + 1)
    assert (event.kind, event.action, event.actor_name) == ("access", "exchange.export.penalties", "jinan-division")
    assert "济南市市场监督管理局" in event.unit_name
    assert '"rows":3' in event.after.replace(" ", "")
    assert '"from":"2026-03-01"' in event.after.replace(" ", "")
    assert '"format":"xlsx"' in event.after.replace(" ", "")
    export_open(actor=None, dataset="blacklist", fmt="csv", channel="cli")
    system = AuditEvent.objects.get(seq=seq + 2)
    assert (system.action, system.actor_name) == ("exchange.export.blacklist", "系统")
    assert '"channel":"cli"' in system.after.replace(" ", "")


@pytest.mark.parametrize(("kwargs", "code", "path"), [
    ({"dataset": "everything"}, ExportErrorCode.UNKNOWN_DATASET, "dataset"),
    ({"fmt": "pdf"}, ExportErrorCode.UNKNOWN_FORMAT, "format"),
    ({"region": "37A"}, ExportErrorCode.INVALID_REGION, "region"),
    ({"region": "37010"}, ExportErrorCode.INVALID_REGION, "region"),
    ({"date_from": "2026-02-30"}, ExportErrorCode.INVALID_DATE, "from"),
    ({"date_to": "20260101"}, ExportErrorCode.INVALID_DATE, "to"),
    ({"date_from": "2026-05-01", "date_to": "2026-04-30"}, ExportErrorCode.INVALID_RANGE, "to"),
])
def test_invalid_requests_are_refused_with_their_field_and_nothing_is_audited(penalties, kwargs, code, path):
    seq = last_seq()
    with pytest.raises(ExportError) as raised:
        export_open(actor=None, **{"dataset": "penalties", "fmt": "csv", **kwargs})
    assert raised.value.code is code and raised.value.problems[0][0] == path
    assert raised.value.message  # a Chinese reason for the page and the CLI
    assert actions_since(seq) == []


def test_xlsx_beyond_the_sheet_limit_is_refused(penalties, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 5)
    with pytest.raises(ExportError) as raised:
        export_open(actor=None, dataset="penalties", fmt="xlsx")
    assert raised.value.code is ExportErrorCode.TOO_MANY_ROWS and "CSV" in raised.value.message
    assert export_open(actor=None, dataset="penalties", fmt="csv").count == 6
