"""The audit trail (SPEC §7.3, SRL 第十七条): every write and every view of confidential data.

Events are append-only (database triggers refuse UPDATE and DELETE, migration 0002) and
tamper-evident: each carries ``seq`` (1, 2, 3 … with no gaps), the hash of its predecessor
and its own hash over its canonical content (:func:`qcredit.audit.chain.event_hash`).
``qcredit audit verify`` recomputes the chain and names the first broken link: an edited
event no longer matches its hash, a deleted one leaves a gap and a predecessor hash that
matches nothing, an inserted one breaks the link of the event after it.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        WRITE = "write", "变更"
        ACCESS = "access", "查阅"

    seq = models.BigIntegerField("序号", unique=True)
    occurred_at = models.DateTimeField("时间")
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name="操作人")
    actor_name = models.CharField("操作人（记录时）", max_length=150)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="单位")
    unit_name = models.CharField("单位（记录时）", max_length=120, blank=True, default="")
    role = models.CharField("角色", max_length=16, blank=True, default="")
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200, blank=True, default="")
    # Canonical JSON text (sorted keys): exactly what the hash covers, whatever the database.
    before = models.TextField("变更前", blank=True, default="")
    after = models.TextField("变更后", blank=True, default="")
    reason = models.TextField("理由", blank=True, default="")
    client_address = models.CharField("来源地址", max_length=64)
    prev_hash = models.CharField("前序哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="auditevent_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    @property
    def before_data(self):
        return json.loads(self.before) if self.before else None

    @property
    def after_data(self):
        return json.loads(self.after) if self.after else None
