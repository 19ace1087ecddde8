"""SPEC §3.1 import: atomic, idempotent on (source, id), corrections as new versions; CSV and
XLSX carry the same fields; export round-trips."""

from __future__ import annotations

import copy
import csv
import json

import pytest

from qcredit.archive.bundle import BundleError, validate_bundle
from qcredit.archive.imports import export_bundle, import_bundle, rows_to_bundle, write_template
from qcredit.archive.models import Enterprise, Record
from qcredit.grading.models import Evaluation, GradeState

from .test_bundle import ENTERPRISE, RECENT, SAMPLING, bundle

pytestmark = pytest.mark.django_db


def known(usccs):
    return set(Enterprise.objects.filter(uscc__in=usccs).values_list("uscc", flat=True))


def load(doc, **kwargs):
    return import_bundle(validate_bundle(doc, known_usccs=known), **kwargs)


def test_import_writes_grades_and_is_idempotent():
    report = load(bundle())
    assert (report.enterprises_created, report.records_created, report.regraded) == (1, 1, 1)
    assert GradeState.objects.get().grade == "C"  # a failed quality sampling this year: QCO 三(三)1
    again = load(bundle())
    assert (again.enterprises_unchanged, again.records_unchanged, again.records_created) == (1, 1, 0)
    assert Record.objects.count() == 1 and Evaluation.objects.count() == 1


def test_an_import_is_audited_with_the_enterprise_data_it_overwrote():
    from qcredit.audit.models import AuditEvent

    load(bundle())
    renamed = bundle()
    renamed["enterprises"][0]["name"] = "济南新名称机械有限公司"
    load(renamed)
    event = AuditEvent.objects.filter(action="archive.import").latest("seq")
    uscc = renamed["enterprises"][0]["uscc"]
    assert event.before_data["enterprises"][uscc]["name"] == ENTERPRISE["name"]
    assert event.after_data["enterprises_updated"][uscc]["name"] == "济南新名称机械有限公司"


def test_dry_run_writes_nothing():
    report = load(bundle(), dry_run=True)
    assert report.records_created == 1
    assert not Enterprise.objects.exists() and not Record.objects.exists()


def test_changed_content_is_a_correction_with_history():
    load(bundle())
    doc = bundle()
    doc["records"][0]["result"] = "pass"
    report = load(doc, via="partner")
    assert report.records_corrected == 1
    old, new = Record.objects.order_by("version")
    assert old.superseded_at is not None and old.result == "fail"
    assert new.supersedes_id == old.pk and new.version == 2 and new.recorded_via == "partner"
    assert Record.objects.current().get().result == "pass"
    assert GradeState.objects.get().grade != "C"


def test_a_bundle_with_any_error_writes_nothing():
    load(bundle())
    doc = bundle()
    doc["records"][0]["result"] = "pass"  # a valid correction …
    doc["records"].append({**SAMPLING, "id": "S-2", "date": "2026-02-30"})  # … next to an invalid record
    with pytest.raises(BundleError):
        validate_bundle(doc, known_usccs=known)
    assert Record.objects.current().get().result == "fail"


def test_a_record_cannot_move_to_another_enterprise():
    load(bundle())
    other = {**ENTERPRISE, "uscc": "91110108551385082Q", "name": "另一家公司"}
    doc = bundle(enterprises=[other], records=[{**SAMPLING, "uscc": other["uscc"]}])
    with pytest.raises(BundleError) as info:
        load(doc)
    assert [p.path for p in info.value.problems] == ["records[0].uscc"]
    assert Enterprise.objects.count() == 1  # the new enterprise of the refused bundle was not written


def test_export_round_trips_the_current_archive():
    doc = bundle()
    doc["records"].append({"id": "L-1", "uscc": ENTERPRISE["uscc"], "kind": "licence", "date": "2024-01-01",
                           "source": "省局", "number": "XK16-001", "valid_from": "2024-01-01",
                           "valid_to": "2029-01-01", "status": "valid"})
    load(doc)
    exported = export_bundle()
    def key(r):
        return r["source"], r["id"]

    assert sorted(validate_bundle(exported).records, key=key) == sorted(validate_bundle(doc).records, key=key)
    assert load(exported).records_unchanged == 2


def test_csv_rows_with_chinese_headers_and_row_numbers(tmp_path):
    load(bundle(records=[]))
    path = tmp_path / "sampling.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["记录编号", "统一社会信用代码", "日期", "记录单位", "领域", "结果", "因自身原因"])
        w.writerow(["S-1", ENTERPRISE["uscc"].lower(), RECENT, "市局", "质量", "不合格", "是"])
        w.writerow(["S-2", ENTERPRISE["uscc"], "2026-02-30", "市局", "quality", "pass", ""])
    with pytest.raises(BundleError) as info:
        validate_bundle(rows_to_bundle(path), known_usccs=known)
    [problem] = info.value.problems
    assert problem.path == "records[1].date" and "第3行" in problem.reason
    assert not Record.objects.exists()
    rows = path.read_text(encoding="utf-8-sig").replace("2026-02-30", "2026-02-28")
    path.write_text(rows, encoding="utf-8-sig")
    report = load(rows_to_bundle(path))
    assert report.records_created == 2
    assert Record.objects.get(record_id="S-1").result == "fail"


def test_choice_labels_are_read_as_the_field_of_the_rows_own_kind(tmp_path):
    """``severity`` is a field of penalties (一般/严重…) and of accidents (一般事故/重大): a
    Chinese label is converted by the row's kind, not by whichever kind last defined the name."""
    load(bundle(records=[]))
    path = tmp_path / "mixed.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["记录编号", "统一社会信用代码", "记录类别", "日期", "记录单位", "领域", "程度"])
        w.writerow(["P-1", ENTERPRISE["uscc"], "penalty", RECENT, "市局", "质量", "一般"])
        w.writerow(["A-1", ENTERPRISE["uscc"], "accident", RECENT, "市局", "", "重大"])
    load(rows_to_bundle(path))
    assert Record.objects.get(record_id="P-1").severity == "ordinary"
    assert Record.objects.get(record_id="A-1").severity == "major"


def test_a_gb18030_csv_as_chinese_excel_saves_it(tmp_path):
    load(bundle(records=[]))
    path = tmp_path / "sampling.csv"
    rows = [["记录编号", "统一社会信用代码", "日期", "记录单位", "领域", "结果", "因自身原因"],
            ["S-1", ENTERPRISE["uscc"], RECENT, "淄博市市场监督管理局", "质量", "不合格", "是"]]
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gb18030"))
    report = load(rows_to_bundle(path))
    assert report.records_created == 1
    assert Record.objects.get(record_id="S-1").source == "淄博市市场监督管理局"


def test_xlsx_template_filled_in_imports(tmp_path):
    import openpyxl

    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    assert {"enterprises", "sampling", "licence", "honour"} <= set(wb.sheetnames)
    ent = wb["enterprises"]
    header = [c.value for c in ent[1]]
    ent.append([ENTERPRISE.get(h) for h in header])
    sheet = wb["sampling"]
    header = [c.value for c in sheet[1]]
    sheet.append([{**SAMPLING, "own_fault": True}.get(h) for h in header])
    wb.save(path)
    report = load(rows_to_bundle(path))
    assert (report.enterprises_created, report.records_created) == (1, 1)


def test_cli_import_export(tmp_path, settings):
    """The CLI contract in-process: exit 2 and nothing written on a bad bundle."""
    from qcredit.cli import main

    good = tmp_path / "b.json"
    good.write_text(json.dumps(bundle(), ensure_ascii=False), encoding="utf-8")
    bad_doc = copy.deepcopy(bundle())
    bad_doc["records"][0]["kind"] = "nonsense"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_doc), encoding="utf-8")
    assert main(["import", str(bad)]) == 2
    assert not Enterprise.objects.exists()
    assert main(["import", str(good)]) == 0
    out = tmp_path / "out.jsonl"
    assert main(["export", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "qcredit-archive/1"} and len(lines) == 3


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_large_import_refreshes_the_planner_statistics_before_grading(monkeypatch):
    """On PostgreSQL a bulk load refreshes the statistics inside its own transaction, so the
    regrade that follows is planned for the tables as they now are, not as they were (empty)."""
    from django.db import connection

    from qcredit.archive import imports

    def reltuples() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Record._meta.db_table])
            return cursor.fetchone()[0]

    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", 2)
    before = reltuples()
    import_bundle(validate_bundle(bundle()), via="test")
    assert reltuples() != before and reltuples() >= Record.objects.count()
