"""Scope ``public`` sees what the portal shows and nothing else (SPEC §7.1): an enterprise on no
public list gets the same answer whatever its internal grade — B, C, an unpublished A, a
withdrawn A, an unconfirmed D — apart from its identity; listed enterprises show their entries
with the approved statements; the lists hold only what is public now; no public answer carries a
grade label, a criterion or workflow internals; and public reads write no audit event."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from qcredit.api.models import ApiCall
from qcredit.audit.models import AuditEvent
from qcredit.portal import selectors as portal

from ..portal.disclosure import GRADE_LABELS, INTERNAL_TEXT
from ..portal.world import enterprise, expected_grades, grade_of

pytestmark = pytest.mark.django_db

IDENTITY = ("uscc", "name", "region", "industry")
HEADERS_COMPARED = ("Content-Type", "Cache-Control", "Vary", "Allow", "X-Frame-Options", "Content-Security-Policy",
                    "X-Content-Type-Options", "Referrer-Policy")


def _without_identity(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in IDENTITY}


def test_an_enterprise_on_no_list_looks_the_same_whatever_its_grade(world, make_client):
    caller = make_client("public", "internal-grade")  # an internal client's public answer is public too
    plain = enterprise("济南无记录对照企业有限公司", established_on="2025-01-01")  # N: too young to grade
    reference = caller.get(f"/api/v1/enterprises/{plain.uscc}/")
    assert reference.status_code == 200
    assert _without_identity(reference.json()) == {"entries": []}
    grades = expected_grades()
    assert {key: grade_of(s) for key, s in world.hidden.items()} == {key: grades[key] for key in world.hidden}
    assert set(grades.values()) >= {"A", "B", "C", "D"}
    for key, subject in world.hidden.items():
        response = caller.get(f"/api/v1/enterprises/{subject.uscc}/")
        assert response.status_code == 200, key
        body = response.json()
        assert [body[f] for f in IDENTITY] == [subject.uscc, subject.name, subject.region, subject.industry or ""]
        assert _without_identity(body) == _without_identity(reference.json()), key
        assert {h: response.get(h) for h in HEADERS_COMPARED} == {h: reference.get(h) for h in HEADERS_COMPARED}, key


def test_listed_enterprises_show_their_public_entries_with_statements(world, make_client, today):
    caller = make_client("public")
    red = caller.get(f"/api/v1/enterprises/{world.public['redlisted'].uscc}/").json()
    assert [(e["list"], e["category"], e["reason"], e["listed_on"], e["statement"]) for e in red["entries"]] == [
        ("redlist", "守信红名单", "荣获山东省省长质量奖", today.isoformat(), "我公司将继续坚持质量第一。")]
    assert red["entries"][0]["source_unit"] and red["entries"][0]["source_unit_uscc"]
    a = caller.get(f"/api/v1/enterprises/{world.public['published_a'].uscc}/").json()
    assert [(e["list"], e["statement"]) for e in a["entries"]] == [("published-a", "感谢社会监督。")]
    black = caller.get(f"/api/v1/enterprises/{world.public['blacklisted'].uscc}/").json()
    [entry] = black["entries"]
    assert entry["list"] == "blacklist" and entry["valid_until"] is None and entry["reason"].startswith("=HYPERLINK")


def test_the_api_shows_exactly_what_the_portal_shows(world, make_client):
    caller = make_client("public")
    for subject in world.all.values():
        body = caller.get(f"/api/v1/enterprises/{subject.uscc}/").json()
        shown = portal.with_statements(portal.all_listings(uscc=subject.uscc))
        assert [(e["list"], e["name"], e["reason"], e["authority"], e["listed_on"], e["statement"])
                for e in body["entries"]] == [
            ({"a-list": "published-a"}.get(r.list, r.list), r.name, r.reason, r.authority, r.listed_on.isoformat(),
             r.statement) for r in shown]
    for path, slug in (("redlist", "redlist"), ("published-a", "a-list"), ("blacklist", "blacklist")):
        body = caller.get(f"/api/v1/{path}/").json()
        rows = portal.open_data_rows(list_slug=slug)
        assert body["count"] == len(rows)
        assert sorted((e["uscc"], e["category"], e["reason"], e["authority"], e["listed_on"], e["valid_until"] or "",
                       e["source_unit"], e["source_unit_uscc"]) for e in body["results"]) == sorted(
            (r["统一社会信用代码"], r["名单类别"], r["列入原因"], r["认定部门"], r["列入日期"], r["有效期至"], r["数据来源单位"],
             r["数据来源单位统一社会信用代码"]) for r in rows)


def test_no_public_answer_names_a_hidden_enterprise_or_carries_a_grade(world, make_client):
    caller = make_client("public")
    hidden = {s.uscc for s in world.hidden.values()} | {s.name for s in world.hidden.values()}
    bodies = {}
    for path in ("redlist", "published-a", "blacklist"):
        bodies[path] = caller.get(f"/api/v1/{path}/", {"page_size": 500}).content.decode()
        assert not any(marker in bodies[path] for marker in hidden), path
    for key, subject in world.all.items():
        bodies[key] = caller.get(f"/api/v1/enterprises/{subject.uscc}/").content.decode()
    for where, text in bodies.items():
        decoded = json.dumps(json.loads(text), ensure_ascii=False)
        for label in GRADE_LABELS:
            assert label not in decoded, (where, label)
        for internal in INTERNAL_TEXT:
            assert internal not in decoded, (where, internal)
        assert '"grade' not in decoded, where


def test_lists_filter_by_region_and_date_and_paginate(world, make_client, today):
    caller = make_client("public")
    everyone = caller.get("/api/v1/redlist/").json()
    assert everyone["count"] == 2
    qingdao = caller.get("/api/v1/redlist/", {"region": "3702"}).json()
    assert [e["uscc"] for e in qingdao["results"]] == [world.public["qingdao_red"].uscc]
    assert caller.get("/api/v1/redlist/", {"listed_since": today.isoformat()}).json()["count"] == 2
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert caller.get("/api/v1/redlist/", {"listed_since": tomorrow}).json()["count"] == 0
    assert caller.get("/api/v1/redlist/", {"updated_since": tomorrow}).json()["count"] == 0
    assert caller.get("/api/v1/redlist/", {"listed_until": "2020-01-01"}).json()["count"] == 0
    first = caller.get("/api/v1/blacklist/", {"page_size": 1}).json()
    assert first["count"] == 2 and len(first["results"]) == 1 and first["previous"] is None
    assert "page=2" in first["next"]
    second = caller.get("/api/v1/blacklist/", {"page_size": 1, "page": 2}).json()
    assert second["next"] is None and second["results"][0]["uscc"] != first["results"][0]["uscc"]


@pytest.mark.parametrize(("params", "path"), [
    ({"region": "37a"}, "region"), ({"region": "3"}, "region"), ({"listed_since": "2026-02-30"}, "listed_since"),
    ({"page_size": "0"}, "page_size"), ({"regoin": "3701"}, "regoin"), ({"region": ["3701", "3702"]}, "region"),
    ({"region": ""}, "region"),
])
def test_invalid_unknown_repeated_or_empty_parameters_are_400_with_their_name(world, make_client, params, path):
    response = make_client("public").get("/api/v1/redlist/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter" and [p["path"] for p in body["problems"]] == [path]


def test_a_page_beyond_the_last_is_404(world, make_client):
    response = make_client("public").get("/api/v1/redlist/", {"page": 9})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_uscc_lookup_normalises_case_and_404s_invalid_and_unknown_codes(world, make_client):
    caller = make_client("public")
    subject = world.public["published_a"]
    assert caller.get(f"/api/v1/enterprises/{subject.uscc.lower()}/").json()["uscc"] == subject.uscc
    invalid = caller.get("/api/v1/enterprises/91350100M000100Y4Z/")  # check character wrong: names nobody
    assert invalid.status_code == 404 and invalid.json()["code"] == "invalid_uscc"
    assert invalid.json()["problems"][0]["path"] == "uscc" and "第18位" in invalid.json()["problems"][0]["reason"]
    assert caller.get(f"/api/v1/enterprises/{subject.uscc}/", {"grade": "1"}).status_code == 400
    other = caller.get("/api/v1/enterprises/a/b/c/")
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    logged = ApiCall.objects.order_by("-id").first()  # logged like every call, with the token's prefix
    assert (logged.path, logged.status, logged.token_prefix) == ("/api/v1/enterprises/a/b/c/", 404,
                                                                 caller.client.token_prefix)
    unknown = caller.get("/api/v1/enterprises/91350100M000100Y43/")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_public_reads_write_no_audit_event(world, make_client):
    caller = make_client("public")
    before = AuditEvent.objects.count()
    for subject in world.all.values():
        caller.get(f"/api/v1/enterprises/{subject.uscc}/")
    caller.get("/api/v1/redlist/")
    assert AuditEvent.objects.count() == before
