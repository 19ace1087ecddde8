"""``qcredit rulesets``: an operator's tool; what it does is audited as 系统 through the channel cli."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qcredit.accounts.models import Role
from qcredit.audit.models import AuditEvent
from qcredit.cli import main
from qcredit.grading.services import today
from qcredit.rulesets.models import RuleSetVersion
from qcredit.rulesets.services import ruleset_version_create

from .. import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return ruleset_version_create(actor=factories.staff(Role.ADMIN, "37"), version="SD-2026.1",
                                  effective_from=today() - timedelta(days=1), title="新办法",
                                  overrides={"redlist_revocation_deadline": {"value": 10, "article": "新办法第十三条"}},
                                  reason="新办法印发")


def test_list_and_show(version, capsys):
    assert main(["rulesets", "list"]) == 0
    out = capsys.readouterr().out
    assert "SD-2018.1" in out and "程序内置" in out and "SD-2026.1" in out and "草稿" in out
    assert main(["rulesets", "show", "SD-2026.1"]) == 0
    out = capsys.readouterr().out
    assert "新办法第十三条" in out and "SRL 第十三条" in out and "10个工作日" in out and "5个工作日" in out


def test_an_unknown_version_is_invalid_input(capsys):
    assert main(["rulesets", "show", "SD-1999.1"]) == 2
    assert "SD-1999.1" in capsys.readouterr().err


def test_preview_then_activate_from_the_command_line_as_the_system(version, redlist, capsys):
    assert main(["rulesets", "activate", "SD-2026.1", "--reason", "运维启用"]) == 1
    assert "预览" in capsys.readouterr().err
    assert main(["rulesets", "preview", "SD-2026.1"]) == 0
    assert "等级变化" in capsys.readouterr().out
    assert RuleSetVersion.objects.get().state == "previewed"
    assert main(["rulesets", "activate", "SD-2026.1", "--reason", "运维启用"]) == 0
    assert "已启用" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="rulesets.version.activate")
    assert (event.actor_name, event.client_address, event.reason) == ("系统", "cli", "运维启用")
    assert redlist.rechecks[0]["actor"] is None and redlist.rechecks[0]["as_of"] == today()


def test_preview_before_the_effective_date_is_invalid_input(version, redlist, capsys):
    assert main(["rulesets", "preview", "SD-2026.1", "--as-of", str(date(2020, 1, 1))]) == 2
    assert "--as-of" in capsys.readouterr().err
