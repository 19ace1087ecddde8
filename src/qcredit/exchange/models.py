"""What the public lists publish and withdraw, as events (SPEC §7.2 "every publish/withdraw is a
message with an idempotency key"). Each list app records an event in the transaction of the
publication or withdrawal itself; the outbox that pushes them to partner systems reads this
table in order."""

from __future__ import annotations

from django.db import models


class PublicationEvent(models.Model):
    class ListKind(models.TextChoices):
        REDLIST = "redlist", "质量信用红名单"
        PUBLISHED_A = "published_a", "A级（守信）企业公示"
        BLACKLIST = "blacklist", "失信黑名单"

    class Kind(models.TextChoices):
        PUBLISHED = "published", "公开"
        WITHDRAWN = "withdrawn", "撤下"

    list_kind = models.CharField("名单", max_length=16, choices=ListKind.choices)
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    # The entry's stable key in its list (e.g. "redlist:12"): a withdrawal names the
    # publication it withdraws by the same key.
    entry_key = models.CharField("名单条目", max_length=64)
    idempotency_key = models.CharField("幂等键", max_length=100, unique=True)
    # The public fields as published (SPEC §7.2 partner field set), or the withdrawal reason.
    payload = models.JSONField("内容")
    occurred_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "公开/撤下事件"
        verbose_name_plural = "公开/撤下事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["entry_key", "id"], name="publicationevent_entry")]

    def __str__(self) -> str:
        return f"{self.get_list_kind_display()} {self.entry_key} {self.get_kind_display()}"
