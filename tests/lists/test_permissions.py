"""The permission matrix (SPEC §1, §5): every transition of the public lists tried as every demo
account — 9 roles at province, city and county level, the demo enterprise account of another
enterprise, the enterprise's own account, and an anonymous visitor — for an enterprise inside
all three levels (历下区 370102) and one inside the province only (青岛 370202). Exactly the
allowed set succeeds, each success writing exactly one audit event of its own; everyone else
is refused with AccessDenied and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from qcredit.accounts.models import Notification
from qcredit.accounts.services import AccessDenied
from qcredit.archive.models import Record
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.lists import services
from qcredit.lists.models import (
    AApplication,
    BlacklistEntry,
    Objection,
    PublishedA,
    Recheck,
    Statement,
)

pytestmark = pytest.mark.django_db

LEVELS = {"sheng": "37", "jinan": "3701", "lixia": "370102"}


def covering(role: str, region: str) -> set[str]:
    """The demo accounts of ``role`` whose unit covers ``region``."""
    return {f"{level}-{role}" for level, j in LEVELS.items() if region.startswith(j)}


def exactly(role: str, jurisdiction: str) -> set[str]:
    """The demo account of ``role`` in the unit of ``jurisdiction`` itself."""
    return {f"{level}-{role}" for level, j in LEVELS.items() if j == jurisdiction}


@dataclass
class Case:
    name: str
    attempt: Callable  # attempt(actor)
    allowed: set[str]
    extra_actions: tuple[str, ...] = ()  # other apps' own events the transition causes


def snapshot() -> tuple:
    """Everything a transition could write."""
    states = tuple(tuple(model.objects.order_by("pk").values_list("pk", "state"))
                   for model in (AApplication, PublishedA, Recheck, BlacklistEntry, Objection, Statement))
    return (AuditEvent.objects.count(), Notification.objects.count(), PublicationEvent.objects.count(),
            Record.objects.count(), states)


def build_cases(world, demo, region: str) -> tuple[list[Case], dict]:
    """One object in the right state for each transition, in ``region``."""
    def a_enterprise(**kwargs):
        enterprise = world.enterprise(region=region, **kwargs)
        return enterprise, world.account(enterprise)

    fresh, fresh_own = a_enterprise()
    applied_enterprise, applied_own = a_enterprise()
    applied = services.a_application_submit(enterprise=applied_enterprise, actor=applied_own)
    inspected_enterprise, inspected_own = a_enterprise(mandatory_testing=True)
    awaiting_inspection = services.a_application_submit(enterprise=inspected_enterprise, actor=inspected_own)
    published_enterprise, published_own = a_enterprise()
    application = services.a_application_submit(enterprise=published_enterprise, actor=published_own)
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    published = PublishedA.objects.get(application=application)

    d_enterprise = world.enterprise(region=region)
    d_record = world.make_d(d_enterprise)
    services.recheck_reconcile(today=services.common.today())
    recheck = Recheck.objects.get(enterprise=d_enterprise)

    listing_reviewer = "jinan-reviewer" if region.startswith("3701") else "sheng-reviewer"
    listed_enterprise = world.enterprise(region=region)
    world.make_d(listed_enterprise)
    services.recheck_reconcile(today=services.common.today())
    services.recheck_confirm(recheck=Recheck.objects.get(enterprise=listed_enterprise), facts="故意生产假冒伪劣产品",
                             actor=demo[listing_reviewer])
    blacklisted = BlacklistEntry.objects.get(enterprise=listed_enterprise)
    blacklist_owner = blacklisted.owner.jurisdiction
    owner_office = demo[f"{ {j: lvl for lvl, j in LEVELS.items()}[blacklist_owner]}-office"]

    objection_received = services.objection_lodge(target_kind="blacklist", target_id=blacklisted.pk, name="李四",
                                                  contact="li@example.com", reasons="所列事实有误")
    objection_assigned = services.objection_lodge(target_kind="published_a", target_id=published.pk, name="王五",
                                                  contact="13900000000", reasons="公示有误")
    services.objection_assign(objection=objection_assigned, assignee=demo["sheng-office"], actor=demo["sheng-office"])
    statement = services.statement_submit(target_kind="published_a", target_id=published.pk, text="欢迎社会监督",
                                          actor=published_own)
    everyone = set(demo) | {"own", "anonymous"}

    cases = [
        Case("a_application_submit", lambda actor: services.a_application_submit(enterprise=fresh, actor=actor),
             {"own"}),
        Case("a_application_cancel", lambda actor: services.a_application_cancel(application=applied, actor=actor),
             {"own"}),
        Case("a_application_inspection_opinion",
             lambda actor: services.a_application_inspection_opinion(application=awaiting_inspection, favourable=True,
                                                                     opinion="监督检验均合格", actor=actor),
             covering("inspection", region)),
        Case("a_application_evaluate",
             lambda actor: services.a_application_evaluate(application=applied, approved=True, actor=actor),
             exactly("evaluator", "37")),
        Case("published_a_withdraw_request",
             lambda actor: services.published_a_withdraw_request(entry=published, actor=actor), {"own"}),
        Case("recheck_confirm",
             lambda actor: services.recheck_confirm(recheck=recheck, facts="故意生产假冒伪劣产品", actor=actor),
             covering("reviewer", region)),
        Case("recheck_not_confirm",
             lambda actor: services.recheck_not_confirm(recheck=recheck, finding="冒用企业名称，非本企业生产",
                                                        withdrawals=[d_record], actor=actor),
             covering("reviewer", region), ("archive.record.withdraw",)),
        Case("blacklist_credit_repair",
             lambda actor: services.blacklist_credit_repair(entry=blacklisted, reason="已整改并作出信用承诺",
                                                            actor=actor),
             exactly("office", blacklist_owner)),
        Case("objection_lodge",
             lambda actor: services.objection_lodge(target_kind="published_a", target_id=published.pk, name="赵六",
                                                    contact="zhao@example.com", reasons="公示有误", actor=actor),
             everyone),
        Case("objection_assign",
             lambda actor: services.objection_assign(objection=objection_received, assignee=owner_office,
                                                     actor=actor),
             exactly("office", blacklist_owner)),
        Case("objection_answer",
             lambda actor: services.objection_answer(objection=objection_assigned, well_founded=False,
                                                     answer="经核实，异议不成立", actor=actor),
             exactly("office", "37")),
        Case("statement_submit",
             lambda actor: services.statement_submit(target_kind="published_a", target_id=published.pk,
                                                     text="本企业欢迎监督", actor=actor),
             {"own"}),
        Case("statement_moderate",
             lambda actor: services.statement_moderate(statement=statement, approved=True, actor=actor),
             exactly("office", "37")),
    ]
    owners = {"a_application_submit": fresh_own, "a_application_cancel": applied_own,
              "published_a_withdraw_request": published_own, "statement_submit": published_own}
    return cases, owners


@pytest.mark.parametrize("region", ["370102", "370202"])
def test_exactly_the_allowed_accounts_may_make_each_transition(world, demo, region, on_day):
    on_day(date(2026, 6, 15))  # objection due dates stay inside a year whose holiday schedule is loaded
    cases, owners = build_cases(world, demo, region)
    outcomes: dict[str, set[str]] = {}
    for case in cases:
        accounts = {**demo, "anonymous": AnonymousUser(),
                    "own": owners.get(case.name) or world.account(world.enterprise(region=region))}
        succeeded = set()
        for username, user in sorted(accounts.items()):
            with transaction.atomic():
                before = snapshot()
                seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
                try:
                    case.attempt(user)
                except AccessDenied:
                    assert snapshot() == before, f"{case.name} as {username}: refused but something was written"
                else:
                    succeeded.add(username)
                    actions = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
                                   .values_list("action", flat=True))
                    own_events = [a for a in actions if a.startswith("lists.")]
                    assert len(own_events) == 1, f"{case.name} as {username}: events {actions}"
                    assert sorted(set(actions) - set(own_events)) == sorted(set(case.extra_actions)), actions
                transaction.set_rollback(True)  # the next account meets the same state
        outcomes[case.name] = succeeded
    assert outcomes == {case.name: case.allowed for case in cases}
