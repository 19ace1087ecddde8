"""``qcredit api …``: an operator creates a client (the token printed once), replaces its token,
disables it, and reads the call log — as the system, audited through the channel cli."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from qcredit import cli
from qcredit.api.models import ApiClient
from qcredit.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"qc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def _token(out: str) -> str:
    [token] = TOKEN.findall(out)
    return token


def test_create_use_replace_disable_and_read_the_calls(capsys):
    assert cli.main(["api", "create", "gsxt-sd", "--name", "国家企业信用信息公示系统（山东）", "--scope", "public"]) == 0
    token = _token(capsys.readouterr().out)
    client = ApiClient.objects.get(code="gsxt-sd")
    assert client.scope_list == ["public"] and client.jurisdiction == "37"
    event = AuditEvent.objects.get(action="api.client.create")
    assert (event.actor_name, event.client_address) == ("系统", "cli") and token not in event.after
    assert Client().get("/api/v1/redlist/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    assert cli.main(["api", "token", "gsxt-sd", "--reason", "令牌泄露"]) == 0
    new = _token(capsys.readouterr().out)
    assert Client().get("/api/v1/redlist/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert Client().get("/api/v1/redlist/", HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 200

    assert cli.main(["api", "calls", "--client", "gsxt-sd"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if "/api/v1/redlist/" in line]
    assert [(row[2], row[5]) for row in rows] == [("gsxt-sd", "200")] * 2  # the refused call names no client
    assert cli.main(["api", "calls", "--status", "401"]) == 0
    assert capsys.readouterr().out.count("/api/v1/redlist/") == 1  # the old token's call, with no client

    assert cli.main(["api", "disable", "gsxt-sd"]) == 0
    assert Client().get("/api/v1/redlist/", HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 401
    assert cli.main(["api", "clients"]) == 0
    assert "gsxt-sd" in capsys.readouterr().out


def test_invalid_arguments_exit_2_with_the_problem(capsys):
    assert cli.main(["api", "create", "bank", "--name", "某银行", "--scope", "intake"]) == 2
    assert "记录单位" in capsys.readouterr().err
    assert cli.main(["api", "token", "nobody"]) == 2
    assert capsys.readouterr().err.startswith("code: ")
    assert not ApiClient.objects.exists()
