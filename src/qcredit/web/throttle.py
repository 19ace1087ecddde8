"""Login throttling (issue 4 item 4; GB/T 22239-2019 8.1.4.1 b: "应具有登录失败处理功能，
应配置并启用结束会话、限制非法登录次数……").

Two counters, each a sliding window over the database (:class:`~qcredit.web.models.LoginThrottle`):

- **account**: a user name tried from one client address. ``QCREDIT_LOGIN_FAILURE_LIMIT``
  failures (5) within ``QCREDIT_LOGIN_FAILURE_WINDOW`` seconds (15 min) lock that name at that
  address for ``QCREDIT_LOGIN_LOCKOUT`` seconds (15 min). A successful login resets it. Keyed
  by address too, so that nobody elsewhere can lock a colleague out by typing their name.
- **address**: every failure from one client address, whatever the name
  (``QCREDIT_LOGIN_ADDRESS_FAILURE_LIMIT``, 50; 0 switches it off). It stops one address from
  trying a few passwords on each of many accounts. A successful login does not reset it.

While locked, an attempt is refused before the password is checked, and is not counted again.
A user name that does not exist is counted exactly like one that does (no enumeration). Every
failure and every lock is an audit event (``auth.login.failed``, ``auth.login.locked``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qcredit.audit.services import audit_write

from .models import LoginThrottle

Scope = LoginThrottle.Scope


def failure_limit() -> int:
    return int(getattr(settings, "QCREDIT_LOGIN_FAILURE_LIMIT", 5))


def address_failure_limit() -> int:
    return int(getattr(settings, "QCREDIT_LOGIN_ADDRESS_FAILURE_LIMIT", 50))


def failure_window() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "QCREDIT_LOGIN_FAILURE_WINDOW", 15 * 60)))


def lockout() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "QCREDIT_LOGIN_LOCKOUT", 15 * 60)))


@dataclass(frozen=True)
class LoginLock:
    until: datetime
    scope: str  # Scope.ACCOUNT or Scope.ADDRESS


@dataclass(frozen=True)
class FailureOutcome:
    remaining: int  # failures left before the account scope locks (0 when locked)
    lock: LoginLock | None  # the lock in force after this failure, if any
    locked_now: bool  # this failure started the lock


def username_key(username: str) -> str:
    """User names are compared case-folded, so that ``Admin`` and ``admin`` share a counter."""
    return (username or "").strip().casefold()[:150]


def _keys(username: str, address: str) -> Q:
    address = address[:64]
    keys = Q(scope=Scope.ACCOUNT, username=username_key(username), address=address)
    if address_failure_limit() > 0:
        keys |= Q(scope=Scope.ADDRESS, username="", address=address)
    return keys


def login_lock(*, username: str, address: str) -> LoginLock | None:
    """The lock in force for ``username`` at ``address`` (the later end if both scopes are
    locked), or None."""
    now = timezone.now()
    row = (LoginThrottle.objects.filter(_keys(username, address), locked_until__gt=now)
           .order_by("-locked_until").values_list("locked_until", "scope").first())
    return LoginLock(until=row[0], scope=row[1]) if row else None


def _count(*, scope: str, username: str, address: str, limit: int,
           now: datetime) -> tuple[int, LoginLock | None, bool]:
    """Add one failure to a counter under a row lock. Returns (failures in the window, the lock
    in force, whether this failure started it). A failure while the counter is locked (a request
    that passed the lock check just before another one locked it) is not counted."""
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(
        scope=scope, username=username, address=address)
    if row.locked_until is not None and row.locked_until > now:
        return limit, LoginLock(until=row.locked_until, scope=scope), False
    since = now - failure_window()
    recent = [t for t in row.failures if datetime.fromisoformat(t) > since]
    recent.append(now.isoformat())
    lock = None
    if len(recent) >= limit:
        row.locked_until = now + lockout()
        lock = LoginLock(until=row.locked_until, scope=scope)
        recent = []  # after the lock the count starts afresh
    row.failures = recent[-limit:]
    row.save(update_fields=["failures", "locked_until", "updated_at"])
    return (limit if lock else len(recent)), lock, lock is not None


def login_failure_record(*, username: str, address: str) -> FailureOutcome:
    """Count a failed login of ``username`` from ``address``; lock when a limit is reached.
    Writes ``auth.login.failed`` and, when this failure locks, ``auth.login.locked``."""
    key, address = username_key(username), address[:64]
    now = timezone.now()
    typed = (username or "")[:150]
    user_id = (get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: typed})
               .values_list("pk", flat=True).first())
    account = ("auth.user", user_id or "", typed)
    limit = failure_limit()
    with transaction.atomic():
        failures, lock, locked_now = _count(scope=Scope.ACCOUNT, username=key, address=address, limit=limit,
                                            now=now)
        new_locks = [lock] if locked_now else []
        if address_failure_limit() > 0:
            _, address_lock, address_locked_now = _count(scope=Scope.ADDRESS, username="", address=address,
                                                         limit=address_failure_limit(), now=now)
            if address_locked_now:
                new_locks.append(address_lock)
            if address_lock is not None and (lock is None or address_lock.until > lock.until):
                lock = address_lock
        audit_write(actor=None, action="auth.login.failed", obj=account,
                    after={"username": typed, "failures_in_window": failures, "limit": limit},
                    reason="用户名或密码不正确")
        for new_lock in new_locks:
            audit_write(actor=None, action="auth.login.locked", obj=account,
                        after={"username": typed, "scope": str(new_lock.scope),
                               "locked_until": new_lock.until.isoformat()},
                        reason=lock_reason(new_lock))
    return FailureOutcome(remaining=0 if lock else max(limit - failures, 0), lock=lock, locked_now=bool(new_locks))


def login_success_record(*, username: str, address: str) -> None:
    """A successful login clears the account counter of that name at that address (not the
    address counter: one valid account must not reset the count of guesses at others)."""
    LoginThrottle.objects.filter(scope=Scope.ACCOUNT, username=username_key(username), address=address[:64]).delete()


def lock_reason(lock: LoginLock) -> str:
    window = int(failure_window().total_seconds() // 60)
    if lock.scope == Scope.ADDRESS:
        return f"来源地址在 {window} 分钟内登录失败达到 {address_failure_limit()} 次"
    return f"同一用户名在同一来源地址 {window} 分钟内登录失败达到 {failure_limit()} 次"


def lock_message(lock: LoginLock) -> str:
    """What the login page says (Chinese): why, and when to try again (Asia/Shanghai)."""
    until = timezone.localtime(lock.until)
    minutes = max(1, -(-int((lock.until - timezone.now()).total_seconds()) // 60))
    why = ("本地址登录失败次数过多" if lock.scope == Scope.ADDRESS
           else "该用户名在本地址登录失败次数过多")
    return (f"{why}，登录已暂停。请于 {until.year}年{until.month}月{until.day}日 {until:%H:%M}"
            f"（约 {minutes} 分钟后）再试；"
            "如忘记密码，请联系本单位系统管理员重置。")
