"""Red/black-list statistics and deadlines by unit: figures equal counts made here from the
list and workflow rows; the current counts equal what the public selectors show."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qcredit.lists import selectors as public_lists
from qcredit.lists import services as lists
from qcredit.lists.models import BlacklistEntry, Objection, PublishedA, Recheck
from qcredit.redlist import selectors as public_redlist
from qcredit.redlist import services as redlist
from qcredit.redlist.models import Entry, RevocationReview
from qcredit.reports import selectors
from qcredit.reports.selectors import Scope
from tests.lists.world import workdays_after
from tests.portal import world as portal_world

MODELS = {"redlist": (Entry, "published_on"), "published_a": (PublishedA, "published_on"),
          "blacklist": (BlacklistEntry, "listed_on")}


@pytest.fixture
def lists_world(clock, db):
    clock.set(date(2026, 6, 15))
    return portal_world.build()


def month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def test_current_counts_equal_the_public_selectors(lists_world, clock):
    stats = selectors.list_statistics(Scope(("37",)), start=clock.today, end=clock.today, today=clock.today)
    assert stats.current == {"redlist": len(public_redlist.public_entries()),
                             "published_a": len(public_lists.published_a_public()),
                             "blacklist": len(public_lists.blacklist_public())} == {"redlist": 2, "published_a": 1,
                                                                                     "blacklist": 2}


def test_listings_and_exits_per_month_over_a_year(lists_world, clock):
    people = lists_world.people
    clock.set(date(2026, 8, 3))
    repaired = BlacklistEntry.objects.get(enterprise=lists_world.public["xss"], state="exposed")
    lists.blacklist_credit_repair(entry=repaired, reason="已完成信用修复", actor=people["sheng-office"])
    clock.set(date(2027, 6, 16))
    assert redlist.redlist_expire_due(today=clock.today) == 2
    assert lists.published_a_expire_due(today=clock.today) == 1

    stats = selectors.list_statistics(Scope(("37",)), start=date(2026, 6, 1), end=date(2027, 6, 1), today=clock.today)
    tables = {t.key: t for t in stats.monthly}
    for key, (model, listed_field) in MODELS.items():
        table = tables[f"lists-{key.replace('_', '-')}"]
        listed = Counter(month(getattr(e, listed_field)) for e in model.objects.all())
        exits = Counter((month(e.exited_on), e.state) for e in model.objects.exclude(exited_on=None))
        states = [s for s, label in selectors.list_specs(clock.today)[list(MODELS).index(key)].exits.items()]
        for row in table.rows:
            assert row[1] == listed[row[0]], (key, row)
            assert row[2:-1] == [exits[(row[0], s)] for s in states], (key, row)
            assert row[-1] == sum(row[2:-1])
        assert table.total[1] == model.objects.count()
    assert stats.current == {"redlist": 0, "published_a": 0, "blacklist": 1}
    assert {r[0]: r[1:4] for r in stats.summary.rows} == {
        "质量信用红名单": [0, 2, 2], "A级（守信）企业公示": [0, 2, 2], "失信黑名单": [1, 2, 1]}


def test_per_bureau_and_region_limits(lists_world, clock):
    scope_jinan = Scope(("3701",))
    stats = selectors.list_statistics(scope_jinan, start=clock.today, end=clock.today, today=clock.today)
    jinan_red = Entry.objects.filter(region__startswith="3701").count()
    assert stats.current["redlist"] == jinan_red == 1
    assert stats.current["blacklist"] == BlacklistEntry.objects.filter(region__startswith="3701").count() == 1
    province = selectors.list_statistics(Scope(("37",)), start=clock.today, end=clock.today, today=clock.today)
    assert province.by_unit.rows == [["山东省市场监督管理局", "A级（守信）企业公示", 1, 2, 1],
                                     ["山东省市场监督管理局", "失信黑名单", 2, 2, 0],
                                     ["山东省市场监督管理局", "质量信用红名单", 2, 2, 0]]


def test_list_statistics_are_three_queries_per_list(lists_world, clock):
    with CaptureQueriesContext(connection) as ctx:
        selectors.list_statistics(Scope(("37",)), start=date(2025, 7, 1), end=clock.today, today=clock.today)
    assert len(ctx.captured_queries) == 1 + 3 * 3  # the units, then listings, exits, per owner for each list


@pytest.fixture
def open_items(lists_world, clock):
    """Two objections (a red-list entry, a black-list entry) and a revocation review of the
    Qingdao red-list subject after a failed sampling, all on 15 June 2026; a D re-check is open
    in Lixia (the world's unconfirmed D)."""
    red = Entry.objects.get(enterprise=lists_world.public["redlisted"])
    black = BlacklistEntry.objects.get(enterprise=lists_world.public["blacklisted"])
    for kind, target in (("redlist", red), ("blacklist", black)):
        lists.objection_lodge(target_kind=kind, target_id=target.pk, name="张三", contact="13800000000",
                              reasons="事实有误", actor=None)
    portal_world.record(lists_world.public["qingdao_red"], "sampling", scope="quality", result="fail")
    assert redlist.revocation_reviews_reconcile(today=clock.today)
    return lists_world


def expected_deadlines(today: date, jurisdictions=("37",)) -> dict:
    soon = workdays_after(today, selectors.DUE_SOON_WORKDAYS)
    out = {}
    for r in RevocationReview.objects.filter(state="open").select_related("unit"):
        if r.unit.jurisdiction.startswith(jurisdictions):
            out.setdefault(("review", r.unit.name), []).append(r.due_on)
    for o in Objection.objects.filter(state__in=("received", "investigating")):
        if o.owner_jurisdiction.startswith(jurisdictions):
            out.setdefault(("objection", o.owner_jurisdiction), []).append(o.due_on)
    return {key: [len(d), sum(x < today for x in d), sum(today <= x <= soon for x in d), sum(x > soon for x in d),
                  min(d).isoformat()] for key, d in out.items()}


@pytest.mark.parametrize("days_later", [0, 6, 30])
def test_deadlines_per_owning_unit(open_items, clock, days_later):
    clock.set(date(2026, 6, 15 + days_later) if days_later < 16 else date(2026, 7, 15))
    found = selectors.deadlines(Scope(("37",)), today=clock.today)
    expected = expected_deadlines(clock.today)
    got = {("review" if "撤销建议" in r[1] else "objection", r[0]): r[2:] for r in found.table.rows}
    assert sorted(got.values()) == sorted(expected.values())
    assert ("review", "山东省市场监督管理局质量发展处") in got
    assert ("objection", "山东省市场监督管理局（领导小组办公室）") in got
    assert found.table.total[2:6] == [sum(v[i] for v in expected.values()) for i in range(4)]
    assert found.due_soon_until == workdays_after(clock.today, selectors.DUE_SOON_WORKDAYS)


def test_overdue_is_after_the_due_day_not_on_it(open_items, clock):
    review = RevocationReview.objects.get(state="open")
    clock.set(review.due_on)
    row = next(r for r in selectors.deadlines(Scope(("37",)), today=clock.today).table.rows if "撤销建议" in r[1])
    assert row[3] == 0 and row[4] == 1  # due today: not overdue, due soon
    clock.set(date.fromordinal(review.due_on.toordinal() + 1))
    row = next(r for r in selectors.deadlines(Scope(("37",)), today=clock.today).table.rows if "撤销建议" in r[1])
    assert row[3] == 1


def test_a_city_sees_the_units_of_its_jurisdiction_and_the_rechecks_of_its_region(open_items, clock):
    jinan = selectors.deadlines(Scope(("3701",)), today=clock.today)
    assert jinan.table.rows == []  # the province's division and office are not Jinan's units
    open_rechecks = Recheck.objects.filter(state="open").select_related("enterprise")
    assert [r[1] for r in jinan.rechecks.rows] == [sum(r.enterprise.region.startswith("3701") for r in open_rechecks)]
    assert jinan.rechecks.codes == ["370102"]
    province = selectors.deadlines(Scope(("37",)), today=clock.today)
    assert sum(r[1] for r in province.rechecks.rows) == open_rechecks.count()


def test_without_next_years_holidays_due_soon_falls_back_to_calendar_days(open_items, clock):
    clock.set(date(2027, 12, 27))  # 2028's schedule is not loaded
    found = selectors.deadlines(Scope(("37",)), today=clock.today)
    assert found.due_soon_until == date(2028, 1, 3)
    assert found.table.columns[4] == "7 日内到期" and "2028" in found.table.note and "自然日" in found.table.note
