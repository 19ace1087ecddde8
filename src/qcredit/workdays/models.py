"""The official calendar, year by year (SPEC §5 preamble).

Only exceptions are stored. A year is *loaded* when it has a :class:`HolidayYear` row; then a
day of it is a :class:`CalendarDay` exception (法定节假日 or 调休上班日) or an ordinary day — a
workday Monday to Friday, a rest day on Saturday and Sunday. A day of a year that is not
loaded has no answer (``errors.MissingHolidayYear``).

Rows are written only by ``services.holiday_year_load`` (and the seed of migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import schedule


class HolidayYear(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=200,
                              help_text="如 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕x号）")
    loaded_at = models.DateTimeField("导入时间", default=timezone.now)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="导入人")
    reason = models.TextField("替换原因", blank=True, default="",
                              help_text="替换已导入的年度安排时必须说明原因")

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排"


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = schedule.HOLIDAY, schedule.KIND_LABELS[schedule.HOLIDAY]
        WORKDAY = schedule.WORKDAY, schedule.KIND_LABELS[schedule.WORKDAY]

    holiday_year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days",
                                     verbose_name="年度")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("名称", max_length=schedule.NAME_MAX_LENGTH, help_text="如 春节、国庆节")

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=[schedule.HOLIDAY, schedule.WORKDAY]),
                                   name="workdays_calendarday_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}（{self.name}）"
