"""The quality archive (SPEC §2–§3): enterprises and an append-only ledger of dated records.

One table holds every record kind with typed columns, so that the database can aggregate
the whole archive in one scan (grading/batch.py). A record row is never updated in its
content and never deleted: a correction inserts a new version and stamps the old one
``superseded_at``; a withdrawal inserts a version with ``withdrawn=True``. The current
state of the archive is therefore ``superseded_at IS NULL AND NOT withdrawn``, and the
state as known at time *t* is ``recorded_at <= t < superseded_at``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qcredit.rules.kinds import CHOICE_LABELS, KINDS


def _choices(*codes: str) -> list[tuple[str, str]]:
    return [(c, CHOICE_LABELS.get(c, c)) for c in codes]


class Enterprise(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "存续"
        DEREGISTERED = "deregistered", "已注销"

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200, db_index=True)
    established_on = models.DateField("成立日期")
    region = models.CharField("行政区划代码", max_length=6, db_index=True)
    industry = models.CharField("行业代码", max_length=8, blank=True, default="", db_index=True)
    licence_required = models.BooleanField("实行行政许可管理", default=False)
    mandatory_testing = models.BooleanField("依法需要监督检验", default=False)
    exporter = models.BooleanField("出口企业", default=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["uscc"]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class RecordQuerySet(models.QuerySet):
    def current(self):
        """The archive as it stands: the newest version of each record, unless withdrawn."""
        return self.filter(superseded_at__isnull=True, withdrawn=False)

    def known_at(self, moment):
        """The archive as it was known at ``moment`` (for reproducing a past grade)."""
        return self.filter(recorded_at__lte=moment, withdrawn=False).filter(
            Q(superseded_at__isnull=True) | Q(superseded_at__gt=moment)
        )

    def delete(self):  # pragma: no cover - guard
        raise PermissionError("档案记录只增不删（SPEC §3）")


KIND_CHOICES = [(code, kind.label) for code, kind in KINDS.items()]


class Record(models.Model):
    """One version of one archive record. Content columns are write-once."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="records", verbose_name="企业")
    record_id = models.CharField("记录编号", max_length=64)
    source = models.CharField("记录单位", max_length=100)
    kind = models.CharField("记录类别", max_length=24, choices=KIND_CHOICES)
    date = models.DateField("日期")
    ref = models.CharField("文号", max_length=200, blank=True, default="")
    note = models.TextField("备注", blank=True, default="")

    # Kind-specific typed columns (SPEC §3); NULL / empty where the kind has no such field.
    scope = models.CharField("领域", max_length=16, blank=True, default="",
                             choices=_choices("quality", "metrology", "other"))
    result = models.CharField("结果", max_length=8, blank=True, default="", choices=_choices("pass", "fail"))
    own_fault = models.BooleanField("因自身原因/属于企业责任", null=True)
    pass_rate = models.FloatField("检验合格率", null=True)
    serious_nonconformity = models.BooleanField("严重不合格项目", null=True)
    shipped_uninspected = models.BooleanField("未经监督检验出厂", null=True)
    rate = models.FloatField("出厂合格率", null=True)
    finding = models.CharField("发现/结论", max_length=24, blank=True, default="", choices=_choices(
        "nonconformity", "serious", "below_declared", "not_per_standard", "no_standard",
        "not_fulfilled", "severe_breach"))
    severity = models.CharField("程度", max_length=16, blank=True, default="",
                                choices=_choices("ordinary", "grave", "general", "major"))
    decision_no = models.CharField("处罚决定书文号", max_length=200, blank=True, default="")
    verified = models.BooleanField("查实/经核实", null=True)
    illegal = models.BooleanField("有违法情节", null=True)
    resolution = models.CharField("处理", max_length=16, blank=True, default="",
                                  choices=_choices("timely", "late", "unresolved"))
    harm = models.CharField("危害", max_length=16, blank=True, default="",
                            choices=_choices("none", "significant", "major"))
    number = models.CharField("证书编号", max_length=100, blank=True, default="")
    licence_type = models.CharField("许可类别", max_length=100, blank=True, default="")
    valid_from = models.DateField("有效期起", null=True)
    valid_to = models.DateField("有效期至", null=True)
    status = models.CharField("许可状态", max_length=24, blank=True, default="", choices=_choices(
        "valid", "rectifying", "rectification_failed", "revoked", "suspended"))
    rectify_by = models.DateField("整改期限", null=True)
    honour_type = models.CharField("荣誉类别", max_length=32, blank=True, default="",
                                   choices=_choices(*KINDS["honour"].field("honour_type").choices))
    level = models.CharField("级别", max_length=16, blank=True, default="", choices=_choices("national", "provincial"))
    issued_by = models.CharField("授予单位", max_length=200, blank=True, default="")
    justification = models.TextField("理由", blank=True, default="")
    major = models.BooleanField("重大", null=True)
    provider = models.CharField("提供部门", max_length=16, blank=True, default="",
                                choices=_choices("bank", "tax", "market", "customs"))
    rating = models.CharField("信用评级", max_length=64, blank=True, default="")

    # Ledger: who recorded this version, when and why; what it replaced; when it was replaced.
    version = models.PositiveIntegerField("版本", default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by", verbose_name="替代的版本")
    withdrawn = models.BooleanField("已撤回", default=False)
    reason = models.TextField("更正/撤回理由", blank=True, default="")
    recorded_at = models.DateTimeField("录入时间", db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="录入人")
    recorded_via = models.CharField("录入途径", max_length=32, default="manual")
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = "档案记录"
        verbose_name_plural = "档案记录"
        ordering = ["enterprise", "date", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id", "version"], name="record_version_unique"),
            models.UniqueConstraint(fields=["source", "record_id"], condition=Q(superseded_at__isnull=True),
                                    name="record_one_current_version"),
        ]
        indexes = [
            models.Index(fields=["enterprise", "kind", "date"], name="record_enterprise_kind_date"),
            models.Index(fields=["kind", "date"], name="record_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record_id}（{self.date}）"

    def delete(self, *args, **kwargs):
        raise PermissionError("档案记录只增不删（SPEC §3）")

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None and not self.withdrawn
