"""Two partners pushing the same new record at the same moment, on PostgreSQL (SQLite has one
writer, so its batches never overlap): both batches are accepted, the record is stored once."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connections
from django.test import Client

from qcredit.archive import imports
from qcredit.archive.models import Record

from ..portal.world import enterprise
from .test_intake import BATCHES, INSPECTION, bundle, sampling

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_new_record_pushed_twice_at_once_is_stored_once(make_client, monkeypatch):
    subject = enterprise("济南并发报送机械有限公司")
    callers = [make_client("intake", sources=[INSPECTION]) for _ in range(2)]
    payload = json.dumps(bundle(sampling(subject.uscc, "SAME-1")), ensure_ascii=False)

    # Hold both imports after they have read the archive (no current version of SAME-1) and
    # before they insert, so that their inserts really collide.
    barrier, local, real_chunks = threading.Barrier(2), threading.local(), imports._chunks

    def chunks(items, size=imports.CHUNK):
        local.calls = getattr(local, "calls", 0) + 1
        if local.calls == 3 and not getattr(local, "met", False):  # the third call comes after the reads
            local.met = True
            barrier.wait(timeout=20)
        return real_chunks(items, size)

    monkeypatch.setattr(imports, "_chunks", chunks)
    results, errors = {}, []

    def push(n: int) -> None:
        try:
            response = Client().post(BATCHES, payload, content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {callers[n].token}")
            results[n] = (response.status_code, response.json())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(status for status, _ in results.values()) == [201, 201]
    assert sorted((body["records_created"], body["records_unchanged"]) for _, body in results.values()) == [
        (0, 1), (1, 0)]
    assert list(Record.objects.filter(record_id="SAME-1").values_list("version", flat=True)) == [1]
