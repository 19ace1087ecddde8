"""Rule-set versions (SPEC §6): create a successor with changed parameter values, preview its
impact, activate it — then the system regrades and re-checks the red list (SPEC §5.1 exit
"the rule set changes and the subject no longer qualifies").

Rule sets are provincial: only a system administrator (管理员) of the province's unit
(jurisdiction ``37``) acts, or the system itself (``actor=None``: the ``qcredit rulesets``
command, an operator's tool, audited as 系统 through the channel ``cli``). Every change is
one transaction that ends with its audit event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from qcredit.accounts.models import Membership, Role
from qcredit.accounts.services import authorize
from qcredit.audit.services import audit_write
from qcredit.rules import SHIPPED
from qcredit.rules.parameters import ParameterError

from . import selectors
from .errors import RuleSetVersionError, RuleSetVersionErrorCode
from .impact import Impact, grade_transitions, subject_json
from .models import RuleSetVersion

PROVINCE = "37"  # rule sets apply province-wide (SPEC §1 admin, §6)
VERSION_PATTERN = re.compile(r"^[A-Z]{2,8}-\d{4}\.\d{1,3}$")
Error, Code = RuleSetVersionError, RuleSetVersionErrorCode

_RULESET_LOCK = 0x7163727365747300  # "qcrset": activations one at a time (PostgreSQL)


def _admin(actor) -> Membership | None:
    return None if actor is None else authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Error(Code.REASON_REQUIRED, "请说明理由")
    return reason


def _snapshot(v: RuleSetVersion) -> dict:
    return {"version": v.version, "predecessor": v.predecessor, "effective_from": v.effective_from.isoformat(),
            "title": v.title, "note": v.note, "overrides": v.overrides, "state": v.state}


# --- create -------------------------------------------------------------------------------------


def ruleset_version_validate(*, version: str, effective_from: date, overrides: Mapping[str, object]) -> dict:
    """The checked overrides of a new version ``{name: {"value", "article", "previous",
    "previous_article"}}`` (raises :class:`RuleSetVersionError`). ``overrides`` maps a
    parameter name to ``{"value": …, "article": "依据条款", "unit": optional, must match}``."""
    version = (version or "").strip()
    if not VERSION_PATTERN.match(version):
        raise Error(Code.VERSION_INVALID, f"版本号“{version}”格式不对，应如 SD-2027.1（地区代号-年份.序号）")
    known = {r.version for r in SHIPPED} | set(RuleSetVersion.objects.values_list("version", flat=True))
    if version in known:
        raise Error(Code.VERSION_EXISTS, f"版本号 {version} 已存在")
    predecessor = selectors.newest_ruleset()
    if effective_from <= predecessor.effective_from:
        raise Error(Code.EFFECTIVE_TOO_EARLY,
                    f"生效日期必须晚于前一版本 {predecessor.version} 的生效日期 {predecessor.effective_from.isoformat()}")
    if not overrides:
        raise Error(Code.NO_OVERRIDES, "新版本至少要调整一个参数（指标本身由程序版本规定）")
    checked = {}
    for name, spec in overrides.items():
        try:
            parameter = predecessor.parameters[name]
        except ParameterError:
            raise Error(Code.UNKNOWN_PARAMETER, f"没有名为 {name} 的参数") from None
        if not isinstance(spec, Mapping) or "value" not in spec:
            raise Error(Code.INVALID_VALUE, f"参数 {name} 应给出 value（取值）和 article（依据条款）")
        value, article, unit = spec["value"], str(spec.get("article") or "").strip(), spec.get("unit")
        if unit not in (None, "") and unit != parameter.unit:
            raise Error(Code.UNIT_MISMATCH, f"参数 {name}（{parameter.label}）的单位是 {parameter.unit}，不是 {unit}")
        if parameter.unit in {"year", "month", "workday"} and isinstance(value, int) and not isinstance(value, bool) \
                and value <= 0:
            raise Error(Code.INVALID_VALUE, f"参数 {name}（{parameter.label}）应为正整数")
        try:
            parameter.with_value(effective_from, value)
        except ParameterError as exc:
            raise Error(Code.INVALID_VALUE, str(exc)) from None
        previous = parameter.at(effective_from)
        if value == previous:
            raise Error(Code.UNCHANGED_VALUE,
                        f"参数 {name}（{parameter.label}）在 {effective_from.isoformat()} 的取值已是 {value}")
        if not article:
            raise Error(Code.ARTICLE_REQUIRED, f"参数 {name}（{parameter.label}）的新取值必须注明依据条款")
        checked[name] = {"value": value, "article": article[:300], "previous": previous,
                         "previous_article": parameter.reference}
    return {"version": version, "predecessor": predecessor.version, "overrides": checked}


def ruleset_version_create(*, actor, version: str, effective_from: date, overrides: Mapping[str, object],
                           title: str = "", note: str = "", reason: str) -> RuleSetVersion:
    """A draft successor of the newest version (shipped or activated), with changed
    parameter values from ``effective_from``, each with its article (SPEC §6)."""
    membership = _admin(actor)
    reason = _reason(reason)
    with transaction.atomic():
        checked = ruleset_version_validate(version=version, effective_from=effective_from, overrides=overrides)
        predecessor = selectors.newest_ruleset()
        created = RuleSetVersion.objects.create(
            version=checked["version"], predecessor=checked["predecessor"], effective_from=effective_from,
            title=(title or "").strip()[:200] or predecessor.title, note=(note or "").strip(),
            overrides=checked["overrides"], created_by=actor, creation_reason=reason)
        audit_write(actor=actor, membership=membership, action="rulesets.version.create", obj=created,
                    after=_snapshot(created), reason=reason)
    return created


def _check_predecessor(version: RuleSetVersion) -> None:
    """A draft succeeds the version that was newest when it was drawn up; if another version
    has been activated since, the draft would silently drop that version's changes."""
    newest = selectors.newest_ruleset()
    if version.predecessor != newest.version:
        raise Error(Code.PREDECESSOR_CHANGED,
                    f"规则版本 {version.version} 是在 {version.predecessor} 的基础上拟定的，但现行最新版本已是 "
                    f"{newest.version}；请在最新版本的基础上重新拟定")


# --- preview ------------------------------------------------------------------------------------


def ruleset_version_preview(*, version: RuleSetVersion | str, as_of: date | None = None) -> Impact:
    """What activating ``version`` would change as of ``as_of`` (default: today, or the
    effective date when that is later): grades per (from, to) and per grade, and the listed
    red-list subjects that would stop qualifying. Writes nothing."""
    from qcredit.grading.services import ruleset_on, today

    if isinstance(version, str):
        version = selectors.ruleset_version_get(version=version)
    as_of = as_of or max(today(), version.effective_from)
    if as_of < version.effective_from:
        raise Error(Code.AS_OF_BEFORE_EFFECTIVE,
                    f"评价日 {as_of.isoformat()} 早于 {version.version} 的生效日期 "
                    f"{version.effective_from.isoformat()}，新版本在该日尚未施行")
    if version.state != RuleSetVersion.State.ACTIVE:
        _check_predecessor(version)
    new = selectors.ruleset_of(version)
    current = ruleset_on(as_of)
    if version.state == RuleSetVersion.State.ACTIVE:  # already in force: compare with its predecessor
        current = next(r for r in (*SHIPPED, *selectors.activated_rulesets())
                       if r.version == version.predecessor)
    transitions = grade_transitions(current, new, as_of)
    from qcredit.redlist.services import ruleset_recheck_preview

    leaving = tuple(subject_json(s) for s in ruleset_recheck_preview(ruleset=new, as_of=as_of) or ())
    return Impact(version=version.version, current_version=current.version, as_of=as_of, transitions=transitions,
                  redlist_leaving=leaving)


def ruleset_version_preview_record(*, actor, version: RuleSetVersion | str, as_of: date | None = None) -> Impact:
    """Preview the impact and record it on the version (draft → previewed): SPEC §6 asks that
    the impact be shown before a version is activated, so activation needs this first."""
    membership = _admin(actor)
    impact = ruleset_version_preview(version=version, as_of=as_of)
    with transaction.atomic():
        locked = RuleSetVersion.objects.select_for_update().get(
            version=version if isinstance(version, str) else version.version)
        if locked.state == RuleSetVersion.State.ACTIVE:
            raise Error(Code.ALREADY_ACTIVE, f"规则版本 {locked.version} 已启用")
        before = locked.state
        locked.record_preview(by=actor, at=timezone.now(), impact=impact.as_json())
        locked.save()
        audit_write(actor=actor, membership=membership, action="rulesets.version.preview", obj=locked,
                    before={"state": before}, after={"state": locked.state, "impact": locked.impact})
    return impact


# --- activate -----------------------------------------------------------------------------------


def _lock_rulesets() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RULESET_LOCK])


def ruleset_version_activate(*, actor, version: RuleSetVersion | str, reason: str) -> RuleSetVersion:
    """Put ``version`` in force: from now on it is part of :func:`selectors.activated_rulesets`
    and chosen for every ``as_of`` from its effective date. If that date has come, every
    enterprise is regraded as of today and the red list is re-checked (listed subjects that
    no longer qualify get a removal item, SPEC §5.1); otherwise the daily job does both on
    the effective date (:func:`ruleset_versions_reconcile`)."""
    from qcredit.grading.services import regrade_all, today

    membership = _admin(actor)
    reason = _reason(reason)
    name = version if isinstance(version, str) else version.version
    with transaction.atomic():
        _lock_rulesets()
        locked = RuleSetVersion.objects.select_for_update().filter(version=name.strip()).first()
        if locked is None:
            raise Error(Code.NOT_FOUND, f"没有版本号为 {name} 的规则版本")
        if locked.state == RuleSetVersion.State.ACTIVE:
            raise Error(Code.ALREADY_ACTIVE, f"规则版本 {locked.version} 已启用")
        if locked.state != RuleSetVersion.State.PREVIEWED:
            raise Error(Code.NOT_PREVIEWED, f"启用前请先预览规则版本 {locked.version} 的影响（变化的等级、不再符合条件的红名单主体）")
        _check_predecessor(locked)
        before = _snapshot(locked)
        locked.activate(by=actor, at=timezone.now(), reason=reason)
        locked.save()
        ruleset = selectors.ruleset_of(locked)
        day = today()
        after = {**_snapshot(locked), "activated_at": locked.activated_at.isoformat()}
        if locked.effective_from <= day:
            run = regrade_all(as_of=day, cause=f"启用规则版本 {locked.version}")
            after["regrade"] = {"run": run.pk, "as_of": day.isoformat(), "ruleset": run.ruleset,
                                "enterprises": run.enterprises, "changes": run.changes}
            after["redlist_recheck"] = _recheck(ruleset, day, actor, [locked])
        audit_write(actor=actor, membership=membership, action="rulesets.version.activate", obj=locked,
                    before=before, after=after, reason=reason)
    return locked


def _recheck(ruleset, day: date, actor, versions: list[RuleSetVersion]) -> object:
    """The red-list re-check for ``ruleset`` (SPEC §5.1 exit), stamped on ``versions``."""
    from qcredit.redlist.services import ruleset_recheck

    result = ruleset_recheck(ruleset=ruleset, as_of=day, actor=actor)
    for v in versions:
        v.rechecked_on = day
        v.save(update_fields=["rechecked_on"])
    if isinstance(result, int | str | bool | type(None)):
        return result
    try:
        return [subject_json(s) for s in result]
    except TypeError:
        return str(result)


def ruleset_versions_reconcile(*, today: date) -> dict:
    """Daily (qcredit.jobs): the red-list re-check of every active version whose effective
    date has come and that was not re-checked yet (activated ahead of its effective date, or
    a re-check lost to a crash). Versions due together are re-checked once, by the rule set
    in force today; the regrade by it is the daily full regrade that runs before this."""
    from qcredit.grading.services import ruleset_on

    with transaction.atomic():
        _lock_rulesets()
        due = list(RuleSetVersion.objects.select_for_update().filter(
            state=RuleSetVersion.State.ACTIVE, effective_from__lte=today, rechecked_on__isnull=True))
        if not due:
            return {"rechecked": 0}
        ruleset = ruleset_on(today)
        result = _recheck(ruleset, today, None, due)
        audit_write(actor=None, action="rulesets.version.recheck",
                    obj=("rulesets.rulesetversion", ",".join(str(v.pk) for v in due),
                         "、".join(v.version for v in due)),
                    after={"versions": [v.version for v in due], "ruleset": ruleset.version,
                           "as_of": today.isoformat(), "redlist_recheck": result})
    return {"rechecked": len(due), "ruleset": ruleset.version}
