"""The hash chain of the audit trail: what an event's hash covers, and its verification.

``hash = sha256(canonical JSON of the event's content, including seq and prev_hash)``; the
first event's ``prev_hash`` is :data:`GENESIS`. Pure functions over plain values, so the
verifier reads the table with ``values_list`` and never trusts a model method.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64

# The columns an event's hash covers, in this order (see models.AuditEvent).
HASHED = ("seq", "occurred_at", "kind", "actor_id", "actor_name", "unit_id", "unit_name", "role", "action",
          "object_type", "object_id", "object_repr", "before", "after", "reason", "client_address", "prev_hash")


def canonical_json(value) -> str:
    """JSON text with sorted keys and no insignificant white space (the stored form of
    before/after, and the input of the hash)."""
    if value is None:
        return ""
    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: dict) -> str:
    content = {name: fields[name] for name in HASHED}
    content["occurred_at"] = _timestamp(content["occurred_at"])
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"事件 #{self.seq}：{self.reason}"


def verify(rows: Iterable[tuple]) -> tuple[int, str, Break | None]:
    """Walk events (tuples of ``(*HASHED, "hash")`` in ``seq`` order). Returns (events read,
    hash of the last good event, the first broken link or None)."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for row in rows:
        fields = dict(zip((*HASHED, "hash"), row, strict=True))
        seq = fields["seq"]
        if seq != expected_seq:
            reason = (f"序号应为 {expected_seq}，实为 {seq}：其前有事件被删除" if seq > expected_seq
                      else f"序号 {seq} 重复或倒序：有事件被插入")
            return count, prev_hash, Break(seq, reason)
        if fields["prev_hash"] != prev_hash:
            return count, prev_hash, Break(seq, "前序哈希与上一事件的哈希不符：链条被截断、插入或改写")
        if event_hash(fields) != fields["hash"]:
            return count, prev_hash, Break(seq, "内容与其哈希不符：事件在记录后被修改")
        prev_hash, expected_seq, count = fields["hash"], seq + 1, count + 1
    return count, prev_hash, None
