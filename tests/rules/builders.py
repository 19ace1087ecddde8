"""Pure-Python builders for rule scenarios (no database)."""

from __future__ import annotations

import itertools
from datetime import date

from qcredit.rules.evaluate import EnterpriseData, RecordData
from qcredit.rules.kinds import KINDS

_ids = itertools.count(1)


def enterprise(**kw) -> EnterpriseData:
    base = dict(uscc="91370102MA0010002P", established_on=date(2010, 1, 1), licence_required=False,
                mandatory_testing=False, exporter=False, status="active", name="测试企业", region="370102")
    base.update(kw)
    return EnterpriseData(**base)


def record(kind: str, day: date, **fields) -> RecordData:
    """A record with the kind's boolean defaults (sampling.own_fault true, others false)."""
    values = {}
    for f in KINDS[kind].fields:
        if f.type == "bool":
            values[f.name] = fields.pop(f.name, f.default)
    unknown = set(fields) - {f.name for f in KINDS[kind].fields}
    assert not unknown, unknown
    values.update(fields)
    rid = f"T-{next(_ids):06d}"
    return RecordData(key=rid, record_id=rid, source="测试单位", kind=kind, date=day, **values)
