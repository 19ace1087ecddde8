"""The quality-credit red list (质量信用"红名单", SRL; SPEC §5.1).

- :class:`RedList` — a list owned by one unit and run in its jurisdiction (SRL 第十八条: the
  province's by the provincial office, a city's by that city's bureau).
- :class:`Nomination` — 提报 by a division (SRL 第五条 "谁履职、谁拟定、谁上报、谁负责"), with
  the eligibility result attached (SRL 第八、九条), legality review (SRL 第十条).
- :class:`Meeting` and :class:`AgendaItem` — the leading group's meetings (SRL 第六、七条): every
  collective decision is an agenda item with its minutes reference and the leaders present.
- :class:`Entry` — a published subject (SRL 第四、十一、十二条) until it leaves the list:
  revoked (SRL 第十三条), removed (第十四条(一)(二)(四)) or expired (第十四条(三)、第十五条); an
  entry that left stays as the archive (备查库) — visible to staff, never again public.
- :class:`RevocationReview` — a violation during publication, for the submitting division's
  proposal within the deadline (SRL 第十三条).
- :class:`RemovalItem` — a removal to decide (objection, black list, changed rules: 第十四条).

State fields are protected: a state changes only through a transition method, and only the
services in :mod:`qcredit.redlist.services` call those (after checking role and jurisdiction).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from qcredit.accounts.models import Unit
from qcredit.archive.models import Enterprise


class RedList(models.Model):
    """A red list and the unit that owns it (SRL 第十八条)."""

    owner = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="redlist", verbose_name="所属单位")
    name = models.CharField("名单名称", max_length=120)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "红名单"
        verbose_name_plural = "红名单"
        ordering = ["owner__jurisdiction", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction(self) -> str:
        return self.owner.jurisdiction


class Nomination(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提报，待合法性审查"
        AWAITING_MEETING = "awaiting_meeting", "合法性审查通过，待领导小组会议研究"
        REJECTED = "rejected", "合法性审查未通过"
        DECLINED = "declined", "领导小组会议未通过"
        WITHDRAWN = "withdrawn", "已撤回"
        PUBLISHED = "published", "已列入并公开"

    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.AWAITING_MEETING)

    redlist = models.ForeignKey(RedList, on_delete=models.PROTECT, related_name="nominations", verbose_name="红名单")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="redlist_nominations",
                                   verbose_name="主体")
    # The division that drafts, submits and answers for the nomination (SRL 第五条).
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="提报单位")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="拟定人")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    reasons = models.TextField("确定理由")
    credit_facts = models.TextField("主要信用事实")
    justification = models.TextField("其他卓越质量信用表现的说明（第八条(六)）", blank=True, default="")

    # The eligibility result the system attached (SRL 第八、九条), as of ``evaluated_on``.
    evaluated_on = models.DateField("资格评价日")
    ruleset = models.CharField("规则版本", max_length=32)
    grade = models.CharField("评价日质量信用等级", max_length=1)
    eligible = models.BooleanField("符合列入条件")
    qualifying = models.JSONField("符合的第八条情形", default=list)
    unmet = models.JSONField("不符合的条件", default=list)
    eligibility = models.JSONField("资格评价明细", default=dict)

    submitted_at = models.DateTimeField("提报时间", null=True, blank=True)
    legal_reviewed_at = models.DateTimeField("合法性审查时间", null=True, blank=True)
    legal_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name="合法性审查人")
    legal_opinion = models.TextField("合法性审查意见", blank=True, default="")
    withdrawn_reason = models.TextField("撤回理由", blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "红名单提报"
        verbose_name_plural = "红名单提报"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["redlist", "enterprise"],
                                    condition=Q(state__in=["draft", "submitted", "awaiting_meeting"]),
                                    name="nomination_one_open_per_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {self.redlist}（{self.get_state_display()}）"

    @transition(field=state, source=State.DRAFT, target=State.DRAFT)
    def edit(self):
        pass

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED], target=State.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.AWAITING_MEETING)
    def pass_legal_review(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.REJECTED)
    def fail_legal_review(self):
        pass

    @transition(field=state, source=State.AWAITING_MEETING, target=State.PUBLISHED)
    def publish(self):
        pass

    @transition(field=state, source=State.AWAITING_MEETING, target=State.DECLINED)
    def decline(self):
        pass


class Meeting(models.Model):
    """A meeting of the leading group (SRL 第七条: regular, in principle every half year;
    extraordinary when needed)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", "例会"
        EXTRAORDINARY = "extraordinary", "临时会议"

    redlist = models.ForeignKey(RedList, on_delete=models.PROTECT, related_name="meetings", verbose_name="红名单")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    date = models.DateField("会议日期")
    reason = models.TextField("召开理由", blank=True, default="")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="安排人")
    created_at = models.DateTimeField("安排时间", auto_now_add=True)

    class Meta:
        verbose_name = "领导小组会议"
        verbose_name_plural = "领导小组会议"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.redlist} {self.get_kind_display()} {self.date.isoformat()}"


class Entry(FSMModelMixin, models.Model):
    """A subject on the list. Its public fields are copied at publication (SRL 第十一条) and never
    change; the baseline is the evaluation the list accepted (at publication, or when a meeting
    kept the subject after a revocation review), against which new violations are found."""

    class State(models.TextChoices):
        PUBLISHED = "published", "公开中"
        REVOKED = "revoked", "已撤销"
        REMOVED = "removed", "已删除"
        EXPIRED = "expired", "期满转入备查库"

    redlist = models.ForeignKey(RedList, on_delete=models.PROTECT, related_name="entries", verbose_name="红名单")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="entry",
                                      verbose_name="提报")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="redlist_entries",
                                   verbose_name="主体")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PUBLISHED, protected=True)
    name = models.CharField("主体名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    region = models.CharField("行政区划代码", max_length=6)
    credit_facts = models.TextField("主要信用事实")
    published_on = models.DateField("列入日期")
    valid_until = models.DateField("有效期至")
    baseline = models.JSONField("基准评价", default=dict)
    baseline_on = models.DateField("基准评价日")
    exited_on = models.DateField("退出日期", null=True, blank=True)
    exit_reason = models.TextField("退出理由", blank=True, default="")

    class Meta:
        verbose_name = "红名单主体"
        verbose_name_plural = "红名单主体"
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["redlist", "enterprise"], condition=Q(state="published"),
                                    name="entry_one_published_per_subject"),
        ]
        indexes = [models.Index(fields=["state", "valid_until"], name="entry_state_valid_until")]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）· {self.redlist}"

    @property
    def entry_key(self) -> str:
        """The key of the entry in publication events (qcredit.exchange)."""
        return f"redlist:{self.pk}"

    @property
    def archived(self) -> bool:
        """In the archive (备查库, SRL 第十五条): no longer public, still visible to staff."""
        return self.state != self.State.PUBLISHED

    @transition(field=state, source=State.PUBLISHED, target=State.PUBLISHED)
    def keep(self):
        pass

    @transition(field=state, source=State.PUBLISHED, target=State.REVOKED)
    def revoke(self):
        pass

    @transition(field=state, source=State.PUBLISHED, target=State.REMOVED)
    def remove(self):
        pass

    @transition(field=state, source=State.PUBLISHED, target=State.EXPIRED)
    def expire(self):
        pass


class RevocationReview(FSMModelMixin, models.Model):
    """A listed subject with a new adverse record during publication: the submitting division
    proposes revoke or keep within the deadline (SRL 第十三条), the meeting decides."""

    class State(models.TextChoices):
        OPEN = "open", "待提报单位提出建议"
        PROPOSED = "proposed", "已提出建议，待会议研究"
        REVOKED = "revoked", "会议决定撤销"
        KEPT = "kept", "会议决定保留"
        MOOT = "moot", "主体已退出名单，终止"

    OPEN_STATES = (State.OPEN, State.PROPOSED)

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="revocation_reviews",
                              verbose_name="红名单主体")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="提报单位")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    findings = models.JSONField("发现的情形", default=dict)
    detected_on = models.DateField("发现日期")
    # The day the obligation arose (the adverse record entered the archive); not counted.
    arose_on = models.DateField("起算日")
    deadline_workdays = models.PositiveSmallIntegerField("期限（工作日）")
    due_on = models.DateField("建议期限")
    overdue_flagged_at = models.DateTimeField("逾期提示时间", null=True, blank=True)
    revoke_proposed = models.BooleanField("建议撤销", null=True)
    proposal = models.TextField("建议理由", blank=True, default="")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="建议人")
    proposed_at = models.DateTimeField("建议时间", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "撤销研究"
        verbose_name_plural = "撤销研究"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry"], condition=Q(state__in=["open", "proposed"]),
                                    name="revocationreview_one_open_per_entry"),
        ]

    def __str__(self) -> str:
        return f"撤销研究：{self.entry.name}（{self.get_state_display()}）"

    @property
    def uscc(self) -> str:
        return self.entry.uscc

    @property
    def name(self) -> str:
        return self.entry.name

    @transition(field=state, source=State.OPEN, target=State.OPEN)
    def flag_overdue(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.PROPOSED)
    def propose(self):
        pass

    @transition(field=state, source=State.PROPOSED, target=State.REVOKED)
    def decide_revoke(self):
        pass

    @transition(field=state, source=State.PROPOSED, target=State.KEPT)
    def decide_keep(self):
        pass

    @transition(field=state, source=[State.OPEN, State.PROPOSED], target=State.MOOT)
    def end_moot(self):
        pass


class RemovalItem(FSMModelMixin, models.Model):
    """A removal for the meeting to decide (SRL 第十四条): an objection found well-founded, the
    subject blacklisted, or the subject no longer meeting changed rules."""

    class Route(models.TextChoices):
        OBJECTION = "objection", "经异议处理，认定有误（第十四条(一)）"
        BLACKLISTED = "blacklisted", "列入黑名单（第十四条(二)）"
        RULESET = "ruleset", "认定标准改变，不符合新标准（第十四条(四)）"

    class State(models.TextChoices):
        OPEN = "open", "待会议研究"
        REMOVED = "removed", "会议决定删除"
        KEPT = "kept", "会议决定保留"
        MOOT = "moot", "主体已退出名单，终止"

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="removal_items",
                              verbose_name="红名单主体")
    route = models.CharField("途径", max_length=16, choices=Route.choices)
    reason = models.TextField("理由")
    reference = models.CharField("依据编号", max_length=100, blank=True, default="")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="提出人")
    opened_at = models.DateTimeField("提出时间", auto_now_add=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "删除事项"
        verbose_name_plural = "删除事项"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "route", "reference"], name="removalitem_once_per_reference"),
        ]

    def __str__(self) -> str:
        return f"删除事项：{self.entry.name}（{self.get_route_display()}，{self.get_state_display()}）"

    @property
    def uscc(self) -> str:
        return self.entry.uscc

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def entry_key(self) -> str:
        return self.entry.entry_key

    @transition(field=state, source=State.OPEN, target=State.REMOVED)
    def decide_remove(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.KEPT)
    def decide_keep(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.MOOT)
    def end_moot(self):
        pass


class AgendaItem(FSMModelMixin, models.Model):
    """One item on a meeting's agenda and the collective decision on it (SRL 第六条). The
    motion is: list the subject (nomination), revoke it (revocation review), remove it
    (removal item); ``approved`` / ``rejected`` answer the motion."""

    class Kind(models.TextChoices):
        NOMINATION = "nomination", "列入"
        REVOCATION = "revocation", "撤销"
        REMOVAL = "removal", "删除"

    class State(models.TextChoices):
        PENDING = "pending", "待研究"
        APPROVED = "approved", "通过"
        REJECTED = "rejected", "不通过"
        DEFERRED = "deferred", "撤出议程"
        MOOT = "moot", "主体已退出名单，终止"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items", verbose_name="会议")
    kind = models.CharField("议题类别", max_length=16, choices=Kind.choices)
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="agenda_items", verbose_name="提报")
    revocation_review = models.ForeignKey(RevocationReview, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="agenda_items", verbose_name="撤销研究")
    removal_item = models.ForeignKey(RemovalItem, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="agenda_items", verbose_name="删除事项")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PENDING, protected=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="列入议程人")
    added_at = models.DateTimeField("列入议程时间", auto_now_add=True)
    # The decision (SRL 第六条 集体研究): minutes, who was present, who recorded it.
    minutes_ref = models.CharField("会议纪要文号", max_length=200, blank=True, default="")
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True,
                                     verbose_name="出席的领导小组成员")
    attendees = models.TextField("其他出席人员", blank=True, default="")
    note = models.TextField("决定说明/撤出理由", blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="记录人")
    decided_at = models.DateTimeField("记录时间", null=True, blank=True)

    class Meta:
        verbose_name = "会议议题"
        verbose_name_plural = "会议议题"
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="nomination", nomination__isnull=False, revocation_review__isnull=True,
                             removal_item__isnull=True)
                           | Q(kind="revocation", nomination__isnull=True, revocation_review__isnull=False,
                               removal_item__isnull=True)
                           | Q(kind="removal", nomination__isnull=True, revocation_review__isnull=True,
                               removal_item__isnull=False)),
                name="agendaitem_one_subject_of_its_kind"),
            models.UniqueConstraint(fields=["nomination"], condition=Q(state="pending"),
                                    name="agendaitem_nomination_once_pending"),
            models.UniqueConstraint(fields=["revocation_review"], condition=Q(state="pending"),
                                    name="agendaitem_revocation_once_pending"),
            models.UniqueConstraint(fields=["removal_item"], condition=Q(state="pending"),
                                    name="agendaitem_removal_once_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_kind_display()}：{self.subject}"

    @property
    def subject(self):
        return self.nomination or self.revocation_review or self.removal_item

    @transition(field=state, source=State.PENDING, target=State.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=State.PENDING, target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=State.PENDING, target=State.DEFERRED)
    def defer(self):
        pass

    @transition(field=state, source=State.PENDING, target=State.MOOT)
    def end_moot(self):
        pass
