"""An archive for the portal scenarios: enterprises of every grade, some on a public list and
some not, built only through the apps' own services (archive, red list, lists).

Public (must appear on the portal):
  ``redlisted``   red list of the province, with an approved statement
  ``published_a`` published A, with an approved statement
  ``blacklisted`` black list (confirmed D), facts starting with "=" (formula injection)
  ``xss``         black list, named ``<script>alert(1)</script>``
  ``qingdao_red`` red list, in Qingdao and another industry (filters)

Not public (must never appear except on their own enterprise page, reachable by search; their
names say nothing about their grade, so that a name found on a page is the finding):
  ``unpublished_a``  computed A, never applied
  ``applied_a``      computed A with an application awaiting evaluation
  ``withdrawn_a``    published A withdrawn at the enterprise's request (archive, 备查)
  ``b``              B (established 2½ years: not old enough for A)
  ``c``              C (a failed sampling)
  ``unconfirmed_d``  D with its re-check still open
  ``candidate``      red-list nomination that passed legal review, not yet decided
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.models import EnterpriseAccount, Unit
from qcredit.archive.services import enterprise_register, record_add
from qcredit.grading.models import GradeState
from qcredit.lists import services as lists
from qcredit.lists.models import Recheck, Statement
from qcredit.redlist import services as redlist
from qcredit.rules.uscc import make_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A working day whose answer deadline (15 working days) stays inside a year with a loaded
# holiday schedule, whatever day the suite runs.
TODAY = date(2026, 6, 15)
XSS_NAME = "<script>alert(1)</script>"
FORMULA_FACTS = "=HYPERLINK(\"http://evil.example/\",\"点击\") 故意生产假冒伪劣产品"
FORMULA_NAME = "@SUM(1+1)淄博某某化工有限公司"

_serial = itertools.count(1)


def pin_clock(monkeypatch, day: date = TODAY) -> date:
    """Every "today" of the system (grading, red list, lists, the portal) is ``day``."""
    moment = datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return day


def recent() -> str:
    return (timezone.localdate() - timedelta(days=60)).isoformat()


def enterprise(name: str, *, region: str = "370102", industry: str = "C3431", established_on: str = "2010-03-01"):
    n = next(_serial)
    return enterprise_register(data={
        "uscc": make_uscc(f"91{region}MA{n:07d}"), "name": name, "established_on": established_on,
        "region": region, "industry": industry, "licence_required": False, "mandatory_testing": False,
        "exporter": False, "status": "active"}, actor=None)


def record(subject, kind: str, **fields):
    return record_add(enterprise=subject, data={"id": f"PT-{next(_serial)}", "kind": kind, "date": recent(),
                                                "source": "省局监督处", **fields}, actor=None)


def account(subject):
    user = get_user_model().objects.create_user(f"portal-ent{next(_serial)}", password="pw-123456")
    EnterpriseAccount.objects.create(user=user, enterprise=subject)
    return user


def grade_of(subject) -> str:
    return GradeState.objects.get(enterprise=subject).grade


@dataclass
class PortalWorld:
    people: dict
    public: dict = field(default_factory=dict)
    hidden: dict = field(default_factory=dict)
    statements: dict = field(default_factory=dict)
    candidate_nomination: object = None

    @property
    def all(self) -> dict:
        return {**self.public, **self.hidden}


def _approve_statement(*, target_kind: str, target_id: int, text: str, owner, office):
    statement = lists.statement_submit(target_kind=target_kind, target_id=target_id, text=text, actor=owner)
    lists.statement_moderate(statement=statement, approved=True, actor=office)
    return Statement.objects.get(pk=statement.pk)


def _provincial_redlist():
    owner = Unit.objects.get(code="sd-office")
    return getattr(owner, "redlist", None) or redlist.redlist_create(owner=owner, name="山东省质量信用红名单")


def _honour(subject):
    record(subject, "honour", honour_type="government_quality_award", level="provincial", issued_by="山东省人民政府")


def _nominate(subject, people, *, facts: str):
    _honour(subject)
    nomination = redlist.nomination_draft(redlist=_provincial_redlist(), enterprise=subject, reasons="质量管理卓越",
                                          credit_facts=facts, actor=people["sheng-division"])
    redlist.nomination_submit(nomination=nomination, actor=people["sheng-division"])
    redlist.nomination_legal_review(nomination=nomination, passed=True, opinion="", actor=people["sheng-legal"])
    return nomination


def _redlist_decide(nominations, people):
    meeting = redlist.meeting_schedule(redlist=_provincial_redlist(), kind="extraordinary", date=timezone.localdate(),
                                       reason="审议红名单事项", actor=people["sheng-office"])
    for nomination in nominations:
        item = redlist.agenda_item_add(meeting=meeting, subject=nomination, actor=people["sheng-office"])
        redlist.agenda_item_decide(item=item, approved=True, minutes_ref="领导小组会议纪要〔2026〕7号",
                                   leaders=[people["sheng-leader"]], attendees="办公室全体", note="内部纪要：不公开",
                                   actor=people["sheng-office"])
    return [n.__class__.objects.get(pk=n.pk).entry for n in nominations]


def _publish_a(subject, people):
    owner = account(subject)
    application = lists.a_application_submit(enterprise=subject, remarks="申请说明：内部", actor=owner)
    lists.a_application_evaluate(application=application, approved=True, note="评价意见：内部", actor=people["sheng-evaluator"])
    return owner, subject.published_as.get(state="published")


def _blacklist(subject, people, *, facts: str):
    record(subject, "counterfeit", ref="鲁市监罚〔2026〕1号")
    lists.recheck_reconcile(today=timezone.localdate())
    recheck = Recheck.objects.get(enterprise=subject, state="open")
    lists.recheck_confirm(recheck=recheck, facts=facts, finding="复核意见：内部", actor=people["sheng-reviewer"])
    return subject.blacklist_entries.get(state="exposed")


def build(*, other_enterprise_name: str = "青岛演示账户企业有限公司") -> PortalWorld:
    """The archive described in the module docstring (call with the clock pinned)."""
    demo_enterprise = enterprise(other_enterprise_name, region="370202")
    ensure_demo_accounts(enterprise=demo_enterprise)
    people = {u.username: u for u in get_user_model().objects.all()}
    world = PortalWorld(people=people)
    office = people["sheng-office"]

    # --- public ---
    redlisted = enterprise("济南红名单示范机械有限公司")
    qingdao_red = enterprise("青岛红名单食品有限公司", region="370212", industry="C1441")
    entries = _redlist_decide([_nominate(redlisted, people, facts="荣获山东省省长质量奖"),
                               _nominate(qingdao_red, people, facts="荣获山东省质量奖")], people)
    red_owner = account(redlisted)
    world.statements["redlisted"] = _approve_statement(
        target_kind="redlist", target_id=entries[0].pk, text="我公司将继续坚持质量第一。", owner=red_owner, office=office)

    published_a = enterprise("济南守信A级轴承有限公司")
    a_owner, a_entry = _publish_a(published_a, people)
    world.statements["published_a"] = _approve_statement(
        target_kind="published_a", target_id=a_entry.pk, text="感谢社会监督。", owner=a_owner, office=office)

    blacklisted = enterprise(FORMULA_NAME, region="370303", industry="C2614")
    _blacklist(blacklisted, people, facts=FORMULA_FACTS)
    xss = enterprise(XSS_NAME)
    _blacklist(xss, people, facts="故意生产假冒伪劣产品<img src=x onerror=alert(2)>")
    world.public.update(redlisted=redlisted, qingdao_red=qingdao_red, published_a=published_a,
                        blacklisted=blacklisted, xss=xss)

    # --- not public ---
    unpublished_a = enterprise("济南泉城轴承有限公司")
    applied_a = enterprise("济南华阳电器有限公司")
    lists.a_application_submit(enterprise=applied_a, remarks="", actor=account(applied_a))
    withdrawn_a = enterprise("济南鲁信阀门有限公司")
    withdrawn_owner, withdrawn_entry = _publish_a(withdrawn_a, people)
    lists.published_a_withdraw_request(entry=withdrawn_entry, reason="企业申请撤下", actor=withdrawn_owner)
    two_and_a_half_years_ago = (timezone.localdate() - timedelta(days=2 * 365 + 180)).isoformat()
    b = enterprise("济南明湖塑料有限公司", established_on=two_and_a_half_years_ago)
    c = enterprise("济南千佛山纺织有限公司")
    record(c, "sampling", scope="quality", result="fail")
    unconfirmed_d = enterprise("济南趵突泉化工有限公司")
    record(unconfirmed_d, "counterfeit", ref="鲁市监罚〔2026〕9号")
    lists.recheck_reconcile(today=timezone.localdate())
    candidate = enterprise("济南黄河食品有限公司")
    world.candidate_nomination = _nominate(candidate, people, facts="候选事实：未决定")
    world.hidden.update(unpublished_a=unpublished_a, applied_a=applied_a, withdrawn_a=withdrawn_a, b=b, c=c,
                        unconfirmed_d=unconfirmed_d, candidate=candidate)
    return world


def expected_grades() -> dict[str, str]:
    """The internal grade of each hidden enterprise (what the portal must never reveal)."""
    return {"unpublished_a": "A", "applied_a": "A", "withdrawn_a": "A", "b": "B", "c": "C", "unconfirmed_d": "D",
            "candidate": "A"}
