"""SPEC §8: invalid input exits 2 with one ``path: reason`` line per problem, writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

QCREDIT = Path(sys.executable).with_name("qcredit")
VECTORS = Path(__file__).resolve().parent.parent / "conformance"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(QCREDIT), *args], capture_output=True, text=True, timeout=120)


def test_every_problem_of_a_bad_bundle_is_one_line(tmp_path):
    doc = json.loads((VECTORS / "grading-bundle.json").read_text(encoding="utf-8"))
    doc["enterprises"][0]["uscc"] = "91350100M000100Y4Z"
    doc["records"][1]["date"] = "2026-02-30"
    doc["records"][2]["colour"] = "red"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    proc = run("grade", str(bad), "--as-of", "2026-06-30")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    paths = [line.split(": ", 1)[0] for line in lines]
    assert "enterprises[0].uscc" in paths
    assert "records[1].date" in paths
    assert "records[2].colour" in paths
    assert all(": " in line for line in lines)


def test_not_json_and_bad_date_option(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    proc = run("grade", str(bad), "--as-of", "2026-06-30")
    assert proc.returncode == 2 and proc.stderr.strip()
    proc = run("grade", str(VECTORS / "grading-bundle.json"), "--as-of", "2026-13-01")
    assert proc.returncode == 2 and proc.stderr.startswith("--as-of: ")


def test_as_of_before_any_rule_set_is_invalid_input():
    proc = run("grade", str(VECTORS / "grading-bundle.json"), "--as-of", "2017-01-01")
    assert proc.returncode == 2 and proc.stderr.startswith("--as-of: ")


def test_missing_file():
    proc = run("redlist-check", "/nonexistent/bundle.json", "--as-of", "2026-06-30")
    assert proc.returncode == 2 and proc.stderr.startswith("/nonexistent/bundle.json: ")
