"""The red-list side of a rule-set change (SPEC §5.1 exit) belongs to qcredit.redlist; these
tests stand in for it with a recorder of the calls made to it, so that they check what the
rule-set services ask of it and report from it."""

from __future__ import annotations

import sys
import types

import pytest


class RedListSpy:
    def __init__(self):
        self.previews: list[dict] = []
        self.rechecks: list[dict] = []
        self.leaving: list[dict] = []

    def ruleset_recheck_preview(self, *, ruleset, as_of):
        self.previews.append({"ruleset": ruleset, "as_of": as_of})
        return list(self.leaving)

    def ruleset_recheck(self, *, ruleset, as_of, actor):
        self.rechecks.append({"ruleset": ruleset, "as_of": as_of, "actor": actor})
        return list(self.leaving)


@pytest.fixture
def redlist(monkeypatch) -> RedListSpy:
    spy = RedListSpy()
    try:
        import qcredit.redlist.services as module
    except ImportError:  # the red-list app not built yet
        import qcredit.redlist as package

        module = types.ModuleType("qcredit.redlist.services")
        monkeypatch.setitem(sys.modules, "qcredit.redlist.services", module)
        monkeypatch.setattr(package, "services", module, raising=False)
    monkeypatch.setattr(module, "ruleset_recheck_preview", spy.ruleset_recheck_preview, raising=False)
    monkeypatch.setattr(module, "ruleset_recheck", spy.ruleset_recheck, raising=False)
    return spy
