"""Rule-set versions (SPEC §6): an admin of the province drafts a successor with changed
parameter values (each with its article), sees its impact, and activates it; from then on
the version grades every ``as_of`` from its effective date, and the red list is re-checked."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, AccessErrorCode
from qcredit.archive.bundle import validate_bundle
from qcredit.archive.demo import generate_bundle
from qcredit.archive.imports import import_bundle
from qcredit.archive.selectors import enterprises_for_rules, records_for_rules
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import Evaluation, GradeState, GradingRun
from qcredit.grading.services import regrade_all, ruleset_on, today
from qcredit.rules import evaluate
from qcredit.rules.ruleset import SHANDONG_2018
from qcredit.rulesets.errors import RuleSetVersionError, RuleSetVersionErrorCode
from qcredit.rulesets.models import RuleSetVersion
from qcredit.rulesets.selectors import activated_rulesets
from qcredit.rulesets.services import (
    ruleset_version_activate,
    ruleset_version_create,
    ruleset_version_preview,
    ruleset_version_preview_record,
    ruleset_versions_reconcile,
)

from .. import factories

pytestmark = pytest.mark.django_db
Code = RuleSetVersionErrorCode

# Longer windows and higher minimum ages: grades move between every pair of tiers.
STRICTER = {
    "current_window": {"value": 2, "article": "新办法第六条 “评价期间为两年”"},
    "a_min_age": {"value": 5, "article": "新办法第七条 “依法设立满5年”"},
    "b_min_age": {"value": 3, "article": "新办法第八条 “依法设立满3年”"},
}


@pytest.fixture
def admin():
    return factories.staff(Role.ADMIN, "37")


def draft(actor, version="SD-2026.1", effective_from=date(2026, 1, 1), overrides=None, **kw):
    return ruleset_version_create(actor=actor, version=version, effective_from=effective_from,
                                  overrides=STRICTER if overrides is None else overrides,
                                  title=kw.pop("title", "测试版本"), reason=kw.pop("reason", "新办法发布"), **kw)


def load_demo_archive(n: int, as_of: date) -> None:
    import_bundle(validate_bundle(generate_bundle(enterprises=n, as_of=as_of)), via="test", regrade=False)


def python_grades(ruleset, as_of: date) -> dict[int, str]:
    """Every enterprise graded one by one in Python, independently of the batch SQL."""
    from qcredit.archive.models import Enterprise

    ids = list(Enterprise.objects.values_list("id", flat=True))
    enterprises, records = enterprises_for_rules(enterprise_ids=ids), records_for_rules(enterprise_ids=ids)
    return {eid: evaluate(e, records.get(eid, ()), as_of, ruleset).grade for eid, e in enterprises.items()}


# --- drafting ---------------------------------------------------------------------------------------


def test_a_provincial_admin_drafts_a_successor_citing_an_article_for_each_changed_parameter(admin):
    version = draft(admin, overrides={"redlist_publication_period": {"value": 2, "unit": "year",
                                                                     "article": "新办法第十二条 “公开期限为2年”"}})
    assert version.state == RuleSetVersion.State.DRAFT
    assert version.predecessor == SHANDONG_2018.version
    assert version.overrides == {"redlist_publication_period": {
        "value": 2, "article": "新办法第十二条 “公开期限为2年”", "previous": 1,
        "previous_article": SHANDONG_2018.parameters["redlist_publication_period"].reference}}
    event = AuditEvent.objects.get(action="rulesets.version.create")
    assert event.actor_name == admin.username and event.reason == "新办法发布"
    assert activated_rulesets() == ()  # a draft grades nothing
    assert ruleset_on(date(2026, 6, 1)) is SHANDONG_2018


@pytest.mark.parametrize(("username", "code"), [
    ("jinan-admin", AccessErrorCode.OUT_OF_JURISDICTION),
    ("lixia-admin", AccessErrorCode.OUT_OF_JURISDICTION),
    ("sheng-office", AccessErrorCode.NO_ROLE),
    ("sheng-auditor", AccessErrorCode.NO_ROLE),
])
def test_only_an_admin_of_the_province_drafts_previews_and_activates(username, code, redlist):
    from django.contrib.auth import get_user_model

    ensure_demo_accounts()
    User = get_user_model()
    other, province_admin = User.objects.get(username=username), User.objects.get(username="sheng-admin")
    with pytest.raises(AccessDenied) as info:
        draft(other)
    assert info.value.code is code
    version = draft(province_admin)
    with pytest.raises(AccessDenied) as info:
        ruleset_version_preview_record(actor=other, version=version, as_of=date(2026, 3, 1))
    assert info.value.code is code
    ruleset_version_preview_record(actor=province_admin, version=version, as_of=date(2026, 3, 1))
    with pytest.raises(AccessDenied) as info:
        ruleset_version_activate(actor=other, version=version, reason="越权启用")
    assert info.value.code is code
    version.refresh_from_db()
    assert version.state == RuleSetVersion.State.PREVIEWED and not redlist.rechecks


def test_an_anonymous_user_cannot_draft():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied) as info:
        draft(AnonymousUser())
    assert info.value.code is AccessErrorCode.NOT_AUTHENTICATED


@pytest.mark.parametrize(("overrides", "code"), [
    ({}, Code.NO_OVERRIDES),
    ({"no_such_parameter": {"value": 1, "article": "x"}}, Code.UNKNOWN_PARAMETER),
    ({"redlist_publication_period": {"value": -1, "article": "x"}}, Code.INVALID_VALUE),
    ({"redlist_publication_period": {"value": 0, "article": "x"}}, Code.INVALID_VALUE),
    ({"redlist_publication_period": {"value": "两年", "article": "x"}}, Code.INVALID_VALUE),
    ({"redlist_publication_period": {"value": True, "article": "x"}}, Code.INVALID_VALUE),
    ({"redlist_publication_period": 2}, Code.INVALID_VALUE),
    ({"current_window_basis": {"value": "weekly", "article": "x"}}, Code.INVALID_VALUE),
    ({"redlist_revocation_deadline": {"value": 10, "unit": "day", "article": "x"}}, Code.UNIT_MISMATCH),
    ({"redlist_publication_period": {"value": 2, "unit": "month", "article": "x"}}, Code.UNIT_MISMATCH),
    ({"redlist_publication_period": {"value": 2, "article": "  "}}, Code.ARTICLE_REQUIRED),
    ({"redlist_publication_period": {"value": 1, "article": "x"}}, Code.UNCHANGED_VALUE),
])
def test_parameter_names_values_and_units_are_checked_against_the_parameter_table(admin, overrides, code):
    with pytest.raises(RuleSetVersionError) as info:
        draft(admin, overrides=overrides)
    assert info.value.code is code and info.value.message
    assert not RuleSetVersion.objects.exists() and not AuditEvent.objects.filter(action__startswith="rulesets").exists()


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"effective_from": date(2018, 5, 1)}, Code.EFFECTIVE_TOO_EARLY),
    ({"effective_from": date(2017, 1, 1)}, Code.EFFECTIVE_TOO_EARLY),
    ({"version": "2027版"}, Code.VERSION_INVALID),
    ({"version": "SD-2018.1"}, Code.VERSION_EXISTS),
    ({"reason": " "}, Code.REASON_REQUIRED),
])
def test_version_name_effective_date_and_reason_are_checked(admin, kwargs, code):
    with pytest.raises(RuleSetVersionError) as info:
        draft(admin, **kwargs)
    assert info.value.code is code


def test_a_version_name_is_used_once(admin):
    draft(admin)
    with pytest.raises(RuleSetVersionError) as info:
        draft(admin)
    assert info.value.code is Code.VERSION_EXISTS


# --- preview ----------------------------------------------------------------------------------------


def test_the_preview_counts_every_grade_change_as_a_per_enterprise_evaluation_would(admin, redlist):
    as_of = date(2026, 6, 30)
    load_demo_archive(150, as_of)
    version = draft(admin, effective_from=date(2026, 6, 1))
    redlist.leaving = [{"uscc": "91370102MA0010002P", "name": "某某红名单企业"}]
    written = (Evaluation.objects.count(), GradeState.objects.count(), GradingRun.objects.count(),
               AuditEvent.objects.count(), RuleSetVersion.objects.filter(state="draft").count())

    impact = ruleset_version_preview(version=version, as_of=as_of)

    new_rules = SHANDONG_2018.successor(version="independent", effective_from=date(2026, 6, 1),
                                        overrides={k: v["value"] for k, v in STRICTER.items()})
    before, after = python_grades(SHANDONG_2018, as_of), python_grades(new_rules, as_of)
    expected = Counter((before[e], after[e]) for e in before)
    assert impact.transitions == dict(expected)
    assert impact.enterprises == 150
    assert impact.changes == {pair: n for pair, n in expected.items() if pair[0] != pair[1]}
    assert len(impact.changes) >= 3  # the scenario moves grades several ways
    assert impact.by_grade["A"] == (Counter(before.values())["A"], Counter(after.values())["A"])
    assert (impact.version, impact.current_version, impact.as_of) == ("SD-2026.1", "SD-2018.1", as_of)
    # the red list is asked by the new rule set, and its answer reported
    assert [(p["ruleset"].version, p["as_of"]) for p in redlist.previews] == [("SD-2026.1", as_of)]
    assert impact.redlist_leaving == ({"uscc": "91370102MA0010002P", "name": "某某红名单企业"},)
    # and nothing was written
    assert written == (Evaluation.objects.count(), GradeState.objects.count(), GradingRun.objects.count(),
                       AuditEvent.objects.count(), RuleSetVersion.objects.filter(state="draft").count())


def test_the_preview_is_as_of_a_date_the_new_version_is_in_force(admin, redlist):
    version = draft(admin, effective_from=date(2026, 6, 1))
    with pytest.raises(RuleSetVersionError) as info:
        ruleset_version_preview(version=version, as_of=date(2026, 5, 31))
    assert info.value.code is Code.AS_OF_BEFORE_EFFECTIVE
    later = draft(admin, version="SD-2099.1", effective_from=today() + timedelta(days=400))
    assert ruleset_version_preview(version=later).as_of == later.effective_from


def test_a_recorded_preview_is_kept_on_the_version_and_audited(admin, redlist):
    load_demo_archive(30, date(2026, 6, 30))
    version = draft(admin, effective_from=date(2026, 6, 1))
    impact = ruleset_version_preview_record(actor=admin, version=version, as_of=date(2026, 6, 30))
    version.refresh_from_db()
    assert version.state == RuleSetVersion.State.PREVIEWED and version.previewed_by == admin
    assert version.impact == impact.as_json() and version.impact["enterprises"] == 30
    event = AuditEvent.objects.get(action="rulesets.version.preview")
    assert json.loads(event.after)["state"] == "previewed"


# --- activation -------------------------------------------------------------------------------------


def test_activation_puts_the_version_in_force_regrades_every_enterprise_and_rechecks_the_red_list(admin, redlist):
    day = today()
    load_demo_archive(80, day)
    regrade_all(as_of=day)
    version = draft(admin, version="SD-2026.7", effective_from=day - timedelta(days=30))
    ruleset_version_preview_record(actor=admin, version=version)

    activated = ruleset_version_activate(actor=admin, version="SD-2026.7", reason="新办法自本月起施行")

    assert activated.state == RuleSetVersion.State.ACTIVE and activated.activated_by == admin
    assert [r.version for r in activated_rulesets()] == ["SD-2026.7"]
    in_force = ruleset_on(day)
    assert in_force.version == "SD-2026.7"
    assert in_force.parameter_values(day)["current_window"] == 2
    assert in_force.parameters["current_window"].reference == STRICTER["current_window"]["article"]
    assert ruleset_on(version.effective_from - timedelta(days=1)) is SHANDONG_2018
    run = GradingRun.objects.order_by("-id").first()
    assert (run.kind, run.as_of, run.ruleset) == ("full", day, "SD-2026.7") and "SD-2026.7" in run.cause
    expected = python_grades(in_force, day)
    assert dict(GradeState.objects.values_list("enterprise_id", "grade")) == expected
    assert [(c["ruleset"].version, c["as_of"], c["actor"]) for c in redlist.rechecks] == [("SD-2026.7", day, admin)]
    assert activated.rechecked_on == day
    event = AuditEvent.objects.get(action="rulesets.version.activate")
    assert event.reason == "新办法自本月起施行" and json.loads(event.after)["regrade"]["run"] == run.pk
    assert json.loads(event.before)["state"] == "previewed" and json.loads(event.after)["state"] == "active"


def test_a_version_activated_ahead_of_its_effective_date_is_applied_by_the_daily_job_on_that_date(admin, redlist):
    day = today()
    effective = day + timedelta(days=10)
    version = draft(admin, version="SD-2099.1", effective_from=effective)
    ruleset_version_preview_record(actor=admin, version=version)
    runs = GradingRun.objects.count()
    ruleset_version_activate(actor=admin, version=version, reason="提前公布的新办法")
    assert GradingRun.objects.count() == runs and not redlist.rechecks  # not in force yet
    assert ruleset_on(day) is SHANDONG_2018 and ruleset_on(effective).version == "SD-2099.1"

    assert ruleset_versions_reconcile(today=effective - timedelta(days=1)) == {"rechecked": 0}
    assert ruleset_versions_reconcile(today=effective)["rechecked"] == 1
    assert [(c["ruleset"].version, c["as_of"], c["actor"]) for c in redlist.rechecks] == [("SD-2099.1", effective,
                                                                                         None)]
    assert ruleset_versions_reconcile(today=effective + timedelta(days=1)) == {"rechecked": 0}
    assert len(redlist.rechecks) == 1
    version.refresh_from_db()
    assert version.rechecked_on == effective
    assert AuditEvent.objects.filter(action="rulesets.version.recheck", actor_name="系统").count() == 1


def test_activation_needs_the_impact_previewed_first_and_a_reason(admin, redlist):
    version = draft(admin)
    with pytest.raises(RuleSetVersionError) as info:
        ruleset_version_activate(actor=admin, version=version, reason="直接启用")
    assert info.value.code is Code.NOT_PREVIEWED
    ruleset_version_preview_record(actor=admin, version=version, as_of=date(2026, 3, 1))
    with pytest.raises(RuleSetVersionError) as info:
        ruleset_version_activate(actor=admin, version=version, reason="")
    assert info.value.code is Code.REASON_REQUIRED
    with pytest.raises(RuleSetVersionError) as info:
        ruleset_version_activate(actor=admin, version="SD-1999.9", reason="不存在的版本")
    assert info.value.code is Code.NOT_FOUND
    assert activated_rulesets() == ()


def test_a_draft_on_a_superseded_version_cannot_be_previewed_or_activated(admin, redlist):
    first = draft(admin, version="SD-2026.1")
    second = draft(admin, version="SD-2026.2", effective_from=date(2026, 2, 1))
    for v in (first, second):
        ruleset_version_preview_record(actor=admin, version=v, as_of=date(2026, 3, 1))
    ruleset_version_activate(actor=admin, version=first, reason="先启用第一个")
    for call in (lambda: ruleset_version_activate(actor=admin, version=second, reason="再启用第二个"),
                 lambda: ruleset_version_preview(version=second, as_of=date(2026, 3, 1))):
        with pytest.raises(RuleSetVersionError) as info:
            call()
        assert info.value.code is Code.PREDECESSOR_CHANGED
    third = draft(admin, version="SD-2026.3", effective_from=date(2026, 3, 1),
                  overrides={"a_min_age": {"value": 4, "article": "新办法第七条"}})
    assert third.predecessor == "SD-2026.1"
    assert third.overrides["a_min_age"]["previous"] == 5  # SD-2026.1's value
    ruleset_version_preview_record(actor=admin, version=third, as_of=date(2026, 3, 1))
    ruleset_version_activate(actor=admin, version=third, reason="第三版")
    chain = activated_rulesets()
    assert [r.version for r in chain] == ["SD-2026.1", "SD-2026.3"]
    # each version keeps the values of the ones before it, and its own from its date on
    assert chain[-1].parameter_values(date(2026, 3, 1))["current_window"] == 2
    assert chain[-1].parameter_values(date(2026, 3, 1))["a_min_age"] == 4
    assert chain[-1].parameter_values(date(2026, 2, 1))["a_min_age"] == 5


def test_an_active_version_is_immutable(admin, redlist):
    version = draft(admin)
    ruleset_version_preview_record(actor=admin, version=version, as_of=date(2026, 3, 1))
    version = ruleset_version_activate(actor=admin, version=version, reason="启用")
    for call, code in ((lambda: ruleset_version_activate(actor=admin, version=version, reason="再次"),
                        Code.ALREADY_ACTIVE),
                       (lambda: ruleset_version_preview_record(actor=admin, version=version), Code.ALREADY_ACTIVE)):
        with pytest.raises(RuleSetVersionError) as info:
            call()
        assert info.value.code is code
    # the model refuses …
    version.title = "改过的标题"
    with pytest.raises(RuleSetVersionError) as info:
        version.save()
    assert info.value.code is Code.IMMUTABLE
    with pytest.raises(RuleSetVersionError):
        version.delete()
    # … and so does the database, whoever asks
    for sql in ("UPDATE rulesets_rulesetversion SET title = 'x' WHERE id = %s",
                "UPDATE rulesets_rulesetversion SET overrides = '{}' WHERE id = %s",
                "UPDATE rulesets_rulesetversion SET effective_from = '2030-01-01' WHERE id = %s",
                "UPDATE rulesets_rulesetversion SET state = 'draft' WHERE id = %s",
                "UPDATE rulesets_rulesetversion SET rechecked_on = '2030-01-01' WHERE id = %s",
                "DELETE FROM rulesets_rulesetversion WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])
    version.refresh_from_db()
    assert version.title == "测试版本" and version.state == RuleSetVersion.State.ACTIVE


def test_a_draft_may_still_be_changed_in_the_database(admin):
    version = draft(admin)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE rulesets_rulesetversion SET note = 'x' WHERE id = %s", [version.pk])
    version.refresh_from_db()
    assert version.note == "x"


def test_a_version_activated_by_another_process_is_seen_at_the_next_grading(admin):
    assert activated_rulesets() == ()
    assert activated_rulesets() is activated_rulesets()  # cached while nothing changes
    from django.utils import timezone

    # Another process (a web worker, say) committed an activation.
    RuleSetVersion.objects.create(version="SD-2026.5", predecessor="SD-2018.1", effective_from=date(2026, 5, 1),
                                  title="另一进程启用", overrides={"a_min_age": {"value": 4, "article": "第七条"}},
                                  state="active", activated_at=timezone.now())
    assert [r.version for r in activated_rulesets()] == ["SD-2026.5"]
    assert ruleset_on(date(2026, 5, 1)).version == "SD-2026.5"


def test_a_rolled_back_activation_leaves_no_trace_in_the_rule_sets_of_the_process(admin, redlist):
    version = draft(admin)
    ruleset_version_preview_record(actor=admin, version=version, as_of=date(2026, 3, 1))

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        ruleset_version_activate(actor=admin, version=version, reason="启用")
        assert [r.version for r in activated_rulesets()] == ["SD-2026.1"]
        raise Boom
    assert activated_rulesets() == () and ruleset_on(date(2026, 6, 1)) is SHANDONG_2018


def test_preview_and_activation_are_wired_to_the_red_list_app(admin):
    """With the real qcredit.redlist (no stand-in): an empty red list loses nobody."""
    version = draft(admin, effective_from=today() - timedelta(days=1))
    impact = ruleset_version_preview_record(actor=admin, version=version)
    assert impact.redlist_leaving == ()
    activated = ruleset_version_activate(actor=admin, version=version, reason="启用")
    assert activated.rechecked_on == today()
    assert json.loads(AuditEvent.objects.get(action="rulesets.version.activate").after)["redlist_recheck"] == []
