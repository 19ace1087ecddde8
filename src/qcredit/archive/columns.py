"""Mapping between validated bundle items (SPEC §3.1) and archive table columns.

The one place that knows how a bundle field is stored: typed columns, ``""`` for a text
field a kind does not have, ``NULL`` for a boolean, number or date it does not have.
"""

from __future__ import annotations

from datetime import date

from qcredit.rules.kinds import BOOL, DATE, ENTERPRISE_FIELDS, KINDS, RECORD_FIELD_NAMES

from .models import Enterprise, Record

_NULLABLE = {f.name for f in Record._meta.concrete_fields if f.null}
# Columns that make up a record's content (what a correction may change).
RECORD_CONTENT = ("kind", "date", "ref", "note", *RECORD_FIELD_NAMES)
ENTERPRISE_CONTENT = tuple(f.name for f in ENTERPRISE_FIELDS if f.name != "uscc")


def _empty(name: str):
    return None if name in _NULLABLE else ""


def record_columns(item: dict) -> dict:
    """Column values of a validated bundle record (without enterprise and ledger columns)."""
    kind = KINDS[item["kind"]]
    values = {name: _empty(name) for name in RECORD_FIELD_NAMES}
    for f in kind.fields:
        value = item.get(f.name)
        if value is None:
            continue
        values[f.name] = date.fromisoformat(value) if f.type == DATE else value
    values.update(kind=kind.code, date=date.fromisoformat(item["date"]), ref=item.get("ref", ""),
                  note=item.get("note", ""))
    return values


def record_content(record: Record) -> dict:
    return {name: getattr(record, name) for name in RECORD_CONTENT}


def record_to_bundle(record: Record, uscc: str) -> dict:
    """A record version as a bundle item (the inverse of :func:`record_columns`)."""
    item: dict = {"id": record.record_id, "uscc": uscc, "kind": record.kind, "date": record.date.isoformat(),
                  "source": record.source}
    if record.ref:
        item["ref"] = record.ref
    if record.note:
        item["note"] = record.note
    for f in KINDS[record.kind].fields:
        value = getattr(record, f.name)
        if value is None or value == "":
            if f.type == BOOL:
                item[f.name] = bool(f.default)
            continue
        item[f.name] = value.isoformat() if isinstance(value, date) else value
    return item


def enterprise_columns(item: dict) -> dict:
    values = {name: item.get(name) for name in ENTERPRISE_CONTENT}
    values["established_on"] = date.fromisoformat(item["established_on"])
    values["industry"] = item.get("industry") or ""
    return values


def enterprise_content(enterprise: Enterprise) -> dict:
    return {name: getattr(enterprise, name) for name in ENTERPRISE_CONTENT}


def enterprise_to_bundle(enterprise: Enterprise) -> dict:
    item = {"uscc": enterprise.uscc, "name": enterprise.name, "established_on": enterprise.established_on.isoformat(),
            "region": enterprise.region}
    if enterprise.industry:
        item["industry"] = enterprise.industry
    item.update(licence_required=enterprise.licence_required, mandatory_testing=enterprise.mandatory_testing,
                exporter=enterprise.exporter, status=enterprise.status)
    return item
