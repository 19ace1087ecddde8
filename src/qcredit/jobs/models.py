"""What the scheduled jobs did, step by step, so that operators see what ran and what failed."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """One step of a job run: created when the step starts (a row without ``finished_at`` is
    running, or its process died), finished with its counts or its error."""

    job = models.CharField("任务", max_length=32)  # "daily" | "reminders"
    name = models.CharField("步骤", max_length=64)  # e.g. "grading.regrade_all"
    label = models.CharField("说明", max_length=100, blank=True, default="")
    day = models.DateField("执行日")
    channel = models.CharField("触发方式", max_length=64, blank=True, default="")  # cli, celery …
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    ok = models.BooleanField("成功", null=True)
    counts = models.JSONField("结果计数", default=dict, blank=True)
    error_code = models.CharField("错误代码", max_length=64, blank=True, default="")
    error = models.TextField("错误", blank=True, default="")

    class Meta:
        verbose_name = "任务执行记录"
        verbose_name_plural = "任务执行记录"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "started_at"], name="jobrun_job_started")]

    def __str__(self) -> str:
        state = "进行中" if self.ok is None else ("成功" if self.ok else "失败")
        return f"{self.day} {self.name} {state}"
