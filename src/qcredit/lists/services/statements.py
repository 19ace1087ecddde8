"""Enterprise statements beside their own public entries (SPEC §5.4 "The enterprise may attach a
short statement to its own public entry (moderated, shown as the enterprise's words)").

The enterprise submits a statement of at most ``STATEMENT_MAX_LENGTH`` characters; the office
of the bureau that owns the entry approves or rejects it (with the reason). Only an approved
statement is shown, as the enterprise's words. One current statement per entry: a new
submission replaces one still waiting; an approval replaces the statement shown before.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import authorize, enterprise_account, notify
from qcredit.archive.models import Enterprise
from qcredit.audit.services import audit_write

from ..errors import ListsError, ListsErrorCode
from ..models import STATEMENT_MAX_LENGTH, Statement
from ..targets import resolve_target
from . import common


def _statement_json(statement: Statement) -> dict:
    return {"state": statement.state, "text": statement.text, "rejection_reason": statement.rejection_reason}


def statement_submit(*, target_kind: str, target_id: int, text: str, actor) -> Statement:
    """The enterprise submits a statement for its own public entry, for moderation."""
    target = resolve_target(target_kind, target_id)
    enterprise_account(user=actor, enterprise=Enterprise(pk=target.enterprise_id))
    text = common.required(text, ListsErrorCode.REASON_REQUIRED, "声明内容不能为空", max_length=STATEMENT_MAX_LENGTH,
                           label="企业声明")
    with transaction.atomic():
        target = resolve_target(target_kind, target_id, lock=True)
        if not target.public:
            raise ListsError(ListsErrorCode.NOT_PUBLIC, "该条目已不在公开名单中，不能附加声明")
        replaced = []
        for pending in Statement.objects.select_for_update().filter(target_kind=target.kind, target_id=target.id,
                                                                    state=Statement.State.PENDING):
            pending.supersede()
            pending.save()
            replaced.append(pending.pk)
        statement = Statement.objects.create(
            target_kind=target.kind, target_id=target.id, enterprise_id=target.enterprise_id,
            owner_jurisdiction=target.owner_jurisdiction, text=text, submitted_by=actor,
            submitted_at=timezone.now())
        notify(recipients=common.office_users(target.owner_jurisdiction),
               subject=f"企业声明待审核：{target.name}（{target.label}）", body=text)
        audit_write(actor=actor, action="lists.statement.submit", obj=statement,
                    after={**_statement_json(statement), "target_kind": target.kind, "target_id": target.id,
                           "replaced_pending": replaced})
    return statement


def statement_moderate(*, statement: Statement, approved: bool, reason: str = "", actor) -> Statement:
    """The office of the owning bureau approves the statement (it is shown from now on, in
    place of the one shown before) or rejects it with the reason."""
    membership = authorize(user=actor, role=Role.OFFICE, jurisdiction=statement.owner_jurisdiction)
    reason = (reason or "").strip()
    if not approved:
        reason = common.required(reason, ListsErrorCode.REASON_REQUIRED, "审核不通过的，须写明理由",
                                 max_length=1000, label="理由")
    with transaction.atomic():
        locked = Statement.objects.select_for_update().select_related("enterprise").get(pk=statement.pk)
        decide = common.guard(locked, "approve" if approved else "reject", "审核")
        before = _statement_json(locked)
        replaced = None
        if approved:
            target = resolve_target(locked.target_kind, locked.target_id, lock=True)
            if not target.public:
                raise ListsError(ListsErrorCode.NOT_PUBLIC, "该条目已不在公开名单中，声明不再显示")
            shown = Statement.objects.select_for_update().filter(
                target_kind=locked.target_kind, target_id=locked.target_id, state=Statement.State.APPROVED).first()
            if shown is not None:
                shown.supersede()
                shown.save()
                replaced = shown.pk
        decide()
        locked.moderated_by, locked.moderated_at, locked.rejection_reason = actor, timezone.now(), reason
        locked.save()
        notify(recipients=common.enterprise_users(locked.enterprise),
               subject=f"企业声明审核结果：{'通过，已公开显示' if approved else '未通过'}",
               body="" if approved else f"理由：{reason}")
        audit_write(actor=actor, membership=membership, action="lists.statement.moderate", obj=locked,
                    before=before, after={**_statement_json(locked), "approved": bool(approved),
                                          "replaced_shown": replaced}, reason=reason)
    return locked
