"""A-grade publication (QCO 三(五), 四(一), 五(五); SPEC §5.2).

The computed A (机评A) is internal (QCO 五(四)). An enterprise whose current grade is A applies
of its own will (one open application at a time); where its products need statutory testing
(``mandatory_testing``) the inspection unit gives its opinion first, so that the province
evaluates with that opinion in hand (QCO 三(五)); the provincial evaluator then approves — the
A is published for ``published_a_validity`` years (I-8) — or rejects. A published A is
withdrawn at once when the grade leaves A (QCO 三(五) last paragraph; SPEC §4.3), on the
enterprise's request, after a well-founded objection (SPEC §5.4), and expires at the end of
its validity: there is no lifetime status, a new application is needed (QCO 五(五)).

Every function is one transition: it checks role and jurisdiction itself, runs in one
transaction, writes exactly one audit event there as its last write, records the publication
or withdrawal event (qcredit.exchange) in the same transaction, and its notifications are
inbox rows of that transaction (e-mail copies on commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import authorize, enterprise_account, notify, users_with_role
from qcredit.archive.models import Enterprise
from qcredit.audit.services import audit_write
from qcredit.exchange.services import publication_event_record
from qcredit.grading.models import GradeState
from qcredit.rules.dates import add_years

from ..errors import ListsError, ListsErrorCode
from ..models import AApplication, PublishedA
from . import common

LIST_KIND = "published_a"
CATEGORY = "质量信用A级（守信）企业"  # 名单类别 (SPEC §7.2)
# 列入原因 of every published A: the article, not the (internal) criteria and evidence.
PUBLIC_REASON = "经企业自愿申请、省级质量技术监督部门评价，质量信用等级为A级（守信）（QCO 三(一)、三(五)、四(一)）"
REMARKS_MAX = 500


def _grade(enterprise_id: int) -> GradeState | None:
    return GradeState.objects.select_related("evaluation").filter(enterprise_id=enterprise_id).first()


def _application_json(application: AApplication) -> dict:
    return {"state": application.state, "inspection_required": application.inspection_required,
            "inspection_favourable": application.inspection_favourable,
            "closed_on": application.closed_on, "close_reason": application.close_reason}


def _entry_json(entry: PublishedA) -> dict:
    return {"state": entry.state, "published_on": entry.published_on, "valid_until": entry.valid_until,
            "exited_on": entry.exited_on, "exit_kind": entry.exit_kind, "exit_reason": entry.exit_reason}


def partner_fields(entry: PublishedA) -> dict:
    """The public fields of a published A in the partner field set (SPEC §7.2)."""
    return {
        "主体名称": entry.name,
        "统一社会信用代码": entry.uscc,
        "名单类别": CATEGORY,
        "列入原因": PUBLIC_REASON,
        "认定部门": entry.owner.name,
        "列入日期": entry.published_on.isoformat(),
        "有效期至": entry.valid_until.isoformat(),
        "数据来源单位": entry.owner.name,
        "数据来源单位统一社会信用代码": entry.owner.uscc,
    }


def _lock_application(application: AApplication) -> AApplication:
    return AApplication.objects.select_for_update().select_related("enterprise").get(pk=application.pk)


def _lock_entry(entry: PublishedA) -> PublishedA:
    return PublishedA.objects.select_for_update().select_related("enterprise", "owner").get(pk=entry.pk)


# --- the application ----------------------------------------------------------------------------


def a_application_submit(*, enterprise: Enterprise, remarks: str = "", actor) -> AApplication:
    """The enterprise applies to publish its computed A (QCO 三(五) "企业自愿申请"). Refused
    unless its current grade is A, it has no open application, and no published A is running."""
    enterprise_account(user=actor, enterprise=enterprise)
    remarks = common.optional(remarks, max_length=REMARKS_MAX, label="申请说明")
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)  # one application at a time
        grade = _grade(enterprise.pk)
        if grade is None or grade.grade != "A":
            raise ListsError(ListsErrorCode.NOT_GRADE_A,
                             "本企业当前质量信用等级不是A级，不能申请A级公示（QCO 三(五)）")
        if AApplication.objects.filter(enterprise=enterprise, state__in=AApplication.OPEN_STATES).exists():
            raise ListsError(ListsErrorCode.ALREADY_APPLIED, "本企业已有正在办理的A级公示申请")
        if PublishedA.objects.filter(enterprise=enterprise, state=PublishedA.State.PUBLISHED).exists():
            raise ListsError(ListsErrorCode.ALREADY_PUBLISHED, "本企业的A级公示尚在有效期内；期满后可重新申请")
        on = common.today()
        inspection = enterprise.mandatory_testing
        application = AApplication(
            enterprise=enterprise, applied_by=actor, applied_at=timezone.now(), applied_on=on, remarks=remarks,
            evaluation=grade.evaluation, inspection_required=inspection,
            state=AApplication.State.AWAITING_INSPECTION if inspection else AApplication.State.AWAITING_EVALUATION)
        application.save()
        if inspection:
            notify(recipients=users_with_role(role=Role.INSPECTION, region=enterprise.region),
                   subject=f"A级公示申请待提出检验评价意见：{enterprise.name}",
                   body="该企业产品依法需要监督检验，请检验单位提出评价意见（QCO 三(五)）。")
        else:
            notify(recipients=users_with_role(role=Role.EVALUATOR, jurisdiction=common.province_of(enterprise.region)),
                   subject=f"A级公示申请待省级评价：{enterprise.name}", body="请组织评价（QCO 三(五)）。")
        audit_write(actor=actor, action="lists.a_application.submit", obj=application,
                    after={**_application_json(application), "enterprise": enterprise.uscc,
                           "applied_on": on, "evaluation": grade.evaluation_id})
    return application


def a_application_cancel(*, application: AApplication, reason: str = "", actor) -> AApplication:
    """The enterprise withdraws its application before the evaluation."""
    enterprise_account(user=actor, enterprise=application.enterprise)
    reason = common.optional(reason, max_length=REMARKS_MAX, label="撤回理由")
    with transaction.atomic():
        locked = _lock_application(application)
        cancel = common.guard(locked, "cancel", "撤回")
        before = _application_json(locked)
        cancel()
        locked.closed_on, locked.close_reason = common.today(), reason or "企业撤回申请"
        locked.save()
        audit_write(actor=actor, action="lists.a_application.cancel", obj=locked, before=before,
                    after=_application_json(locked), reason=reason)
    return locked


def a_application_inspection_opinion(*, application: AApplication, favourable: bool, opinion: str,
                                     actor) -> AApplication:
    """The inspection unit's opinion where statutory testing applies (QCO 三(五) "还应当由检验
    单位提出评价意见"): any inspection unit whose jurisdiction covers the enterprise."""
    membership = authorize(user=actor, role=Role.INSPECTION, region=application.enterprise.region)
    opinion = common.required(opinion, ListsErrorCode.REASON_REQUIRED, "请写明检验单位的评价意见")
    with transaction.atomic():
        locked = _lock_application(application)
        give = common.guard(locked, "give_inspection_opinion", "提出检验评价意见")
        before = _application_json(locked)
        give()
        locked.inspection_favourable = bool(favourable)
        locked.inspection_opinion = opinion
        locked.inspection_by, locked.inspection_unit, locked.inspection_at = actor, membership.unit, timezone.now()
        locked.save()
        notify(recipients=users_with_role(role=Role.EVALUATOR,
                                          jurisdiction=common.province_of(locked.enterprise.region)),
               subject=f"A级公示申请待省级评价：{locked.enterprise.name}",
               body=f"检验单位已提出评价意见（{'同意' if favourable else '不同意'}），请组织评价（QCO 三(五)）。")
        audit_write(actor=actor, membership=membership, action="lists.a_application.inspection_opinion",
                    obj=locked, before=before, after={**_application_json(locked), "opinion": opinion})
    return locked


def a_application_evaluate(*, application: AApplication, approved: bool, note: str = "", actor) -> AApplication:
    """The province evaluates the computed A (QCO 三(五) "由省级质检部门依照评价标准组织对计算机
    生成的A级企业进行评价"): an evaluator of the provincial unit. Approved → published for
    ``published_a_validity`` years from today (I-8). Approval needs the grade to be A still and,
    where statutory testing applies, a favourable opinion of the inspection unit; a rejection
    states its reasons."""
    enterprise = application.enterprise
    membership = authorize(user=actor, role=Role.EVALUATOR, region=enterprise.region,
                           jurisdiction=common.province_of(enterprise.region))
    note = (note or "").strip()
    if not approved:
        note = common.required(note, ListsErrorCode.REASON_REQUIRED, "评价不通过的，须写明理由")
    with transaction.atomic():
        locked = _lock_application(application)
        decide = common.guard(locked, "approve" if approved else "reject", "评价")
        before = _application_json(locked)
        on = common.today()
        entry = None
        if approved:
            grade = _grade(locked.enterprise_id)
            if grade is None or grade.grade != "A":
                raise ListsError(ListsErrorCode.NOT_GRADE_A, "该企业当前质量信用等级已不是A级，不能公示")
            if locked.inspection_required and not locked.inspection_favourable:
                raise ListsError(ListsErrorCode.INSPECTION_UNFAVOURABLE,
                                 "检验单位的评价意见为不同意，不能公示（QCO 三(五)）；请作出不通过的评价")
        decide()
        locked.evaluated_by, locked.evaluated_unit, locked.evaluated_at = actor, membership.unit, timezone.now()
        locked.evaluation_note, locked.closed_on = note, on
        locked.save()
        if approved:
            validity = common.parameter("published_a_validity", on)
            entry = PublishedA.objects.create(
                application=locked, enterprise=locked.enterprise, owner=common.bureau_of(membership.unit),
                name=locked.enterprise.name, uscc=locked.enterprise.uscc, region=locked.enterprise.region,
                published_on=on, valid_until=add_years(on, validity) - timedelta(days=1))
            publication_event_record(list_kind=LIST_KIND, kind="published", entry_key=entry.entry_key,
                                     payload=partner_fields(entry))
        notify(recipients=common.enterprise_users(locked.enterprise),
               subject=f"A级公示申请评价结果：{'通过，已公示' if approved else '未通过'}",
               body=(f"公示有效期至 {entry.valid_until.isoformat()}，期满后如需继续公示请重新申请（QCO 五(五)）。"
                     if entry else f"理由：{note}"))
        audit_write(actor=actor, membership=membership, action="lists.a_application.evaluate", obj=locked,
                    before=before, after={**_application_json(locked), "approved": bool(approved), "note": note,
                                          "published_a": _entry_json(entry) | {"id": entry.pk} if entry else None})
    return locked


# --- the published A ------------------------------------------------------------------------------


def _withdraw(entry: PublishedA, *, transition: str, exit_kind: str, reason: str, on: date) -> None:
    """The entry leaves the portal and moves to the archive (备查); partners are told with the
    public reason (the exit's label). Call inside the transaction with the entry locked."""
    getattr(entry, transition)()
    entry.exited_on, entry.exit_kind, entry.exit_reason = on, exit_kind, reason
    entry.save()
    label = PublishedA.Exit(exit_kind).label
    publication_event_record(list_kind=LIST_KIND, kind="withdrawn", entry_key=entry.entry_key,
                             payload=common.withdrawal_payload(name=entry.name, uscc=entry.uscc, category=CATEGORY,
                                                               kind_label=label, public_reason=label, on=on))


def published_a_withdraw_request(*, entry: PublishedA, reason: str = "", actor) -> PublishedA:
    """The enterprise asks to withdraw its published A: withdrawn at once (publication is
    voluntary, QCO 四(一) "根据企业自愿原则")."""
    enterprise_account(user=actor, enterprise=entry.enterprise)
    reason = common.optional(reason, max_length=REMARKS_MAX, label="撤下理由")
    with transaction.atomic():
        locked = _lock_entry(entry)
        common.guard(locked, "withdraw", "撤下")
        before = _entry_json(locked)
        _withdraw(locked, transition="withdraw", exit_kind=PublishedA.Exit.ENTERPRISE_REQUEST,
                  reason=reason or "企业申请撤下", on=common.today())
        audit_write(actor=actor, action="lists.published_a.withdraw_request", obj=locked, before=before,
                    after=_entry_json(locked), reason=reason)
    return locked


def published_a_withdraw_for_objection(*, entry: PublishedA, receipt: str, on: date) -> dict | None:
    """A well-founded objection withdraws the published A at once (SPEC §5.4). Part of the
    office's answer (its transaction, its audit event); returns what was done, or None when
    the entry is no longer public."""
    locked = _lock_entry(entry)
    if not locked.is_public:
        return None
    _withdraw(locked, transition="withdraw", exit_kind=PublishedA.Exit.OBJECTION,
              reason=f"异议 {receipt} 经核实成立", on=on)
    return {"published_a": locked.pk, "withdrawn": True}


def published_a_grade_left(*, enterprise_ids: Iterable[int] | None = None, today: date) -> dict:
    """The grade left A (SPEC §4.3): every published A of those enterprises is withdrawn at
    once and every open application ends (lapsed). ``enterprise_ids=None``: every enterprise —
    the daily reconcile. Idempotent; the system acts (``actor=None``), one transaction and
    one audit event per entry or application."""
    entries = PublishedA.objects.filter(state=PublishedA.State.PUBLISHED)
    applications = AApplication.objects.filter(state__in=AApplication.OPEN_STATES)
    if enterprise_ids is not None:
        ids = common.id_filter(enterprise_ids)
        entries, applications = entries.filter(enterprise_id__in=ids), applications.filter(enterprise_id__in=ids)
    # An enterprise without any grade is not A either.
    entries = entries.exclude(enterprise__grade_state__grade="A")
    applications = applications.exclude(enterprise__grade_state__grade="A")
    withdrawn = lapsed = 0
    for entry_id in list(entries.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = PublishedA.objects.select_for_update().select_related("enterprise", "owner").get(pk=entry_id)
            grade = _grade(locked.enterprise_id)
            if not locked.is_public or (grade is not None and grade.grade == "A"):
                continue
            before = _entry_json(locked)
            _withdraw(locked, transition="withdraw", exit_kind=PublishedA.Exit.GRADE_LEFT_A,
                      reason=f"质量信用等级变为 {grade.grade if grade else '未定级'}，A级公示即时撤下", on=today)
            notify(recipients=common.enterprise_users(locked.enterprise), subject="A级公示已撤下",
                   body="本企业质量信用等级已不是A级，A级公示已撤下（QCO 三(五) 动态管理）。")
            audit_write(actor=None, action="lists.published_a.withdraw_grade_left", obj=locked, before=before,
                        after=_entry_json(locked), reason="等级已不是A级")
            withdrawn += 1
    for application_id in list(applications.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = AApplication.objects.select_for_update().select_related("enterprise").get(pk=application_id)
            grade = _grade(locked.enterprise_id)
            if not locked.is_open or (grade is not None and grade.grade == "A"):
                continue
            before = _application_json(locked)
            locked.lapse()
            locked.closed_on, locked.close_reason = today, "质量信用等级已不是A级，申请终止"
            locked.save()
            notify(recipients=common.enterprise_users(locked.enterprise), subject="A级公示申请已终止",
                   body="本企业质量信用等级已不是A级，A级公示申请终止。")
            audit_write(actor=None, action="lists.a_application.lapse", obj=locked, before=before,
                        after=_application_json(locked), reason="等级已不是A级")
            lapsed += 1
    return {"withdrawn": withdrawn, "lapsed": lapsed}


def published_a_reconcile(*, today: date) -> dict:
    """Daily repair of the on-commit reaction: every published A and open application of an
    enterprise whose grade is not A (SPEC §4.3)."""
    return published_a_grade_left(enterprise_ids=None, today=today)


def published_a_expire_due(*, today: date) -> int:
    """Published A whose validity ended before ``today`` expire (QCO 五(五) "不搞终身制"; I-8):
    they leave the portal and move to the archive; a new application is needed."""
    expired = 0
    for entry_id in list(PublishedA.objects.filter(state=PublishedA.State.PUBLISHED, valid_until__lt=today)
                         .values_list("pk", flat=True)):
        with transaction.atomic():
            locked = PublishedA.objects.select_for_update().select_related("enterprise", "owner").get(pk=entry_id)
            if not locked.is_public or locked.valid_until >= today:
                continue
            before = _entry_json(locked)
            _withdraw(locked, transition="expire", exit_kind=PublishedA.Exit.EXPIRED,
                      reason=f"公示有效期至 {locked.valid_until.isoformat()} 届满", on=today)
            notify(recipients=common.enterprise_users(locked.enterprise), subject="A级公示有效期届满",
                   body="A级公示有效期已届满并撤下；如需继续公示，请重新申请（QCO 五(五)）。")
            audit_write(actor=None, action="lists.published_a.expire", obj=locked, before=before,
                        after=_entry_json(locked))
            expired += 1
    return expired
