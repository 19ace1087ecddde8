"""SPEC §5.2 A-grade publication: the enterprise applies of its own will, the inspection unit
gives its opinion where statutory testing applies, the province evaluates, and the published A
lasts one validity period (QCO 三(五), 四(一), 五(五); I-8)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qcredit.accounts.models import Notification
from qcredit.exchange.models import PublicationEvent
from qcredit.grading.services import ruleset_on, today
from qcredit.lists import selectors, services
from qcredit.lists.errors import ListsError, ListsErrorCode
from qcredit.lists.models import AApplication, PublishedA
from qcredit.rules.dates import add_years

from .world import actions_since, grade_of, last_seq

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_enterprise(world):
    enterprise = world.enterprise(name="济南守信机械有限公司")
    assert grade_of(enterprise) == "A"  # computer A: internal until published
    return enterprise


def publish(world, demo, enterprise):
    account = world.account(enterprise)
    application = services.a_application_submit(enterprise=enterprise, actor=account)
    services.a_application_evaluate(application=application, approved=True, note="符合A级评价标准",
                                    actor=demo["sheng-evaluator"])
    return PublishedA.objects.get(application=application), account


def test_an_a_enterprise_applies_and_the_province_publishes_it_for_the_validity_period(world, demo, a_enterprise):
    account = world.account(a_enterprise)
    assert selectors.published_a_public() == []  # the computer A is not public

    seq = last_seq()
    application = services.a_application_submit(enterprise=a_enterprise, remarks="自愿申请公示", actor=account)
    assert application.state == AApplication.State.AWAITING_EVALUATION  # no statutory testing
    assert actions_since(seq) == ["lists.a_application.submit"]
    assert Notification.objects.filter(recipient=demo["sheng-evaluator"]).exists()

    seq = last_seq()
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    assert actions_since(seq) == ["lists.a_application.evaluate"]
    entry = PublishedA.objects.get(application=application)
    day = today()
    validity = ruleset_on(day).parameter_values(day)["published_a_validity"]
    assert entry.published_on == day
    assert entry.valid_until == add_years(day, validity) - timedelta(days=1)
    assert entry.owner.name == "山东省市场监督管理局"  # 认定部门: the bureau, not its functional unit

    event = PublicationEvent.objects.get(entry_key=f"published_a:{entry.pk}", kind="published")
    assert event.list_kind == "published_a"
    assert set(event.payload) == {"主体名称", "统一社会信用代码", "名单类别", "列入原因", "认定部门", "列入日期",
                                  "有效期至", "数据来源单位", "数据来源单位统一社会信用代码"}
    assert event.payload["统一社会信用代码"] == a_enterprise.uscc
    assert event.payload["有效期至"] == entry.valid_until.isoformat()

    [public] = selectors.published_a_public()
    assert (public.name, public.uscc, public.region) == (a_enterprise.name, a_enterprise.uscc, "370102")
    assert public.valid_until == entry.valid_until
    assert Notification.objects.filter(recipient=account, subject__contains="通过").exists()


def test_only_a_current_a_applies_one_application_at_a_time_and_not_while_published(world, demo, a_enterprise):
    c_enterprise = world.enterprise()
    world.make_c(c_enterprise)
    with pytest.raises(ListsError) as refused:
        services.a_application_submit(enterprise=c_enterprise, actor=world.account(c_enterprise))
    assert refused.value.code is ListsErrorCode.NOT_GRADE_A

    account = world.account(a_enterprise)
    application = services.a_application_submit(enterprise=a_enterprise, actor=account)
    with pytest.raises(ListsError) as twice:
        services.a_application_submit(enterprise=a_enterprise, actor=account)
    assert twice.value.code is ListsErrorCode.ALREADY_APPLIED

    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    with pytest.raises(ListsError) as published:
        services.a_application_submit(enterprise=a_enterprise, actor=account)
    assert published.value.code is ListsErrorCode.ALREADY_PUBLISHED


def test_mandatory_testing_needs_the_inspection_units_favourable_opinion_before_the_province_publishes(world, demo):
    enterprise = world.enterprise(mandatory_testing=True)
    account = world.account(enterprise)
    application = services.a_application_submit(enterprise=enterprise, actor=account)
    assert application.state == AApplication.State.AWAITING_INSPECTION
    assert Notification.objects.filter(recipient=demo["lixia-inspection"]).exists()

    with pytest.raises(ListsError) as early:  # the inspection unit's opinion comes first
        services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    assert early.value.code is ListsErrorCode.WRONG_STATE

    services.a_application_inspection_opinion(application=application, favourable=False,
                                              opinion="近一年监督检验合格率未达100%", actor=demo["lixia-inspection"])
    with pytest.raises(ListsError) as against:
        services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    assert against.value.code is ListsErrorCode.INSPECTION_UNFAVOURABLE
    with pytest.raises(ListsError) as no_reason:
        services.a_application_evaluate(application=application, approved=False, actor=demo["sheng-evaluator"])
    assert no_reason.value.code is ListsErrorCode.REASON_REQUIRED
    rejected = services.a_application_evaluate(application=application, approved=False, note="检验单位意见为不同意",
                                               actor=demo["sheng-evaluator"])
    assert rejected.state == AApplication.State.REJECTED
    assert not PublishedA.objects.exists()

    again = services.a_application_submit(enterprise=enterprise, actor=account)
    services.a_application_inspection_opinion(application=again, favourable=True, opinion="监督检验均合格",
                                              actor=demo["jinan-inspection"])
    services.a_application_evaluate(application=again, approved=True, actor=demo["sheng-evaluator"])
    assert PublishedA.objects.get(application=again).state == PublishedA.State.PUBLISHED


def test_a_grade_falling_to_c_withdraws_the_published_a_at_once(world, demo, a_enterprise,
                                                                django_capture_on_commit_callbacks):
    entry, account = publish(world, demo, a_enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        world.make_c(a_enterprise)
    entry.refresh_from_db()
    assert entry.state == PublishedA.State.WITHDRAWN
    assert entry.exit_kind == PublishedA.Exit.GRADE_LEFT_A and entry.exited_on == today()
    withdrawal = PublicationEvent.objects.get(entry_key=entry.entry_key, kind="withdrawn")
    assert withdrawal.payload["撤下类别"] == PublishedA.Exit.GRADE_LEFT_A.label
    # Partners learn that the A ended, not the internal grade it fell to (SPEC §7.1).
    assert "C" in entry.exit_reason and entry.exit_reason not in withdrawal.payload.values()
    assert "C级" not in str(withdrawal.payload) and "为 C" not in str(withdrawal.payload)
    assert selectors.published_a_public() == []
    assert Notification.objects.filter(recipient=account, subject="A级公示已撤下").exists()


def test_an_open_application_lapses_when_the_grade_leaves_a(world, demo, a_enterprise,
                                                           django_capture_on_commit_callbacks):
    application = services.a_application_submit(enterprise=a_enterprise, actor=world.account(a_enterprise))
    with django_capture_on_commit_callbacks(execute=True):
        world.make_c(a_enterprise)
    application.refresh_from_db()
    assert application.state == AApplication.State.LAPSED


def test_the_daily_reconcile_withdraws_what_a_lost_reaction_left_published(world, demo, a_enterprise):
    entry, _ = publish(world, demo, a_enterprise)
    world.make_c(a_enterprise)  # committed, but the on-commit reaction never ran (a crash)
    entry.refresh_from_db()
    assert entry.state == PublishedA.State.PUBLISHED

    seq = last_seq()
    assert services.published_a_reconcile(today=today()) == {"withdrawn": 1, "lapsed": 0}
    assert actions_since(seq) == ["lists.published_a.withdraw_grade_left"]
    entry.refresh_from_db()
    assert entry.state == PublishedA.State.WITHDRAWN
    assert services.published_a_reconcile(today=today()) == {"withdrawn": 0, "lapsed": 0}  # idempotent


def test_a_published_a_expires_after_its_validity_and_a_new_application_is_needed(world, demo, a_enterprise):
    entry, account = publish(world, demo, a_enterprise)
    assert services.published_a_expire_due(today=entry.valid_until) == 0  # still valid on its last day
    assert selectors.published_a_public(on=entry.valid_until) != []
    assert selectors.published_a_public(on=entry.valid_until + timedelta(days=1)) == []  # before the job ran
    seq = last_seq()
    assert services.published_a_expire_due(today=entry.valid_until + timedelta(days=1)) == 1
    assert actions_since(seq) == ["lists.published_a.expire"]
    entry.refresh_from_db()
    assert entry.state == PublishedA.State.EXPIRED and entry.exit_kind == PublishedA.Exit.EXPIRED
    assert PublicationEvent.objects.filter(entry_key=entry.entry_key, kind="withdrawn").count() == 1
    assert selectors.published_a_public() == []
    # No lifetime status (QCO 五(五)): the archived entry stays with the enterprise, a new
    # application starts afresh.
    own = selectors.enterprise_own_lists(user=account, enterprise=a_enterprise)
    assert [e.state for e in own.published] == [PublishedA.State.EXPIRED]
    assert services.a_application_submit(enterprise=a_enterprise, actor=account).is_open


def test_the_enterprise_withdraws_its_application_or_its_published_a(world, demo, a_enterprise):
    account = world.account(a_enterprise)
    application = services.a_application_submit(enterprise=a_enterprise, actor=account)
    assert services.a_application_cancel(application=application, actor=account).state == AApplication.State.CANCELLED
    entry, _ = publish(world, demo, a_enterprise)
    own_account = entry.enterprise.accounts.first().user
    seq = last_seq()
    withdrawn = services.published_a_withdraw_request(entry=entry, reason="企业自愿撤下", actor=own_account)
    assert withdrawn.state == PublishedA.State.WITHDRAWN and withdrawn.exit_kind == PublishedA.Exit.ENTERPRISE_REQUEST
    assert actions_since(seq) == ["lists.published_a.withdraw_request"]
    assert PublicationEvent.objects.filter(entry_key=entry.entry_key, kind="withdrawn").exists()
