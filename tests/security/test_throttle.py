"""Login throttling: five failures of a user name from one address within 15 minutes lock it
there for 15 minutes, on the site's login page and the admin's alike; the refusal says when to
retry; failures and locks are on the audit trail."""

from __future__ import annotations

import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from qcredit.audit.models import AuditEvent
from qcredit.web import throttle

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client, username, password, address="127.0.0.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/accounts/landing/"


def page(response) -> str:
    return response.content.decode()


def retry_time(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def test_five_failures_lock_the_name_at_that_address_and_say_when_to_retry(client, clerk, clock):
    for n in range(1, 5):
        response = attempt(client, "clerk", f"wrong-{n}")
        assert response.status_code == 200 and "用户名或密码不正确" in page(response)
    # The warning comes before the lock.
    assert "再失败 1 次" in page(response)
    fifth = attempt(client, "clerk", "wrong-5")
    locked_at = clock.now
    assert "登录已暂停" in page(fifth) and retry_time(locked_at + throttle.lockout()) in page(fifth)
    assert "约 15 分钟后" in page(fifth)

    # While locked even the right password is refused, with the same retry time.
    clock.advance(minutes=5)
    refused = attempt(client, "clerk", PASSWORD)
    assert not logged_in(refused) and retry_time(locked_at + throttle.lockout()) in page(refused)
    assert "约 10 分钟后" in page(refused)
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_15_minutes_and_attempts_during_it_do_not_extend_it(client, clerk, clock):
    for n in range(5):
        attempt(client, "clerk", f"wrong-{n}")
    for _ in range(10):
        clock.advance(minutes=1)
        attempt(client, "clerk", "still-wrong")
    clock.advance(minutes=5, seconds=1)  # 15 minutes and a second after the lock
    assert logged_in(attempt(client, "clerk", PASSWORD))


def test_another_address_is_not_locked(client, clerk, clock):
    for n in range(5):
        attempt(client, "clerk", f"wrong-{n}", address="203.0.113.7")
    assert "登录已暂停" in page(attempt(client, "clerk", PASSWORD, address="203.0.113.7"))
    # Nobody elsewhere can lock a colleague out by typing their name.
    assert logged_in(attempt(client, "clerk", PASSWORD, address="10.1.2.3"))


def test_a_successful_login_resets_the_count(client, clerk, clock):
    for n in range(4):
        attempt(client, "clerk", f"wrong-{n}")
    assert logged_in(attempt(client, "clerk", PASSWORD))
    client.post("/accounts/logout/")
    for n in range(4):
        assert "登录已暂停" not in page(attempt(client, "clerk", f"again-{n}"))
    assert logged_in(attempt(client, "clerk", PASSWORD))


def test_the_window_slides(client, clerk, clock):
    for n in range(4):
        attempt(client, "clerk", f"wrong-{n}")
    clock.advance(minutes=15, seconds=1)  # those four have left the window
    for n in range(4):
        assert "登录已暂停" not in page(attempt(client, "clerk", f"later-{n}"))
    clock.advance(minutes=1)
    assert "登录已暂停" in page(attempt(client, "clerk", "later-5"))


def test_user_names_are_counted_case_folded_and_unknown_names_alike(client, clerk, clock):
    for name in ("Clerk", "CLERK", "clerk", "cLeRk", "clerk"):
        attempt(client, name, "wrong")
    assert "登录已暂停" in page(attempt(client, "clerk", PASSWORD))
    # A name that does not exist locks exactly the same way: the page tells nothing about it.
    for n in range(4):
        assert "用户名或密码不正确" in page(attempt(client, "nobody", f"x{n}"))
    assert "登录已暂停" in page(attempt(client, "nobody", "x5"))


def test_failures_and_the_lock_are_on_the_audit_trail(client, clerk, clock):
    for n in range(5):
        attempt(client, "clerk", f"wrong-{n}", address="198.51.100.4")
    failed = list(AuditEvent.objects.filter(action="auth.login.failed").order_by("seq"))
    assert len(failed) == 5
    assert all(e.object_type == "auth.user" and e.object_id == str(clerk.pk) and e.actor_id is None
               and e.client_address == "198.51.100.4" for e in failed)
    assert [json.loads(e.after)["failures_in_window"] for e in failed] == [1, 2, 3, 4, 5]
    assert "wrong" not in "".join(e.after + e.reason for e in failed)  # never the password tried
    locked = AuditEvent.objects.get(action="auth.login.locked")
    assert locked.seq > failed[-1].seq and locked.client_address == "198.51.100.4"
    after = json.loads(locked.after)
    assert after["scope"] == "account" and after["username"] == "clerk"
    assert after["locked_until"] == (clock.now + throttle.lockout()).isoformat()
    assert "5 次" in locked.reason
    # Refused attempts during the lock are not counted again.
    attempt(client, "clerk", PASSWORD, address="198.51.100.4")
    assert AuditEvent.objects.filter(action__startswith="auth.login.").count() == 6


def test_the_admin_login_shares_the_throttle(client, clock):
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    for n in range(3):
        attempt(client, "root", f"wrong-{n}", url="/admin/login/")
    for n in range(2):
        attempt(client, "root", f"wrong-{n}")
    response = attempt(client, "root", PASSWORD, url="/admin/login/?next=/admin/")
    assert response.status_code == 200 and "登录已暂停" in page(response)
    clock.advance(minutes=15, seconds=1)
    response = attempt(client, "root", PASSWORD, url="/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


@override_settings(QCREDIT_LOGIN_ADDRESS_FAILURE_LIMIT=6)
def test_one_address_trying_many_names_is_stopped(client, clerk, clock):
    for name in ("a", "b", "c"):
        for n in range(2):
            attempt(client, name, f"wrong-{n}", address="192.0.2.50")
    refused = attempt(client, "clerk", PASSWORD, address="192.0.2.50")
    assert "本地址登录失败次数过多" in page(refused)
    assert json.loads(AuditEvent.objects.get(action="auth.login.locked").after)["scope"] == "address"
    assert logged_in(attempt(client, "clerk", PASSWORD, address="192.0.2.51"))


@override_settings(QCREDIT_TRUSTED_PROXY=True)
def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, clerk, clock):
    for n in range(5):
        client.post(LOGIN, {"username": "clerk", "password": f"w{n}"}, REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    assert AuditEvent.objects.filter(action="auth.login.locked", client_address="203.0.113.9").exists()
    # Another client behind the same proxy is not locked.
    response = client.post(LOGIN, {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1",
                           HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert logged_in(response)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_lock_exactly_once_across_connections():
    """Ten simultaneous failures from ten database connections: the row lock serialises them,
    so five are counted, the fifth locks, the rest find the lock (no lost update, no second lock)."""
    barrier = threading.Barrier(10)
    errors = []

    def fail():
        try:
            barrier.wait()
            throttle.login_failure_record(username="racer", address="192.0.2.99")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.filter(action="auth.login.failed").count() == 10
    assert AuditEvent.objects.filter(action="auth.login.locked").count() == 1
    assert throttle.login_lock(username="racer", address="192.0.2.99") is not None


def test_the_admin_login_does_not_tell_a_right_password_of_a_non_admin_account(client, clerk):
    for n in range(3):
        attempt(client, "clerk", f"wrong-{n}", url="/admin/login/")
    wrong = page(attempt(client, "clerk", "wrong-3", url="/admin/login/"))
    client2 = type(client)()
    for n in range(3):
        attempt(client2, "clerk", f"wrong-{n}", url="/admin/login/", address="192.0.2.77")
    right = page(attempt(client2, "clerk", PASSWORD, url="/admin/login/", address="192.0.2.77"))
    # The same words and the same countdown, whether the password was right or not.
    message = "用户名或密码不正确，或该账号不能使用管理后台，请重新输入（密码区分大小写）。再失败 1 次"
    assert message in wrong and message in right
    assert "_auth_user_id" not in client2.session
    assert "登录已暂停" in page(attempt(client2, "clerk", PASSWORD, url="/admin/login/", address="192.0.2.77"))
