"""Units, roles and jurisdictions (SPEC §1).

A :class:`Unit` is a bureau or one of its divisions, with a jurisdiction: a GB/T 2260 prefix
(``37`` the province, ``3701`` Jinan, ``370102`` a district). A user holds roles through
:class:`Membership` rows (a user may hold several, SPEC §1) and sees internal data only for
enterprises whose ``region`` starts with the jurisdiction of a unit they belong to. An
enterprise user (企业用户) is bound to its own enterprise by :class:`EnterpriseAccount`.
Who may do what is decided in :mod:`qcredit.accounts.services`, never by these models alone.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

JURISDICTION_RE = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


def validate_jurisdiction(value: str) -> None:
    if not JURISDICTION_RE.match(value or ""):
        raise ValidationError(f"管辖区域应为 2、4 或 6 位行政区划代码前缀（GB/T 2260），而不是“{value}”")


class Role(models.TextChoices):
    """The staff roles of SPEC §1 (the public, enterprises and partner systems are not roles
    held in a unit)."""

    DIVISION = "division", "提报处室/直属单位"
    LEGAL = "legal", "政策法规处"
    OFFICE = "office", "领导小组办公室"
    LEADER = "leader", "领导小组成员"
    EVALUATOR = "evaluator", "省级评价人员"
    INSPECTION = "inspection", "检验单位"
    REVIEWER = "reviewer", "复核人员"
    AUDITOR = "auditor", "纪检/审计"
    ADMIN = "admin", "系统管理员"


class Unit(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    code = models.SlugField("单位代号", max_length=40, unique=True)
    name = models.CharField("单位名称", max_length=120)
    jurisdiction = models.CharField("管辖区域（行政区划代码前缀）", max_length=6, validators=[validate_jurisdiction],
                                    db_index=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name="上级单位")
    # 数据来源单位统一社会信用代码 in partner exports (SPEC §7.2).
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["jurisdiction", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return {2: self.Level.PROVINCE, 4: self.Level.CITY, 6: self.Level.COUNTY}[len(self.jurisdiction)]

    def covers(self, region: str) -> bool:
        return covers(self.jurisdiction, region)


def covers(jurisdiction: str, region: str) -> bool:
    """Does a jurisdiction prefix cover an enterprise's (or another unit's) region code?"""
    return bool(jurisdiction) and (region or "").startswith(jurisdiction)


class Membership(models.Model):
    """A user holds a role in a unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name="用户")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name="单位")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授予"
        verbose_name_plural = "角色授予"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class EnterpriseAccount(models.Model):
    """An enterprise user (企业用户): sees its own archive and grade, applies, objects (SPEC §1)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enterprise_account",
                                verbose_name="用户")
    enterprise = models.ForeignKey("archive.Enterprise", on_delete=models.PROTECT, related_name="accounts",
                                   verbose_name="企业")

    class Meta:
        verbose_name = "企业账号"
        verbose_name_plural = "企业账号"

    def __str__(self) -> str:
        return f"{self.user} · {self.enterprise}"


class Notification(models.Model):
    """A message in a user's inbox (deadline reminders, items to decide). Written in the
    transaction of the change it reports; e-mail copies go out on commit only."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
                                  verbose_name="收件人")
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True, default="")
    link = models.CharField("链接", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.subject
