"""Scope ``internal-grade`` (SPEC §7.1 "partner token: only with an explicit internal scope,
logged"): the current grade, rule-set version, criteria with their evidence and the external
credit beside the grade; every read is an access event naming the client; enterprises outside
the client's jurisdiction are refused and nothing is read."""

from __future__ import annotations

import pytest

from qcredit.archive.services import record_add
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeState

from ..portal.world import grade_of

pytestmark = pytest.mark.django_db


def _grade(caller, subject):
    response = caller.get(f"/api/v1/enterprises/{subject.uscc}/grade/")
    assert response.status_code == 200, response.content
    return response.json()


def test_an_internal_client_sees_the_grade_its_criteria_and_evidence(world, make_client):
    caller = make_client("internal-grade")
    c = world.hidden["c"]
    body = _grade(caller, c)
    state = GradeState.objects.get(enterprise=c)
    assert (body["grade"], body["as_of"], body["ruleset"]) == ("C", state.as_of.isoformat(), state.evaluation.ruleset)
    assert "QCO-C2" in body["adverse"]
    c2 = next(x for x in body["criteria"] if x["id"] == "QCO-C2")
    assert c2["holds"] is True and c2["tier"] == "C" and c2["article"]
    [evidence] = c2["evidence"]
    sampling = c.records.get(kind="sampling")
    assert (evidence["source"], evidence["id"], evidence["kind"], evidence["current"]) == (
        sampling.source, sampling.record_id, "sampling", True)
    for key in ("b", "unconfirmed_d", "unpublished_a"):
        assert _grade(caller, world.hidden[key])["grade"] == grade_of(world.hidden[key])


def test_every_internal_read_is_an_access_event_naming_the_client(world, make_client):
    caller = make_client("public", "internal-grade", code="bank-jinan")
    subject = world.hidden["b"]
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    _grade(caller, subject)
    _grade(caller, subject)
    caller.get(f"/api/v1/enterprises/{subject.uscc}/")  # the public read is not one
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [(e.kind, e.action, e.actor_name, e.object_id) for e in events] == [
        ("access", "api.enterprise.grade.view", "api-bank-jinan", str(subject.pk))] * 2
    assert events[0].after_data["grade"] == "B" and events[0].after_data["client"] == "bank-jinan"


def test_external_credit_is_shown_beside_the_grade_and_does_not_change_it(world, make_client):
    caller = make_client("internal-grade")
    subject = world.hidden["b"]
    before = grade_of(subject)
    record_add(enterprise=subject, data={"id": "ZX-1", "kind": "external_credit", "date": "2026-05-01",
                                         "source": "国家税务总局济南市税务局", "provider": "tax", "rating": "D"}, actor=None)
    body = _grade(caller, subject)
    assert body["grade"] == before == grade_of(subject)
    assert body["external_credit"] == [{"source": "国家税务总局济南市税务局", "id": "ZX-1", "date": "2026-05-01",
                                        "provider": "tax", "rating": "D", "ref": ""}]


def test_outside_its_jurisdiction_a_client_is_refused_and_nothing_is_read(world, make_client):
    qingdao = make_client("internal-grade", jurisdiction="3702")
    before = AuditEvent.objects.count()
    response = qingdao.get(f"/api/v1/enterprises/{world.hidden['c'].uscc}/grade/")
    assert response.status_code == 403 and response.json()["code"] == "out_of_jurisdiction"
    assert AuditEvent.objects.count() == before
    assert _grade(qingdao, world.public["qingdao_red"])["grade"] == grade_of(world.public["qingdao_red"])


def test_unknown_and_invalid_codes(world, make_client):
    caller = make_client("internal-grade")
    assert caller.get("/api/v1/enterprises/91350100M000100Y43/grade/").status_code == 404
    assert caller.get("/api/v1/enterprises/not-a-code/grade/").json()["code"] == "invalid_uscc"


def test_the_grade_is_dated_by_the_latest_full_regrade_that_confirmed_it(world, make_client, today):
    """A full regrade stores a new snapshot only where a result changed; an unchanged grade is
    confirmed as of that regrade, and the API says so (not the day the result last changed)."""
    from datetime import timedelta

    from qcredit.grading.services import regrade_all

    caller = make_client("internal-grade")
    c = world.hidden["c"]
    state = GradeState.objects.get(enterprise=c)
    later = state.as_of + timedelta(days=1)
    regrade_all(as_of=later)
    state.refresh_from_db()
    body = _grade(caller, c)
    assert body["grade"] == "C" and body["as_of"] == max(state.as_of, later).isoformat()
