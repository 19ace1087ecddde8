"""What the partner exports contain (SPEC §7.2): the list field set from the apps' public
selectors, the 双公示 penalty field set mapped from the archive, only current records, the
region and date filters."""

from __future__ import annotations

import io
from datetime import date

import pytest

from qcredit.exchange.exports import LIST_FIELDS, PENALTY_FIELDS, PENALTY_MAPPING, export_open, export_write
from qcredit.lists import selectors as lists
from qcredit.redlist import selectors as redlist

from .conftest import read_json


def rows(export) -> list[dict]:
    out = io.BytesIO()
    export_write(export, out)
    return read_json(out.getvalue())["records"]


def system_export(dataset: str, **filters):
    return export_open(actor=None, dataset=dataset, fmt="json", channel="test", **filters)


@pytest.mark.parametrize(("dataset", "selector"), [
    ("redlist", lambda: redlist.public_partner_rows()),
    ("published_a", lambda: lists.published_a_partner_rows()),
    ("blacklist", lambda: lists.blacklist_partner_rows()),
])
def test_a_list_export_is_the_public_list_in_the_partner_field_set(world, dataset, selector):
    exported = rows(system_export(dataset))
    public = selector()
    assert public, "the world has public entries on every list"
    assert [list(r) for r in exported] == [list(LIST_FIELDS)] * len(exported)
    assert exported == [{f: row[f] for f in LIST_FIELDS} for row in public]


def test_no_hidden_enterprise_is_in_any_list_export(world):
    exported = {r["统一社会信用代码"] for d in ("redlist", "published_a", "blacklist") for r in rows(system_export(d))}
    assert exported == {e.uscc for e in world.public.values()}
    for name, enterprise in world.hidden.items():
        assert enterprise.uscc not in exported, name


def test_list_category_and_dates_per_list(world):
    red = rows(system_export("redlist"))
    assert {r["名单类别"] for r in red} == {"守信红名单"}
    assert all(r["列入日期"] == "2026-06-15" and r["有效期至"] == "2027-06-15" for r in red)
    black = rows(system_export("blacklist"))
    assert {r["名单类别"] for r in black} == {"失信黑名单"} and {r["有效期至"] for r in black} == {""}
    assert {r["数据来源单位统一社会信用代码"] for r in black} == {"11370000MB28449441"}


def test_list_export_region_filter_uses_the_entry_region(world):
    jinan = rows(system_export("redlist", region="3701"))
    qingdao = rows(system_export("redlist", region="3702"))
    assert [r["统一社会信用代码"] for r in jinan] == [world.public["redlisted"].uscc]
    assert [r["统一社会信用代码"] for r in qingdao] == [world.public["qingdao_red"].uscc]
    assert rows(system_export("blacklist", region="3703")) == [
        r for r in rows(system_export("blacklist")) if r["统一社会信用代码"] == world.public["blacklisted"].uscc]


def test_list_export_date_range_is_inclusive(world):
    assert len(rows(system_export("redlist", date_from="2026-06-15", date_to="2026-06-15"))) == 2
    assert rows(system_export("redlist", date_from="2026-06-16")) == []
    assert rows(system_export("redlist", date_to="2026-06-14")) == []


def test_penalty_field_set_and_mapping(penalties):
    exported = {r["档案记录编号"]: r for r in rows(system_export("penalties"))}
    assert all(list(r) == list(PENALTY_FIELDS) for r in exported.values())
    assert set(PENALTY_MAPPING) == set(PENALTY_FIELDS), "every field's source is documented"
    first = exported["PEN-1"]
    assert first == {
        "行政相对人名称": "济南处罚测试甲机械有限公司", "统一社会信用代码": penalties.jinan.uscc,
        "行政处罚决定书文号": "济市监罚〔2026〕1号", "违法行为类型": "质量违法行为", "违法事实": "", "处罚依据": "",
        "处罚类别": "", "处罚内容": "", "处罚决定日期": "2026-03-01", "处罚机关": "", "处罚机关统一社会信用代码": "",
        "数据来源单位": "济南市市场监督管理局", "数据来源单位统一社会信用代码": "11370100MB2855939Q",
        "档案记录编号": "PEN-1"}
    # decision number: decision_no, else the record's document number, else empty — never made up
    assert exported["PEN-2"]["行政处罚决定书文号"] == "济市监罚〔2026〕2号"
    assert exported["PEN-3"]["行政处罚决定书文号"] == ""
    assert [exported[k]["违法行为类型"] for k in ("PEN-1", "PEN-2", "PEN-3")] == ["质量违法行为", "计量违法行为",
                                                                                   "其他违法行为"]
    # a source that is no unit of the system has no USCC
    assert exported["PEN-4"]["数据来源单位"] == "青岛市市场监督管理局"
    assert exported["PEN-4"]["数据来源单位统一社会信用代码"] == ""


def test_penalty_export_never_carries_the_internal_note_or_severity(penalties):
    text = str(rows(system_export("penalties")))
    assert "内部备注" not in text
    assert "grave" not in text and "严重" not in text


def test_only_current_penalty_records(penalties):
    exported = {r["档案记录编号"]: r for r in rows(system_export("penalties"))}
    assert set(exported) == {"PEN-1", "PEN-2", "PEN-3", "PEN-4", "PEN-5", "PEN-6"}
    assert exported["PEN-6"]["行政处罚决定书文号"] == "济市监罚〔2026〕6号"  # the correction, not the old version
    assert "PEN-7" not in exported  # withdrawn
    assert "SMP-1" not in exported  # a sampling is no penalty


def test_penalty_filters_region_and_dates(penalties):
    def ids(**filters):
        return [r["档案记录编号"] for r in rows(system_export("penalties", **filters))]

    assert ids(region="3701") == ["PEN-6", "PEN-1", "PEN-2", "PEN-3"]  # ordered by decision date
    assert ids(region="370202") == ["PEN-4"]
    assert ids(region="3702", date_to="2026-03-31") == []
    assert ids(date_from="2026-03-01", date_to="2026-05-10") == ["PEN-1", "PEN-4", "PEN-2"]
    assert ids(date_from="2026-05-31") == ["PEN-3"]
    export = system_export("penalties", region="3701", date_from=date(2026, 2, 1))
    assert export.count == 3 and export.filters == {"region": ["3701"], "from": "2026-02-01", "to": ""}
