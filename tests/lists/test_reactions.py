"""SPEC §4.3: grade changes drive the public lists on commit of the grading run — through a real
commit here, not a captured callback — and a reaction that fails never breaks the archive
write that committed (the daily reconcile repairs it)."""

from __future__ import annotations

import pytest

from qcredit.grading.models import GradeChange
from qcredit.lists import services
from qcredit.lists.models import Recheck

from .world import World, grade_of


@pytest.mark.django_db(transaction=True)
def test_a_committed_d_opens_its_recheck_after_the_commit():
    world = World()
    enterprise = world.enterprise()
    world.make_d(enterprise)  # its own transaction: the grading run commits, then the lists react
    assert grade_of(enterprise) == "D"
    recheck = Recheck.objects.get(enterprise=enterprise)
    assert recheck.state == Recheck.State.OPEN
    assert recheck.grade_change == GradeChange.objects.filter(enterprise=enterprise, to_grade="D").get()


@pytest.mark.django_db(transaction=True)
def test_a_failing_reaction_is_logged_and_the_archive_write_stands(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("reviewer directory unavailable")

    monkeypatch.setattr(services, "recheck_open", broken)
    world = World()
    enterprise = world.enterprise()
    world.make_d(enterprise)  # does not raise
    assert grade_of(enterprise) == "D" and not Recheck.objects.exists()
    assert "reaction rechecks_opened" in caplog.text
    monkeypatch.undo()
    assert services.recheck_reconcile(today=services.common.today())["opened"] == 1
