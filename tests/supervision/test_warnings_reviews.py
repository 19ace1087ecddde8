"""QCO 四(三): when an enterprise becomes C (or D), each honour and each preferential policy it holds
is flagged once for revocation/suspension review — through a real commit of the grading run —
and a division decides revoke / suspend / keep with reasons, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.services import AccessDenied
from qcredit.archive.models import Record
from qcredit.archive.services import record_withdraw
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeChange
from qcredit.supervision import warnings
from qcredit.supervision.models_warnings import HonourPolicyReview, PreferentialPolicy
from tests.lists.world import World, grade_of

Review = HonourPolicyReview


def honour(world: World, enterprise, honour_type="government_quality_award", **fields):
    return world.record(enterprise, "honour", **{"honour_type": honour_type, "level": "provincial",
                                                 "issued_by": "山东省人民政府", **fields})


def policy(enterprise, actor, *, kind=PreferentialPolicy.Kind.EXPORT_EXEMPTION, name="出口免验", **fields):
    values = {"granted_by": "山东出入境检验检疫局", "granted_on": date(2024, 3, 1), **fields}
    return warnings.preferential_policy_save(
        policy=PreferentialPolicy(enterprise=enterprise, kind=kind, name=name, **values), actor=actor)


def division(jurisdiction="37"):
    ensure_demo_accounts()
    level = {"37": "sheng", "3701": "jinan", "370102": "lixia"}[jurisdiction]
    return get_user_model().objects.get(username=f"{level}-division")


def staff(role: str, level: str = "sheng"):
    ensure_demo_accounts()
    return get_user_model().objects.get(username=f"{level}-{role}")


@pytest.mark.django_db(transaction=True)
def test_becoming_c_flags_every_honour_and_policy_once_after_the_commit():
    world = World()
    enterprise = world.enterprise()
    other = world.enterprise()
    first = honour(world, enterprise)
    second = honour(world, enterprise, "credit_aaa", issued_by="山东省质量评价协会")
    honour(world, enterprise, "metrology_benchmark", valid_to=(date.today() - timedelta(days=400)).isoformat())
    honour(world, other)  # stays A: nothing of it is flagged
    active = policy(enterprise, division())
    revoked_before = policy(enterprise, division(), name="名牌产品", kind=PreferentialPolicy.Kind.FAMOUS_BRAND,
                            valid_to=date(2025, 1, 31))  # ended: not in force any more
    assert Review.objects.count() == 0

    world.make_c(enterprise)  # its own transaction: the grading run commits, then the reaction runs

    assert grade_of(enterprise) == "C" and grade_of(other) == "A"
    episode = GradeChange.objects.filter(enterprise=enterprise, to_grade="C").get()
    items = Review.objects.filter(enterprise=enterprise)
    assert {i.subject_key for i in items} == {f"honour:{first.source}/{first.record_id}",
                                              f"honour:{second.source}/{second.record_id}",
                                              f"policy:{active.pk}"}
    assert {i.episode for i in items} == {episode} and {i.state for i in items} == {Review.State.OPEN}
    assert revoked_before.pk not in {i.policy_id for i in items}
    opened = AuditEvent.objects.filter(action="supervision.honour_review.open")
    assert opened.count() == 1 and opened.get().object_id == str(enterprise.pk)

    # Idempotent: the daily reconcile and a further adverse record (still C, same episode) add nothing.
    assert warnings.honour_reviews_reconcile()["opened"] == 0
    world.make_c(enterprise)
    assert Review.objects.count() == 3 and opened.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_honour_recorded_while_c_is_flagged_by_the_daily_reconcile_and_a_new_episode_flags_again():
    world = World()
    enterprise = world.enterprise()
    failed = world.make_c(enterprise)
    assert not Review.objects.exists()  # nothing to review yet
    later = honour(world, enterprise)  # no grade change: no reaction; the reconcile finds it
    assert not Review.objects.exists()
    assert warnings.honour_reviews_reconcile()["opened"] == 1
    assert warnings.honour_reviews_reconcile()["opened"] == 0

    # The failed sampling is withdrawn (A again); a new failure is a new episode: flagged again.
    record_withdraw(record=failed, reason="抽查结论经复检撤销", actor=None)
    assert grade_of(enterprise) == "A"
    world.make_c(enterprise)
    episodes = list(Review.objects.filter(enterprise=enterprise).order_by("id").values_list("episode_id", flat=True))
    assert len(episodes) == 2 and episodes[0] != episodes[1]
    assert set(Review.objects.values_list("subject_key", flat=True)) == {f"honour:{later.source}/{later.record_id}"}


@pytest.mark.django_db(transaction=True)
def test_a_direct_fall_to_d_flags_too_but_a_move_between_c_and_d_is_the_same_episode():
    world = World()
    enterprise = world.enterprise()
    honour(world, enterprise)
    world.make_c(enterprise)
    world.make_d(enterprise)  # C → D: the same episode of untrustworthiness
    assert grade_of(enterprise) == "D" and Review.objects.count() == 1

    straight = world.enterprise()
    honour(world, straight)
    world.make_d(straight)
    assert Review.objects.filter(enterprise=straight).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_reaction_is_logged_the_archive_write_stands_and_the_reconcile_repairs_it(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(warnings, "honour_reviews_open", broken)
    world = World()
    enterprise = world.enterprise()
    honour(world, enterprise)
    world.make_c(enterprise)  # does not raise
    assert grade_of(enterprise) == "C" and not Review.objects.exists()
    assert "honour/policy reviews for grading run" in caplog.text
    monkeypatch.undo()
    assert warnings.honour_reviews_reconcile()["opened"] == 1


# --- decisions (not transactional: the services run in the test's transaction) -----------------------


@pytest.fixture
def flagged(db):
    """A Lixia enterprise, C, with a provincial honour and an active policy, both flagged."""
    world = World()
    enterprise = world.enterprise(region="370102")
    record = honour(world, enterprise)
    granted = policy(enterprise, division())
    world.make_c(enterprise)
    warnings.honour_reviews_open()
    items = {i.subject_kind: i for i in Review.objects.filter(enterprise=enterprise)}
    return enterprise, record, granted, items


def test_revoking_an_honour_ends_it_in_the_archive_the_day_before_and_keeps_the_old_version(flagged):
    enterprise, record, _granted, items = flagged
    on = date.today()
    item = warnings.honour_review_decide(review=items["honour"], decision="revoke", reason="获奖企业发生质量失信行为",
                                         actor=division("370102"), on=on)
    assert item.state == Review.State.DECIDED and item.decision == "revoke" and item.decided_on == on
    current = Record.objects.current().get(source=record.source, record_id=record.record_id)
    assert current == item.applied_record and current.version == 2
    assert current.valid_to == on - timedelta(days=1) and "【撤销】" in current.note
    assert Record.objects.get(pk=record.pk).superseded_at is not None  # the old version is kept
    assert not warnings._honours_in_force(on).filter(enterprise=enterprise).exists()
    decided = AuditEvent.objects.filter(action="supervision.honour_review.decide").get()
    assert decided.actor_name == "lixia-division" and decided.reason == "获奖企业发生质量失信行为"
    assert AuditEvent.objects.filter(action="archive.record.correct", actor_name="lixia-division").exists()


def test_suspending_and_revoking_a_policy_change_its_state(flagged):
    _enterprise, _record, granted, items = flagged
    warnings.honour_review_decide(review=items["policy"], decision="suspend", reason="整改期间暂停",
                                  actor=division("3701"))
    granted.refresh_from_db()
    assert granted.state == PreferentialPolicy.State.SUSPENDED and granted.state_changed_on == warnings.today()


def test_keeping_needs_a_reason_changes_nothing_else_and_a_second_decision_is_refused(flagged):
    _enterprise, record, granted, items = flagged
    with pytest.raises(warnings.WarningError) as refused:
        warnings.honour_review_decide(review=items["honour"], decision="keep", reason="  ", actor=division())
    assert refused.value.code == warnings.WarningErrorCode.REASON_REQUIRED
    warnings.honour_review_decide(review=items["honour"], decision="keep", reason="授奖单位决定保留", actor=division())
    assert Record.objects.current().get(source=record.source, record_id=record.record_id).pk == record.pk
    with pytest.raises(warnings.WarningError) as again:
        warnings.honour_review_decide(review=items["honour"], decision="revoke", reason="再议", actor=division())
    assert again.value.code == warnings.WarningErrorCode.WRONG_STATE
    with pytest.raises(warnings.WarningError) as bad:
        warnings.honour_review_decide(review=items["policy"], decision="abolish", reason="x", actor=division())
    assert bad.value.code == warnings.WarningErrorCode.INVALID
    granted.refresh_from_db()
    assert granted.state == PreferentialPolicy.State.ACTIVE


@pytest.mark.parametrize("username", ["sheng-office", "sheng-legal", "sheng-reviewer", "sheng-auditor",
                                      "jinan-admin"])
def test_only_a_division_covering_the_enterprise_decides(flagged, username):
    _enterprise, _record, _granted, items = flagged
    before = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        warnings.honour_review_decide(review=items["honour"], decision="keep", reason="理由",
                                      actor=get_user_model().objects.get(username=username))
    assert AuditEvent.objects.count() == before
    assert Review.objects.get(pk=items["honour"].pk).state == Review.State.OPEN


def test_a_division_of_another_city_is_refused(flagged):
    from tests.factories import staff as make_staff

    qingdao = make_staff("division", "3702")
    _enterprise, _record, _granted, items = flagged
    with pytest.raises(AccessDenied):
        warnings.honour_review_decide(review=items["policy"], decision="revoke", reason="理由", actor=qingdao)


def test_policies_are_registered_by_a_division_or_admin_of_the_region_and_audited(db):
    from tests.factories import staff as make_staff

    world = World()
    enterprise = world.enterprise(region="370102")
    saved = policy(enterprise, staff("admin", "jinan"))
    event = AuditEvent.objects.get(action="supervision.preferential_policy.create")
    assert event.object_id == str(saved.pk) and event.actor_name == "jinan-admin"
    with pytest.raises(AccessDenied):
        policy(enterprise, make_staff("division", "3702"))
    with pytest.raises(AccessDenied):
        policy(enterprise, staff("office"))
    with pytest.raises(warnings.WarningError):
        policy(enterprise, division(), granted_on=date(2025, 5, 1), valid_to=date(2025, 4, 30))


def _reads_of_an_opening(world: World, n: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(n):
        e = world.enterprise()
        honour(world, e)
        world.make_c(e)
    with CaptureQueriesContext(connection) as queries:
        assert len(warnings.honour_reviews_open()) == n
    # The audit trail appends one event per enterprise (its own statements, and on PostgreSQL its
    # advisory lock); everything else is set-based.
    return sum(1 for q in queries.captured_queries
               if "audit_auditevent" not in q["sql"] and "pg_advisory_xact_lock" not in q["sql"])


def test_the_opening_is_set_based_the_same_queries_for_two_or_seven_enterprises(db):
    world = World()
    two = _reads_of_an_opening(world, 2)
    assert _reads_of_an_opening(world, 7) == two  # the first two have their items already
