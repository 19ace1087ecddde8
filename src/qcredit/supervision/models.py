"""Supervision by grade (QCO 四; SPEC §9): the measures catalogue and inspection plans.

- :class:`Measure` — the supervision measures per grade (QCO 四(一)–(四)), each with its article
  and the regulation's words; seeded from the regulation, edited by the provincial admin through
  :func:`qcredit.supervision.services.measure_update` (audited). Internal: shown on staff pages only.
- :class:`Conflict` — a declared conflict of interest (利害关系回避): an inspector must never
  inspect this enterprise. Declared by a unit, effective for every plan.
- :class:`InspectionPlan` — a 双随机、一公开 plan: a scope (regions, industries, keywords), a
  sampling ratio per grade stratum, an inspector pool and a recorded seed. Drawing records its
  basis (candidates per stratum, pool, conflicts, the moment), so the same seed over the same
  basis gives the same plan. Lifecycle: draft → drawn → published → results_recorded → closed
  (or cancelled before publication).
- :class:`PlanItem` — one drawn enterprise: its stratum (internal: the grade at the draw), its
  inspectors (:class:`PlanAssignment`) and later its result, which becomes an archive record.

State fields are protected: only the services in :mod:`qcredit.supervision.services` change them,
after checking role and jurisdiction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from qcredit.accounts.models import Unit
from qcredit.archive.models import Enterprise, Record

MEASURE_GRADES = [("A", "A 守信"), ("B", "B 基本守信"), ("C", "C 失信"), ("D", "D 严重失信")]

# The strata of a plan: the four grades and N (未定级, not yet graded).
STRATA = ("A", "B", "C", "D", "N")
STRATUM_LABELS = {"A": "A 守信", "B": "B 基本守信", "C": "C 失信", "D": "D 严重失信", "N": "未定级"}

# Default sampling ratios per stratum (SPEC §9 "C and D drawn at higher ratios"; QCO 四(一)
# 减少日常监管频次 for A, 四(三) 加大监督抽查和检查力度 for C, 四(四) for D). Editable per plan.
DEFAULT_RATIOS = {"A": Decimal("0.05"), "B": Decimal("0.10"), "C": Decimal("0.30"), "D": Decimal("0.50"),
                  "N": Decimal("0.10")}


class Measure(models.Model):
    """A supervision measure for the enterprises of one grade (QCO 四)."""

    class Concerns(models.TextChoices):
        ALL = "", "该等级全部企业"
        EXPORTER = "exporter", "出口企业"
        LICENCE = "licence", "实行行政许可管理的企业"
        HONOURS = "honours", "已获质量奖励或享受扶优政策的企业"

    grade = models.CharField("等级", max_length=1, choices=MEASURE_GRADES)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("措施", max_length=200)
    article = models.CharField("依据条款", max_length=60)
    quote = models.TextField("条文原文", blank=True, default="")
    concerns = models.CharField("适用企业", max_length=16, choices=Concerns.choices, blank=True, default="")
    active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="修改人")

    class Meta:
        verbose_name = "分级监管措施"
        verbose_name_plural = "分级监管措施"
        ordering = ["grade", "position", "id"]

    def __str__(self) -> str:
        return f"{self.grade}：{self.text}"

    @property
    def concerns_label(self) -> str:
        # The enterprise page shows nothing for measures that concern the whole grade.
        return "" if self.concerns == self.Concerns.ALL else self.get_concerns_display()


class Conflict(models.Model):
    """A declared conflict of interest (回避): ``inspector`` never inspects ``enterprise``."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="登记单位")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="检查人员")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name="企业")
    reason = models.TextField("回避事由")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="登记人")
    declared_at = models.DateTimeField("登记时间")
    ended_at = models.DateTimeField("解除时间", null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="解除人")
    end_reason = models.TextField("解除理由", blank=True, default="")

    class Meta:
        verbose_name = "利害关系回避"
        verbose_name_plural = "利害关系回避"
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["inspector", "enterprise"], condition=Q(ended_at__isnull=True),
                                    name="conflict_one_active_per_pair"),
        ]

    def __str__(self) -> str:
        return f"回避：{self.inspector} · {self.enterprise}"


class InspectionPlan(FSMModelMixin, models.Model):
    """A 双随机、一公开 plan (SPEC §9)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        DRAWN = "drawn", "已抽取，待公示"
        PUBLISHED = "published", "已公示，检查中"
        RESULTS_RECORDED = "results_recorded", "结果已公示"
        CLOSED = "closed", "已办结"
        CANCELLED = "cancelled", "已撤销"

    class Kind(models.TextChoices):
        # The archive record kind its results become (SPEC §3).
        SAMPLING = "sampling", "产品质量/计量监督抽查"
        INSPECTION = "inspection", "监督检查"

    class RecordScope(models.TextChoices):
        QUALITY = "quality", "质量"
        METROLOGY = "metrology", "计量"

    class Pool(models.TextChoices):
        INSPECTION_ROLE = "role", "辖区内检验单位人员（检验单位角色）"
        UNIT = "unit", "指定单位的全部工作人员"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="组织单位")
    name = models.CharField("计划名称", max_length=200)
    kind = models.CharField("检查方式", max_length=16, choices=Kind.choices, default=Kind.SAMPLING)
    record_scope = models.CharField("领域", max_length=16, choices=RecordScope.choices, default=RecordScope.QUALITY)
    # Scope: region prefixes (empty = the unit's jurisdiction), industry code prefixes and
    # name keywords (products/keywords; empty = every enterprise).
    regions = models.JSONField("抽查区域", default=list, blank=True)
    industries = models.JSONField("行业", default=list, blank=True)
    keywords = models.JSONField("产品/名称关键词", default=list, blank=True)
    ratio_a = models.DecimalField("A级抽查比例", max_digits=5, decimal_places=4, default=DEFAULT_RATIOS["A"])
    ratio_b = models.DecimalField("B级抽查比例", max_digits=5, decimal_places=4, default=DEFAULT_RATIOS["B"])
    ratio_c = models.DecimalField("C级抽查比例", max_digits=5, decimal_places=4, default=DEFAULT_RATIOS["C"])
    ratio_d = models.DecimalField("D级抽查比例", max_digits=5, decimal_places=4, default=DEFAULT_RATIOS["D"])
    ratio_n = models.DecimalField("未定级抽查比例", max_digits=5, decimal_places=4, default=DEFAULT_RATIOS["N"])
    inspectors_per_enterprise = models.PositiveSmallIntegerField("每户检查人员数", default=2)
    pool = models.CharField("检查人员库", max_length=8, choices=Pool.choices, default=Pool.INSPECTION_ROLE)
    pool_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name="检查人员所在单位")
    seed = models.PositiveBigIntegerField("随机种子")
    starts_on = models.DateField("检查开始日期")
    ends_on = models.DateField("检查结束日期")
    note = models.TextField("说明", blank=True, default="")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField("创建时间")
    # The basis of the draw, recorded so that it reproduces exactly (services.plan_redraw_check):
    # {"as_of": ISO moment, "candidates": {stratum: [enterprise ids, sorted]},
    #  "pool": [[user id, unit id], …], "conflicts": [[user id, enterprise id], …]}.
    basis = models.JSONField("抽取依据", default=dict, blank=True)
    basis_digest = models.CharField("抽取依据摘要（SHA-256）", max_length=64, blank=True, default="")
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="抽取人")
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="公示人")
    results_published_at = models.DateTimeField("结果公示时间", null=True, blank=True)
    results_published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="+", verbose_name="结果公示人")
    closed_at = models.DateTimeField("办结/撤销时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="办结/撤销人")
    close_reason = models.TextField("撤销理由", blank=True, default="")

    class Meta:
        verbose_name = "双随机抽查计划"
        verbose_name_plural = "双随机抽查计划"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "unit"], name="plan_state_unit")]

    def __str__(self) -> str:
        return self.name

    @property
    def method_label(self) -> str:
        """监督抽查/监督检查 with its field, as a notice names it (产品质量监督抽查, 计量监督检查 …)."""
        field = "产品质量" if self.record_scope == self.RecordScope.QUALITY else "计量"
        if self.kind == self.Kind.INSPECTION and self.record_scope == self.RecordScope.QUALITY:
            field = "质量"
        return f"{field}{'监督抽查' if self.kind == self.Kind.SAMPLING else '监督检查'}"

    def ratio(self, stratum: str) -> Decimal:
        return getattr(self, f"ratio_{stratum.lower()}")

    @property
    def ratios(self) -> dict[str, Decimal]:
        return {s: self.ratio(s) for s in STRATA}

    @property
    def is_public(self) -> bool:
        return self.state in (self.State.PUBLISHED, self.State.RESULTS_RECORDED, self.State.CLOSED)

    @property
    def results_public(self) -> bool:
        return self.state in (self.State.RESULTS_RECORDED, self.State.CLOSED)

    @transition(field=state, source=State.DRAFT, target=State.DRAWN)
    def draw(self):
        pass

    @transition(field=state, source=State.DRAWN, target=State.PUBLISHED)
    def publish(self):
        pass

    @transition(field=state, source=State.PUBLISHED, target=State.RESULTS_RECORDED)
    def publish_results(self):
        pass

    @transition(field=state, source=State.RESULTS_RECORDED, target=State.CLOSED)
    def close(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.DRAWN], target=State.CANCELLED)
    def cancel(self):
        pass


class PlanItem(models.Model):
    """One enterprise drawn by a plan."""

    class Result(models.TextChoices):
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"
        NOT_INSPECTED = "not_inspected", "未检查（停产、歇业或查无下落）"

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="items", verbose_name="计划")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name="企业")
    # Internal (SPEC §7.1): the grade the enterprise had at the draw. Never public.
    stratum = models.CharField("抽取层（抽取时等级）", max_length=1)
    # The order the enterprise was drawn in within its stratum (1-based).
    draw_order = models.PositiveIntegerField("抽取顺序")
    result = models.CharField("检查结果", max_length=16, choices=Result.choices, blank=True, default="")
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    findings = models.TextField("发现的问题", blank=True, default="")
    ref = models.CharField("文号", max_length=200, blank=True, default="")
    own_fault = models.BooleanField("因企业自身原因", null=True, blank=True)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="档案记录")
    result_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="录入人")
    result_at = models.DateTimeField("录入时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽取企业"
        verbose_name_plural = "抽取企业"
        ordering = ["plan", "enterprise__uscc"]
        constraints = [models.UniqueConstraint(fields=["plan", "enterprise"], name="planitem_unique")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.enterprise}"


class PlanAssignment(models.Model):
    """An inspector assigned at random to a drawn enterprise."""

    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="assignments", verbose_name="抽取企业")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="检查人员")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所在单位")
    position = models.PositiveSmallIntegerField("序号")

    class Meta:
        verbose_name = "检查人员分派"
        verbose_name_plural = "检查人员分派"
        ordering = ["item", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "inspector"], name="planassignment_unique")]

    def __str__(self) -> str:
        return f"{self.item} · {self.inspector}"


from .models_warnings import *  # noqa: E402, F403  (early warning, another module of this app)
