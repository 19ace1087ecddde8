"""SPEC §5.3 D re-check and black list (QCO 三(五), 四(四)): a computed D is re-checked before it
is exposed; confirmed → black list with the facts; not confirmed → the archive is corrected and
the grade recomputed; the entry ends when the grade is no longer D and the minimum exposure has
passed, or by credit repair."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qcredit.accounts.models import Notification
from qcredit.accounts.services import AccessDenied
from qcredit.archive.models import Record
from qcredit.archive.services import record_withdraw
from qcredit.exchange.models import PublicationEvent
from qcredit.grading.services import ruleset_on, today
from qcredit.lists import selectors, services
from qcredit.lists.errors import ListsError, ListsErrorCode
from qcredit.lists.models import BlacklistEntry, Recheck
from qcredit.rules.dates import add_months

from .world import actions_since, grade_of, last_seq, redlist_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def d_enterprise(world, demo, django_capture_on_commit_callbacks):
    enterprise = world.enterprise(name="济南失信食品有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        world.make_d(enterprise)
    assert grade_of(enterprise) == "D"
    return enterprise


def open_recheck(enterprise) -> Recheck:
    return Recheck.objects.get(enterprise=enterprise, state=Recheck.State.OPEN)


def test_a_computed_d_opens_one_recheck_and_nothing_is_exposed_before_it_is_confirmed(d_enterprise, demo):
    recheck = open_recheck(d_enterprise)
    counterfeit = Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit")
    assert [(c["id"], c["evidence"]) for c in recheck.adverse] == [("QCO-D2", [counterfeit.pk])]
    assert recheck.grade_change.to_grade == "D"
    assert Notification.objects.filter(recipient=demo["lixia-reviewer"], subject__contains="D级复核").exists()
    assert Notification.objects.filter(recipient=demo["sheng-reviewer"], subject__contains="D级复核").exists()
    assert not Notification.objects.filter(recipient=demo["sheng-office"], subject__contains="D级复核").exists()
    assert selectors.blacklist_public() == []  # an unconfirmed D is never public (SPEC §7.1)
    assert services.recheck_reconcile(today=today()) == {"opened": 0, "lapsed": 0}  # one per D episode


def test_the_daily_reconcile_opens_the_recheck_a_lost_reaction_missed(world):
    enterprise = world.enterprise()
    world.make_d(enterprise)  # committed; the on-commit reaction never ran
    assert not Recheck.objects.exists()
    seq = last_seq()
    assert services.recheck_reconcile(today=today()) == {"opened": 1, "lapsed": 0}
    assert actions_since(seq) == ["lists.recheck.open"]
    assert services.recheck_reconcile(today=today()) == {"opened": 0, "lapsed": 0}


def test_confirmed_d_is_blacklisted_with_its_facts_and_ends_after_the_minimum_exposure_once_no_longer_d(
        d_enterprise, demo, django_capture_on_commit_callbacks):
    recheck = open_recheck(d_enterprise)
    facts = "2026年经查实故意生产假冒伪劣产品（鲁市监罚〔2026〕1号）"
    seq = last_seq()
    services.recheck_confirm(recheck=recheck, facts=facts, finding="事实清楚，情节严重", actor=demo["lixia-reviewer"])
    assert actions_since(seq) == ["lists.recheck.confirm"]
    entry = BlacklistEntry.objects.get(enterprise=d_enterprise)
    day = today()
    months = ruleset_on(day).parameter_values(day)["blacklist_min_exposure"]
    assert (entry.state, entry.listed_on, entry.exposure_until) == (BlacklistEntry.State.EXPOSED, day,
                                                                     add_months(day, months))
    assert entry.owner.name == "济南市历下区市场监督管理局"
    published = PublicationEvent.objects.get(entry_key=entry.entry_key, kind="published")
    assert published.list_kind == "blacklist" and published.payload["列入原因"] == facts
    assert published.payload["名单类别"] == "失信黑名单"
    [public] = selectors.blacklist_public()
    assert (public.uscc, public.facts, public.listed_on) == (d_enterprise.uscc, facts, day)

    # The grade leaves D (the record is withdrawn) before the minimum exposure has passed: it stays.
    with django_capture_on_commit_callbacks(execute=True):
        record_withdraw(record=Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit"),
                        reason="行政处罚决定被撤销", actor=None)
    assert grade_of(d_enterprise) != "D"
    entry.refresh_from_db()
    assert entry.state == BlacklistEntry.State.EXPOSED
    assert services.blacklist_end_due(today=entry.exposure_until - timedelta(days=1)) == 0
    seq = last_seq()
    assert services.blacklist_end_due(today=entry.exposure_until) == 1
    assert actions_since(seq) == ["lists.blacklist.end"]
    entry.refresh_from_db()
    assert entry.state == BlacklistEntry.State.ENDED and entry.exited_on == entry.exposure_until
    assert PublicationEvent.objects.filter(entry_key=entry.entry_key, kind="withdrawn").count() == 1
    assert selectors.blacklist_public() == []
    # Still in the archive (备查) for staff of the jurisdiction.
    assert [e.pk for e in selectors.blacklist_archive(user=demo["jinan-office"])] == [entry.pk]


def test_an_entry_still_d_stays_exposed_after_the_minimum_exposure(d_enterprise, demo):
    services.recheck_confirm(recheck=open_recheck(d_enterprise), facts="故意生产假冒伪劣产品",
                             actor=demo["sheng-reviewer"])
    entry = BlacklistEntry.objects.get(enterprise=d_enterprise)
    assert services.blacklist_end_due(today=entry.exposure_until + timedelta(days=400)) == 0
    assert BlacklistEntry.objects.get(pk=entry.pk).state == BlacklistEntry.State.EXPOSED


def test_a_recheck_not_confirmed_withdraws_the_record_and_the_grade_is_recomputed(d_enterprise, demo):
    recheck = open_recheck(d_enterprise)
    counterfeit = Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit")
    seq = last_seq()
    closed = services.recheck_not_confirm(recheck=recheck, finding="经核查，该产品系他人冒用本企业名称生产",
                                          withdrawals=[counterfeit], actor=demo["jinan-reviewer"])
    assert actions_since(seq) == ["archive.record.withdraw", "lists.recheck.not_confirm"]
    assert grade_of(d_enterprise) != "D"
    assert (closed.state, closed.outcome, closed.grade_after) == (Recheck.State.NOT_CONFIRMED,
                                                                  Recheck.Outcome.REGRADED, grade_of(d_enterprise))
    withdrawn = Record.objects.get(supersedes=counterfeit)
    assert withdrawn.withdrawn and withdrawn.recorded_by == demo["jinan-reviewer"]
    assert "未确认" in withdrawn.reason
    assert not BlacklistEntry.objects.exists()


def test_a_correction_that_leaves_the_grade_d_needs_an_annotation_and_the_d_then_stays_internal(world, demo):
    enterprise = world.enterprise()
    world.make_d(enterprise)
    other_d = world.record(enterprise, "after_sales", finding="severe_breach")  # QCO-D8
    services.recheck_reconcile(today=today())
    recheck = open_recheck(enterprise)
    counterfeit = Record.objects.current().get(enterprise=enterprise, kind="counterfeit")

    seq = last_seq()
    with pytest.raises(ListsError) as still_d:
        services.recheck_not_confirm(recheck=recheck, finding="假冒事实不成立", withdrawals=[counterfeit],
                                     actor=demo["sheng-reviewer"])
    assert still_d.value.code is ListsErrorCode.STILL_D
    assert last_seq() == seq and Record.objects.get(pk=counterfeit.pk).is_current  # nothing written

    closed = services.recheck_not_confirm(recheck=recheck, finding="售后问题已整改，不需对外曝光",
                                          withdrawals=[counterfeit], annotations=[(other_d, "已于复核时整改完毕")],
                                          actor=demo["sheng-reviewer"])
    assert closed.outcome == Recheck.Outcome.KEPT_INTERNAL and grade_of(enterprise) == "D"
    assert "【D级复核批注】已于复核时整改完毕" in Record.objects.current().get(record_id=other_d.record_id).note
    assert services.recheck_reconcile(today=today())["opened"] == 0  # this D episode was re-checked
    assert selectors.blacklist_public() == []


def test_a_recheck_ends_when_the_grade_leaves_d_before_the_decision(d_enterprise, django_capture_on_commit_callbacks):
    recheck = open_recheck(d_enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        record_withdraw(record=Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit"),
                        reason="录入错误", actor=None)
    recheck.refresh_from_db()
    assert (recheck.state, recheck.outcome) == (Recheck.State.LAPSED, Recheck.Outcome.GRADE_CHANGED)


def test_a_new_d_episode_opens_a_new_recheck(d_enterprise, world, django_capture_on_commit_callbacks):
    first = open_recheck(d_enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        record_withdraw(record=Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit"),
                        reason="录入错误", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        world.make_d(d_enterprise)
    second = open_recheck(d_enterprise)
    assert second.pk != first.pk and second.grade_change_id != first.grade_change_id


def test_credit_repair_is_decided_by_the_office_of_the_listing_bureau_with_reasons(d_enterprise, demo):
    services.recheck_confirm(recheck=open_recheck(d_enterprise), facts="故意生产假冒伪劣产品",
                             actor=demo["jinan-reviewer"])
    entry = BlacklistEntry.objects.get(enterprise=d_enterprise)
    with pytest.raises(AccessDenied):
        services.blacklist_credit_repair(entry=entry, reason="已整改", actor=demo["sheng-office"])
    with pytest.raises(ListsError) as no_reason:
        services.blacklist_credit_repair(entry=entry, reason=" ", actor=demo["jinan-office"])
    assert no_reason.value.code is ListsErrorCode.REASON_REQUIRED
    seq = last_seq()
    repaired = services.blacklist_credit_repair(entry=entry, reason="企业已完成整改并作出信用承诺，经审核同意信用修复",
                                                actor=demo["jinan-office"])
    assert actions_since(seq) == ["lists.blacklist.credit_repair"]
    assert repaired.state == BlacklistEntry.State.REPAIRED and repaired.exited_on == today()
    withdrawal = PublicationEvent.objects.get(entry_key=entry.entry_key, kind="withdrawn")
    assert withdrawal.payload["撤下类别"] == "信用修复"
    assert selectors.blacklist_public() == []
    assert grade_of(d_enterprise) == "D"  # the computed grade is untouched, and internal again


def test_a_confirmation_needs_the_facts_and_a_current_d(d_enterprise, demo):
    recheck = open_recheck(d_enterprise)
    with pytest.raises(ListsError) as no_facts:
        services.recheck_confirm(recheck=recheck, facts="", actor=demo["sheng-reviewer"])
    assert no_facts.value.code is ListsErrorCode.FACTS_REQUIRED
    record_withdraw(record=Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit"),
                    reason="录入错误", actor=None)  # the lapse reaction has not run yet
    with pytest.raises(ListsError) as not_d:
        services.recheck_confirm(recheck=recheck, facts="故意生产假冒伪劣产品", actor=demo["sheng-reviewer"])
    assert not_d.value.code is ListsErrorCode.NOT_GRADE_D


def test_a_blacklisted_red_list_subject_gets_a_removal_item_on_its_red_list(world, demo,
                                                                          django_capture_on_commit_callbacks):
    from qcredit.redlist.models import RemovalItem

    enterprise = world.enterprise(name="济南红名单食品有限公司")
    red = redlist_entry(enterprise, demo)
    with django_capture_on_commit_callbacks(execute=True):
        world.make_d(enterprise)
    seq = last_seq()
    recheck = services.recheck_confirm(recheck=open_recheck(enterprise), facts="故意生产假冒伪劣产品",
                                       actor=demo["sheng-reviewer"])
    entry = recheck.blacklist_entry
    item = RemovalItem.objects.get(entry=red, route="blacklisted")
    assert item.reference == entry.entry_key and item.state == RemovalItem.State.OPEN
    # The red list's own transition writes its own event; the confirmation writes one.
    assert actions_since(seq) == ["redlist.removal_item.open", "lists.recheck.confirm"]


def test_a_new_d_episode_confirmed_while_still_listed_supersedes_the_exposed_entry(
        d_enterprise, world, demo, django_capture_on_commit_callbacks):
    services.recheck_confirm(recheck=open_recheck(d_enterprise), facts="故意生产假冒伪劣产品",
                             actor=demo["sheng-reviewer"])
    first = BlacklistEntry.objects.get(enterprise=d_enterprise)
    with django_capture_on_commit_callbacks(execute=True):  # no longer D, but inside the minimum exposure
        record_withdraw(record=Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit"),
                        reason="处罚决定被撤销", actor=None)
    with django_capture_on_commit_callbacks(execute=True):  # D again: a new episode, a new re-check
        world.record(d_enterprise, "standard_conduct", finding="no_standard")
    services.recheck_confirm(recheck=open_recheck(d_enterprise), facts="无标准生产", actor=demo["sheng-reviewer"])
    first.refresh_from_db()
    assert first.state == BlacklistEntry.State.SUPERSEDED
    [current] = BlacklistEntry.objects.filter(enterprise=d_enterprise, state=BlacklistEntry.State.EXPOSED)
    assert [p.facts for p in selectors.blacklist_public()] == ["无标准生产"]
    assert PublicationEvent.objects.filter(entry_key=first.entry_key, kind="withdrawn").exists()
    assert PublicationEvent.objects.filter(entry_key=current.entry_key, kind="published").exists()
