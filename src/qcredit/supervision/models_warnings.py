"""Early warning (SPEC §9; QCO 四(三) "列入监管重点 … 撤销或暂停质量奖励和扶优政策 … 风险预警/黄牌警告"),
imported at the end of :mod:`qcredit.supervision.models`.

- :class:`PreferentialPolicy` — a preferential policy an enterprise enjoys (免检, 出口免验, 名牌产品,
  扶优扶强政策 …), kept by divisions and admins (the admin screen saves through the audited service).
- :class:`WarningLetter` — a yellow-card warning letter (黄牌警告书) to a C enterprise: its number,
  the adverse facts and measures frozen as issued, the rectification deadline, the PDF as issued,
  and when the enterprise first opened it. Never public.
- :class:`HonourPolicyReview` — a review item opened when an enterprise becomes C (or D): one per
  honour record and per preferential policy it holds, for the decision revoke / suspend / keep.

State fields are protected: only :mod:`qcredit.supervision.warnings` changes them, after checking
role and jurisdiction, in one transaction with its audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from qcredit.accounts.models import Unit
from qcredit.archive.models import Enterprise, Record
from qcredit.grading.models import Evaluation, GradeChange

__all__ = ["HonourPolicyReview", "PreferentialPolicy", "WarningLetter"]


class PreferentialPolicy(FSMModelMixin, models.Model):
    """A preferential policy granted to an enterprise (QCO 四(一) 名牌/免检/出口免验 …, 四(三)
    "正享受质检部门扶优扶强政策的企业")."""

    class Kind(models.TextChoices):
        INSPECTION_EXEMPTION = "inspection_exemption", "产品免检"
        EXPORT_EXEMPTION = "export_exemption", "出口免验"
        FAMOUS_BRAND = "famous_brand", "名牌产品"
        SUPPORT = "support", "扶优扶强政策"
        OTHER = "other", "其他优惠政策"

    class State(models.TextChoices):
        ACTIVE = "active", "享受中"
        SUSPENDED = "suspended", "已暂停"
        REVOKED = "revoked", "已撤销"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="preferential_policies",
                                   verbose_name="企业")
    kind = models.CharField("政策类别", max_length=24, choices=Kind.choices)
    name = models.CharField("政策名称", max_length=200)
    granted_by = models.CharField("给予单位", max_length=200)
    granted_on = models.DateField("给予日期")
    valid_to = models.DateField("有效期至", null=True, blank=True)
    ref = models.CharField("文号", max_length=200, blank=True, default="")
    note = models.TextField("备注", blank=True, default="")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.ACTIVE, protected=True)
    state_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "扶优政策"
        verbose_name_plural = "扶优政策"
        ordering = ["enterprise", "-granted_on", "id"]
        indexes = [models.Index(fields=["enterprise", "state"], name="policy_enterprise_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"

    @transition(field=state, source=State.ACTIVE, target=State.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=state, source=[State.ACTIVE, State.SUSPENDED], target=State.REVOKED)
    def revoke(self):
        pass


class WarningLetter(models.Model):
    """A yellow-card warning letter (黄牌警告书) to a C enterprise (QCO 四(三))."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="warning_letters",
                                   verbose_name="企业")
    # 鲁质信警〔2026〕12号 (province) / 鲁质信警〔2026〕3701-3号 (a city or county bureau):
    # numbered per issuing jurisdiction and year.
    number = models.CharField("警告书编号", max_length=60, unique=True)
    numbering = models.CharField("编号范围（签发单位管辖区域）", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="签发单位")
    authority = models.CharField("签发机关", max_length=200)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="签发人")
    issued_on = models.DateField("签发日期")
    issued_at = models.DateTimeField("签发时间")
    # The snapshot the letter rests on and the C episode it belongs to (the GradeChange into C).
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="+", verbose_name="评价快照")
    episode = models.ForeignKey(GradeChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name="列为C级的等级变化")
    risk_score = models.PositiveSmallIntegerField("风险分")
    risk_band = models.CharField("风险等级", max_length=8)
    risk = models.JSONField("风险分构成", default=dict)
    # Frozen as issued: [{"id", "article", "text", "records": [{"record_id", "source", "kind", "date",
    # "ref", "fields": [[label, value], …]}]}] and [{"text", "article", "quote"}].
    facts = models.JSONField("失信事实", default=list)
    measures = models.JSONField("监管措施", default=list)
    rectification_workdays = models.PositiveSmallIntegerField("整改期限（工作日）")
    rectify_by = models.DateField("整改期限至")
    remarks = models.TextField("整改要求", blank=True, default="")
    pdf = models.BinaryField("警告书（PDF）")
    pdf_sha256 = models.CharField("PDF 校验值（SHA-256）", max_length=64)
    received_at = models.DateTimeField("企业首次查阅时间", null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="查阅的企业账号")

    class Meta:
        verbose_name = "黄牌警告书"
        verbose_name_plural = "黄牌警告书"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["numbering", "year", "serial"], name="warningletter_serial_unique"),
        ]
        indexes = [models.Index(fields=["enterprise", "issued_on"], name="warningletter_enterprise_day")]

    def __str__(self) -> str:
        return self.number


class HonourPolicyReview(FSMModelMixin, models.Model):
    """The review of one honour or preferential policy of an enterprise that became C or D
    (QCO 四(三) "对于已经获得质量奖励和正享受质检部门扶优扶强政策的企业，依照有关规定给予撤销或暂停").
    One per (episode, subject): an episode is the GradeChange that took the enterprise into C/D."""

    class Subject(models.TextChoices):
        HONOUR = "honour", "质量奖励/荣誉"
        POLICY = "policy", "扶优政策"

    class State(models.TextChoices):
        OPEN = "open", "待审查"
        DECIDED = "decided", "已决定"

    class Decision(models.TextChoices):
        REVOKE = "revoke", "撤销"
        SUSPEND = "suspend", "暂停"
        KEEP = "keep", "保留"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="honour_policy_reviews",
                                   verbose_name="企业")
    episode = models.ForeignKey(GradeChange, on_delete=models.PROTECT, related_name="+",
                                verbose_name="列为C/D级的等级变化")
    subject_kind = models.CharField("审查对象", max_length=8, choices=Subject.choices)
    # honour:<source>/<record id> or policy:<id> — the key of "once per episode".
    subject_key = models.CharField("对象标识", max_length=200)
    honour = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="荣誉记录（审查开始时的版本）")
    policy = models.ForeignKey(PreferentialPolicy, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="reviews", verbose_name="扶优政策")
    label = models.CharField("名称", max_length=300)
    opened_on = models.DateField("发起日期")
    opened_at = models.DateTimeField("发起时间")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    decision = models.CharField("决定", max_length=8, choices=Decision.choices, blank=True, default="")
    reason = models.TextField("理由", blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="决定人")
    decided_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name="决定单位")
    decided_on = models.DateField("决定日期", null=True, blank=True)
    # A revoked honour ends in the archive through a correction (its valid_to): that version.
    applied_record = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name="撤销后的荣誉记录版本")

    class Meta:
        verbose_name = "质量奖励与扶优政策审查"
        verbose_name_plural = "质量奖励与扶优政策审查"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "subject_key"], name="honourreview_once_per_episode"),
            models.CheckConstraint(
                condition=(Q(subject_kind="honour", honour__isnull=False, policy__isnull=True)
                           | Q(subject_kind="policy", policy__isnull=False, honour__isnull=True)),
                name="honourreview_one_subject"),
        ]
        indexes = [models.Index(fields=["state", "enterprise"], name="honourreview_state_enterprise")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.label}"

    @transition(field=state, source=State.OPEN, target=State.DECIDED)
    def decide(self):
        pass
