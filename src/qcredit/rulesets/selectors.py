"""Reads of rule-set versions (SPEC §6)."""

from __future__ import annotations

from qcredit.rules import RuleSet


def activated_rulesets() -> tuple[RuleSet, ...]:
    """Successor versions activated by an admin, oldest first (none until the first activation)."""
    return ()
