"""The D re-check (复核) and the black list (QCO 三(五), 四(四); SPEC §5.3).

A computed D is internal until it has been re-checked: "需对外曝光的D级企业，必须严格掌握，并对
失信事实和程度复核后方可确定" (QCO 三(五)). Every D episode — the grade change that made an
enterprise D — opens one re-check (on commit of the grading run, and by the daily
:func:`recheck_reconcile`). A reviewer (复核人员) whose jurisdiction covers the enterprise
re-checks the facts and their degree:

- confirmed → a black-list entry with the facts, exposed on the portal and pushed to partners
  (QCO 四(四) "将D级企业纳入黑名单，依法向社会披露和曝光"); a red-list subject that is
  blacklisted gets a removal item on each red list it is published on (SRL 第十四条(二));
- not confirmed → the reviewer corrects, withdraws or annotates the archive records through
  the archive's own services (each regrades at once, SPEC §4.3) in the same transaction; the
  re-check closes with the grade recomputed. A D that stays D after the re-check without being
  confirmed is kept as an internal supervision basis only (its records carry the reviewer's
  annotation of why the degree does not call for exposure).

A black-list entry ends when the grade is no longer D and ``blacklist_min_exposure`` months
have passed (I-10; daily :func:`blacklist_end_due`), or by credit repair (信用修复) decided by
the office of the bureau that listed it; it then leaves the portal and moves to the archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import authorize, notify, users_with_role
from qcredit.archive.models import Enterprise, Record
from qcredit.audit.services import audit_write
from qcredit.exchange.services import publication_event_record
from qcredit.grading.models import Evaluation, GradeChange, GradeState
from qcredit.rules.dates import add_months

from ..errors import ListsError, ListsErrorCode
from ..models import BlacklistEntry, Recheck
from . import common

LIST_KIND = "blacklist"
CATEGORY = "失信黑名单"  # 名单类别 (SPEC §7.2)
FACTS_MAX = 2000


def _grade(enterprise_id: int) -> GradeState | None:
    return GradeState.objects.select_related("evaluation").filter(enterprise_id=enterprise_id).first()


def _recheck_json(recheck: Recheck) -> dict:
    return {"state": recheck.state, "outcome": recheck.outcome, "cause": recheck.cause,
            "grade_after": recheck.grade_after, "closed_on": recheck.closed_on}


def _entry_json(entry: BlacklistEntry) -> dict:
    return {"state": entry.state, "listed_on": entry.listed_on, "exposure_until": entry.exposure_until,
            "exited_on": entry.exited_on, "exit_reason": entry.exit_reason}


def partner_fields(entry: BlacklistEntry) -> dict:
    """The public fields of a black-list entry in the partner field set (SPEC §7.2). A black-list
    entry has no fixed end: 有效期至 is empty (it ends when the grade is no longer D and the
    minimum exposure has passed, or by credit repair)."""
    return {
        "主体名称": entry.name,
        "统一社会信用代码": entry.uscc,
        "名单类别": CATEGORY,
        "列入原因": entry.facts,
        "认定部门": entry.owner.name,
        "列入日期": entry.listed_on.isoformat(),
        "有效期至": "",
        "数据来源单位": entry.owner.name,
        "数据来源单位统一社会信用代码": entry.owner.uscc,
    }


def _adverse_d(evaluation: Evaluation) -> list[dict]:
    """The D criteria that hold in a snapshot, with article and evidence record keys — what the
    reviewer re-checks (internal, SPEC §7.1)."""
    from qcredit.grading.services import available_rulesets, parse_evidence
    from qcredit.rules.evaluate import evaluation_from_snapshot

    ruleset = next((r for r in available_rulesets() if r.version == evaluation.ruleset), None)
    if ruleset is None:
        return []
    explained = evaluation_from_snapshot(uscc=evaluation.enterprise.uscc, as_of=evaluation.as_of, ruleset=ruleset,
                                         grade=evaluation.grade, holds_code=evaluation.holds,
                                         evidence=parse_evidence(evaluation.evidence))
    return [{"id": r.id, "article": r.criterion.article, "text": r.criterion.text, "evidence": list(r.evidence)}
            for r in explained.results if r.holds and r.criterion.tier == "D"]


def _d_episode(enterprise_id: int) -> GradeChange | None:
    """The grade change that began the enterprise's current D (None if it is not D)."""
    grade = _grade(enterprise_id)
    if grade is None or grade.grade != "D":
        return None
    return GradeChange.objects.filter(enterprise_id=enterprise_id, to_grade="D").order_by(
        "-occurred_at", "-id").first()


def _open(enterprise: Enterprise, change: GradeChange, *, cause: str, on: date, objection=None) -> Recheck:
    grade = _grade(enterprise.pk)
    recheck = Recheck.objects.create(enterprise=enterprise, cause=cause, grade_change=change,
                                     evaluation=grade.evaluation, objection=objection,
                                     adverse=_adverse_d(grade.evaluation), opened_on=on)
    notify(recipients=users_with_role(role=Role.REVIEWER, region=enterprise.region),
           subject=f"D级复核待办：{enterprise.name}",
           body="计算机生成D级，须对失信事实和程度复核后方可确定是否对外曝光（QCO 三(五)）。")
    return recheck


# --- opening: the on-commit reaction and the daily reconcile ------------------------------------------


def recheck_open(*, enterprise: Enterprise, today: date) -> Recheck | None:
    """Open the re-check of the enterprise's current D episode, unless it has one (open or
    decided) or another re-check of the enterprise is open. Idempotent; the system acts."""
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        change = _d_episode(enterprise.pk)
        if change is None:
            return None
        if Recheck.objects.filter(grade_change=change, cause=Recheck.Cause.COMPUTED_D).exists():
            return None
        if Recheck.objects.filter(enterprise=enterprise, state=Recheck.State.OPEN).exists():
            return None
        recheck = _open(enterprise, change, cause=Recheck.Cause.COMPUTED_D, on=today)
        audit_write(actor=None, action="lists.recheck.open", obj=recheck,
                    after={**_recheck_json(recheck), "enterprise": enterprise.uscc, "grade_change": change.pk,
                           "adverse": [c["id"] for c in recheck.adverse]})
    return recheck


def recheck_lapse(*, enterprise_ids: Iterable[int] | None = None, today: date) -> int:
    """Open re-checks of enterprises that are no longer D end (the grade changed before the
    re-check decided). ``enterprise_ids=None``: all. Idempotent; the system acts."""
    rechecks = Recheck.objects.filter(state=Recheck.State.OPEN).exclude(enterprise__grade_state__grade="D")
    if enterprise_ids is not None:
        rechecks = rechecks.filter(enterprise_id__in=common.id_filter(enterprise_ids))
    lapsed = 0
    for recheck_id in list(rechecks.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = Recheck.objects.select_for_update().select_related("enterprise").get(pk=recheck_id)
            grade = _grade(locked.enterprise_id)
            if locked.state != Recheck.State.OPEN or (grade is not None and grade.grade == "D"):
                continue
            before = _recheck_json(locked)
            locked.lapse()
            locked.outcome = Recheck.Outcome.GRADE_CHANGED
            locked.grade_after = grade.grade if grade else ""
            locked.closed_on = today
            locked.save()
            audit_write(actor=None, action="lists.recheck.lapse", obj=locked, before=before,
                        after=_recheck_json(locked), reason="等级已不是D级")
            lapsed += 1
    return lapsed


def recheck_candidates(*, enterprise_ids=None):
    """Ids of the enterprises that are D now and whose current D episode has no re-check, and
    that have no open re-check — one query (``enterprise_ids``: restrict to those, a list or a
    sub-select)."""
    latest_d = GradeChange.objects.filter(enterprise_id=OuterRef("enterprise_id"), to_grade="D").order_by(
        "-occurred_at", "-id").values("pk")[:1]
    candidates = GradeState.objects.filter(grade="D")
    if enterprise_ids is not None:
        candidates = candidates.filter(enterprise_id__in=common.id_filter(enterprise_ids))
    return (candidates.annotate(episode=Subquery(latest_d))
            .exclude(Exists(Recheck.objects.filter(grade_change_id=OuterRef("episode"),
                                                   cause=Recheck.Cause.COMPUTED_D)))
            .exclude(Exists(Recheck.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                                   state=Recheck.State.OPEN)))
            .values_list("enterprise_id", flat=True))


def recheck_reconcile(*, today: date) -> dict:
    """Daily repair of the on-commit reaction (SPEC §4.3): a re-check for every current D
    without an open or decided re-check of its D episode; open re-checks of enterprises no
    longer D end."""
    candidates = recheck_candidates()
    opened = 0
    for enterprise in Enterprise.objects.filter(pk__in=candidates):
        opened += recheck_open(enterprise=enterprise, today=today) is not None
    return {"opened": opened, "lapsed": recheck_lapse(today=today)}


# --- the reviewer's decision ---------------------------------------------------------------------


def _reviewer(actor, recheck: Recheck):
    return authorize(user=actor, role=Role.REVIEWER, region=recheck.enterprise.region)


def _lock(recheck: Recheck) -> Recheck:
    return Recheck.objects.select_for_update().select_related("enterprise").get(pk=recheck.pk)


def _end_entry(entry: BlacklistEntry, *, transition: str, reason: str, public_reason: str, kind_label: str,
               on: date) -> None:
    """The entry leaves the portal and moves to the archive (备查); partners are told."""
    getattr(entry, transition)()
    entry.exited_on, entry.exit_reason = on, reason
    entry.save()
    publication_event_record(list_kind=LIST_KIND, kind="withdrawn", entry_key=entry.entry_key,
                             payload=common.withdrawal_payload(name=entry.name, uscc=entry.uscc, category=CATEGORY,
                                                               kind_label=kind_label, public_reason=public_reason,
                                                               on=on))


def redlist_removals(*, enterprise: Enterprise, reason: str, reference: str, actor) -> list[int]:
    """A removal item on every red list the blacklisted subject is published on (SRL 第十四条(二));
    each list's meeting decides. Imported lazily: qcredit.redlist is a sibling app."""
    from qcredit.redlist.selectors import entries_published_for
    from qcredit.redlist.services import removal_item_open

    return [removal_item_open(entry=entry, route="blacklisted", reason=reason, reference=reference, actor=actor).pk
            for entry in entries_published_for(enterprise=enterprise)]


def recheck_confirm(*, recheck: Recheck, facts: str, finding: str = "", actor) -> Recheck:
    """The reviewer confirms the D: the facts and their degree are as computed. The enterprise
    goes on the black list with ``facts`` (public, 列入原因) from today; its minimum exposure
    is ``blacklist_min_exposure`` months (I-10). A black-list entry still exposed from an
    earlier episode is superseded by the new one. Red-list entries of the subject get removal
    items (SRL 第十四条(二))."""
    membership = _reviewer(actor, recheck)
    facts = common.required(facts, ListsErrorCode.FACTS_REQUIRED, "列入黑名单须写明失信事实（QCO 四(四)）",
                            max_length=FACTS_MAX, label="失信事实")
    finding = common.optional(finding, max_length=FACTS_MAX, label="复核意见")
    with transaction.atomic():
        locked = _lock(recheck)
        confirm = common.guard(locked, "confirm", "确认")
        enterprise = locked.enterprise
        grade = _grade(enterprise.pk)
        if grade is None or grade.grade != "D":
            raise ListsError(ListsErrorCode.NOT_GRADE_D, "该企业当前质量信用等级已不是D级，不能列入黑名单")
        before = _recheck_json(locked)
        on = common.today()
        superseded = None
        previous = BlacklistEntry.objects.select_for_update().filter(
            enterprise=enterprise, state=BlacklistEntry.State.EXPOSED).first()
        if previous is not None:
            _end_entry(previous, transition="supersede", reason=f"被复核 {locked.pk} 确认的新黑名单记录取代",
                       public_reason="失信事实已更新", kind_label="更新", on=on)
            superseded = previous.pk
        months = common.parameter("blacklist_min_exposure", on)
        entry = BlacklistEntry.objects.create(
            recheck=locked, enterprise=enterprise, owner=common.bureau_of(membership.unit), name=enterprise.name,
            uscc=enterprise.uscc, region=enterprise.region, facts=facts, listed_on=on,
            exposure_until=add_months(on, months))
        publication_event_record(list_kind=LIST_KIND, kind="published", entry_key=entry.entry_key,
                                 payload=partner_fields(entry))
        confirm()
        locked.reviewer, locked.reviewer_unit, locked.decided_at = actor, membership.unit, timezone.now()
        locked.outcome, locked.facts, locked.finding = Recheck.Outcome.BLACKLISTED, facts, finding
        locked.grade_after, locked.closed_on = "D", on
        locked.save()
        removals = redlist_removals(enterprise=enterprise,
                                    reason=f"经D级复核确认列入失信黑名单（{entry.owner.name}，{on.isoformat()}）",
                                    reference=entry.entry_key, actor=actor)
        notify(recipients=common.enterprise_users(enterprise), subject="本企业被列入失信黑名单",
               body=f"经对失信事实和程度复核，本企业列入失信黑名单（QCO 四(四)）。失信事实：{facts}")
        notify(recipients=common.office_users(entry.owner.jurisdiction), subject=f"黑名单新增：{enterprise.name}",
               body=f"复核确认D级，列入黑名单；最短公示期至 {entry.exposure_until.isoformat()}。")
        audit_write(actor=actor, membership=membership, action="lists.recheck.confirm", obj=locked, before=before,
                    after={**_recheck_json(locked), "facts": facts, "finding": finding,
                           "blacklist_entry": {"id": entry.pk, **_entry_json(entry)},
                           "superseded_entry": superseded, "redlist_removal_items": removals})
    return locked


def recheck_not_confirm(*, recheck: Recheck, finding: str, corrections: Iterable[tuple[Record, dict]] = (),
                        withdrawals: Iterable[Record] = (), annotations: Iterable[tuple[Record, str]] = (),
                        actor) -> Recheck:
    """The reviewer does not confirm the D (QCO 三(五)): the facts are wrong or their degree
    does not call for exposure. In one transaction the reviewer corrects (``corrections``:
    record and changed fields), withdraws or annotates (a note added to the record) archive
    records of the enterprise through the archive's services — each regrades at once and
    writes its own archive audit event — and the re-check closes with the recomputed grade.
    If the grade is still D, the re-check closes only when the reviewer annotated the records
    (why the degree does not call for exposure); the D then stays internal (QCO 五(四))."""
    from qcredit.archive.services import record_correct, record_withdraw

    membership = _reviewer(actor, recheck)
    finding = common.required(finding, ListsErrorCode.REASON_REQUIRED, "复核未确认的，须写明复核意见",
                              max_length=FACTS_MAX, label="复核意见")
    corrections, withdrawals, annotations = list(corrections), list(withdrawals), list(annotations)
    if not (corrections or withdrawals or annotations):
        raise ListsError(ListsErrorCode.NOTHING_CHANGED, "复核未确认的，须更正、撤回或批注相关档案记录")
    with transaction.atomic():
        locked = _lock(recheck)
        not_confirm = common.guard(locked, "not_confirm", "作出未确认的复核结论")
        before = _recheck_json(locked)
        for record in [r for r, _ in corrections] + withdrawals + [r for r, _ in annotations]:
            if record.enterprise_id != locked.enterprise_id:
                raise ListsError(ListsErrorCode.NOT_OWN_RECORD, f"记录 {record.source}/{record.record_id} 不属于该企业")
        reason = f"D级复核（复核编号 {locked.pk}）未确认：{finding}"
        changes = []
        for record, data in corrections:
            new = record_correct(record=record, data=data, reason=reason, actor=actor, via="recheck")
            changes.append({"action": "correct", "record": f"{record.source}/{record.record_id}", "version": new.pk})
        for record in withdrawals:
            new = record_withdraw(record=record, reason=reason, actor=actor, via="recheck")
            changes.append({"action": "withdraw", "record": f"{record.source}/{record.record_id}", "version": new.pk})
        for record, note in annotations:
            note = common.required(note, ListsErrorCode.REASON_REQUIRED, "批注不能为空", max_length=FACTS_MAX,
                                   label="批注")
            current = Record.objects.get(pk=record.pk)
            annotated = f"{current.note}\n【D级复核批注】{note}".strip()
            new = record_correct(record=current, data={"note": annotated}, reason=reason, actor=actor, via="recheck")
            changes.append({"action": "annotate", "record": f"{record.source}/{record.record_id}", "version": new.pk})
        grade = _grade(locked.enterprise_id)
        grade_after = grade.grade if grade else ""
        if grade_after == "D" and not annotations:
            raise ListsError(ListsErrorCode.STILL_D,
                             "更正后重新评定仍为D级：如失信程度不需对外曝光，请在档案记录上批注理由；否则请确认复核")
        not_confirm()
        locked.reviewer, locked.reviewer_unit, locked.decided_at = actor, membership.unit, timezone.now()
        locked.outcome = Recheck.Outcome.KEPT_INTERNAL if grade_after == "D" else Recheck.Outcome.REGRADED
        locked.finding, locked.archive_changes = finding, changes
        locked.grade_after, locked.closed_on = grade_after, common.today()
        locked.save()
        audit_write(actor=actor, membership=membership, action="lists.recheck.not_confirm", obj=locked,
                    before=before, after={**_recheck_json(locked), "finding": finding, "archive_changes": changes})
    return locked


# --- the black list ------------------------------------------------------------------------------


def blacklist_end_due(*, today: date, enterprise_ids: Iterable[int] | None = None) -> int:
    """Entries whose enterprise is no longer D and whose minimum exposure has passed end: they
    leave the portal and move to the archive (SPEC §5.3; I-10). Daily, and on commit of a grade
    change away from D. Idempotent; the system acts."""
    entries = (BlacklistEntry.objects.filter(state=BlacklistEntry.State.EXPOSED, exposure_until__lte=today)
               .exclude(enterprise__grade_state__grade="D"))
    if enterprise_ids is not None:
        entries = entries.filter(enterprise_id__in=common.id_filter(enterprise_ids))
    ended = 0
    for entry_id in list(entries.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = BlacklistEntry.objects.select_for_update().select_related("enterprise", "owner").get(pk=entry_id)
            grade = _grade(locked.enterprise_id)
            if not locked.is_public or locked.exposure_until > today or (grade is not None and grade.grade == "D"):
                continue
            before = _entry_json(locked)
            _end_entry(locked, transition="end",
                       reason=f"质量信用等级已不是D级（现为 {grade.grade if grade else '未定级'}），且已满最短公示期",
                       public_reason="不再属于严重失信企业，且已满最短公示期", kind_label="移出", on=today)
            notify(recipients=common.enterprise_users(locked.enterprise), subject="已移出失信黑名单",
                   body="本企业质量信用等级已不是D级且已满最短公示期，已移出失信黑名单。")
            audit_write(actor=None, action="lists.blacklist.end", obj=locked, before=before,
                        after=_entry_json(locked))
            ended += 1
    return ended


def blacklist_credit_repair(*, entry: BlacklistEntry, reason: str, actor) -> BlacklistEntry:
    """Credit repair (信用修复) decided by the office of the bureau that listed the entry, with
    its reasons: the entry leaves the portal at once and moves to the archive."""
    membership = authorize(user=actor, role=Role.OFFICE, jurisdiction=entry.owner.jurisdiction)
    reason = common.required(reason, ListsErrorCode.REASON_REQUIRED, "信用修复须写明理由",
                             max_length=FACTS_MAX, label="信用修复理由")
    with transaction.atomic():
        locked = BlacklistEntry.objects.select_for_update().select_related("enterprise", "owner").get(pk=entry.pk)
        common.guard(locked, "repair", "信用修复")
        before = _entry_json(locked)
        _end_entry(locked, transition="repair", reason=reason, public_reason="信用修复", kind_label="信用修复",
                   on=common.today())
        notify(recipients=common.enterprise_users(locked.enterprise), subject="信用修复：已移出失信黑名单",
               body=f"经信用修复，本企业已移出失信黑名单。理由：{reason}")
        audit_write(actor=actor, membership=membership, action="lists.blacklist.credit_repair", obj=locked,
                    before=before, after=_entry_json(locked), reason=reason)
    return locked


def blacklist_withdraw_for_objection(*, entry: BlacklistEntry, receipt: str, on: date) -> dict | None:
    """A well-founded objection against a black-list entry (SPEC §5.4): the exposed facts were
    found wrong, so the entry leaves the portal at once, and — while the enterprise is still D —
    a new re-check opens (cause: objection) for the reviewer to correct the archive and decide
    afresh. Part of the office's answer (its transaction, its audit event); None when the
    entry is no longer public."""
    locked = BlacklistEntry.objects.select_for_update().select_related("enterprise", "owner").get(pk=entry.pk)
    if not locked.is_public:
        return None
    _end_entry(locked, transition="withdraw", reason=f"异议 {receipt} 经核实成立",
               public_reason="经异议处理，认定有误", kind_label="撤下", on=on)
    done = {"blacklist_entry": locked.pk, "withdrawn": True, "recheck": None}
    change = _d_episode(locked.enterprise_id)
    if change is not None and not Recheck.objects.filter(enterprise_id=locked.enterprise_id,
                                                         state=Recheck.State.OPEN).exists():
        from ..models import Objection

        objection = Objection.objects.filter(receipt=receipt).first()
        done["recheck"] = _open(locked.enterprise, change, cause=Recheck.Cause.OBJECTION, on=on,
                                objection=objection).pk
    return done
