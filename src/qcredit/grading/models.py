"""Stored evaluations (snapshots), the current grade of each enterprise and grade history."""

from __future__ import annotations

from django.db import models

from qcredit.archive.models import Enterprise

GRADE_CHOICES = [("A", "A 守信"), ("B", "B 基本守信"), ("C", "C 失信"), ("D", "D 严重失信"), ("N", "未定级")]


class GradingRun(models.Model):
    """One execution of the grading service: a full regrade or an incremental one."""

    class Kind(models.TextChoices):
        FULL = "full", "全量重评"
        INCREMENTAL = "incremental", "增量重评"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    as_of = models.DateField("评价日")
    ruleset = models.CharField("规则版本", max_length=32)
    cause = models.CharField("原因", max_length=200, blank=True, default="")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    enterprises = models.PositiveIntegerField("评价企业数", default=0)
    snapshots = models.PositiveIntegerField("新快照数（结果有变化的企业）", default=0)
    changes = models.PositiveIntegerField("等级变化数", default=0)

    class Meta:
        verbose_name = "评价批次"
        verbose_name_plural = "评价批次"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of}（{self.ruleset}）"


class Evaluation(models.Model):
    """A snapshot: the grade of one enterprise as of a date, under a rule-set version.

    ``holds`` has one character per criterion of the rule set, in its order: ``1`` holds,
    ``0`` does not, ``-`` not evaluated. ``evidence`` lists, for each fact of the rule set that
    matched records, the primary keys of those record versions: ``FACT=12,40;OTHER=7;``
    (text, not JSON: the batch query builds it for 10⁵–10⁶ rows at a time, and text is
    several times cheaper to build; read it with ``grading.services.parse_evidence``). Articles and
    parameter values come from the immutable rule-set version, so the snapshot plus the
    rule set answer "why X was graded C on that date, under which rules".
    """

    # Indexed by evaluation_enterprise_asof (its leading column); no second index.
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="evaluations", db_index=False)
    run = models.ForeignKey(GradingRun, on_delete=models.PROTECT, related_name="evaluations")
    as_of = models.DateField("评价日")
    ruleset = models.CharField("规则版本", max_length=32)
    grade = models.CharField("等级", max_length=1, choices=GRADE_CHOICES)
    holds = models.CharField("各项指标结果", max_length=64)
    evidence = models.TextField("证据记录", blank=True, default="")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "评价快照"
        verbose_name_plural = "评价快照"
        indexes = [models.Index(fields=["enterprise", "as_of"], name="evaluation_enterprise_asof")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.as_of} {self.grade}"


class GradeState(models.Model):
    """The current grade of each enterprise (the newest evaluation)."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.PROTECT, primary_key=True,
                                      related_name="grade_state")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("等级", max_length=1, choices=GRADE_CHOICES, db_index=True)
    as_of = models.DateField("评价日")
    since = models.DateField("本等级起始评价日")
    # A copy of the current snapshot's result, so that a full regrade can tell "unchanged"
    # by reading this narrow table only (grading.services._CHANGED).
    ruleset = models.CharField("规则版本", max_length=32, default="")
    holds = models.CharField("各项指标结果", max_length=64, default="")
    evidence = models.TextField("证据记录", blank=True, default="")
    # PostgreSQL: the checksum of ``evidence`` (grading.batch.evidence_hash_sql), which the full
    # regrade compares without building any evidence text. NULL on SQLite (it compares the text).
    evidence_hash = models.BigIntegerField("证据校验值", null=True, blank=True)

    class Meta:
        verbose_name = "当前等级"
        verbose_name_plural = "当前等级"

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.grade}"


class GradeChange(models.Model):
    """A grade change event (SPEC §4.3): kept as history and consumed by the workflows."""

    # Indexed by gradechange_enterprise_time (its leading column); no second index.
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="grade_changes", db_index=False)
    run = models.ForeignKey(GradingRun, on_delete=models.PROTECT, related_name="grade_changes")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="+")
    from_grade = models.CharField("原等级", max_length=1, choices=GRADE_CHOICES, blank=True, default="")
    to_grade = models.CharField("新等级", max_length=1, choices=GRADE_CHOICES)
    as_of = models.DateField("评价日")
    occurred_at = models.DateTimeField("发生时间")

    class Meta:
        verbose_name = "等级变化"
        verbose_name_plural = "等级变化"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "occurred_at"], name="gradechange_enterprise_time")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.from_grade or '—'}→{self.to_grade}"
