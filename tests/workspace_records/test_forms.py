"""Record entry, correction and withdrawal screens (SPEC §3): one form per kind generated
from the archive vocabulary, validated by the bundle validator, saved through the archive
services (authorised, audited, regraded at once)."""

from __future__ import annotations

from datetime import date

import pytest

from qcredit.accounts.models import Membership, Role
from qcredit.archive import services
from qcredit.archive.bundle import MAX_LENGTHS
from qcredit.archive.columns import record_to_bundle
from qcredit.archive.models import Record
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeState
from qcredit.rules.kinds import BOOL, CHOICE_LABELS, DATE, ENUM, KINDS, RATE

from .. import factories
from .conftest import FUTURE, RECENT, enterprise_data

pytestmark = pytest.mark.django_db


def add_url(e, kind=None):
    return f"/workspace/enterprises/{e.uscc}/records/add/" + (f"?kind={kind}" if kind else "")


def sample(kind_code: str) -> tuple[dict, dict]:
    """Form data for every field of a kind (non-default values: the last enum choice, booleans
    the other way round) and the bundle record it must store."""
    kind = KINDS[kind_code]
    post = {"id": f"W-{kind_code}", "source": "历下区市场监督管理局", "date": RECENT, "ref": "历市监〔2026〕1号",
            "note": "网页录入"}
    expected = {"id": post["id"], "kind": kind_code, "date": RECENT, "source": post["source"], "ref": post["ref"],
                "note": post["note"]}
    for f in kind.fields:
        if f.type == ENUM:
            value = f.choices[-1]
            post[f.name] = expected[f.name] = value
        elif f.type == BOOL:
            expected[f.name] = not f.default
            if expected[f.name]:
                post[f.name] = "on"
        elif f.type == RATE:
            post[f.name], expected[f.name] = "0.95", 0.95
        elif f.type == DATE:
            value = RECENT if f.name == "valid_from" else FUTURE
            post[f.name] = expected[f.name] = value
        else:
            value = f"{f.label}样例"[: MAX_LENGTHS.get(f.name, 100)]
            post[f.name] = expected[f.name] = value
    return post, expected


@pytest.mark.parametrize("kind_code", list(KINDS))
def test_each_kind_round_trips_through_its_form(client, county_clerk, lixia, kind_code):
    client.force_login(county_clerk)
    page = client.get(add_url(lixia, kind_code)).content.decode()
    for f in KINDS[kind_code].fields:
        assert f.label in page  # Chinese labels …
        for choice in f.choices:
            assert f'value="{choice}"' in page and CHOICE_LABELS[choice] in page  # … and enum choices in Chinese
    assert 'type="date"' in page

    post, expected = sample(kind_code)
    response = client.post(add_url(lixia, kind_code), post)
    assert response.status_code == 302, response.content.decode()
    record = Record.objects.get(record_id=post["id"])
    assert record_to_bundle(record, lixia.uscc) == {"uscc": lixia.uscc, **expected}
    assert record.recorded_by == county_clerk and record.version == 1
    event = AuditEvent.objects.filter(action="archive.record.add").latest("seq")
    assert event.actor_name == "lixia-clerk" and event.object_id == str(record.pk)
    assert GradeState.objects.filter(enterprise=lixia).exists()  # graded in the same transaction


def test_a_failed_sampling_regrades_the_enterprise_at_once(client, county_clerk, lixia):
    assert GradeState.objects.get(enterprise=lixia).grade == "A"
    client.force_login(county_clerk)
    response = client.post(add_url(lixia, "sampling"), {
        "id": "S-1", "source": "历下区市场监督管理局", "date": RECENT, "scope": "quality", "result": "fail",
        "own_fault": "on"}, follow=True)
    assert GradeState.objects.get(enterprise=lixia).grade == "C"  # QCO 三(三)2
    record = Record.objects.get(record_id="S-1")
    assert response.redirect_chain[-1][0].endswith(f"/workspace/enterprises/{lixia.uscc}/#record-{record.pk}")
    assert "等级由“A 守信”变为“C 失信”" in response.content.decode()


def test_the_bundle_validator_judges_the_form(client, county_clerk, lixia):
    client.force_login(county_clerk)
    response = client.post(add_url(lixia, "licence"), {
        "id": "L-1", "source": "历下区市场监督管理局", "date": RECENT, "number": "XK-1", "valid_from": FUTURE,
        "valid_to": RECENT, "status": "rectifying"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "整改期限" in " ".join(form.errors["rectify_by"])  # rectifying needs rectify_by (SPEC §3.1)
    assert "早于有效期起" in " ".join(form.errors["valid_to"])
    response = client.post(add_url(lixia, "factory_pass_rate"), {
        "id": "F-1", "source": "历下区市场监督管理局", "date": RECENT, "rate": "1.2"})
    assert "应在 0 到 1 之间" in " ".join(response.context["form"].errors["rate"])
    assert not Record.objects.exists()


def test_a_duplicate_record_key_is_refused_with_a_message(client, county_clerk, lixia):
    client.force_login(county_clerk)
    post, _ = sample("inspection")
    client.post(add_url(lixia, "inspection"), post)
    response = client.post(add_url(lixia, "inspection"), post)
    assert response.status_code == 200 and "已存在" in response.content.decode()
    assert Record.objects.count() == 1


def test_without_a_kind_the_page_offers_every_kind(client, county_clerk, lixia):
    client.force_login(county_clerk)
    page = client.get(add_url(lixia)).content.decode()
    for code, kind in KINDS.items():
        assert f"?kind={code}" in page and kind.label in page


@pytest.fixture
def failed(lixia):
    return services.record_add(enterprise=lixia, data={
        "id": "S-9", "kind": "sampling", "date": RECENT, "source": "历下区市场监督管理局", "scope": "quality",
        "result": "fail", "note": "旧备注"})


def correct_url(record):
    return f"/workspace/enterprises/{record.enterprise.uscc}/records/{record.pk}/correct/"


def withdraw_url(record):
    return f"/workspace/enterprises/{record.enterprise.uscc}/records/{record.pk}/withdraw/"


def test_a_correction_supersedes_with_its_reason(client, county_clerk, failed):
    client.force_login(county_clerk)
    page = client.get(correct_url(failed))
    form = page.context["form"]
    assert form.initial["result"] == "fail" and form.initial["date"] == date.fromisoformat(RECENT)
    assert AuditEvent.objects.filter(action="workspace.record.view", kind="access").exists()
    data = {"date": RECENT, "scope": "quality", "result": "pass", "own_fault": "on", "note": "", "ref": ""}

    response = client.post(correct_url(failed), {**data, "reason": "  "})  # the reason is required
    assert "reason" in response.context["form"].errors
    assert Record.objects.count() == 1

    response = client.post(correct_url(failed), {**data, "reason": "复检合格，原通报有误"})
    assert response.status_code == 302
    old, new = Record.objects.order_by("version")
    assert old.superseded_at is not None and old.result == "fail"
    assert (new.version, new.supersedes_id, new.result, new.reason) == (2, old.pk, "pass", "复检合格，原通报有误")
    assert new.note == ""  # an emptied optional field is cleared by the correction
    assert GradeState.objects.get(enterprise=failed.enterprise).grade == "A"
    assert AuditEvent.objects.filter(action="archive.record.correct", reason="复检合格，原通报有误").exists()

    # The old version's address leads to the current version.
    response = client.get(correct_url(old))
    assert response.status_code == 302 and response["Location"] == correct_url(new)


def test_an_unchanged_correction_is_refused(client, county_clerk, failed):
    client.force_login(county_clerk)
    response = client.post(correct_url(failed), {"date": RECENT, "scope": "quality", "result": "fail",
                                                 "own_fault": "on", "note": "旧备注", "reason": "核对"})
    assert response.status_code == 200 and "与现行版本相同" in response.content.decode()
    assert Record.objects.count() == 1


def test_a_withdrawal_marks_the_record_and_regrades(client, county_clerk, failed):
    assert GradeState.objects.get(enterprise=failed.enterprise).grade == "C"
    client.force_login(county_clerk)
    page = client.get(withdraw_url(failed)).content.decode()
    assert "data-confirm" in page and "不合格" in page
    response = client.post(withdraw_url(failed), {"reason": ""})
    assert "reason" in response.context["form"].errors and Record.objects.count() == 1
    response = client.post(withdraw_url(failed), {"reason": "误录，该企业未被抽查"})
    assert response.status_code == 302
    latest = Record.objects.get(superseded_at__isnull=True)
    assert latest.withdrawn and latest.reason == "误录，该企业未被抽查" and latest.version == 2
    assert Record.objects.filter(pk=failed.pk).exists()  # nothing is deleted
    assert GradeState.objects.get(enterprise=failed.enterprise).grade == "A"
    # A withdrawn record can be neither corrected nor withdrawn again.
    response = client.get(correct_url(failed))
    assert response.status_code == 302 and response["Location"].endswith("/records/")


def test_a_reviewer_may_correct_but_not_add(client, reviewer, failed):
    client.force_login(reviewer)
    assert client.get(add_url(failed.enterprise, "sampling")).status_code == 403
    response = client.post(correct_url(failed), {"date": RECENT, "scope": "quality", "result": "pass",
                                                 "own_fault": "on", "reason": "复核：事实不成立"})
    assert response.status_code == 302 and Record.objects.current().get().result == "pass"


def test_a_county_clerk_cannot_write_outside_the_county(client, county_clerk, qingdao):
    record = services.record_add(enterprise=qingdao, data={"id": "Q-1", "kind": "accident", "date": RECENT,
                                                           "source": "青岛市市场监督管理局", "severity": "general"})
    client.force_login(county_clerk)
    post, _ = sample("sampling")
    # Outside every jurisdiction of the user, the enterprise does not exist for them.
    assert client.get(add_url(qingdao, "sampling")).status_code == 404
    assert client.post(add_url(qingdao, "sampling"), post).status_code == 404
    assert client.post(withdraw_url(record), {"reason": "越权"}).status_code == 404
    assert Record.objects.count() == 1


def test_the_service_refuses_a_writer_who_only_sees_the_enterprise(client, qingdao):
    """A county clerk who is also in the province's legal division sees Qingdao's enterprise
    (staff of the jurisdiction) but may not write its archive: the page says why."""
    user = factories.staff(Role.DIVISION, "370102", username="two-hats")
    Membership.objects.create(user=user, unit=factories.unit("37"), role=Role.LEGAL)
    record = services.record_add(enterprise=qingdao, data={"id": "Q-2", "kind": "accident", "date": RECENT,
                                                           "source": "青岛市市场监督管理局", "severity": "general"})
    client.force_login(user)
    response = client.get(add_url(qingdao, "sampling"))
    assert response.status_code == 403 and "管辖范围不包括" in response.content.decode()
    post, _ = sample("sampling")
    assert client.post(add_url(qingdao, "sampling"), post).status_code == 403
    assert client.post(withdraw_url(record), {"reason": "越权"}).status_code == 403
    page = client.get(f"/workspace/enterprises/{qingdao.uscc}/records/").content.decode()
    assert "只能查看" in page and withdraw_url(record) not in page
    assert Record.objects.count() == 1


def test_the_record_list_escapes_names_and_logs_the_access(client, county_clerk):
    enterprise = services.enterprise_register(data=enterprise_data(7, name="<script>alert(1)</script>"))
    services.record_add(enterprise=enterprise, data={"id": "N-1", "kind": "complaint", "date": RECENT,
                                                     "source": "<b>来源</b>", "scope": "quality",
                                                     "resolution": "timely"})
    client.force_login(county_clerk)
    page = client.get(f"/workspace/enterprises/{enterprise.uscc}/records/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>来源</b>" not in page
    assert AuditEvent.objects.filter(action="workspace.records.view", object_id=str(enterprise.pk)).exists()


def test_an_auditor_has_no_record_screens(client, lixia):
    client.force_login(factories.staff(Role.AUDITOR, "37"))
    assert client.get(add_url(lixia, "sampling")).status_code == 403
    assert client.get("/workspace/imports/").status_code == 403
