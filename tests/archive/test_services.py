"""SPEC §3 append-only archive writes and SPEC §4.3 incremental regrade in the same transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, AccessErrorCode
from qcredit.archive import services
from qcredit.archive.bundle import BundleError
from qcredit.archive.models import Record
from qcredit.archive.services import ArchiveError, ArchiveErrorCode
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeChange, GradeState

from .. import factories
from .test_bundle import ENTERPRISE, SAMPLING

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return factories.staff(Role.DIVISION, "37", username="clerk")


@pytest.fixture
def enterprise(staff):
    return services.enterprise_register(data={**ENTERPRISE, "established_on": "2010-01-01"}, actor=staff)


def fields(**changes):
    data = {k: v for k, v in SAMPLING.items() if k != "uscc"}
    data.update(changes)
    return data


def test_a_new_adverse_record_regrades_at_once(enterprise, staff):
    assert GradeState.objects.get(enterprise=enterprise).grade in {"A", "B"}
    record = services.record_add(enterprise=enterprise, data=fields(), actor=staff)
    assert record.recorded_by == staff and record.version == 1
    assert GradeState.objects.get(enterprise=enterprise).grade == "C"
    change = GradeChange.objects.filter(enterprise=enterprise).first()
    assert change.to_grade == "C"


def test_correction_and_withdrawal_keep_every_version(enterprise, staff):
    record = services.record_add(enterprise=enterprise, data=fields(), actor=staff)
    corrected = services.record_correct(record=record, data={"result": "pass"}, reason="复检合格，原通报有误",
                                        actor=staff)
    assert GradeState.objects.get(enterprise=enterprise).grade != "C"
    withdrawn = services.record_withdraw(record=corrected, reason="重复录入", actor=staff)
    versions = list(Record.objects.filter(record_id=record.record_id).order_by("version"))
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.result for v in versions] == ["fail", "pass", "pass"]
    assert versions[2].withdrawn and versions[2].reason == "重复录入"
    assert versions[0].superseded_at and versions[1].superseded_at and versions[2].superseded_at is None
    assert not Record.objects.current().exists()
    with pytest.raises(ArchiveError) as info:
        services.record_correct(record=record, data={"result": "fail"}, reason="x", actor=staff)
    assert info.value.code is ArchiveErrorCode.NOT_CURRENT
    assert withdrawn.pk == versions[2].pk


def test_reason_is_required_and_invalid_data_is_refused(enterprise, staff):
    record = services.record_add(enterprise=enterprise, data=fields(), actor=staff)
    with pytest.raises(ArchiveError) as info:
        services.record_withdraw(record=record, reason="  ", actor=staff)
    assert info.value.code is ArchiveErrorCode.REASON_REQUIRED
    with pytest.raises(BundleError) as bad:
        services.record_correct(record=record, data={"result": "maybe"}, reason="x", actor=staff)
    assert bad.value.problems[0].path == "record.result"
    with pytest.raises(ArchiveError):
        services.record_add(enterprise=enterprise, data=fields(), actor=staff)  # same (source, id)
    assert Record.objects.count() == 1


def test_only_a_division_of_the_jurisdiction_may_write(enterprise):
    citizen = get_user_model().objects.create_user("citizen", password="x")
    legal = factories.staff(Role.LEGAL, "37")
    qingdao = factories.staff(Role.DIVISION, "3702")
    for actor, code in ((citizen, AccessErrorCode.NO_ROLE), (legal, AccessErrorCode.NO_ROLE),
                        (qingdao, AccessErrorCode.OUT_OF_JURISDICTION)):
        with pytest.raises(AccessDenied) as info:
            services.record_add(enterprise=enterprise, data=fields(), actor=actor)
        assert info.value.code is code
    assert not Record.objects.exists()


def test_every_archive_write_is_audited_in_its_transaction(enterprise, staff):
    record = services.record_add(enterprise=enterprise, data=fields(), actor=staff)
    services.record_withdraw(record=record, reason="通报撤销", actor=staff)
    events = list(AuditEvent.objects.filter(object_type="archive.record").order_by("seq"))
    assert [e.action for e in events] == ["archive.record.add", "archive.record.withdraw"]
    assert events[1].actor == staff and events[1].reason == "通报撤销" and events[1].role == "division"


def test_a_failing_regrade_rolls_back_the_record(enterprise, staff, monkeypatch):
    from qcredit.grading import services as grading

    def broken(**kwargs):
        raise RuntimeError("grading unavailable")

    monkeypatch.setattr(grading, "regrade_enterprises", broken)
    with pytest.raises(RuntimeError):
        services.record_add(enterprise=enterprise, data=fields(), actor=staff)
    assert not Record.objects.exists()


def test_the_database_refuses_to_overwrite_or_delete_a_record(enterprise, staff):
    record = services.record_add(enterprise=enterprise, data=fields(), actor=staff)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Record.objects.filter(pk=record.pk).update(result="pass")
    with pytest.raises(PermissionError):
        record.delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute("DELETE FROM archive_record WHERE id = %s", [record.pk])
    assert Record.objects.get(pk=record.pk).result == "fail"
