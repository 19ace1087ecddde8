"""The demo archive (issue: "Demo archive"): deterministic, valid, realistic, and rich enough
that every grade, every criterion and some red-list candidates occur."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from qcredit.archive.bundle import parse_bundle_text, validate_bundle
from qcredit.archive.demo import CITIES, generate_bundle, iter_archive, write_bundle_jsonl
from qcredit.rules import evaluate, ruleset_for
from qcredit.rules.evaluate import EnterpriseData, RecordData
from qcredit.rules.kinds import KINDS
from qcredit.rules.uscc import is_valid_uscc

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo():
    return validate_bundle(generate_bundle(enterprises=2000, as_of=AS_OF))


@pytest.fixture(scope="module")
def evaluations(demo):
    records: dict[str, list] = {}
    for item in demo.records:
        records.setdefault(item["uscc"], []).append(RecordData.from_bundle(item))
    ruleset = ruleset_for(AS_OF)
    return [evaluate(EnterpriseData.from_bundle(e), records.get(e["uscc"], ()), AS_OF, ruleset)
            for e in demo.enterprises]


def test_deterministic():
    assert generate_bundle(enterprises=50, as_of=AS_OF) == generate_bundle(enterprises=50, as_of=AS_OF)
    assert generate_bundle(enterprises=50, as_of=AS_OF, seed=1) != generate_bundle(enterprises=50, as_of=AS_OF)


def test_valid_unique_usccs_all_cities_all_kinds(demo):
    usccs = [e["uscc"] for e in demo.enterprises]
    assert len(set(usccs)) == 2000 and all(is_valid_uscc(u) for u in usccs)
    assert {e["region"][:4] for e in demo.enterprises} == {c[0] for c in CITIES}
    assert len(CITIES) == 16
    assert {r["kind"] for r in demo.records} == set(KINDS)
    assert 15 <= len(demo.records) / len(demo.enterprises) <= 30
    kinds = Counter(r["kind"] for r in demo.records)
    assert kinds["sampling"] > kinds["penalty"] * 20  # mostly routine records, few adverse ones


def test_every_grade_and_every_criterion_occur(evaluations):
    grades = Counter(ev.grade for ev in evaluations)
    assert set(grades) == {"A", "B", "C", "D", "N"}
    assert grades["A"] + grades["B"] > 1000 and grades["D"] < 200
    for criterion in ruleset_for(AS_OF).criteria:
        outcomes = {ev.result(criterion.id).holds for ev in evaluations}
        assert {True, False} <= outcomes, criterion.id
    assert 5 <= sum(ev.redlist.eligible for ev in evaluations) <= 200


def test_streaming_json_lines_is_the_same_archive(tmp_path):
    path = tmp_path / "demo.jsonl"
    n_enterprises, n_records = write_bundle_jsonl(path, enterprises=30, as_of=AS_OF)
    doc = parse_bundle_text(path.read_text(encoding="utf-8"))
    assert validate_bundle(doc).as_document() == validate_bundle(generate_bundle(enterprises=30, as_of=AS_OF)).as_document()
    assert (n_enterprises, n_records) == (30, len(doc["records"]))
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0]) == {"format": "qcredit-archive/1"}


def test_large_archives_stream(benchmark_size=3000):
    seen = 0
    for enterprise, records in iter_archive(enterprises=benchmark_size, as_of=AS_OF):
        seen += 1
        assert all(r["uscc"] == enterprise["uscc"] for r in records)
    assert seen == benchmark_size
