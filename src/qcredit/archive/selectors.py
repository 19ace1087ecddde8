"""Reads of the archive (HackSoft selectors)."""

from __future__ import annotations

from collections.abc import Iterable

from qcredit.rules.evaluate import EnterpriseData, RecordData
from qcredit.rules.kinds import RECORD_FIELD_NAMES

from .models import Enterprise, Record

_RECORD_COLUMNS = ("id", "enterprise_id", "record_id", "source", "kind", "date", *RECORD_FIELD_NAMES)


def records_for_rules(*, enterprise_ids: Iterable[int]) -> dict[int, list[RecordData]]:
    """The current archive of some enterprises, as the rules read it (one query)."""
    by_enterprise: dict[int, list[RecordData]] = {}
    rows = Record.objects.current().filter(enterprise_id__in=list(enterprise_ids)).values_list(*_RECORD_COLUMNS)
    for row in rows:
        values = dict(zip(_RECORD_COLUMNS, row, strict=True))
        pk = values.pop("id")
        enterprise_id = values.pop("enterprise_id")
        # Empty strings are how the table stores "no such field"; the rules read None.
        fields = {k: (None if v == "" else v) for k, v in values.items()}
        by_enterprise.setdefault(enterprise_id, []).append(RecordData(key=pk, **fields))
    return by_enterprise


def enterprises_for_rules(*, enterprise_ids: Iterable[int]) -> dict[int, EnterpriseData]:
    out = {}
    for e in Enterprise.objects.filter(id__in=list(enterprise_ids)):
        out[e.id] = enterprise_data(e)
    return out


def enterprise_data(e: Enterprise) -> EnterpriseData:
    return EnterpriseData(uscc=e.uscc, established_on=e.established_on, licence_required=e.licence_required,
                          mandatory_testing=e.mandatory_testing, exporter=e.exporter, status=e.status,
                          name=e.name, region=e.region, industry=e.industry or None)
