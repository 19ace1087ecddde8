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


@pytest.mark.django_db
def test_the_reaction_reads_a_run_by_sub_selects_not_one_parameter_per_enterprise():
    """A first regrade changes every enterprise's grade; the reaction must not turn the run into
    an id list (SQLite refuses more than 32,766 parameters, PostgreSQL plans it badly)."""
    from django.db import connection

    from qcredit.archive.bundle import validate_bundle
    from qcredit.archive.demo import generate_bundle
    from qcredit.archive.imports import import_bundle
    from qcredit.grading.services import regrade_all

    today = services.common.today()
    import_bundle(validate_bundle(generate_bundle(enterprises=40, as_of=today)), via="test", regrade=False)
    run = regrade_all(as_of=today)
    changed = GradeChange.objects.filter(run=run)
    assert changed.count() == 40 and changed.filter(to_grade="D").exists()
    widths: list[int] = []

    def measure(execute, sql, params, many, context):
        widths.append(len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(measure):
        done = services.grade_changes_react(run=run, today=today)
    assert "failed" not in done.values()
    assert done["rechecks_opened"] == changed.filter(to_grade="D").count()
    assert widths and max(widths) < 20, f"a query of the reaction takes {max(widths)} parameters"
