"""A-grade publication, the D re-check and the black list, objections and enterprise statements
(QCO 三(五), 四(一), 四(四), 五(四), 五(五); SPEC §5.2–§5.4).

- :class:`AApplication` — an enterprise applies of its own will to have its computed A (机评A,
  internal) published; the inspection unit gives its opinion where statutory testing applies,
  then the province evaluates (QCO 三(五)).
- :class:`PublishedA` — a published A (对外公示的A级守信企业) for ``published_a_validity`` years
  (I-8), withdrawn at once when the grade leaves A, on the enterprise's request, or after a
  well-founded objection; it then moves to the archive (备查), never again public.
- :class:`Recheck` — a computed D opens a re-check (复核) of the facts and their degree before
  anything is exposed (QCO 三(五) "必须严格掌握，并对失信事实和程度复核后方可确定").
- :class:`BlacklistEntry` — a confirmed D on the black list with its facts (QCO 四(四)), until
  the grade is no longer D and the minimum exposure has passed, or credit repair (信用修复).
- :class:`Objection` (with :class:`ObjectionAttachment`) — anyone's objection (异议) to a public
  entry, followed with a receipt number (SPEC §5.4).
- :class:`Statement` — the enterprise's own short statement beside its public entry, shown
  only when the office approved it.

State fields are protected: a state changes only through a transition method, and only the
services in :mod:`qcredit.lists.services` call those (after checking role and jurisdiction).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from qcredit.accounts.models import Unit
from qcredit.archive.models import Enterprise
from qcredit.grading.models import Evaluation, GradeChange

STATEMENT_MAX_LENGTH = 300


class TargetKind(models.TextChoices):
    """The public entries objections and statements refer to (SPEC §5.4)."""

    REDLIST = "redlist", "质量信用红名单"
    PUBLISHED_A = "published_a", "A级（守信）企业公示"
    BLACKLIST = "blacklist", "失信黑名单"


# --- A-grade publication (QCO 三(五), 四(一), 五(五); SPEC §5.2) --------------------------------------


class AApplication(FSMModelMixin, models.Model):
    """An enterprise's voluntary application to publish its computed A (QCO 三(五) "必须在企业
    自愿申请的基础上", QCO 四(一) "根据企业自愿原则")."""

    class State(models.TextChoices):
        AWAITING_INSPECTION = "awaiting_inspection", "待检验单位提出评价意见"
        AWAITING_EVALUATION = "awaiting_evaluation", "待省级评价"
        APPROVED = "approved", "评价通过，已公示"
        REJECTED = "rejected", "评价未通过"
        CANCELLED = "cancelled", "企业撤回申请"
        LAPSED = "lapsed", "等级已不是A级，申请终止"

    OPEN_STATES = (State.AWAITING_INSPECTION, State.AWAITING_EVALUATION)

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="a_applications",
                                   verbose_name="企业")
    state = FSMField("状态", max_length=24, choices=State.choices, default=State.AWAITING_EVALUATION, protected=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="申请人")
    applied_at = models.DateTimeField("申请时间")
    applied_on = models.DateField("申请日期")
    remarks = models.TextField("申请说明", blank=True, default="")
    # The computed A the application rests on (internal, SPEC §7.1).
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="+", verbose_name="申请时的评价快照")
    # QCO 三(五) "依法需要进行监督检验产品的，还应当由检验单位提出评价意见".
    inspection_required = models.BooleanField("需检验单位评价意见")
    inspection_favourable = models.BooleanField("检验单位意见为同意", null=True)
    inspection_opinion = models.TextField("检验单位评价意见", blank=True, default="")
    inspection_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name="检验单位评价人")
    inspection_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                        verbose_name="检验单位")
    inspection_at = models.DateTimeField("检验单位评价时间", null=True, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="省级评价人")
    evaluated_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name="评价单位")
    evaluated_at = models.DateTimeField("评价时间", null=True, blank=True)
    evaluation_note = models.TextField("评价意见", blank=True, default="")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    close_reason = models.TextField("终止/撤回理由", blank=True, default="")

    class Meta:
        verbose_name = "A级公示申请"
        verbose_name_plural = "A级公示申请"
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise"],
                                    condition=Q(state__in=["awaiting_inspection", "awaiting_evaluation"]),
                                    name="aapplication_one_open_per_enterprise"),
        ]

    def __str__(self) -> str:
        return f"A级公示申请：{self.enterprise.name}（{self.get_state_display()}）"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @transition(field=state, source=State.AWAITING_INSPECTION, target=State.AWAITING_EVALUATION)
    def give_inspection_opinion(self):
        pass

    @transition(field=state, source=State.AWAITING_EVALUATION, target=State.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=State.AWAITING_EVALUATION, target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.AWAITING_INSPECTION, State.AWAITING_EVALUATION], target=State.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=[State.AWAITING_INSPECTION, State.AWAITING_EVALUATION], target=State.LAPSED)
    def lapse(self):
        pass


class PublishedA(FSMModelMixin, models.Model):
    """A published A (公示A级). Its public fields are copied at publication and never change."""

    class State(models.TextChoices):
        PUBLISHED = "published", "公示中"
        WITHDRAWN = "withdrawn", "已撤下"
        EXPIRED = "expired", "有效期届满"

    class Exit(models.TextChoices):
        GRADE_LEFT_A = "grade_left_a", "质量信用等级已不是A级（QCO 三(五) 动态管理）"
        ENTERPRISE_REQUEST = "enterprise_request", "企业申请撤下"
        OBJECTION = "objection", "经异议处理，公示有误"
        EXPIRED = "expired", "公示有效期届满（QCO 五(五) 不搞终身制）"

    application = models.OneToOneField(AApplication, on_delete=models.PROTECT, related_name="published",
                                       verbose_name="申请")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="published_as",
                                   verbose_name="企业")
    # 认定部门 / 数据来源单位 (SPEC §7.2): the bureau of the evaluating unit.
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="认定部门")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PUBLISHED, protected=True)
    name = models.CharField("主体名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    region = models.CharField("行政区划代码", max_length=6)
    published_on = models.DateField("公示日期")
    valid_until = models.DateField("有效期至")
    exited_on = models.DateField("撤下日期", null=True, blank=True)
    exit_kind = models.CharField("撤下类别", max_length=24, choices=Exit.choices, blank=True, default="")
    exit_reason = models.TextField("撤下理由", blank=True, default="")

    class Meta:
        verbose_name = "公示A级企业"
        verbose_name_plural = "公示A级企业"
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=Q(state="published"),
                                    name="publisheda_one_published_per_enterprise"),
        ]
        indexes = [models.Index(fields=["state", "valid_until"], name="publisheda_state_valid_until")]

    def __str__(self) -> str:
        return f"公示A级：{self.name}（{self.uscc}）"

    @property
    def entry_key(self) -> str:
        return f"published_a:{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.state == self.State.PUBLISHED

    @transition(field=state, source=State.PUBLISHED, target=State.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=State.PUBLISHED, target=State.EXPIRED)
    def expire(self):
        pass


# --- D re-check and black list (QCO 三(五), 四(四); SPEC §5.3) -----------------------------------------


class Recheck(FSMModelMixin, models.Model):
    """The re-check (复核) of a computed D's facts and their degree (QCO 三(五)). One per D
    episode — the grade change that made the enterprise D — plus one after a well-founded
    objection against its black-list entry."""

    class Cause(models.TextChoices):
        COMPUTED_D = "computed_d", "新计算为D级"
        OBJECTION = "objection", "异议成立，重新复核"

    class State(models.TextChoices):
        OPEN = "open", "待复核"
        CONFIRMED = "confirmed", "复核确认，列入黑名单"
        NOT_CONFIRMED = "not_confirmed", "复核未确认"
        LAPSED = "lapsed", "等级已不是D级，复核终止"

    class Outcome(models.TextChoices):
        BLACKLISTED = "blacklisted", "失信事实和程度属实，列入黑名单"
        REGRADED = "regraded", "档案已更正，重新评定后不是D级"
        KEPT_INTERNAL = "kept_internal", "失信程度不需对外曝光，D级仅作内部监管依据"
        GRADE_CHANGED = "grade_changed", "复核前等级已变化"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="rechecks", verbose_name="企业")
    cause = models.CharField("起因", max_length=16, choices=Cause.choices, default=Cause.COMPUTED_D)
    # The D episode: the grade change that made the enterprise D.
    grade_change = models.ForeignKey(GradeChange, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="等级变化（D级起始）")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="+", verbose_name="D级评价快照")
    objection = models.ForeignKey("Objection", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name="异议")
    # The D criteria that held, with article and evidence record keys (internal, SPEC §7.1).
    adverse = models.JSONField("D级指标", default=list)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    opened_on = models.DateField("发起日期")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="复核人")
    reviewer_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name="复核单位")
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    outcome = models.CharField("复核结论", max_length=16, choices=Outcome.choices, blank=True, default="")
    # Public once confirmed: the facts shown on the black list (列入原因).
    facts = models.TextField("失信事实（公开）", blank=True, default="")
    # Internal: the reviewer's assessment of the facts and their degree.
    finding = models.TextField("复核意见（内部）", blank=True, default="")
    archive_changes = models.JSONField("档案更正", default=list)
    grade_after = models.CharField("复核后等级", max_length=1, blank=True, default="")
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "D级复核"
        verbose_name_plural = "D级复核"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["grade_change"], condition=Q(cause="computed_d"),
                                    name="recheck_once_per_d_episode"),
            models.UniqueConstraint(fields=["enterprise"], condition=Q(state="open"),
                                    name="recheck_one_open_per_enterprise"),
        ]

    def __str__(self) -> str:
        return f"D级复核：{self.enterprise.name}（{self.get_state_display()}）"

    @transition(field=state, source=State.OPEN, target=State.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.NOT_CONFIRMED)
    def not_confirm(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.LAPSED)
    def lapse(self):
        pass


class BlacklistEntry(FSMModelMixin, models.Model):
    """A confirmed D on the black list (QCO 四(四) "将D级企业纳入黑名单，依法向社会披露和曝光").
    Public fields are copied when it is listed and never change; an entry that ended stays as
    the archive (备查) — visible to staff, never again public."""

    class State(models.TextChoices):
        EXPOSED = "exposed", "公开曝光中"
        ENDED = "ended", "已移出（不再是D级且满最短公示期）"
        REPAIRED = "repaired", "信用修复，已移出"
        WITHDRAWN = "withdrawn", "经异议处理撤下"
        SUPERSEDED = "superseded", "被新的黑名单记录取代"

    recheck = models.OneToOneField(Recheck, on_delete=models.PROTECT, related_name="blacklist_entry",
                                   verbose_name="复核")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="blacklist_entries",
                                   verbose_name="企业")
    # 认定部门: the bureau of the confirming reviewer; its office handles objections and repair.
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="认定部门")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.EXPOSED, protected=True)
    name = models.CharField("主体名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    region = models.CharField("行政区划代码", max_length=6)
    facts = models.TextField("失信事实")
    listed_on = models.DateField("列入日期")
    exposure_until = models.DateField("最短公示期满日")
    exited_on = models.DateField("移出日期", null=True, blank=True)
    exit_reason = models.TextField("移出理由", blank=True, default="")

    class Meta:
        verbose_name = "黑名单"
        verbose_name_plural = "黑名单"
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=Q(state="exposed"),
                                    name="blacklistentry_one_exposed_per_enterprise"),
        ]
        indexes = [models.Index(fields=["state", "exposure_until"], name="blacklist_state_exposure")]

    def __str__(self) -> str:
        return f"黑名单：{self.name}（{self.uscc}）"

    @property
    def entry_key(self) -> str:
        return f"blacklist:{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.state == self.State.EXPOSED

    @transition(field=state, source=State.EXPOSED, target=State.ENDED)
    def end(self):
        pass

    @transition(field=state, source=State.EXPOSED, target=State.REPAIRED)
    def repair(self):
        pass

    @transition(field=state, source=State.EXPOSED, target=State.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=State.EXPOSED, target=State.SUPERSEDED)
    def supersede(self):
        pass


# --- Objections (SPEC §5.4) ------------------------------------------------------------------------


class ObjectionStorage(FileSystemStorage):
    """Attachments are private (personal data of the objector): kept under
    QCREDIT_OBJECTION_FILES (default var/objection-files), read at each use, and never served
    by URL — staff open them through the workspace, which checks the reader."""

    @property
    def base_location(self) -> str:
        return str(getattr(settings, "QCREDIT_OBJECTION_FILES", None) or settings.VAR_DIR / "objection-files")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("objection attachments are not served by URL")


def objection_storage() -> FileSystemStorage:
    return ObjectionStorage()


class Objection(FSMModelMixin, models.Model):
    """An objection (异议) to a public entry, by anyone (SPEC §5.4)."""

    class State(models.TextChoices):
        RECEIVED = "received", "已受理，待分办"
        INVESTIGATING = "investigating", "调查核实中"
        ANSWERED = "answered", "已答复"

    class Outcome(models.TextChoices):
        WELL_FOUNDED = "well_founded", "异议成立"
        UNFOUNDED = "unfounded", "异议不成立"

    OPEN_STATES = (State.RECEIVED, State.INVESTIGATING)

    receipt = models.CharField("受理编号", max_length=32, unique=True)
    target_kind = models.CharField("异议对象名单", max_length=16, choices=TargetKind.choices)
    target_id = models.BigIntegerField("异议对象编号")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="objections",
                                   verbose_name="涉及企业")
    # The bureau that owns the entry; its office answers (SPEC §5.4).
    owner_jurisdiction = models.CharField("承办管辖区域", max_length=6, db_index=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.RECEIVED, protected=True)
    objector_name = models.CharField("异议人", max_length=100)
    objector_contact = models.CharField("联系方式", max_length=200)
    reasons = models.TextField("异议理由")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="提交账号")
    lodged_at = models.DateTimeField("提交时间")
    lodged_on = models.DateField("受理日期")
    deadline_workdays = models.PositiveSmallIntegerField("答复期限（工作日）")
    due_on = models.DateField("答复期限")
    overdue_flagged_at = models.DateTimeField("逾期提示时间", null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="承办人")
    assigned_at = models.DateTimeField("分办时间", null=True, blank=True)
    outcome = models.CharField("处理结果", max_length=16, choices=Outcome.choices, blank=True, default="")
    answer = models.TextField("答复", blank=True, default="")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="答复人")
    answered_on = models.DateField("答复日期", null=True, blank=True)
    # What the well-founded objection led to (internal): the route taken.
    route = models.JSONField("处理途径", default=dict)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["target_kind", "target_id"], name="objection_target"),
                   models.Index(fields=["state", "due_on"], name="objection_state_due")]

    def __str__(self) -> str:
        return f"异议 {self.receipt}（{self.get_state_display()}）"

    @transition(field=state, source=[State.RECEIVED, State.INVESTIGATING], target=State.INVESTIGATING)
    def assign(self):
        pass

    @transition(field=state, source=State.INVESTIGATING, target=State.ANSWERED)
    def answer_objection(self):
        pass


class ObjectionAttachment(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="attachments",
                                  verbose_name="异议")
    file = models.FileField("附件", upload_to="%Y/%m/", storage=objection_storage)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=64)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "异议附件"
        verbose_name_plural = "异议附件"

    def __str__(self) -> str:
        return self.original_name


# --- Enterprise statements (SPEC §5.4) -------------------------------------------------------------


class Statement(FSMModelMixin, models.Model):
    """The enterprise's own short statement beside its public entry; shown, as the enterprise's
    words, only once the office approved it. One current statement per entry: an approved one
    replaces the one shown before, a new submission replaces one still waiting."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "审核通过，公开显示"
        REJECTED = "rejected", "审核未通过"
        SUPERSEDED = "superseded", "已被新的声明取代"

    target_kind = models.CharField("名单", max_length=16, choices=TargetKind.choices)
    target_id = models.BigIntegerField("名单条目编号")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="statements",
                                   verbose_name="企业")
    owner_jurisdiction = models.CharField("审核管辖区域", max_length=6, db_index=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PENDING, protected=True)
    text = models.CharField("声明", max_length=STATEMENT_MAX_LENGTH)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="提交人")
    submitted_at = models.DateTimeField("提交时间")
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="审核人")
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    rejection_reason = models.TextField("未通过理由", blank=True, default="")

    class Meta:
        verbose_name = "企业声明"
        verbose_name_plural = "企业声明"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["target_kind", "target_id"], condition=Q(state="pending"),
                                    name="statement_one_pending_per_entry"),
            models.UniqueConstraint(fields=["target_kind", "target_id"], condition=Q(state="approved"),
                                    name="statement_one_approved_per_entry"),
        ]

    def __str__(self) -> str:
        return f"企业声明：{self.enterprise.name}（{self.get_state_display()}）"

    @transition(field=state, source=State.PENDING, target=State.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=State.PENDING, target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.PENDING, State.APPROVED], target=State.SUPERSEDED)
    def supersede(self):
        pass
