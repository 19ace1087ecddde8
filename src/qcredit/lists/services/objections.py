"""Objections (异议) to public entries (SPEC §5.4; QCO 五(五) "自觉接受社会监督").

Anyone — no account needed — objects to a red-list entry, a published A or a black-list entry,
with name, contact, reasons and attachments, and receives a receipt number to follow the
status (:func:`qcredit.lists.selectors.objection_status_public`). The office of the bureau
that owns the entry assigns it to one of its staff, who investigates and answers within
``objection_answer_deadline`` working days (I-9), counted on the official calendar from the
day it was lodged (not counted). A well-founded objection leads to correction or removal
through the entry's own route, in the answer's transaction:

- red-list entry → a removal item for the list's meeting (SRL 第十四条(一));
- published A → withdrawn at once;
- black-list entry → withdrawn at once (the facts exposed were found wrong) and, while the
  enterprise is still D, a new re-check for the reviewer to correct the archive and decide
  afresh (SPEC §5.3).
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import authorize, has_role, notify
from qcredit.audit.services import audit_write
from qcredit.workdays.calendar import add_workdays

from ..errors import ListsError, ListsErrorCode
from ..models import Objection, ObjectionAttachment, TargetKind
from ..targets import resolve_target
from . import common

NAME_MAX = 100
CONTACT_MAX = 200
REASONS_MAX = 5000
ANSWER_MAX = 5000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Accepted attachment types, told by their first bytes (not by the name a client sends).
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
# The random part of a receipt: no 0/O, 1/I/L (read aloud on the phone); 8 characters ≈ 40 bits.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_RANDOM = 8


def receipt_number(*, lodged_on: date, serial: int) -> str:
    """``YY-2026-000123-7KQ4M2XP``: 异议 (YY), the year, a serial, and a random part, so that
    knowing one's own receipt tells nothing about anyone else's."""
    random_part = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_RANDOM))
    return f"YY-{lodged_on.year}-{serial:06d}-{random_part}"


def normalize_receipt(receipt: str) -> str:
    return (receipt or "").strip().upper()


def _objection_json(objection: Objection) -> dict:
    return {"state": objection.state, "outcome": objection.outcome, "due_on": objection.due_on,
            "assignee": objection.assignee.get_username() if objection.assignee_id else None,
            "answered_on": objection.answered_on}


def _check_attachments(attachments: list) -> list[tuple[object, str, str]]:
    """(file, original name, content type) for each attachment, or ATTACHMENT_REFUSED."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise ListsError(ListsErrorCode.ATTACHMENT_REFUSED, f"附件最多 {MAX_ATTACHMENTS} 个")
    checked = []
    for upload in attachments:
        name = os.path.basename(getattr(upload, "name", "") or "附件")[:200]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in ATTACHMENT_TYPES:
            raise ListsError(ListsErrorCode.ATTACHMENT_REFUSED,
                             f"附件“{name}”的类型不受理；仅接受 PDF、JPG、PNG 文件")
        size = getattr(upload, "size", None)
        if size is None or size > MAX_ATTACHMENT_BYTES:
            raise ListsError(ListsErrorCode.ATTACHMENT_REFUSED,
                             f"附件“{name}”超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        if size == 0:
            raise ListsError(ListsErrorCode.ATTACHMENT_REFUSED, f"附件“{name}”是空文件")
        magic, content_type = ATTACHMENT_TYPES[extension]
        upload.seek(0)
        head = upload.read(len(magic))
        upload.seek(0)
        if head != magic:
            raise ListsError(ListsErrorCode.ATTACHMENT_REFUSED, f"附件“{name}”的内容与其类型不符")
        checked.append((upload, name, content_type))
    return checked


def objection_lodge(*, target_kind: str, target_id: int, name: str, contact: str, reasons: str,
                    attachments: Iterable = (), actor=None) -> Objection:
    """Anyone objects to a public entry (``actor``: the logged-in user, or None for the public).
    The answer is due ``objection_answer_deadline`` working days after today (I-9); a year
    without a loaded holiday schedule stops the lodging with an error naming the year."""
    name = common.required(name, ListsErrorCode.CONTACT_REQUIRED, "请填写异议人姓名或名称", max_length=NAME_MAX,
                           label="异议人")
    contact = common.required(contact, ListsErrorCode.CONTACT_REQUIRED, "请填写联系方式，以便答复",
                              max_length=CONTACT_MAX, label="联系方式")
    reasons = common.required(reasons, ListsErrorCode.REASON_REQUIRED, "请写明异议理由", max_length=REASONS_MAX,
                              label="异议理由")
    checked = _check_attachments(list(attachments))
    if actor is not None and not actor.is_authenticated:
        actor = None
    with transaction.atomic():
        target = resolve_target(target_kind, target_id, lock=True)
        if not target.public:
            raise ListsError(ListsErrorCode.NOT_PUBLIC, "该条目已不在公开名单中，不能提出异议")
        on = common.today()
        deadline = common.parameter("objection_answer_deadline", on)
        due_on = add_workdays(on, deadline)  # MissingHolidayYear propagates: never a guess
        objection = Objection.objects.create(
            receipt=f"pending-{uuid.uuid4().hex[:20]}", target_kind=target.kind, target_id=target.id,
            enterprise_id=target.enterprise_id, owner_jurisdiction=target.owner_jurisdiction,
            objector_name=name, objector_contact=contact, reasons=reasons, lodged_by=actor,
            lodged_at=timezone.now(), lodged_on=on, deadline_workdays=deadline, due_on=due_on)
        objection.receipt = receipt_number(lodged_on=on, serial=objection.pk)
        objection.save(update_fields=["receipt"])
        for upload, original_name, content_type in checked:
            attachment = ObjectionAttachment(objection=objection, original_name=original_name,
                                             content_type=content_type, size=upload.size)
            extension = original_name.rsplit(".", 1)[-1].lower()
            attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
            attachment.save()
        notify(recipients=common.office_users(target.owner_jurisdiction),
               subject=f"新的异议待分办：{target.name}（{target.label}）",
               body=f"受理编号 {objection.receipt}，请于 {due_on.isoformat()} 前答复（{deadline} 个工作日）。")
        audit_write(actor=actor, action="lists.objection.lodge", obj=objection,
                    after={**_objection_json(objection), "receipt": objection.receipt, "target_kind": target.kind,
                           "target_id": target.id, "enterprise": target.uscc, "objector": name,
                           "attachments": [n for _, n, _ in checked], "lodged_on": on,
                           "channel": "account" if actor else "public"})
    return objection


def _office(actor, objection: Objection):
    return authorize(user=actor, role=Role.OFFICE, jurisdiction=objection.owner_jurisdiction)


def _lock(objection: Objection) -> Objection:
    return Objection.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=objection.pk)


def objection_assign(*, objection: Objection, assignee, actor) -> Objection:
    """The office of the owning bureau assigns the objection to one of its staff (again, to
    re-assign) for investigation."""
    membership = _office(actor, objection)
    if not has_role(user=assignee, role=Role.OFFICE, jurisdiction=objection.owner_jurisdiction):
        raise ListsError(ListsErrorCode.ASSIGNEE_NOT_OFFICE, "承办人须为承办单位领导小组办公室的工作人员")
    with transaction.atomic():
        locked = _lock(objection)
        assign = common.guard(locked, "assign", "分办")
        before = _objection_json(locked)
        assign()
        locked.assignee, locked.assigned_at = assignee, timezone.now()
        locked.save()
        notify(recipients=[assignee], subject=f"异议承办：{locked.receipt}",
               body=f"请调查核实并于 {locked.due_on.isoformat()} 前答复。")
        audit_write(actor=actor, membership=membership, action="lists.objection.assign", obj=locked, before=before,
                    after=_objection_json(locked))
    return locked


def _route(objection: Objection, on: date, actor) -> dict:
    """What a well-founded objection leads to, by the kind of entry (see the module doc)."""
    target = resolve_target(objection.target_kind, objection.target_id, lock=True)
    if not target.public:
        return {"kind": objection.target_kind, "done": None, "note": "条目已不在公开名单中"}
    if objection.target_kind == TargetKind.REDLIST:
        from qcredit.redlist.services import removal_item_open  # sibling app, imported where needed

        item = removal_item_open(entry=target.entry, route="objection",
                                 reason=f"异议 {objection.receipt} 经核实成立：{objection.answer}",
                                 reference=objection.receipt, actor=actor)
        return {"kind": objection.target_kind, "done": {"removal_item": item.pk}}
    if objection.target_kind == TargetKind.PUBLISHED_A:
        from .published_a import published_a_withdraw_for_objection

        return {"kind": objection.target_kind,
                "done": published_a_withdraw_for_objection(entry=target.entry, receipt=objection.receipt, on=on)}
    from .blacklist import blacklist_withdraw_for_objection

    return {"kind": objection.target_kind,
            "done": blacklist_withdraw_for_objection(entry=target.entry, receipt=objection.receipt, on=on)}


def objection_answer(*, objection: Objection, well_founded: bool, answer: str, actor) -> Objection:
    """The assignee answers (office of the owning bureau): well-founded or unfounded, with the
    answer the objector reads. A well-founded objection takes its route in this transaction."""
    membership = _office(actor, objection)
    answer = common.required(answer, ListsErrorCode.REASON_REQUIRED, "请写明答复内容", max_length=ANSWER_MAX,
                             label="答复")
    with transaction.atomic():
        locked = _lock(objection)
        answer_objection = common.guard(locked, "answer_objection", "答复")
        if locked.assignee_id != actor.pk:
            raise ListsError(ListsErrorCode.NOT_ASSIGNEE, "异议由承办人答复；请先分办给本人")
        before = _objection_json(locked)
        on = common.today()
        answer_objection()
        locked.outcome = Objection.Outcome.WELL_FOUNDED if well_founded else Objection.Outcome.UNFOUNDED
        locked.answer, locked.answered_by, locked.answered_on = answer, actor, on
        locked.route = _route(locked, on, actor) if well_founded else {}
        locked.save()
        if well_founded:
            notify(recipients=common.enterprise_users(locked.enterprise),
                   subject="针对本企业公开信息的异议经核实成立", body=f"受理编号 {locked.receipt}。{answer}")
        audit_write(actor=actor, membership=membership, action="lists.objection.answer", obj=locked, before=before,
                    after={**_objection_json(locked), "answer": answer, "route": locked.route})
    return locked


def objections_flag_overdue(*, today: date) -> int:
    """Objections not answered by their due date are flagged once to the office of the owning
    bureau and the assignee (SPEC §5.4). Daily and on working-day mornings; idempotent."""
    flagged = 0
    for objection_id in list(Objection.objects.filter(state__in=Objection.OPEN_STATES, due_on__lt=today,
                                                      overdue_flagged_at__isnull=True).values_list("pk", flat=True)):
        with transaction.atomic():
            locked = Objection.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=objection_id)
            if locked.state not in Objection.OPEN_STATES or locked.overdue_flagged_at or locked.due_on >= today:
                continue
            before = _objection_json(locked)
            locked.overdue_flagged_at = timezone.now()
            locked.save(update_fields=["overdue_flagged_at"])
            recipients = common.office_users(locked.owner_jurisdiction)
            if locked.assignee_id:
                recipients.append(locked.assignee)
            notify(recipients=recipients, subject=f"异议逾期未答复：{locked.receipt}",
                   body=f"答复期限为 {locked.due_on.isoformat()}（{locked.deadline_workdays} 个工作日），已逾期。")
            audit_write(actor=None, action="lists.objection.flag_overdue", obj=locked, before=before,
                        after={**_objection_json(locked), "overdue_flagged_at": locked.overdue_flagged_at})
            flagged += 1
    return flagged
