"""Writes to the quality archive (SPEC §3): register an enterprise, add, correct and withdraw
records. Each is one transaction; the archive is append-only, so a correction inserts a new
version and a withdrawal a withdrawn version, each with who, when and why. The incremental
regrade (SPEC §4.3) runs inside the same transaction through :data:`signals.archive_changed`.

Who may write (SPEC §1): a division (提报处室) maintains the archive of the enterprises in its
unit's jurisdiction; a reviewer (复核人员) may also correct or withdraw a record when a D
re-check finds the facts wrong (SPEC §5.3). ``actor=None`` is the system itself (the CLI,
imports, the demo). Every write carries its audit event in the same transaction (SPEC §7.3).
"""

from __future__ import annotations

import enum

from django.db import transaction
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import authorize
from qcredit.audit.services import audit_write

from .bundle import BundleError, Problem, validate_enterprise, validate_record
from .columns import enterprise_columns, record_columns, record_content, record_to_bundle
from .models import Enterprise, Record
from .signals import archive_changed


class ArchiveErrorCode(enum.Enum):
    NOT_ALLOWED = "not_allowed"
    NOT_CURRENT = "not_current"
    REASON_REQUIRED = "reason_required"
    DUPLICATE = "duplicate"
    WRONG_ENTERPRISE = "wrong_enterprise"
    UNCHANGED = "unchanged"


class ArchiveError(Exception):
    def __init__(self, code: ArchiveErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _authorize(actor, region: str, roles=(Role.DIVISION,)):
    """The membership the actor writes by (None for the system); raises AccessDenied."""
    return None if actor is None else authorize(user=actor, role=roles, region=region)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ArchiveError(ArchiveErrorCode.REASON_REQUIRED, "更正或撤回档案记录必须说明理由")
    return reason


def enterprise_register(*, data: dict, actor=None) -> Enterprise:
    """Register a new enterprise from bundle-shaped ``data`` (SPEC §2)."""
    item = validate_enterprise(data)
    membership = _authorize(actor, item["region"])
    with transaction.atomic():
        if Enterprise.objects.filter(uscc=item["uscc"]).exists():
            raise ArchiveError(ArchiveErrorCode.DUPLICATE, f"统一社会信用代码 {item['uscc']} 的企业已在档案中")
        enterprise = Enterprise.objects.create(uscc=item["uscc"], **enterprise_columns(item))
        archive_changed.send(sender=Enterprise, enterprise_ids=[enterprise.id], cause="企业建档", actor=actor)
        audit_write(actor=actor, membership=membership, action="archive.enterprise.register", obj=enterprise,
                    after=item)
    return enterprise


def record_add(*, enterprise: Enterprise, data: dict, actor=None, via: str = "manual") -> Record:
    """Add a record to an enterprise's archive; ``data`` is a bundle record (SPEC §3.1)."""
    membership = _authorize(actor, enterprise.region)
    item = validate_record({"uscc": enterprise.uscc, **data})
    if item["uscc"] != enterprise.uscc:
        raise BundleError([Problem("record.uscc", f"记录的统一社会信用代码 {item['uscc']} 不是本企业的")])
    with transaction.atomic():
        if Record.objects.filter(source=item["source"], record_id=item["id"]).exists():
            raise ArchiveError(ArchiveErrorCode.DUPLICATE,
                               f"记录单位“{item['source']}”的记录编号“{item['id']}”已存在；如需修改请更正该记录")
        record = Record.objects.create(
            enterprise=enterprise, record_id=item["id"], source=item["source"], **record_columns(item),
            version=1, recorded_at=timezone.now(), recorded_by=actor, recorded_via=via,
        )
        archive_changed.send(sender=Record, enterprise_ids=[enterprise.id],
                             cause=f"新增记录 {record.source}/{record.record_id}", actor=actor)
        audit_write(actor=actor, membership=membership, action="archive.record.add", obj=record, after=item)
    return record


def _lock_current(record: Record) -> Record:
    current = Record.objects.select_for_update().get(pk=record.pk)
    if current.superseded_at is not None or current.withdrawn:
        raise ArchiveError(ArchiveErrorCode.NOT_CURRENT, "只能更正或撤回记录的现行版本")
    return current


def _new_version(current: Record, content: dict, *, withdrawn: bool, reason: str, actor, via: str) -> Record:
    now = timezone.now()
    # Stamp the old version first: at most one current version per (source, id).
    Record.objects.filter(pk=current.pk, superseded_at__isnull=True).update(superseded_at=now)
    return Record.objects.create(
        enterprise_id=current.enterprise_id, record_id=current.record_id, source=current.source, **content,
        version=current.version + 1, supersedes=current, withdrawn=withdrawn, reason=reason,
        recorded_at=now, recorded_by=actor, recorded_via=via,
    )


def record_correct(*, record: Record, data: dict, reason: str, actor=None, via: str = "manual") -> Record:
    """Correct a record: a new version with the corrected content supersedes the current one.
    ``data`` holds the fields to change (bundle names); ``id``, ``source`` and ``uscc`` stay."""
    membership = _authorize(actor, record.enterprise.region, (Role.DIVISION, Role.REVIEWER))
    reason = _reason(reason)
    with transaction.atomic():
        current = _lock_current(record)
        item = record_to_bundle(current, current.enterprise.uscc)
        before = dict(item)
        for key in ("id", "source", "uscc"):
            if key in data and data[key] != item[key]:
                raise ArchiveError(ArchiveErrorCode.WRONG_ENTERPRISE,
                                   "更正不能改变记录编号、记录单位或企业；请撤回后重新录入")
        if "kind" in data and data["kind"] != item["kind"]:
            item = {k: item[k] for k in ("id", "uscc", "source", "date", "ref", "note") if k in item}
        item.update(data)
        content = record_columns(validate_record(item))
        if content == record_content(current):
            raise ArchiveError(ArchiveErrorCode.UNCHANGED, "更正后的内容与现行版本相同")
        new = _new_version(current, content, withdrawn=False, reason=reason, actor=actor, via=via)
        archive_changed.send(sender=Record, enterprise_ids=[current.enterprise_id],
                             cause=f"更正记录 {current.source}/{current.record_id}", actor=actor)
        audit_write(actor=actor, membership=membership, action="archive.record.correct", obj=new, before=before,
                    after=record_to_bundle(new, current.enterprise.uscc), reason=reason)
    return new


def record_withdraw(*, record: Record, reason: str, actor=None, via: str = "manual") -> Record:
    """Withdraw a record: a withdrawn version supersedes the current one (nothing is deleted)."""
    membership = _authorize(actor, record.enterprise.region, (Role.DIVISION, Role.REVIEWER))
    reason = _reason(reason)
    with transaction.atomic():
        current = _lock_current(record)
        new = _new_version(current, record_content(current), withdrawn=True, reason=reason, actor=actor, via=via)
        archive_changed.send(sender=Record, enterprise_ids=[current.enterprise_id],
                             cause=f"撤回记录 {current.source}/{current.record_id}", actor=actor)
        audit_write(actor=actor, membership=membership, action="archive.record.withdraw", obj=new,
                    before={"withdrawn": False}, after={"withdrawn": True}, reason=reason)
    return new
