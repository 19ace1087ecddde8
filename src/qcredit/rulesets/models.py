"""Rule-set versions (SPEC §6): a successor of the shipped rule set with changed, dated
parameter values, each carrying its article. The criteria are code (qcredit.rules); a
version changes their numbers.

States (django-fsm, transitions only through qcredit.rulesets.services)::

    draft ──preview recorded──▶ previewed ──activate──▶ active
                                  ↺ (preview recorded again)

An active version is immutable (SPEC §6 "immutable once active"): the model refuses to save
or delete it, and database triggers (migration 0002) refuse it to any client; the one
column still written afterwards is ``rechecked_on``, stamped once when the red-list
re-check for the version has run (SPEC §5.1 exit "the rule set changes").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from .errors import RuleSetVersionError, RuleSetVersionErrorCode

# The columns that may still change on an active version (and only from NULL, once).
MUTABLE_WHEN_ACTIVE = frozenset({"rechecked_on"})


class RuleSetVersion(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PREVIEWED = "previewed", "已预览影响"
        ACTIVE = "active", "已启用"

    version = models.CharField("版本号", max_length=32, unique=True)
    predecessor = models.CharField("前一版本", max_length=32)
    effective_from = models.DateField("生效日期")
    title = models.CharField("标题", max_length=200)
    note = models.TextField("说明", blank=True, default="")
    # {parameter name: {"value": new value, "article": 依据条款, "previous": value it replaces}}
    overrides = models.JSONField("参数调整", default=dict)
    state = FSMField("状态", default=State.DRAFT, choices=State.choices, protected=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    creation_reason = models.TextField("创建理由", blank=True, default="")

    previewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="预览人")
    previewed_at = models.DateTimeField("预览时间", null=True, blank=True)
    impact = models.JSONField("影响评估", null=True, blank=True)

    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="启用人")
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    activation_reason = models.TextField("启用理由", blank=True, default="")
    rechecked_on = models.DateField("红名单复查日", null=True, blank=True)

    class Meta:
        verbose_name = "规则版本"
        verbose_name_plural = "规则版本"
        ordering = ["-effective_from", "-id"]
        constraints = [
            # A version has at most one active successor: the chain of active versions is linear.
            models.UniqueConstraint(fields=["predecessor"], condition=Q(state="active"),
                                    name="rulesetversion_one_active_successor"),
        ]

    def __str__(self) -> str:
        return f"{self.version}（{self.get_state_display()}，{self.effective_from} 起）"

    # -- immutability once active (the triggers of migration 0002 hold the same in the database) --

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self._stored_state() == self.State.ACTIVE and not (
                update_fields is not None and set(update_fields) <= MUTABLE_WHEN_ACTIVE):
            raise RuleSetVersionError(RuleSetVersionErrorCode.IMMUTABLE,
                                      f"规则版本 {self.version} 已启用，不能再修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_state() == self.State.ACTIVE:
            raise RuleSetVersionError(RuleSetVersionErrorCode.IMMUTABLE,
                                      f"规则版本 {self.version} 已启用，不能删除")
        return super().delete(*args, **kwargs)

    def _stored_state(self) -> str | None:
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()

    # -- transitions (qcredit.rulesets.services only) --

    @transition(field=state, source=[State.DRAFT, State.PREVIEWED], target=State.PREVIEWED)
    def record_preview(self, *, by, at, impact: dict) -> None:
        self.previewed_by, self.previewed_at, self.impact = by, at, impact

    @transition(field=state, source=State.PREVIEWED, target=State.ACTIVE)
    def activate(self, *, by, at, reason: str) -> None:
        self.activated_by, self.activated_at, self.activation_reason = by, at, reason
