"""Every conformance vector (../shared/conformance, copied under tests/conformance) through the
command-line contract of SPEC §8, as an integration would run it."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "conformance"
SHARED = HERE.parents[2] / "shared" / "conformance"
QCREDIT = Path(sys.executable).with_name("qcredit")
EXPECTED = json.loads((VECTORS / "grading-expected.json").read_text(encoding="utf-8"))
CASES = {item["uscc"]: item for item in EXPECTED["expect"]}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(QCREDIT), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def graded() -> dict:
    proc = run("grade", str(VECTORS / "grading-bundle.json"), "--as-of", EXPECTED["as_of"], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["as_of"] == EXPECTED["as_of"] and doc["ruleset"]
    return {r["uscc"]: r for r in doc["results"]}


@pytest.fixture(scope="module")
def redlist() -> dict:
    proc = run("redlist-check", str(VECTORS / "grading-bundle.json"), "--as-of", EXPECTED["as_of"], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return {r["uscc"]: r for r in json.loads(proc.stdout)["results"]}


def test_every_enterprise_of_the_bundle_is_graded(graded):
    assert set(graded) == set(CASES)


@pytest.mark.parametrize("uscc", sorted(CASES), ids=[CASES[u]["case"] for u in sorted(CASES)])
def test_grading_vector(uscc, graded):
    case, got = CASES[uscc], graded[uscc]
    assert (got["grade"], sorted(got["adverse"]), sorted(got["unmet"])) == (
        case["grade"], case["adverse"], case["unmet"]), case["note"]
    # Every criterion is explained: article, and for a C/D that holds, the records it rests on.
    criteria = {c["id"]: c for c in got["criteria"]}
    assert len(criteria) == 34
    for cid in got["adverse"]:
        assert criteria[cid]["holds"] is True and criteria[cid]["article"].startswith("QCO")
        assert criteria[cid]["evidence"] or cid in {"QCO-D1"}


REDLIST_CASES = sorted(u for u, c in CASES.items() if "redlist" in c)


@pytest.mark.parametrize("uscc", REDLIST_CASES, ids=[CASES[u]["case"] for u in REDLIST_CASES])
def test_redlist_vector(uscc, redlist):
    expected, got = CASES[uscc]["redlist"], redlist[uscc]
    assert (got["eligible"], sorted(got["qualifying"]), sorted(got["unmet"])) == (
        expected["eligible"], expected["qualifying"], expected["unmet"]), CASES[uscc]["note"]


def test_table_format_lists_every_enterprise():
    proc = run("grade", str(VECTORS / "grading-bundle.json"), "--as-of", EXPECTED["as_of"], "--format", "table")
    assert proc.returncode == 0, proc.stderr
    for uscc in CASES:
        assert uscc in proc.stdout


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/conformance beside this clone")
def test_the_copy_matches_the_shared_vectors():
    names = sorted(p.name for p in SHARED.iterdir() if p.is_file())
    assert names == sorted(p.name for p in VECTORS.iterdir() if p.is_file())
    _match, mismatch, errors = filecmp.cmpfiles(SHARED, VECTORS, names, shallow=False)
    assert not mismatch and not errors, f"tests/conformance differs from shared: {mismatch + errors}"
