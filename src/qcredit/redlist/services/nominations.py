"""Lists and nominations: 提报 by a division (SRL 第五条), the eligibility result attached
(SRL 第八、九条), legality review by the legal division (SRL 第十条).

Every function is one transition: it checks role and jurisdiction itself, runs in one
transaction, writes its audit event there as its last write, and its notifications are inbox
rows of the same transaction (e-mail copies on commit)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from qcredit.accounts.models import Role, Unit, covers
from qcredit.accounts.services import authorize, notify
from qcredit.archive.models import Enterprise
from qcredit.audit.services import audit_write
from qcredit.rules.srl import CRITERIA as SRL_CRITERIA
from qcredit.rules.srl import NO_QUALIFYING_CONDITION, NOT_A_SUBJECT

from ..eligibility import eligibility_snapshot, evaluate_enterprise
from ..errors import RedListError, RedListErrorCode
from ..models import Entry, Nomination, RedList
from .common import division_users, guard, list_role, list_users, nominating_division, required, today

_ARTICLES = {c.id: f"{c.article}：{c.text}" for c in SRL_CRITERIA}
_ARTICLES[NO_QUALIFYING_CONDITION] = "SRL 第八条：不具备第八条所列任何一种情形"
_ARTICLES[NOT_A_SUBJECT] = "SRL 第三条：主体已注销，不再是法人或其他组织"
_OTHER_EXCELLENCE = "SRL-8.6"


def redlist_create(*, owner: Unit, name: str, actor=None) -> RedList:
    """A red list owned by ``owner`` and run in its jurisdiction (SRL 第十八条: the province's by
    the provincial office, a city's or county's by that bureau). Configuration: by an admin
    whose unit covers the owner's jurisdiction, or by the system (``actor=None``)."""
    membership = None if actor is None else authorize(user=actor, role=Role.ADMIN, region=owner.jurisdiction)
    name = required(name, RedListErrorCode.REASON_REQUIRED, "请填写名单名称")
    with transaction.atomic():
        if RedList.objects.filter(owner=owner).exists():
            raise RedListError(RedListErrorCode.LIST_EXISTS, f"“{owner}”已有红名单")
        redlist = RedList.objects.create(owner=owner, name=name)
        audit_write(actor=actor, membership=membership, action="redlist.list.create", obj=redlist,
                    after={"name": name, "owner": owner.code, "jurisdiction": owner.jurisdiction})
    return redlist


def _snapshot_fields(nomination: Nomination) -> dict:
    return {"state": nomination.state, "reasons": nomination.reasons, "credit_facts": nomination.credit_facts,
            "justification": nomination.justification, "evaluated_on": nomination.evaluated_on,
            "ruleset": nomination.ruleset, "grade": nomination.grade, "eligible": nomination.eligible,
            "qualifying": nomination.qualifying, "unmet": nomination.unmet}


def _attach_eligibility(nomination: Nomination, enterprise: Enterprise) -> None:
    """The eligibility result as of today, by the rule set in force today (SRL 第八、九条)."""
    for field, value in eligibility_snapshot(evaluate_enterprise(enterprise, today())).items():
        setattr(nomination, field, value)


def _texts(reasons, credit_facts) -> tuple[str, str]:
    message = "提报须写明确定理由和主要信用事实（SRL 第十条、第十一条）"
    return (required(reasons, RedListErrorCode.FACTS_REQUIRED, message),
            required(credit_facts, RedListErrorCode.FACTS_REQUIRED, message))


def nomination_draft(*, redlist: RedList, enterprise: Enterprise, reasons: str, credit_facts: str,
                     justification: str = "", actor) -> Nomination:
    """A division drafts a nomination of a subject in the list's jurisdiction; the system
    attaches its eligibility result (SPEC §5.1 lifecycle 1)."""
    membership = nominating_division(actor, redlist, enterprise)
    if not covers(redlist.jurisdiction, enterprise.region):  # implied by the membership; kept as the rule
        raise RedListError(RedListErrorCode.OUTSIDE_LIST,
                           f"{enterprise.name}（行政区划 {enterprise.region}）不在“{redlist}”的管辖区域内")
    reasons, credit_facts = _texts(reasons, credit_facts)
    with transaction.atomic():
        RedList.objects.select_for_update().get(pk=redlist.pk)  # one draft per subject at a time
        if Nomination.objects.filter(redlist=redlist, enterprise=enterprise,
                                     state__in=Nomination.OPEN_STATES).exists():
            raise RedListError(RedListErrorCode.ALREADY_NOMINATED, f"{enterprise.name}已有正在办理的提报")
        if Entry.objects.filter(redlist=redlist, enterprise=enterprise, state=Entry.State.PUBLISHED).exists():
            raise RedListError(RedListErrorCode.ALREADY_LISTED, f"{enterprise.name}已在“{redlist}”中公开")
        nomination = Nomination(redlist=redlist, enterprise=enterprise, unit=membership.unit, drafted_by=actor,
                                reasons=reasons, credit_facts=credit_facts,
                                justification=(justification or "").strip())
        _attach_eligibility(nomination, enterprise)
        nomination.save()
        audit_write(actor=actor, membership=membership, action="redlist.nomination.draft", obj=nomination,
                    after={**_snapshot_fields(nomination), "enterprise": enterprise.uscc, "redlist": redlist.pk})
    return nomination


def _lock(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_for_update(of=("self",)).select_related("redlist__owner", "enterprise", "unit").get(
        pk=nomination.pk)


def nomination_edit(*, nomination: Nomination, reasons: str | None = None, credit_facts: str | None = None,
                    justification: str | None = None, actor) -> Nomination:
    """The drafting division edits its draft; the eligibility result is computed afresh."""
    membership = nominating_division(actor, nomination.redlist, nomination.enterprise, nomination.unit)
    with transaction.atomic():
        locked = _lock(nomination)
        edit = guard(locked, "edit", "修改")
        before = _snapshot_fields(locked)
        locked.reasons, locked.credit_facts = _texts(
            locked.reasons if reasons is None else reasons,
            locked.credit_facts if credit_facts is None else credit_facts)
        if justification is not None:
            locked.justification = justification.strip()
        edit()
        _attach_eligibility(locked, locked.enterprise)
        locked.save()
        audit_write(actor=actor, membership=membership, action="redlist.nomination.edit", obj=locked,
                    before=before, after=_snapshot_fields(locked))
    return locked


def not_eligible_message(name: str, unmet) -> str:
    lines = "；".join(_ARTICLES.get(c, c) for c in unmet)
    return f"{name}不符合列入条件，不能提报（第九条要求不能例外放宽）：{lines}"


def nomination_submit(*, nomination: Nomination, actor) -> Nomination:
    """Submit for legality review. Refused unless the subject is eligible as of today: some
    第八条 condition holds and every 第九条 condition holds (no override exists); a subject
    qualifying only under 第八条(六) needs the division's justification."""
    membership = nominating_division(actor, nomination.redlist, nomination.enterprise, nomination.unit)
    with transaction.atomic():
        locked = _lock(nomination)
        submit = guard(locked, "submit", "提报")
        before = _snapshot_fields(locked)
        _attach_eligibility(locked, locked.enterprise)
        if not locked.eligible:
            raise RedListError(RedListErrorCode.NOT_ELIGIBLE, not_eligible_message(locked.enterprise.name,
                                                                                  locked.unmet))
        if list(locked.qualifying) == [_OTHER_EXCELLENCE] and not locked.justification:
            raise RedListError(RedListErrorCode.JUSTIFICATION_REQUIRED,
                               "仅依据第八条(六)“其他卓越质量信用表现”提报的，须写明其卓越表现的具体说明")
        submit()
        locked.submitted_at = timezone.now()
        locked.save()
        notify(recipients=list_users(Role.LEGAL, locked.redlist), subject=f"红名单提报待合法性审查：{locked.enterprise.name}",
               body=f"{locked.unit}提报{locked.enterprise.name}列入“{locked.redlist}”，请进行合法性审查（SRL 第十条）。")
        audit_write(actor=actor, membership=membership, action="redlist.nomination.submit", obj=locked,
                    before=before, after=_snapshot_fields(locked))
    return locked


def nomination_withdraw(*, nomination: Nomination, reason: str, actor) -> Nomination:
    """The drafting division withdraws its draft or its submission before the legality review."""
    membership = nominating_division(actor, nomination.redlist, nomination.enterprise, nomination.unit)
    reason = required(reason, RedListErrorCode.REASON_REQUIRED, "撤回提报须说明理由")
    with transaction.atomic():
        locked = _lock(nomination)
        withdraw = guard(locked, "withdraw", "撤回")
        before = locked.state
        withdraw()
        locked.withdrawn_reason = reason
        locked.save()
        audit_write(actor=actor, membership=membership, action="redlist.nomination.withdraw", obj=locked,
                    before={"state": before}, after={"state": locked.state}, reason=reason)
    return locked


def nomination_legal_review(*, nomination: Nomination, passed: bool, opinion: str = "", actor) -> Nomination:
    """Legality review by the legal division of the list's jurisdiction (SRL 第十条): passed →
    awaiting the meeting; failed → rejected, with the opinion (required)."""
    membership = list_role(actor, Role.LEGAL, nomination.redlist)
    opinion = (opinion or "").strip()
    if not passed:
        opinion = required(opinion, RedListErrorCode.OPINION_REQUIRED, "合法性审查不通过的，须写明审查意见")
    with transaction.atomic():
        locked = _lock(nomination)
        transition = guard(locked, "pass_legal_review" if passed else "fail_legal_review", "进行合法性审查")
        before = locked.state
        transition()
        locked.legal_reviewed_at = timezone.now()
        locked.legal_reviewer = actor
        locked.legal_opinion = opinion
        locked.save()
        name = locked.enterprise.name
        if passed:
            notify(recipients=list_users(Role.OFFICE, locked.redlist), subject=f"红名单提报待会议研究：{name}",
                   body=f"{name}的提报已通过合法性审查，可列入领导小组会议议程（SRL 第六、七条）。")
        notify(recipients=division_users(locked.unit),
               subject=f"合法性审查{'通过' if passed else '未通过'}：{name}",
               body="" if passed else f"审查意见：{opinion}")
        audit_write(actor=actor, membership=membership, action="redlist.nomination.legal_review", obj=locked,
                    before={"state": before}, after={"state": locked.state, "passed": passed, "opinion": opinion},
                    reason=opinion)
    return locked
