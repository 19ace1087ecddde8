"""SPEC §3.1: strict validation of the interchange bundle, every problem with its JSON path."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from qcredit.archive.bundle import BundleError, parse_bundle_text, validate_bundle, validate_record

ENTERPRISE = {"uscc": "91370102MA0314153A", "name": "济南某某机械有限公司", "established_on": "2015-03-01",
              "region": "370102", "industry": "C3431", "licence_required": False, "mandatory_testing": False,
              "exporter": False, "status": "active"}
# Recent, so that it is inside the current window whenever the suite runs (grades are as of today).
RECENT = (timezone.localdate() - timedelta(days=60)).isoformat()
SAMPLING = {"id": "S-2026-001", "uscc": "91370102MA0314153A", "kind": "sampling", "date": RECENT,
            "source": "省质监局监督处", "ref": "鲁质监抽〔2026〕3号", "scope": "quality", "result": "fail"}


def bundle(**changes) -> dict:
    doc = {"format": "qcredit-archive/1", "enterprises": [copy.deepcopy(ENTERPRISE)],
           "records": [copy.deepcopy(SAMPLING)]}
    doc.update(changes)
    return doc


def problems(doc, **kwargs) -> dict[str, str]:
    with pytest.raises(BundleError) as info:
        validate_bundle(doc, **kwargs)
    return {p.path: p.reason for p in info.value.problems}


def test_the_spec_example_is_valid_and_normalised():
    doc = bundle()
    doc["enterprises"][0]["uscc"] = doc["records"][0]["uscc"] = "91370102ma0314153a"
    valid = validate_bundle(doc)
    assert valid.enterprises[0]["uscc"] == "91370102MA0314153A"
    assert valid.records[0]["own_fault"] is True  # sampling.own_fault defaults to true
    assert valid.records[0]["uscc"] == "91370102MA0314153A"


def test_every_problem_is_reported_with_its_path():
    doc = bundle(extra=1)
    doc["format"] = "qcredit-archive/2"
    doc["enterprises"][0].update(uscc="91350100M000100Y4Z", established_on="2015-02-29", colour="red",
                                 licence_required="yes")
    del doc["enterprises"][0]["status"]
    doc["records"][0].update(result="bad", date="2026-3-2")
    doc["records"].append({"id": "X", "uscc": "91370102MA0314153A", "kind": "rumour", "date": "2026-01-01",
                           "source": "s"})
    doc["records"].append({"id": "F", "uscc": "91110108551385082Q", "kind": "factory_pass_rate",
                           "date": "2026-01-01", "source": "s", "rate": 1.2})
    found = problems(doc)
    assert set(found) >= {
        "extra", "format", "enterprises[0].uscc", "enterprises[0].established_on", "enterprises[0].colour",
        "enterprises[0].licence_required", "enterprises[0].status", "records[0].result", "records[0].date",
        "records[1].kind", "records[2].rate", "records[2].uscc",
    }
    assert "第18位" in found["enterprises[0].uscc"]


def test_duplicates_are_errors():
    doc = bundle()
    doc["enterprises"].append(copy.deepcopy(ENTERPRISE))
    doc["records"].append(copy.deepcopy(SAMPLING))
    found = problems(doc)
    assert "enterprises[1].uscc" in found and "records[1].id" in found


def test_a_record_may_name_an_enterprise_of_the_archive_on_import():
    doc = bundle(enterprises=[])
    assert "records[0].uscc" in problems(doc)
    valid = validate_bundle(doc, known_usccs=lambda usccs: usccs & {"91370102MA0314153A"})
    assert len(valid.records) == 1


@pytest.mark.parametrize(("change", "path"), [
    ({"kind": "licence", "number": "XK-1", "valid_from": "2020-01-01", "valid_to": "2025-01-01",
      "status": "rectifying"}, "records[0].rectify_by"),
    ({"kind": "licence", "number": "XK-1", "valid_from": "2026-01-01", "valid_to": "2025-01-01",
      "status": "valid"}, "records[0].valid_to"),
    ({"kind": "statutory_test", "pass_rate": "0.9"}, "records[0].pass_rate"),
    ({"kind": "statutory_test", "pass_rate": True}, "records[0].pass_rate"),
    ({"kind": "statutory_test"}, "records[0].pass_rate"),
    ({"kind": "penalty", "scope": "quality", "severity": "awful"}, "records[0].severity"),
])
def test_kind_specific_problems(change, path):
    record = {k: v for k, v in SAMPLING.items() if k not in ("scope", "result")}
    record.update(change)
    assert path in problems(bundle(records=[record]))


def test_json_lines_is_the_same_shape_and_names_the_line():
    lines = [json.dumps({"format": "qcredit-archive/1"}), json.dumps({"enterprise": ENTERPRISE}, ensure_ascii=False),
             json.dumps({"record": {**SAMPLING, "result": "maybe"}}, ensure_ascii=False)]
    doc = parse_bundle_text("\n".join(lines))
    with pytest.raises(BundleError) as info:
        validate_bundle(doc)
    [problem] = info.value.problems
    assert problem.path == "records[0].result" and "第3行" in problem.reason
    lines[2] = json.dumps({"record": SAMPLING}, ensure_ascii=False)
    assert len(validate_bundle(parse_bundle_text("\n".join(lines))).records) == 1


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2", '{"format": "qcredit-archive/1"}\n{"thing": {}}'])
def test_unreadable_input_is_one_problem_not_a_crash(text):
    with pytest.raises(BundleError) as info:
        validate_bundle(parse_bundle_text(text))
    assert info.value.problems


def test_a_single_record_is_validated_by_the_same_rules():
    with pytest.raises(BundleError) as info:
        validate_record({**SAMPLING, "scope": "cosmic"})
    assert [p.path for p in info.value.problems] == ["record.scope"]
