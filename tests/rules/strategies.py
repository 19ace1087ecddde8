"""Hypothesis strategies for archives (shared by the rules and the grading tests)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from qcredit.rules.kinds import BOOL, DATE, ENUM, KINDS, RATE, STR

AS_OF = date(2026, 6, 30)
DAYS = st.integers(min_value=-5 * 366, max_value=90).map(lambda n: AS_OF + timedelta(days=n))
RATES = st.sampled_from([1.0, 1.0, 1.0, 0.99, 0.95, 0.5, 0.0])
# Adverse kinds: records that can only ever count against an enterprise.
ADVERSE_KINDS = ("sampling", "inspection", "statutory_test", "factory_pass_rate", "export_test",
                 "export_conformity", "penalty", "complaint", "accident", "false_claim", "standard_conduct",
                 "counterfeit", "after_sales", "media_exposure")


def _value(field):
    if field.type == ENUM:
        return st.sampled_from(field.choices)
    if field.type == BOOL:
        return st.booleans()
    if field.type == RATE:
        return RATES
    if field.type == DATE:
        return DAYS
    if field.name == "number":
        return st.sampled_from(["XK-1", "XK-2"])
    if field.name == "justification":
        return st.sampled_from(["", "  ", "连续五年零投诉"])
    assert field.type == STR
    return st.sampled_from(["", "文书"])


@st.composite
def record_fields(draw, kind: str) -> dict:
    fields = {}
    for f in KINDS[kind].fields:
        if f.name == "rectify_by":
            continue
        if not f.required and f.type in {STR, DATE} and draw(st.booleans()):
            continue
        fields[f.name] = draw(_value(f))
    if kind == "sampling" and draw(st.integers(0, 2)):
        fields["result"] = "fail"  # failures often enough to make runs
    if kind == "licence" and fields["status"] == "rectifying":
        fields["rectify_by"] = draw(DAYS)
    if kind == "licence" and fields["valid_to"] < fields["valid_from"]:
        fields["valid_from"], fields["valid_to"] = fields["valid_to"], fields["valid_from"]
    return fields


@st.composite
def record_specs(draw, kinds=tuple(KINDS)) -> tuple[str, date, dict]:
    kind = draw(st.sampled_from(kinds))
    return kind, draw(DAYS), draw(record_fields(kind))


@st.composite
def enterprise_specs(draw) -> dict:
    return {
        "established_on": draw(st.sampled_from([date(2010, 1, 1), date(2023, 6, 30), date(2023, 7, 1),
                                                date(2024, 6, 30), date(2024, 7, 1), date(2025, 12, 1)])),
        "licence_required": draw(st.booleans()),
        "mandatory_testing": draw(st.booleans()),
        "exporter": draw(st.booleans()),
        "status": draw(st.sampled_from(["active"] * 9 + ["deregistered"])),
    }


RECENT = st.integers(min_value=-400, max_value=5).map(lambda n: AS_OF + timedelta(days=n))


@st.composite
def focused_record_specs(draw) -> tuple[str, date, dict]:
    """Records where the edge cases live: recent samplings (runs of failures, same-day
    ties), licences by number, honours around their validity."""
    kind = draw(st.sampled_from(["sampling", "sampling", "sampling", "licence", "honour", "penalty"]))
    day = draw(RECENT)
    fields = draw(record_fields(kind))
    return kind, day, fields


any_record_specs = st.one_of(record_specs(), focused_record_specs())
