"""Record intake (QCO 五(三), SPEC §7.2): a partner pushes ``qcredit-archive/1`` batches. The same
validation as every import, all-or-nothing per batch with each problem's JSON path, idempotent
on (source, id), corrections as new versions, the touched enterprises regraded at once; the
client's own limits (its sources, its jurisdiction, its right to register enterprises); a
rejected batch writes nothing to the archive; the client is the actor in the audit trail."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from qcredit.api.models import IntakeBatch
from qcredit.archive.models import Enterprise, Record
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeChange, GradeState, GradingRun
from qcredit.rules.uscc import make_uscc

from ..portal.world import enterprise, grade_of
from .conftest import SOURCE

pytestmark = pytest.mark.django_db

BATCHES = "/api/v1/intake/batches/"
INSPECTION = "济南市市场监管局产品质量监督抽查系统"


def sampling(subject_uscc: str, record_id: str, result: str = "fail", **extra) -> dict:
    return {"id": record_id, "uscc": subject_uscc, "kind": "sampling", "date": "2026-05-20", "source": INSPECTION,
            "scope": "quality", "result": result, **extra}


def bundle(*records, enterprises=()) -> dict:
    return {"format": "qcredit-archive/1", "enterprises": list(enterprises), "records": list(records)}


@pytest.fixture
def subject(today):
    return enterprise("济南报送测试机械有限公司")  # established 2010, clean: A


@pytest.fixture
def inspector(make_client):
    return make_client("intake", code="sampling-net", sources=[INSPECTION], jurisdiction="3701")


def _snapshot() -> tuple:
    return (Enterprise.objects.count(), Record.objects.count(), AuditEvent.objects.count(), GradingRun.objects.count(),
            GradeChange.objects.count())


def test_a_batch_is_imported_and_its_enterprises_regraded_at_once(subject, inspector):
    assert grade_of(subject) == "A"
    response = inspector.post(BATCHES, bundle(sampling(subject.uscc, "CJ-2026-001")))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["records"], body["records_created"], body["records_unchanged"], body["regraded"]) == (
        "accepted", 1, 1, 0, 1)
    assert grade_of(subject) == "C"  # QCO-C2, at once (SPEC §4.3)
    record = Record.objects.get(source=INSPECTION, record_id="CJ-2026-001")
    assert (record.enterprise, record.recorded_via, record.version) == (subject, "api:sampling-net", 1)
    batch = IntakeBatch.objects.get(pk=body["id"])
    assert batch.client == inspector.client and batch.status == "accepted"
    event = AuditEvent.objects.get(action="api.intake.batch")
    assert (event.actor_name, event.object_id) == ("api-sampling-net", str(batch.pk))
    assert AuditEvent.objects.filter(action="archive.import", object_id="api:sampling-net").count() == 1


def test_the_same_batch_twice_writes_nothing_the_second_time(subject, inspector):
    payload = bundle(sampling(subject.uscc, "CJ-1"), sampling(subject.uscc, "CJ-2", result="pass"))
    assert inspector.post(BATCHES, payload).status_code == 201
    versions, runs, changes = Record.objects.count(), GradingRun.objects.count(), GradeChange.objects.count()
    again = inspector.post(BATCHES, payload).json()
    assert (again["records_created"], again["records_corrected"], again["records_unchanged"], again["regraded"]) == (
        0, 0, 2, 0)
    assert (Record.objects.count(), GradingRun.objects.count(), GradeChange.objects.count()) == (versions, runs, changes)


def test_a_changed_record_is_a_correction_that_regrades(subject, inspector):
    inspector.post(BATCHES, bundle(sampling(subject.uscc, "CJ-9")))
    assert grade_of(subject) == "C"
    body = inspector.post(BATCHES, bundle(sampling(subject.uscc, "CJ-9", result="pass", note="复检合格，原结论更正"))).json()
    assert (body["records_created"], body["records_corrected"], body["regraded"]) == (0, 1, 1)
    versions = list(Record.objects.filter(record_id="CJ-9").order_by("version").values_list("version", "result"))
    assert versions == [(1, "fail"), (2, "pass")]
    assert grade_of(subject) == "A"


def test_a_batch_with_problems_writes_nothing_and_names_each_path(subject, inspector):
    before = _snapshot()
    payload = bundle(sampling(subject.uscc, "OK-1"),
                     sampling(subject.uscc, "BAD-1", date="2026-02-30"),
                     sampling("91350100M000100Y4Z", "BAD-2"),
                     {**sampling(subject.uscc, "BAD-3"), "colour": "red"},
                     {**sampling(subject.uscc, "BAD-4"), "result": "maybe"},
                     {**sampling(subject.uscc, "BAD-5"), "source": "别人的系统"})
    response = inspector.post(BATCHES, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_bundle"
    assert sorted(p["path"] for p in body["problems"]) == [
        "records[1].date", "records[2].uscc", "records[3].colour", "records[4].result", "records[5].source"]
    assert all(p["reason"] for p in body["problems"])
    assert _snapshot() == before  # not even OK-1
    assert grade_of(subject) == "A"
    batch = IntakeBatch.objects.get(pk=body["batch"]["id"])
    assert batch.status == "rejected" and len(batch.problems) == 5
    kept = inspector.get(f"{BATCHES}{batch.pk}/").json()
    assert kept["status"] == "rejected" and kept["problems"] == body["problems"]


def test_not_json_and_the_wrong_format_are_problems_too(subject, inspector):
    broken = inspector.post(BATCHES, '{"format": "qcredit-archive/1", "records": [')
    assert broken.status_code == 400 and broken.json()["problems"][0]["path"] == "$"
    wrong = inspector.post(BATCHES, {"format": "qcredit-archive/2"})
    assert wrong.status_code == 400 and [p["path"] for p in wrong.json()["problems"]] == ["format"]


def test_json_lines_are_accepted(subject, inspector):
    lines = "\n".join(json.dumps(item, ensure_ascii=False) for item in (
        {"format": "qcredit-archive/1"}, {"record": sampling(subject.uscc, "JL-1")}))
    response = inspector.post(BATCHES, lines, content_type="application/x-ndjson")
    assert response.status_code == 201, response.content
    assert Record.objects.filter(record_id="JL-1").exists()


def test_a_client_pushes_only_within_its_jurisdiction(subject, make_client):
    qingdao = make_client("intake", sources=[INSPECTION], jurisdiction="3702")
    response = qingdao.post(BATCHES, bundle(sampling(subject.uscc, "QD-1")))
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem["path"] == "records[0].uscc" and "3702" in problem["reason"]
    assert not Record.objects.filter(record_id="QD-1").exists()


def test_without_the_right_a_client_neither_registers_nor_changes_enterprises(subject, inspector):
    stored = {"uscc": subject.uscc, "name": subject.name, "established_on": subject.established_on.isoformat(),
              "region": subject.region, "industry": subject.industry, "licence_required": subject.licence_required,
              "mandatory_testing": subject.mandatory_testing, "exporter": subject.exporter, "status": subject.status}
    unchanged = inspector.post(BATCHES, bundle(sampling(subject.uscc, "E-1"), enterprises=[stored]))
    assert unchanged.status_code == 201 and unchanged.json()["enterprises_unchanged"] == 1
    renamed = inspector.post(BATCHES, bundle(enterprises=[{**stored, "name": "改名公司"}]))
    assert [p["path"] for p in renamed.json()["problems"]] == ["enterprises[0].name"]
    newcomer = {**stored, "uscc": make_uscc("91370102MA9999999"), "name": "新企业"}
    refused = inspector.post(BATCHES, bundle(enterprises=[newcomer]))
    assert [p["path"] for p in refused.json()["problems"]] == ["enterprises[0]"]
    assert Enterprise.objects.get(pk=subject.pk).name == subject.name
    assert not Enterprise.objects.filter(uscc=newcomer["uscc"]).exists()


def test_a_registry_client_registers_a_new_enterprise_with_its_records(make_client, today):
    registry = make_client("intake", sources=[INSPECTION], may_register_enterprises=True)
    uscc = make_uscc("91370105MA8888888")
    newcomer = {"uscc": uscc, "name": "济南新登记食品有限公司", "established_on": "2012-04-01", "region": "370105",
                "industry": "C1431", "licence_required": False, "mandatory_testing": False, "exporter": False,
                "status": "active"}
    body = registry.post(BATCHES, bundle(sampling(uscc, "N-1"), enterprises=[newcomer])).json()
    assert (body["enterprises_created"], body["records_created"], body["regraded"]) == (1, 1, 1)
    assert GradeState.objects.get(enterprise__uscc=uscc).grade == "C"


def test_external_credit_by_api_never_changes_the_grade(subject, make_client):
    bank = make_client("intake", "internal-grade", sources=[SOURCE])
    response = bank.post(BATCHES, bundle({"id": "ZX-2026-1", "uscc": subject.uscc, "kind": "external_credit",
                                          "date": "2026-05-01", "source": SOURCE, "provider": "bank", "rating": "C"}))
    assert response.status_code == 201 and response.json()["records_created"] == 1
    assert grade_of(subject) == "A"
    grade = bank.get(f"/api/v1/enterprises/{subject.uscc}/grade/").json()
    assert grade["grade"] == "A" and [e["rating"] for e in grade["external_credit"]] == ["C"]


def test_a_dry_run_checks_and_counts_but_writes_nothing(subject, inspector):
    before = _snapshot()
    response = inspector.post(f"{BATCHES}?dry_run=true", bundle(sampling(subject.uscc, "DRY-1")))
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["id"], body["records_created"]) == (True, None, 1)
    assert _snapshot() == before and not IntakeBatch.objects.exists()


@override_settings(QCREDIT_API_INTAKE_MAX_ITEMS=2)
def test_a_batch_over_the_limit_is_413(subject, inspector):
    response = inspector.post(BATCHES, bundle(*(sampling(subject.uscc, f"L-{n}") for n in range(3))))
    assert response.status_code == 413 and response.json()["code"] == "bundle_too_large"
    assert not Record.objects.filter(record_id__startswith="L-").exists()


def test_a_client_sees_only_its_own_batches(subject, inspector, make_client):
    other = make_client("intake", sources=[INSPECTION])
    mine = inspector.post(BATCHES, bundle(sampling(subject.uscc, "OWN-1"))).json()["id"]
    theirs = other.post(BATCHES, bundle(sampling(subject.uscc, "OWN-2"))).json()["id"]
    listed = inspector.get(BATCHES).json()
    assert [b["id"] for b in listed["results"]] == [mine]
    assert inspector.get(f"{BATCHES}{theirs}/").status_code == 404


def test_an_insert_that_collides_is_retried(subject, inspector, monkeypatch):
    """A concurrent batch inserting the same new record makes this one's insert fail (unique
    current version per (source, id)); the service retries the whole import, which then finds the
    record (tests/api/test_concurrency.py has the real race on PostgreSQL)."""
    from django.db import IntegrityError

    from qcredit.api import services

    real_import, calls = services.import_bundle, []

    def colliding_once(bundle_, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("duplicate key value violates unique constraint \"record_current_unique\"")
        return real_import(bundle_, **kwargs)

    monkeypatch.setattr(services, "import_bundle", colliding_once)
    response = inspector.post(BATCHES, bundle(sampling(subject.uscc, "RACE-1")))
    assert response.status_code == 201 and len(calls) == 2
    assert Record.objects.filter(record_id="RACE-1").count() == 1


def test_a_collision_every_time_is_a_409_and_writes_nothing(subject, inspector, monkeypatch):
    from django.db import IntegrityError

    from qcredit.api import services

    def always_colliding(bundle_, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(services, "import_bundle", always_colliding)
    before = _snapshot()
    response = inspector.post(BATCHES, bundle(sampling(subject.uscc, "RACE-2")))
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert _snapshot() == before


def test_times_are_given_in_beijing_time(inspector):
    subject = enterprise("济南时区测试有限公司")  # the real clock (UTC inside), not the pinned one
    body = inspector.post(BATCHES, bundle(sampling(subject.uscc, "TZ-1"))).json()
    assert body["received_at"].endswith("+08:00")
    assert inspector.get(f"{BATCHES}{body['id']}/").json()["received_at"] == body["received_at"]
    assert inspector.get(BATCHES).json()["results"][0]["received_at"] == body["received_at"]
