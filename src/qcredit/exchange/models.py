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


class Partner(models.Model):
    """A partner system that receives the pushed lists (SPEC §1 "partner system"; §7.2). Edited
    in the admin by the province's system administrators (audited); never deleted — a partner
    that no longer receives is disabled."""

    code = models.SlugField("代号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    endpoint = models.URLField("接收地址", max_length=500,
                               help_text="以 POST 方式接收 JSON 消息的地址（http 或 https）")
    token = models.CharField("访问令牌", max_length=200, blank=True, default="",
                             help_text="以 Authorization: Bearer 发送；留空则使用环境变量 QCREDIT_EXCHANGE_TOKEN_<代号>")
    enabled = models.BooleanField("启用", default=False,
                                  help_text="启用后，新的公开/撤下事件为其生成消息；停用则暂停发送，已有消息保留")
    note = models.TextField("备注", blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "合作系统"
        verbose_name_plural = "合作系统"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OutboxMessage(models.Model):
    """One publication event for one partner (the outbox, SPEC §7.2): created in the
    publishing transaction, delivered at least once by the workers, applied once by the partner
    thanks to its idempotency key. A message waits while an earlier message of the same partner
    and entry is undelivered, so a withdrawal never overtakes the publication it withdraws."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "发送失败"

    event = models.ForeignKey(PublicationEvent, on_delete=models.PROTECT, related_name="messages",
                              verbose_name="事件")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="messages", verbose_name="合作系统")
    idempotency_key = models.CharField("幂等键", max_length=150, unique=True)
    # Copied from the event, for ordering, filters and jurisdiction without a join.
    list_kind = models.CharField("名单", max_length=16, choices=PublicationEvent.ListKind.choices)
    kind = models.CharField("事件", max_length=16, choices=PublicationEvent.Kind.choices)
    entry_key = models.CharField("名单条目", max_length=64)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    name = models.CharField("主体名称", max_length=200, blank=True, default="")
    region = models.CharField("行政区划代码", max_length=6, blank=True, default="")
    payload = models.JSONField("消息内容")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("生成时间")
    next_attempt_at = models.DateTimeField("下次发送时间")
    attempts = models.PositiveIntegerField("累计发送次数", default=0)
    # Consecutive failures since creation or the last manual retry: the backoff exponent, and
    # the message fails when it reaches the maximum.
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    last_status = models.PositiveIntegerField("最近响应码", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True, default="")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    failed_at = models.DateTimeField("失败时间", null=True, blank=True)
    # A worker's claim: nobody else sends the message until the claim ends or runs out.
    lease_token = models.CharField("领取标识", max_length=80, blank=True, default="")
    leased_until = models.DateTimeField("领取至", null=True, blank=True)

    class Meta:
        verbose_name = "推送消息"
        verbose_name_plural = "推送消息"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["event", "partner"], name="outboxmessage_event_partner")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outboxmessage_due"),
            models.Index(fields=["partner", "entry_key", "event"], name="outboxmessage_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.partner_id} {self.entry_key} {self.get_kind_display()}"


class DeliveryAttempt(models.Model):
    """One try to deliver a message: the delivery log (SPEC §7.2 "with a delivery log")."""

    class Outcome(models.TextChoices):
        SENDING = "sending", "发送中"
        DELIVERED = "delivered", "送达"
        RETRY = "retry", "稍后重试"
        FAILED = "failed", "失败（需人工处理）"
        INTERRUPTED = "interrupted", "中断（结果未记录）"

    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="delivery_attempts",
                                verbose_name="消息")
    number = models.PositiveIntegerField("第几次")
    started_at = models.DateTimeField("开始时间")
    duration_ms = models.PositiveIntegerField("用时（毫秒）")
    status_code = models.PositiveIntegerField("响应码", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    error = models.TextField("错误", blank=True, default="")
    response_excerpt = models.TextField("响应摘录", blank=True, default="")
    worker = models.CharField("发送进程", max_length=120, blank=True, default="")

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"#{self.message_id}/{self.number} {self.get_outcome_display()}"
