"""The password policy holds on every path that sets a password: the user's own change page,
the admin's add-user and change-password forms, and createsuperuser (interactive and not).
Every refusal is in Chinese."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from qcredit.accounts.models import Role
from qcredit.audit.models import AuditEvent
from qcredit.web.passwords import CharacterClassesValidator

from .. import factories
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHANGE = "/accounts/password/"
STRONG = "Xinyong#Jiandu-88"
# (a weak password, the Chinese reason the policy gives for it)
WEAK = [
    ("Ab1!xyz", "密码太短，至少需要 10 个字符"),
    ("password123", "这个密码太常见了"),
    ("20261129202611", "密码只包含数字"),
    ("zhiliangxinyong", "至少 3 类"),
    ("Clerk!26", "太相似"),
]


def change(client, old, new, again=None):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new})


def test_the_page_asks_for_login_and_speaks_chinese(client, clerk):
    assert client.get(CHANGE)["Location"].startswith("/accounts/login/?next=/accounts/password/")
    client.force_login(clerk)
    html = client.get(CHANGE).content.decode()
    assert "<h1>修改登录密码</h1>" in html and "原密码" in html and "新密码" in html
    assert "至少需要 10 个字符" in html and "至少 3 类" in html  # the rules, before typing
    assert "企业查询" in html  # inside the workspace shell for staff
    # The user name in the navigation leads there.
    assert '<a class="user" href="/accounts/password/" title="修改密码">clerk</a>' in client.get("/workspace/").content.decode()


def test_the_enterprise_user_sees_it_in_the_self_service_shell(client):
    from qcredit.accounts.models import EnterpriseAccount
    from qcredit.archive import services
    from qcredit.rules.uscc import make_uscc

    enterprise = services.enterprise_register(data={
        "uscc": make_uscc("91370102MA1234567"), "name": "济南密码测试有限公司", "established_on": "2012-01-01",
        "region": "370102", "industry": "C3491", "licence_required": False, "mandatory_testing": False,
        "exporter": False, "status": "active"})
    user = get_user_model().objects.create_user("qiye", password=PASSWORD)
    EnterpriseAccount.objects.create(user=user, enterprise=enterprise)
    client.force_login(user)
    html = client.get(CHANGE).content.decode()
    assert '<body class="self-service">' in html and "企业查询" not in html
    assert '<a class="user" href="/accounts/password/" title="修改密码">qiye</a>' in html


@pytest.mark.parametrize(("weak", "reason"), WEAK)
def test_a_weak_new_password_is_refused_with_its_reason(client, clerk, weak, reason):
    client.force_login(clerk)
    response = change(client, PASSWORD, weak)
    assert response.status_code == 200 and reason in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="auth.password.change").exists()


def test_wrong_old_password_mismatch_and_reuse_are_refused(client, clerk):
    client.force_login(clerk)
    assert "原密码不正确" in change(client, "not-my-password", STRONG).content.decode()
    assert "两次输入的新密码不一致" in change(client, PASSWORD, STRONG, STRONG + "x").content.decode()
    assert "新密码不能与原密码相同" in change(client, PASSWORD, PASSWORD).content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_a_good_change_is_audited_keeps_this_session_and_ends_the_others(client, clerk):
    elsewhere = Client()
    elsewhere.force_login(clerk)
    assert elsewhere.get("/workspace/").status_code == 200
    client.force_login(clerk)

    response = change(client, PASSWORD, STRONG)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert "密码已修改" in client.get(response["Location"]).content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)
    event = AuditEvent.objects.get(action="auth.password.change")
    assert event.actor_id == clerk.pk and event.object_id == str(clerk.pk)
    assert json.loads(event.after) == {"password_changed": True}  # never the password or its hash
    assert client.get("/workspace/").status_code == 200
    assert elsewhere.get("/workspace/").status_code == 302  # the other browser must log in again


def test_admin_add_user_and_change_password_apply_the_policy(client):
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    response = client.post("/admin/auth/user/add/", {"username": "newclerk", "usable_password": "true",
                                                     "password1": "password123", "password2": "password123"})
    assert response.status_code == 200 and "这个密码太常见了" in response.content.decode()
    assert not get_user_model().objects.filter(username="newclerk").exists()

    clerk = factories.staff(Role.LEGAL, "37", username="legal1", password=PASSWORD)
    url = f"/admin/auth/user/{clerk.pk}/password/"
    response = client.post(url, {"password1": "zhiliangxinyong", "password2": "zhiliangxinyong",
                                 "usable_password": "true"})
    assert response.status_code == 200 and "至少 3 类" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)

    response = client.post(url, {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)


def test_createsuperuser_without_input_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "password123")
    with pytest.raises(CommandError, match=r"密码不符合密码策略.*这个密码太常见了"):
        call_command("createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.cn",
                     stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="ops").exists()

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.cn",
                 stdout=io.StringIO())
    assert get_user_model().objects.get(username="ops").check_password(STRONG)


class _TTY(io.StringIO):
    def isatty(self):
        return True


def test_createsuperuser_interactive_shows_the_policy_and_asks_again(monkeypatch):
    from django.contrib.auth.management.commands import createsuperuser

    typed = iter(["password123", "password123", STRONG, STRONG])
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="": next(typed))
    answers = []
    monkeypatch.setattr("builtins.input", lambda prompt="": answers.append(prompt) or "n")
    stderr = io.StringIO()
    call_command("createsuperuser", "--username", "ops2", "--email", "ops2@example.cn", interactive=True,
                 stdin=_TTY(), stdout=io.StringIO(), stderr=stderr)
    assert "这个密码太常见了" in stderr.getvalue() and len(answers) == 1  # refused once, then asked again
    assert get_user_model().objects.get(username="ops2").check_password(STRONG)


@pytest.mark.parametrize(("password", "ok"), [
    ("abcdefghij1", False), ("ABCDEFGH12", False), ("abcdefgh1!", True), ("Abcdefgh12", True),
    ("质量信用abc123", True), ("质量信用质量信用质量", False),
])
def test_character_classes(password, ok):
    validator = CharacterClassesValidator(min_classes=3)
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(Exception, match="至少 3 类"):
            validator.validate(password)
