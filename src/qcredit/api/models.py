"""Partner API clients, their call log and the record batches they push (SPEC §1 "partner
system", §7.2 "a query API for partner departments: by USCC, token-scoped, rate-limited, every
call logged"; QCO 五(三) dynamic collection of quality information from other systems).

A client holds one token, stored as its SHA-256 (the token is shown once, when it is issued).
Its scopes say what it may do (:class:`Scope`). Each client has its own inactive Django user,
never able to log in, so that the audit trail names the client as the actor of what it reads
and writes (SPEC §7.3 "who").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qcredit.accounts.models import validate_jurisdiction


class Scope(models.TextChoices):
    """What a token may do (docs/api.md §2)."""

    PUBLIC = "public", "公开信息（与公示网站相同）"
    INTERNAL_GRADE = "internal-grade", "内部信用等级（机密信息，每次查询记入审计日志）"
    INTAKE = "intake", "报送档案记录（企业和产品质量信息动态采集）"


class ApiClient(models.Model):
    code = models.SlugField("代号", max_length=24, unique=True,
                            help_text="小写字母、数字和连字符；记入档案记录的录入途径（api:代号）")
    name = models.CharField("名称", max_length=120, help_text="合作部门或系统的名称，如 信用中国（山东）")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client",
                                verbose_name="审计身份", editable=False)
    # Space-separated Scope values (OAuth style), e.g. "public internal-grade".
    scopes = models.CharField("权限范围", max_length=100, default=Scope.PUBLIC)
    jurisdiction = models.CharField("授权区域（行政区划代码前缀）", max_length=6, default="37",
                                    validators=[validate_jurisdiction],
                                    help_text="内部等级查询和档案报送只限此区域的企业；公开信息不受限")
    sources = models.TextField("可报送的记录单位（source）", blank=True, default="",
                               help_text="每行一个；报送的每条记录的 source 必须是其中之一")
    may_register_enterprises = models.BooleanField(
        "可登记和更新企业信息", default=False,
        help_text="勾选后，报送的企业信息可新增企业或更新档案中的企业登记信息；否则只能报送档案中已有企业的记录")
    active = models.BooleanField("启用", default=True, help_text="停用后令牌立即失效")
    note = models.TextField("备注", blank=True, default="")
    token_prefix = models.CharField("令牌前缀", max_length=16, unique=True, null=True, blank=True, editable=False)
    token_hash = models.CharField("令牌摘要（SHA-256）", max_length=64, blank=True, default="", editable=False)
    token_issued_at = models.DateTimeField("令牌签发时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split() if s in Scope.values]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    @property
    def channel(self) -> str:
        """The ``recorded_via`` of the archive records it pushes (at most 32 characters)."""
        return f"api:{self.code}"


class ApiCall(models.Model):
    """One call of the partner API (SPEC §7.2 "every call logged"): who, what, the answer,
    when, from where. Confidential reads and writes are in the audit trail as well."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="calls",
                               verbose_name="客户端")
    token_prefix = models.CharField("所用令牌前缀", max_length=16, blank=True, default="")
    occurred_at = models.DateTimeField("时间")
    method = models.CharField("方法", max_length=8)
    path = models.CharField("路径", max_length=300)
    query = models.CharField("查询参数", max_length=300, blank=True, default="")
    scope = models.CharField("权限范围", max_length=16, blank=True, default="")
    status = models.PositiveSmallIntegerField("状态码")
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    client_address = models.CharField("来源地址", max_length=64)

    class Meta:
        verbose_name = "接口调用记录"
        verbose_name_plural = "接口调用记录"
        ordering = ["-occurred_at", "-id"]
        # The rate limit counts a client's recent calls of one scope (throttling.py).
        indexes = [models.Index(fields=["client", "scope", "occurred_at"], name="apicall_client_scope_time")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class IntakeBatch(models.Model):
    """A batch of archive records pushed by a client (POST /api/v1/intake/batches/), accepted
    (imported in one transaction) or rejected (nothing written; the problems are kept)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "已接收"
        REJECTED = "rejected", "已拒收"

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="batches", verbose_name="客户端")
    received_at = models.DateTimeField("接收时间")
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    digest = models.CharField("内容摘要（SHA-256）", max_length=64)
    enterprises = models.PositiveIntegerField("企业条数", default=0)
    records = models.PositiveIntegerField("记录条数", default=0)
    enterprises_created = models.PositiveIntegerField("新增企业", default=0)
    enterprises_updated = models.PositiveIntegerField("更新企业", default=0)
    enterprises_unchanged = models.PositiveIntegerField("未变企业", default=0)
    records_created = models.PositiveIntegerField("新增记录", default=0)
    records_corrected = models.PositiveIntegerField("更正记录", default=0)
    records_unchanged = models.PositiveIntegerField("未变记录", default=0)
    records_withdrawn_kept = models.JSONField("已撤回而保持撤回的记录", default=list, blank=True)
    regraded = models.PositiveIntegerField("重新评定的企业数", default=0)
    problems = models.JSONField("问题", default=list, blank=True)

    class Meta:
        verbose_name = "报送批次"
        verbose_name_plural = "报送批次"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.client.code} {self.get_status_display()}"
