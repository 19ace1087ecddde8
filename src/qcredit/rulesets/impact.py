"""The impact of a rule-set version before it is activated (SPEC §6: "shows its impact first
— how many grades change, which red-list subjects would stop qualifying").

Both rule sets are compiled by :func:`qcredit.grading.batch.compile_select` and joined in
one statement that counts enterprises per (grade now, grade under the new version): the
database grades the archive twice in one pass and returns at most 25 rows; nothing is
written. The red-list part is asked of the red-list app, which knows who is listed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from qcredit.grading import batch
from qcredit.rules import RuleSet
from qcredit.rules.evaluate import GRADES


@dataclass(frozen=True)
class Impact:
    version: str
    current_version: str
    as_of: date
    # (grade under the current rule set, grade under the new one) → number of enterprises;
    # unchanged pairs included, so that the counts add up to every enterprise.
    transitions: dict[tuple[str, str], int]
    # What qcredit.redlist.services.ruleset_recheck_preview returned: the listed subjects that
    # would stop qualifying, as JSON-able dicts.
    redlist_leaving: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def enterprises(self) -> int:
        return sum(self.transitions.values())

    @property
    def changes(self) -> dict[tuple[str, str], int]:
        """Grade changes per (from, to) pair."""
        return {pair: n for pair, n in sorted(self.transitions.items()) if pair[0] != pair[1]}

    @property
    def changed(self) -> int:
        return sum(self.changes.values())

    @property
    def by_grade(self) -> dict[str, tuple[int, int]]:
        """Per grade: (enterprises now, enterprises under the new version)."""
        before, after = Counter(), Counter()
        for (old, new), n in self.transitions.items():
            before[old] += n
            after[new] += n
        return {g: (before[g], after[g]) for g in GRADES}

    def as_json(self) -> dict:
        return {
            "version": self.version, "current_version": self.current_version, "as_of": self.as_of.isoformat(),
            "enterprises": self.enterprises, "changed": self.changed,
            "changes": [{"from": a, "to": b, "count": n} for (a, b), n in self.changes.items()],
            "by_grade": {g: {"before": b, "after": a} for g, (b, a) in self.by_grade.items()},
            "redlist_leaving": list(self.redlist_leaving),
        }


_PARAM = re.compile(r"%\(p(\d+)\)s")


def _renamed(sql: str, params: dict, prefix: str) -> tuple[str, dict]:
    """Rename the ``%(pN)s`` parameters of one compiled statement, so that two compiled
    statements can share a query."""
    return (_PARAM.sub(lambda m: f"%({prefix}{m.group(1)})s", sql),
            {f"{prefix}{k[1:]}": v for k, v in params.items()})


def grade_transitions(current: RuleSet, new: RuleSet, as_of: date) -> dict[tuple[str, str], int]:
    """Enterprises per (grade under ``current``, grade under ``new``) as of ``as_of``, in one
    set-based statement."""
    old_sql, old_params = _renamed(*batch.compile_select(current, as_of, connection.vendor), "o")
    new_sql, new_params = _renamed(*batch.compile_select(new, as_of, connection.vendor), "n")
    sql = (f"SELECT o.grade, n.grade, COUNT(*) FROM ({old_sql}) o "
           f"JOIN ({new_sql}) n ON n.enterprise_id = o.enterprise_id GROUP BY o.grade, n.grade")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As in a full regrade (grading.services._insert_batch), local to this transaction.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(sql, {**old_params, **new_params})
        return {(old, new_grade): n for old, new_grade, n in cursor.fetchall()}


def subject_json(subject) -> dict:
    """A red-list subject (an entry, or a removal item naming one) as the red-list app gave
    it, made JSON-able for the stored impact and the audit event."""
    if isinstance(subject, dict):
        return {str(k): (v if isinstance(v, int | float | str | bool | type(None)) else str(v))
                for k, v in subject.items()}
    out: dict = {"subject": str(subject), "pk": getattr(subject, "pk", None)}
    for holder in (subject, getattr(subject, "entry", None), getattr(subject, "enterprise", None)):
        for name in ("uscc", "name"):
            value = getattr(holder, name, None) if holder is not None else None
            if isinstance(value, str) and value and name not in out:
                out[name] = value
    unmet = getattr(subject, "recheck_unmet", None)
    if unmet:
        out["unmet"] = [str(u) for u in unmet]
    return out
