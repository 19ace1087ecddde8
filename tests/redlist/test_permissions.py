"""The permission matrix (SPEC §1, SRL 第五、十、十八条): every transition of the red list tried by
every demo account — 9 roles at province, city and county level — on the province's list and on
Jinan's, for subjects inside and outside the list's jurisdiction. Exactly the expected accounts
succeed; every other attempt raises AccessDenied and has written nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone

from qcredit.accounts.demo import BUREAUS, FUNCTIONS
from qcredit.accounts.models import Notification
from qcredit.accounts.services import AccessDenied
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.redlist import services
from qcredit.redlist.models import (
    AgendaItem,
    Entry,
    Meeting,
    Nomination,
    RedList,
    RemovalItem,
    RevocationReview,
)
from qcredit.rules.ruleset import SHANDONG_2018

from .. import factories
from .conftest import LEVEL, account, failed_sampling, on_agenda, publish, subject

pytestmark = pytest.mark.django_db

ACCOUNTS = [f"{level}-{role.value}" for level, *_ in BUREAUS for role, *_ in FUNCTIONS]
# A subject outside each list's jurisdiction: Beijing for the province's, Qingdao for Jinan's.
OUTSIDE = {"37": "110105", "3701": "370202"}


class _Undo(Exception):
    pass


def footprint():
    """Everything a red-list transition could write."""
    rows = [list(m.objects.order_by("pk").values_list()) for m in
            (RedList, Nomination, Meeting, AgendaItem, Entry, RevocationReview, RemovalItem)]
    rows.append(list(AgendaItem.leaders.through.objects.order_by("pk").values_list()))
    return rows, AuditEvent.objects.count(), Notification.objects.count(), PublicationEvent.objects.count()


def succeeds(call, user, before) -> bool:
    """Try ``call`` as ``user``; a success is rolled back so the next account finds the same world."""
    try:
        with transaction.atomic():
            try:
                call(user)
            except AccessDenied:
                assert footprint() == before, "a refused transition wrote something"
                raise
            raise _Undo
    except _Undo:
        return True
    except AccessDenied:
        return False


@dataclass
class World:
    """One object in the state each transition starts from, on one list."""

    redlist: RedList
    new_owner: object
    fresh: object
    outsider: object
    draft: Nomination
    submitted: Nomination
    awaiting: Nomination
    meeting: Meeting
    nomination_item: AgendaItem
    open_review: RevocationReview
    proposed_review: RevocationReview
    revocation_item: AgendaItem
    removal_item: AgendaItem
    entry: Entry


def build_world(people, redlist) -> World:
    division, legal = account(people, redlist, "division"), account(people, redlist, "legal")

    def nominated(stop):
        n = services.nomination_draft(redlist=redlist, enterprise=subject(), reasons="理由", credit_facts="事实",
                                      actor=division)
        if stop == "draft":
            return n
        services.nomination_submit(nomination=n, actor=division)
        if stop == "submitted":
            return n
        return services.nomination_legal_review(nomination=n, passed=True, actor=legal)

    def reviewed(propose: bool):
        enterprise = subject()
        entry = publish(people, redlist, enterprise)
        failed_sampling(enterprise)
        [review] = services.revocation_reviews_reconcile(today=timezone.localdate(), enterprise_ids=[enterprise.pk])
        if propose:
            services.revocation_review_propose(review=review, revoke=True, reasons="建议撤销", actor=division)
            review.refresh_from_db()
        return entry, review

    office = account(people, redlist, "office")
    meeting = services.meeting_schedule(redlist=redlist, kind="extraordinary", date=timezone.localdate(),
                                        reason="审议", actor=office)
    entry, open_review = reviewed(propose=False)
    _, proposed_review = reviewed(propose=True)
    _, on_agenda_review = reviewed(propose=True)
    removal = services.removal_item_open(entry=publish(people, redlist, subject()), route="objection",
                                         reason="异议属实", reference="YY-1")
    return World(
        redlist=redlist, new_owner=factories.unit(redlist.jurisdiction), fresh=subject(),
        outsider=subject(region=OUTSIDE[redlist.jurisdiction]), draft=nominated("draft"),
        submitted=nominated("submitted"), awaiting=nominated("awaiting"), meeting=meeting,
        nomination_item=on_agenda(people, redlist, nominated("awaiting"), meeting=meeting), open_review=open_review,
        proposed_review=proposed_review,
        revocation_item=on_agenda(people, redlist, on_agenda_review, meeting=meeting),
        removal_item=on_agenda(people, redlist, removal, meeting=meeting), entry=entry)


def transitions(w: World, people):
    """(name, call(user), the accounts allowed). The list's own bureau acts; lists, legal review,
    meetings and decisions are the list owner's level exactly (SRL 第十八条)."""
    level = LEVEL[w.redlist.jurisdiction]
    own = lambda role: {f"{level}-{role}"}  # noqa: E731
    leader = [account(people, w.redlist, "leader")]

    def decide(item, approved):
        return lambda u: services.agenda_item_decide(item=item, approved=approved, minutes_ref="纪要1号",
                                                     leaders=leader, actor=u)

    covering_admins = {f"{lv}-admin" for lv, code in (("sheng", "37"), ("jinan", "3701"), ("lixia", "370102"))
                       if w.redlist.jurisdiction.startswith(code)}
    return [
        ("redlist_create", lambda u: services.redlist_create(owner=w.new_owner, name="新名单", actor=u),
         covering_admins),
        ("nomination_draft inside", lambda u: services.nomination_draft(
            redlist=w.redlist, enterprise=w.fresh, reasons="理由", credit_facts="事实", actor=u), own("division")),
        ("nomination_draft outside", lambda u: services.nomination_draft(
            redlist=w.redlist, enterprise=w.outsider, reasons="理由", credit_facts="事实", actor=u), set()),
        ("nomination_edit", lambda u: services.nomination_edit(nomination=w.draft, reasons="新理由", actor=u),
         own("division")),
        ("nomination_submit", lambda u: services.nomination_submit(nomination=w.draft, actor=u), own("division")),
        ("nomination_withdraw", lambda u: services.nomination_withdraw(nomination=w.submitted, reason="撤回", actor=u),
         own("division")),
        ("legal_review pass", lambda u: services.nomination_legal_review(nomination=w.submitted, passed=True,
                                                                         actor=u), own("legal")),
        ("legal_review fail", lambda u: services.nomination_legal_review(nomination=w.submitted, passed=False,
                                                                         opinion="不合法", actor=u), own("legal")),
        ("meeting_schedule", lambda u: services.meeting_schedule(redlist=w.redlist, kind="regular",
                                                                 date=timezone.localdate(), actor=u), own("office")),
        ("agenda_item_add nomination", lambda u: services.agenda_item_add(meeting=w.meeting, subject=w.awaiting,
                                                                          actor=u), own("office")),
        ("agenda_item_add revocation", lambda u: services.agenda_item_add(
            meeting=w.meeting, subject=w.proposed_review, actor=u), own("office")),
        ("agenda_item_defer", lambda u: services.agenda_item_defer(item=w.nomination_item, reason="延期", actor=u),
         own("office")),
        ("decide: list", decide(w.nomination_item, True), own("office")),
        ("decide: decline", decide(w.nomination_item, False), own("office")),
        ("decide: revoke", decide(w.revocation_item, True), own("office")),
        ("decide: keep", decide(w.revocation_item, False), own("office")),
        ("decide: remove", decide(w.removal_item, True), own("office")),
        ("revocation_review_propose", lambda u: services.revocation_review_propose(
            review=w.open_review, revoke=False, reasons="情节轻微", actor=u), own("division")),
        ("removal_item_open objection", lambda u: services.removal_item_open(
            entry=w.entry, route="objection", reason="异议属实", reference="YY-2", actor=u), own("office")),
        # Whoever confirmed the D re-check of the subject (a reviewer or office covering its region).
        ("removal_item_open blacklisted", lambda u: services.removal_item_open(
            entry=w.entry, route="blacklisted", reason="列入黑名单", reference="HMD-1", actor=u),
         {f"{lv}-{r}" for lv in ("sheng", "jinan", "lixia") for r in ("reviewer", "office")}),
        ("ruleset_recheck", lambda u: services.ruleset_recheck(
            ruleset=SHANDONG_2018.successor(version="SD-T.9", effective_from=timezone.localdate(),
                                            overrides={"redlist_clean_years": 5}),
            as_of=timezone.localdate(), actor=u), {"sheng-admin"}),
        ("removal_item_open ruleset", lambda u: services.removal_item_open(
            entry=w.entry, route="ruleset", reason="新标准", reference="SD-T.9", actor=u), {"sheng-admin"}),
    ]


@pytest.mark.parametrize("owner", ["37", "3701"])
def test_exactly_the_expected_accounts_may_make_each_transition(people, province_list, jinan_list, owner):
    redlist = {"37": province_list, "3701": jinan_list}[owner]
    world = build_world(people, redlist)
    mismatches = []
    for name, call, allowed in transitions(world, people):
        before = footprint()
        succeeded = {username for username in ACCOUNTS if succeeds(call, people[username], before)}
        if succeeded != allowed:
            mismatches.append(f"{name}: allowed {sorted(allowed)}, succeeded {sorted(succeeded)}")
        assert footprint() == before
    assert not mismatches, "\n".join(mismatches)


def test_the_system_opens_and_closes_items_without_an_actor_and_nobody_can_draft_without_one(people,
                                                                                           province_list):
    with pytest.raises(AccessDenied):
        services.nomination_draft(redlist=province_list, enterprise=subject(), reasons="理由", credit_facts="事实",
                                  actor=None)
    entry = publish(people, province_list, subject())
    item = services.removal_item_open(entry=entry, route="blacklisted", reason="黑名单", reference="HMD-9")
    assert item.opened_by is None
    assert AuditEvent.objects.get(action="redlist.removal_item.open").actor_name == "系统"
