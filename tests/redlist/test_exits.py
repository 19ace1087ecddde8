"""SRL 第十四、十五条: removal after a well-founded objection, after blacklisting, after the rules
changed; expiry at the end of the publication period into the archive (备查库)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.redlist import services
from qcredit.redlist.errors import RedListError, RedListErrorCode
from qcredit.redlist.models import Entry, Nomination, RemovalItem, RevocationReview
from qcredit.redlist.selectors import entries_archive, entries_published_for, public_entries
from qcredit.rules.ruleset import SHANDONG_2018

from .conftest import add_record, decide, failed_sampling, on_agenda, publish, subject

pytestmark = pytest.mark.django_db


def writes() -> int:
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).count()


def test_a_well_founded_objection_opens_one_removal_item_and_the_meeting_removes_the_subject(people, province_list):
    office = people["sheng-office"]
    enterprise = subject()
    entry = publish(people, province_list, enterprise)
    before = writes()
    item = services.removal_item_open(entry=entry, route="objection", reason="异议属实：所获荣誉已被撤销",
                                      reference="YY-2026-0007", actor=office)
    assert (item.route, item.state, item.opened_by) == (RemovalItem.Route.OBJECTION, RemovalItem.State.OPEN, office)
    # Idempotent per (entry, route, reference): nothing more is written.
    assert services.removal_item_open(entry=entry, route="objection", reason="再次调用", reference="YY-2026-0007",
                                      actor=office) == item
    assert writes() == before + 1
    decide(people, province_list, on_agenda(people, province_list, item), approved=True)
    assert list(AuditEvent.objects.filter(action__startswith="redlist.").order_by("-seq").values_list(
        "action", flat=True)[:4]) == ["redlist.agenda_item.decide", "redlist.agenda_item.add",
                                      "redlist.meeting.schedule", "redlist.removal_item.open"]
    entry.refresh_from_db()
    item.refresh_from_db()
    assert (entry.state, item.state) == (Entry.State.REMOVED, RemovalItem.State.REMOVED)
    assert entry.exit_reason == "异议属实：所获荣誉已被撤销"
    withdrawal = PublicationEvent.objects.get(entry_key=entry.entry_key, kind="withdrawn")
    assert withdrawal.payload["撤下类别"] == "删除" and "第十四条(一)" in withdrawal.payload["撤下原因"]
    assert "荣誉已被撤销" not in str(withdrawal.payload)  # the public reason is the article, not the case
    assert public_entries() == [] and list(entries_archive(redlist=province_list, actor=office)) == [entry]
    with pytest.raises(RedListError) as info:
        services.removal_item_open(entry=entry, route="objection", reason="另一异议", reference="YY-2026-0008")
    assert info.value.code is RedListErrorCode.NOT_PUBLISHED


def test_a_blacklisted_subject_is_removed_by_the_meeting_and_the_meeting_may_also_keep(
        people, province_list, jinan_list):
    enterprise = subject()
    on_province = publish(people, province_list, enterprise)
    on_jinan = publish(people, jinan_list, enterprise)
    # The black-list service (qcredit.lists) opens an item on every list the subject is on.
    items = [services.removal_item_open(entry=e, route="blacklisted", reason="经复核确认为D级，列入黑名单",
                                        reference="HMD-2026-0001")
             for e in entries_published_for(enterprise=enterprise)]
    assert {i.entry for i in items} == {on_province, on_jinan}
    by_list = {i.entry.redlist: i for i in items}
    decide(people, province_list, on_agenda(people, province_list, by_list[province_list]), approved=True)
    decide(people, jinan_list, on_agenda(people, jinan_list, by_list[jinan_list]), approved=False)
    on_province.refresh_from_db()
    on_jinan.refresh_from_db()
    assert on_province.state == Entry.State.REMOVED and on_jinan.state == Entry.State.PUBLISHED
    assert RemovalItem.objects.get(entry=on_jinan).state == RemovalItem.State.KEPT
    assert [p.list_name for p in public_entries()] == ["济南市质量信用红名单"]


def test_removal_items_need_a_known_route_and_a_reason(people, province_list):
    entry = publish(people, province_list, subject())
    for route, reason, code in (("appeal", "理由", RedListErrorCode.UNKNOWN_ROUTE),
                                ("objection", " ", RedListErrorCode.REASON_REQUIRED)):
        with pytest.raises(RedListError) as info:
            services.removal_item_open(entry=entry, route=route, reason=reason)
        assert info.value.code is code
    assert not RemovalItem.objects.exists()


def test_changed_rules_open_a_removal_item_for_each_subject_that_no_longer_qualifies(people, province_list, clock):
    stays, leaves = subject(), subject()
    # A penalty four years ago: outside the three clean years of SRL 第九条(二), inside five.
    add_record(leaves, "penalty", days_ago=4 * 365, scope="other", severity="ordinary")
    kept_entry, leaving_entry = publish(people, province_list, stays), publish(people, province_list, leaves)
    stricter = SHANDONG_2018.successor(version="SD-TEST.2", effective_from=clock.today,
                                       overrides={"redlist_clean_years": 5})
    before = (writes(), RemovalItem.objects.count())
    preview = services.ruleset_recheck_preview(ruleset=stricter, as_of=clock.today)
    assert preview == [leaving_entry] and preview[0].recheck_unmet == ("SRL-9.2",)
    assert (writes(), RemovalItem.objects.count()) == before  # a preview writes nothing

    items = services.ruleset_recheck(ruleset=stricter, as_of=clock.today, actor=people["sheng-admin"])
    assert [(i.entry, i.route, i.reference) for i in items] == [(leaving_entry, "ruleset", "SD-TEST.2")]
    assert "第九条(二)" in items[0].reason
    assert services.ruleset_recheck(ruleset=stricter, as_of=clock.today) == items  # idempotent
    decide(people, province_list, on_agenda(people, province_list, items[0]), approved=True)
    assert [p.uscc for p in public_entries()] == [kept_entry.uscc]
    leaving_entry.refresh_from_db()
    assert leaving_entry.state == Entry.State.REMOVED


def test_at_the_end_of_the_period_the_entry_expires_into_the_archive_and_is_never_public_again(
        people, province_list, clock):
    office = people["sheng-office"]
    clock.set(date(2025, 3, 3))  # so that the period ends in a year whose official schedule is loaded
    enterprise = subject()
    entry = publish(people, province_list, enterprise)
    last_day = entry.valid_until
    clock.set(last_day)
    failed_sampling(enterprise)
    [review] = services.revocation_reviews_reconcile(today=last_day)  # still listed on its last day
    assert services.redlist_expire_due(today=last_day) == 0
    assert [p.uscc for p in public_entries()] == [enterprise.uscc]
    day_after = last_day + timedelta(days=1)
    # Even before the daily job runs, nothing past its period is public.
    assert public_entries(on=day_after) == []

    clock.set(day_after)
    assert services.redlist_expire_due(today=day_after) == 1
    assert services.redlist_expire_due(today=day_after) == 0
    entry.refresh_from_db()
    review.refresh_from_db()
    assert (entry.state, entry.exited_on, entry.archived) == (Entry.State.EXPIRED, day_after, True)
    assert review.state == RevocationReview.State.MOOT  # nothing left to revoke
    assert AuditEvent.objects.filter(action="redlist.entry.expire", actor__isnull=True).count() == 1
    withdrawal = PublicationEvent.objects.get(entry_key=entry.entry_key, kind="withdrawn")
    assert withdrawal.payload["撤下类别"] == "期满"
    assert public_entries() == [] and list(entries_archive(redlist=province_list, actor=office)) == [entry]
    # An expired subject may be nominated again; the old entry stays in the archive.
    nomination = services.nomination_draft(redlist=province_list, enterprise=enterprise, reasons="再次提报",
                                           credit_facts="事实", actor=people["sheng-division"])
    assert nomination.state == Nomination.State.DRAFT


def test_the_daily_jobs_run_together(people, province_list, clock):
    entry = publish(people, province_list, subject())
    clock.set(entry.valid_until + timedelta(days=1))
    assert services.redlist_daily() == {"today": clock.today.isoformat(), "expired": 1, "reviews_opened": 0,
                                        "overdue_flagged": 0}
    assert date.fromisoformat(services.redlist_daily()["today"]) == clock.today
