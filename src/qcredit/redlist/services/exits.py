"""Leaving the list (SRL 第十三、十四、十五条), always with a reason.

- A violation during publication opens a :class:`RevocationReview` for the submitting division,
  due ``redlist_revocation_deadline`` working days after the obligation arose (SRL 第十三条);
  it is found on commit of every grading run that changed a listed subject's result
  (:mod:`qcredit.redlist.receivers`) and, idempotently, by the daily
  :func:`revocation_reviews_reconcile`. Overdue proposals are flagged to the office daily.
- An objection found well-founded, a blacklisting, or changed rules open a :class:`RemovalItem`
  (SRL 第十四条(一)(二)(四)) through :func:`removal_item_open`.
- The end of the publication period expires the entry (第十四条(三)、第十五条), daily.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import authorize, notify
from qcredit.audit.services import audit_write
from qcredit.rules import RuleSet
from qcredit.workdays.calendar import add_workdays, workdays_between

from ..eligibility import evaluate_enterprises, ruleset_in_force, violations_since
from ..errors import RedListError, RedListErrorCode
from ..models import Entry, RemovalItem, RevocationReview
from .common import division_users, end_entry, entry_json, guard, list_users, nominating_division, required
from .nominations import not_eligible_message

PROVINCE = "37"


# --- violations during publication (SRL 第十三条) -------------------------------------------------


def _listed(on: date):
    """Entries public on ``on`` (the period not yet over, whether or not the daily expiry ran)."""
    return Entry.objects.filter(state=Entry.State.PUBLISHED, published_on__lte=on, valid_until__gte=on)


def _review_json(review: RevocationReview) -> dict:
    return {"state": review.state, "entry": review.entry_id, "unit": review.unit_id, "findings": review.findings,
            "detected_on": review.detected_on, "arose_on": review.arose_on,
            "deadline_workdays": review.deadline_workdays, "due_on": review.due_on}


def _open_review(entry_id: int, evaluation, on: date) -> RevocationReview | None:
    with transaction.atomic():
        entry = Entry.objects.select_for_update(of=("self",)).select_related("nomination__unit", "redlist__owner").get(
            pk=entry_id)
        if entry.state != Entry.State.PUBLISHED or RevocationReview.objects.filter(
                entry=entry, state__in=RevocationReview.OPEN_STATES).exists():
            return None
        violation = violations_since(entry.baseline, evaluation)
        if not violation:
            return None
        arose_on = violation.arose_on(on, entry.baseline_on)
        days = ruleset_in_force(arose_on).parameter_values(arose_on)["redlist_revocation_deadline"]
        review = RevocationReview.objects.create(
            entry=entry, unit=entry.nomination.unit, findings=violation.as_json(evaluation), detected_on=on,
            arose_on=arose_on, deadline_workdays=days, due_on=add_workdays(arose_on, days))
        notify(recipients=division_users(review.unit),
               subject=f"红名单主体出现违法违规情形：{entry.name}，请于 {review.due_on.isoformat()} 前提出是否撤销的建议",
               body=f"依据 SRL 第十三条，提报单位应在{days}个工作日内提出是否撤销的建议报领导小组研究。")
        audit_write(actor=None, action="redlist.revocation_review.open", obj=review, after=_review_json(review),
                    reason="公开期间出现违法违规情形（SRL 第十三条）")
    return review


def revocation_reviews_reconcile(*, today: date, enterprise_ids: Iterable[int] | None = None) -> list[RevocationReview]:
    """Open a revocation review for every listed subject with a violation since its baseline
    (a new C/D criterion, a failing 第九条 condition, a lower grade, or a new adverse archive
    record), evaluated as of ``today``; idempotent (one open review per entry). Run daily and
    on commit of grading runs (``enterprise_ids``: only those)."""
    entries = _listed(today).annotate(under_review=Exists(RevocationReview.objects.filter(
        entry=OuterRef("pk"), state__in=RevocationReview.OPEN_STATES))).filter(under_review=False)
    if enterprise_ids is not None:
        entries = entries.filter(enterprise_id__in=list(enterprise_ids))
    pairs = list(entries.values_list("pk", "enterprise_id"))
    if not pairs:
        return []
    evaluations = evaluate_enterprises({e for _, e in pairs}, today)
    opened = []
    for entry_id, enterprise_id in pairs:
        review = _open_review(entry_id, evaluations[enterprise_id], today)
        if review is not None:
            opened.append(review)
    return opened


def revocation_review_propose(*, review: RevocationReview, revoke: bool, reasons: str, actor) -> RevocationReview:
    """The submitting division proposes whether to revoke (SRL 第十三条), with its reasons."""
    entry = review.entry
    membership = nominating_division(actor, entry.redlist, entry.enterprise, review.unit)
    reasons = required(reasons, RedListErrorCode.REASON_REQUIRED, "提出是否撤销的建议须说明理由")
    with transaction.atomic():
        locked = RevocationReview.objects.select_for_update().get(pk=review.pk)
        guard(locked, "propose", "提出建议")()
        locked.revoke_proposed, locked.proposal = bool(revoke), reasons
        locked.proposed_by, locked.proposed_at = actor, timezone.now()
        locked.save()
        late = locked.proposed_at.date() > locked.due_on
        notify(recipients=list_users(Role.OFFICE, entry.redlist),
               subject=f"撤销建议待会议研究：{entry.name}（建议{'撤销' if revoke else '保留'}）", body=reasons)
        audit_write(actor=actor, membership=membership, action="redlist.revocation_review.propose", obj=locked,
                    before={"state": RevocationReview.State.OPEN.value},
                    after={"state": locked.state, "revoke": bool(revoke), "due_on": locked.due_on, "late": late},
                    reason=reasons)
    return locked


def revocation_reviews_flag_overdue(*, today: date) -> int:
    """Daily: every review still without a proposal after its due day is flagged once, and the
    office of the list (and the division) told. Returns how many were flagged."""
    flagged = 0
    due = RevocationReview.objects.filter(state=RevocationReview.State.OPEN, due_on__lt=today,
                                          overdue_flagged_at__isnull=True).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            review = RevocationReview.objects.select_for_update(of=("self",)).select_related("entry__redlist__owner", "unit").get(
                pk=pk)
            if review.state != RevocationReview.State.OPEN or review.overdue_flagged_at is not None:
                continue
            review.flag_overdue()
            review.overdue_flagged_at = timezone.now()
            review.save()
            overdue = workdays_between(review.due_on, today)
            entry = review.entry
            subject = f"撤销建议逾期：{entry.name}（{review.unit}，期限 {review.due_on.isoformat()}）"
            body = f"提报单位未在期限内提出是否撤销的建议（SRL 第十三条），已逾期 {overdue} 个工作日。"
            notify(recipients=[*list_users(Role.OFFICE, entry.redlist), *division_users(review.unit)],
                   subject=subject, body=body)
            audit_write(actor=None, action="redlist.revocation_review.flag_overdue", obj=review,
                        before={"overdue_flagged": False},
                        after={"overdue_flagged": True, "due_on": review.due_on, "overdue_workdays": overdue})
            flagged += 1
    return flagged


# --- removal items (SRL 第十四条) ----------------------------------------------------------------


def _removal_actor(actor, route: RemovalItem.Route, entry: Entry):
    """Who may open a removal item, per route; ``None`` is the system (another app's service
    that has authorised its own user)."""
    if actor is None:
        return None
    if route == RemovalItem.Route.OBJECTION:  # the office that handles objections to its list
        return authorize(user=actor, role=Role.OFFICE, jurisdiction=entry.redlist.jurisdiction)
    if route == RemovalItem.Route.BLACKLISTED:  # whoever confirmed the D re-check (SPEC §5.3)
        return authorize(user=actor, role=(Role.REVIEWER, Role.OFFICE), region=entry.region)
    return authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)  # rule-set versions


def removal_item_open(*, entry: Entry, route: str, reason: str, reference: str = "", actor=None) -> RemovalItem:
    """Open an item for the meeting to decide whether to remove a listed subject (SRL 第十四条):
    route ``objection`` (异议处理认定有误), ``blacklisted`` (列入黑名单), ``ruleset`` (认定标准
    改变). Idempotent per (entry, route, reference): the same call again returns the item
    already opened, whatever became of it."""
    try:
        route = RemovalItem.Route(route)
    except ValueError:
        raise RedListError(RedListErrorCode.UNKNOWN_ROUTE, f"未知的删除途径：{route}") from None
    membership = _removal_actor(actor, route, entry)
    reason = required(reason, RedListErrorCode.REASON_REQUIRED, "删除事项须说明理由")
    reference = (reference or "").strip()[:100]
    with transaction.atomic():
        locked = Entry.objects.select_for_update(of=("self",)).select_related("redlist__owner").get(pk=entry.pk)
        existing = RemovalItem.objects.filter(entry=locked, route=route, reference=reference).first()
        if existing is not None:
            return existing
        if locked.state != Entry.State.PUBLISHED:
            raise RedListError(RedListErrorCode.NOT_PUBLISHED, f"{locked.name}已不在名单中（{locked.get_state_display()}）")
        item = RemovalItem.objects.create(entry=locked, route=route, reason=reason, reference=reference,
                                          opened_by=actor)
        notify(recipients=list_users(Role.OFFICE, locked.redlist),
               subject=f"红名单删除事项待会议研究：{locked.name}（{route.label}）", body=reason)
        audit_write(actor=actor, membership=membership, action="redlist.removal_item.open", obj=item,
                    after={"entry": locked.pk, "route": route.value, "reference": reference, "state": item.state},
                    reason=reason)
    return item


def _not_eligible_under(ruleset: RuleSet, as_of: date) -> list[tuple[Entry, object]]:
    entries = list(_listed(as_of).select_related("redlist__owner"))
    evaluations = evaluate_enterprises({e.enterprise_id for e in entries}, as_of, ruleset)
    return [(e, evaluations[e.enterprise_id]) for e in entries
            if not evaluations[e.enterprise_id].redlist.eligible]


def ruleset_recheck_preview(*, ruleset: RuleSet, as_of: date) -> list[Entry]:
    """The listed subjects that would no longer qualify under ``ruleset`` as of ``as_of``
    (SPEC §6 impact preview). Writes nothing; each entry carries ``recheck_unmet``."""
    out = []
    for entry, evaluation in _not_eligible_under(ruleset, as_of):
        entry.recheck_unmet = tuple(evaluation.redlist.unmet)
        out.append(entry)
    return out


def ruleset_recheck(*, ruleset: RuleSet, as_of: date, actor=None) -> list[RemovalItem]:
    """On activation of a rule-set version (SRL 第十四条(四)): every listed subject that no
    longer qualifies under ``ruleset`` gets a removal item (route ``ruleset``, reference the
    version). Idempotent. Returns the items, new or already open."""
    if actor is not None:
        authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)
    items = []
    for entry, evaluation in _not_eligible_under(ruleset, as_of):
        reason = (f"依规则版本 {ruleset.version}（{as_of.isoformat()}）重新核查："
                  + not_eligible_message(entry.name, evaluation.redlist.unmet).split("：", 1)[1])
        items.append(removal_item_open(entry=entry, route=RemovalItem.Route.RULESET, reason=reason,
                                       reference=ruleset.version, actor=actor))
    return items


# --- expiry (SRL 第十四条(三)、第十五条) -------------------------------------------------------------


def redlist_expire_due(*, today: date) -> int:
    """Daily: every entry whose publication period ended before ``today`` expires: it leaves
    every public place and moves to the archive (备查库). Returns how many expired."""
    expired = 0
    due = Entry.objects.filter(state=Entry.State.PUBLISHED, valid_until__lt=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            entry = Entry.objects.select_for_update().get(pk=pk)
            if entry.state != Entry.State.PUBLISHED or entry.valid_until >= today:
                continue
            before = entry_json(entry)
            reason = f"公开期限于 {entry.valid_until.isoformat()} 届满，停止公布并转入备查数据库（SRL 第十二、十五条）"
            ended = end_entry(entry, "expire", on=today, reason=reason,
                              public_reason="公开期限届满（SRL 第十四条(三)、第十五条）")
            audit_write(actor=None, action="redlist.entry.expire", obj=entry, before=before,
                        after={**entry_json(entry), "ended": ended}, reason=reason)
            expired += 1
    return expired


def redlist_daily(*, today: date | None = None) -> dict:
    """The red list's daily jobs, in order: expiry, violations missed on commit, overdue flags."""
    from . import common

    day = today or common.today()
    expired = redlist_expire_due(today=day)
    opened = revocation_reviews_reconcile(today=day)
    flagged = revocation_reviews_flag_overdue(today=day)
    return {"today": day.isoformat(), "expired": expired, "reviews_opened": len(opened), "overdue_flagged": flagged}

