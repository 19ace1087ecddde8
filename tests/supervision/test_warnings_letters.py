"""Yellow-card warning letters (黄牌警告, QCO 四(三)): issued by a division or the office of a unit
covering the enterprise, to a C enterprise only; a numbered PDF with the embedded CJK font, the
adverse facts with articles and evidence, the C measures of the catalogue and a rectification
deadline in working days; audited; the enterprise is told; refusals write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.models import Notification
from qcredit.accounts.services import AccessDenied
from qcredit.archive.models import Enterprise
from qcredit.audit.models import AuditEvent
from qcredit.supervision import warnings
from qcredit.supervision.models import Measure
from qcredit.supervision.models_warnings import WarningLetter
from qcredit.workdays.errors import MissingHolidayYear
from tests.lists.world import World, workdays_after
from tests.portal import pdftext

# The issuing day is pinned (the grading clock is left alone): 28 September 2026, the Monday before
# the National Day holiday, so that the deadline has to count over it.
ON = date(2026, 9, 28)


@pytest.fixture
def people(db):
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def c_enterprise(db):
    world = World()
    enterprise = world.enterprise(region="370102", name="济南黄牌测试机械有限公司")
    failed = world.record(enterprise, "sampling", scope="quality", result="fail", ref="鲁质监抽〔2026〕3号")
    account = world.account(enterprise, username="ent-yellow")
    return enterprise, failed, account


def issue(enterprise, actor, days=15, **kwargs):
    return warnings.warning_letter_issue(enterprise=enterprise, rectification_workdays=days, actor=actor, on=ON,
                                         **kwargs)


def test_a_letter_to_a_c_enterprise_states_facts_measures_and_deadline_in_an_embedded_font_pdf(c_enterprise,
                                                                                              people):
    enterprise, failed, account = c_enterprise
    letter = issue(enterprise, people["lixia-division"], remarks="请对不合格产品召回并查明原因。")

    assert letter.number == "鲁质信警〔2026〕370102-1号" and letter.authority == "济南市历下区市场监督管理局"
    assert letter.rectify_by == workdays_after(ON, 15)  # over the National Day holiday, counted independently
    assert [f["id"] for f in letter.facts] == ["QCO-C2"]
    assert letter.facts[0]["records"][0]["record_id"] == failed.record_id

    pdf = pdftext.read(bytes(letter.pdf))
    assert pdf.fonts and all(f.embedded for f in pdf.fonts)
    assert {f.family for f in pdf.fonts} == {"WenQuanYi Micro Hei"}
    assert not pdf.has_javascript
    text = pdf.text.replace("\n", "")
    c_measures = [m.text for m in Measure.objects.filter(grade="C", active=True, concerns="")]
    assert c_measures
    for expected in ("企业质量信用黄牌警告书", letter.number, enterprise.name, enterprise.uscc, "C 级（失信）",
                     "QCO-C2", "QCO 三(三)2", failed.record_id, "鲁质监抽〔2026〕3号", "2026年10月", "15 个工作日",
                     "请对不合格产品召回并查明原因。", "济南市历下区市场监督管理局", "不对社会公开", *c_measures):
        assert expected in text, expected
    assert f"{letter.rectify_by.year}年{letter.rectify_by.month}月{letter.rectify_by.day}日" in text

    event = AuditEvent.objects.get(action="supervision.warning_letter.issue")
    assert event.actor_name == "lixia-division" and event.object_id == str(letter.pk)
    assert letter.pdf_sha256 in event.after
    note = Notification.objects.get(recipient=account)
    assert letter.number in note.subject and note.link.endswith("/warnings/mine/")


@pytest.mark.parametrize("make", ["A", "B", "D", "N"])
def test_refused_for_any_enterprise_that_is_not_c_and_nothing_is_written(db, people, make):
    world = World()
    if make == "B":  # two to three years old: QCO 三(二)1, not yet 三(一)1
        enterprise = world.enterprise(established_on=(date.today() - timedelta(days=365 * 2 + 120)).isoformat())
    elif make == "N":
        enterprise = world.enterprise(established_on=date.today().replace(day=1).isoformat())
    else:
        enterprise = world.enterprise()
        if make == "D":
            world.make_d(enterprise)
    before = AuditEvent.objects.count()
    with pytest.raises(warnings.WarningError) as refused:
        issue(enterprise, people["sheng-office"])
    assert warnings.GradeState.objects.get(enterprise=enterprise).grade == make
    assert refused.value.code == warnings.WarningErrorCode.NOT_C
    assert "C级" in refused.value.message
    assert not WarningLetter.objects.exists() and AuditEvent.objects.count() == before
    assert not Notification.objects.exists()


@pytest.mark.parametrize("username", ["sheng-legal", "sheng-leader", "sheng-evaluator", "sheng-reviewer",
                                      "sheng-auditor", "sheng-admin", "jinan-inspection"])
def test_refused_for_roles_that_do_not_issue(c_enterprise, people, username):
    enterprise, *_ = c_enterprise
    with pytest.raises(AccessDenied):
        issue(enterprise, people[username])
    assert not WarningLetter.objects.exists()


def test_refused_outside_the_jurisdiction_and_numbered_per_bureau_inside_it(c_enterprise, people):
    from tests.factories import staff

    enterprise, *_ = c_enterprise
    with pytest.raises(AccessDenied):
        issue(enterprise, staff("office", "3702"))
    first = issue(enterprise, people["sheng-office"], days=1)
    assert first.number == "鲁质信警〔2026〕1号" and first.authority == "山东省市场监督管理局"

    # While its rectification period runs no second letter; after it, the next number.
    with pytest.raises(warnings.WarningError) as running:
        warnings.warning_letter_issue(enterprise=enterprise, rectification_workdays=5, actor=people["jinan-division"],
                                      on=first.rectify_by)
    assert running.value.code == warnings.WarningErrorCode.LETTER_RUNNING and first.number in running.value.message
    second = warnings.warning_letter_issue(enterprise=enterprise, rectification_workdays=5,
                                           actor=people["jinan-division"], on=date(2026, 10, 20))
    assert second.number == "鲁质信警〔2026〕3701-1号"
    third_day = workdays_after(second.rectify_by, 1)
    third = warnings.warning_letter_issue(enterprise=enterprise, rectification_workdays=5,
                                          actor=people["sheng-division"], on=third_day)
    assert third.number == "鲁质信警〔2026〕2号"


def test_invalid_deadlines_and_a_missing_holiday_year_are_refused_with_their_reason(c_enterprise, people):
    enterprise, *_ = c_enterprise
    for days in (0, -3, warnings.MAX_RECTIFICATION_WORKDAYS + 1, True):
        with pytest.raises(warnings.WarningError) as invalid:
            issue(enterprise, people["sheng-office"], days=days)
        assert invalid.value.code == warnings.WarningErrorCode.INVALID
    with pytest.raises(warnings.WarningError):
        issue(enterprise, people["sheng-office"], remarks="长" * (warnings.MAX_REMARKS + 1))
    with pytest.raises(MissingHolidayYear) as missing:
        warnings.warning_letter_issue(enterprise=enterprise, rectification_workdays=10,
                                      actor=people["sheng-office"], on=date(2031, 6, 2))
    assert "2031" in missing.value.message
    assert not WarningLetter.objects.exists()


def test_the_letter_keeps_its_risk_and_measures_for_exporters_include_the_export_measure(db, people):
    world = World()
    enterprise = world.enterprise()
    Enterprise.objects.filter(pk=enterprise.pk).update(exporter=True)  # set-up: an exporter
    enterprise.refresh_from_db()
    world.make_c(enterprise)
    letter = issue(enterprise, people["sheng-division"])
    exporter_measures = set(Measure.objects.filter(grade="C", active=True, concerns="exporter")
                            .values_list("text", flat=True))
    assert exporter_measures and exporter_measures <= {m["text"] for m in letter.measures}
    assert letter.risk["score"] == letter.risk_score and letter.risk_band in ("low", "medium", "high")
    assert [p["key"] for p in letter.risk["parts"]] == ["criteria", "more_records", "prior_records", "grade_drops",
                                                       "external"]


def test_the_pdf_is_served_to_the_enterprise_and_staff_of_the_jurisdiction_only_and_the_first_download_is_the_receipt(
        c_enterprise, people):
    from tests.factories import staff

    enterprise, _failed, account = c_enterprise
    letter = issue(enterprise, people["sheng-office"])
    other_account = World().account(World().enterprise(region="370202"), username="ent-other")
    assert warnings.warning_letter_pdf(letter_id=letter.pk, user=other_account) is None
    assert warnings.warning_letter_pdf(letter_id=letter.pk, user=staff("division", "3702")) is None
    assert warnings.warning_letter_pdf(letter_id=letter.pk, user=people["sheng-auditor"]) is None
    got, pdf = warnings.warning_letter_pdf(letter_id=letter.pk, user=people["jinan-legal"])
    assert pdf == bytes(letter.pdf) and got.received_at is None
    for _ in range(2):
        got, pdf = warnings.warning_letter_pdf(letter_id=letter.pk, user=account)
        assert pdf.startswith(b"%PDF")
    letter.refresh_from_db()
    assert letter.received_by == account and letter.received_at is not None
    assert AuditEvent.objects.filter(action="supervision.warning_letter.receive").count() == 1
    assert AuditEvent.objects.filter(action="supervision.warning_letter.download").count() == 3
