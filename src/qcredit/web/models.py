"""Login throttling state (issue 4 item 4; GB/T 22239-2019 8.1.4.1 b "登录失败处理").

One row per throttle key: a user name tried from one client address, or a client address
whatever the user name. The row holds the times of the recent failures (a sliding window) and,
once the limit is reached, the end of the lock. Rows live in the database, so that every
server process sees the same counts on PostgreSQL and the embedded SQLite works without a
cache server. The logic is in :mod:`qcredit.web.throttle`.
"""

from __future__ import annotations

from django.db import models


class LoginThrottle(models.Model):
    class Scope(models.TextChoices):
        ACCOUNT = "account", "用户名+来源地址"
        ADDRESS = "address", "来源地址"

    scope = models.CharField("范围", max_length=8, choices=Scope.choices)
    # The user name as typed, case-folded (empty for the address scope). A name longer than a
    # user name can be never reaches authentication, so 150 characters hold every key.
    username = models.CharField("用户名", max_length=150, blank=True, default="")
    address = models.CharField("来源地址", max_length=64)
    # ISO timestamps of the failures inside the window, oldest first (at most the limit).
    failures = models.JSONField("窗口内失败时间", default=list)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "登录限制"
        verbose_name_plural = "登录限制"
        constraints = [models.UniqueConstraint(fields=["scope", "username", "address"], name="loginthrottle_key")]

    def __str__(self) -> str:
        who = f"{self.username}@{self.address}" if self.username else self.address
        return f"{self.get_scope_display()} {who}"
