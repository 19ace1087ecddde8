"""The daily run and the working-day reminders.

Every step runs in its own transaction and is recorded as a :class:`JobRun` (started, then
finished with its counts or its error). A failing step is recorded and reported but does
not stop the steps after it: each step is an idempotent "due" or "reconcile" function of
its app, so whatever one run missed the next one repairs (the on-commit reactions to grade
changes are repaired the same way, see docs/architecture.md). Steps are imported
explicitly, each where it is called: a step whose app lacks the function fails alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from qcredit.audit.context import client_address

from .models import JobRun

log = logging.getLogger("qcredit.jobs")

DAILY = "daily"
REMINDERS = "reminders"


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[date], object]


# --- the steps (each imports what it calls, explicitly) ---------------------------------------------


def _workdays_check(today: date) -> dict:
    """The calendar answers for today and for the longest working-day deadline that may be
    set today (SPEC §5: a missing year is an error naming it): seen here first, as its own
    line, rather than inside every step that counts a deadline."""
    from qcredit.grading.services import ruleset_on
    from qcredit.workdays.calendar import add_workdays, is_workday

    ruleset = ruleset_on(today)
    values = ruleset.parameter_values(today)
    longest = max((values[name] for name, p in ruleset.parameters.parameters.items() if p.unit == "workday"),
                  default=0)
    return {"workday": is_workday(today), "longest_deadline": add_workdays(today, longest).isoformat()}


def _regrade(today: date) -> object:
    from qcredit.grading.services import regrade_all

    return regrade_all(as_of=today, cause="每日全量重评")


def _rulesets_reconcile(today: date) -> object:
    from qcredit.rulesets.services import ruleset_versions_reconcile

    return ruleset_versions_reconcile(today=today)


def _redlist_expire_due(today: date) -> object:
    from qcredit.redlist.services import redlist_expire_due

    return redlist_expire_due(today=today)


def _revocation_reviews_reconcile(today: date) -> object:
    from qcredit.redlist.services import revocation_reviews_reconcile

    return revocation_reviews_reconcile(today=today)


def _revocation_reviews_flag_overdue(today: date) -> object:
    from qcredit.redlist.services import revocation_reviews_flag_overdue

    return revocation_reviews_flag_overdue(today=today)


def _published_a_expire_due(today: date) -> object:
    from qcredit.lists.services import published_a_expire_due

    return published_a_expire_due(today=today)


def _published_a_reconcile(today: date) -> object:
    from qcredit.lists.services import published_a_reconcile

    return published_a_reconcile(today=today)


def _recheck_reconcile(today: date) -> object:
    from qcredit.lists.services import recheck_reconcile

    return recheck_reconcile(today=today)


def _blacklist_end_due(today: date) -> object:
    from qcredit.lists.services import blacklist_end_due

    return blacklist_end_due(today=today)


def _objections_flag_overdue(today: date) -> object:
    from qcredit.lists.services import objections_flag_overdue

    return objections_flag_overdue(today=today)


def _honour_reviews_reconcile(today: date) -> object:
    from qcredit.supervision.warnings import honour_reviews_reconcile

    return honour_reviews_reconcile(today=today)


def _api_calls_prune(today: date) -> object:
    from qcredit.api.services import api_calls_prune

    return api_calls_prune(today=today)


DAILY_STEPS: tuple[Step, ...] = (
    Step("workdays.check", "工作日历检查（今天与最长工作日期限所在年度的节假日安排）", _workdays_check),
    Step("grading.regrade_all", "全量重评（评价日为今天，SPEC §4.3）", _regrade),
    Step("rulesets.versions_reconcile", "新规则版本生效后的红名单复查（SPEC §5.1）", _rulesets_reconcile),
    Step("redlist.expire_due", "红名单公开期届满，自动到期转入备查库（SRL 第十二条）", _redlist_expire_due),
    Step("redlist.revocation_reviews_reconcile", "红名单主体出现不良记录的撤销审查补建（SRL 第十三条）",
         _revocation_reviews_reconcile),
    Step("redlist.revocation_reviews_flag_overdue", "逾期未提出撤销建议的提示（SRL 第十三条）",
         _revocation_reviews_flag_overdue),
    Step("lists.published_a_expire_due", "公示A级有效期届满撤下（QCO 五(五)）", _published_a_expire_due),
    Step("lists.published_a_reconcile", "等级离开A级的公示A级撤下补办（SPEC §5.2）", _published_a_reconcile),
    Step("lists.recheck_reconcile", "新计算为D级的复核补建（QCO 三(五)）", _recheck_reconcile),
    Step("lists.blacklist_end_due", "黑名单届满结束（SPEC §5.3）", _blacklist_end_due),
    Step("lists.objections_flag_overdue", "逾期未答复异议的提示（SPEC §5.4）", _objections_flag_overdue),
    Step("supervision.honour_reviews_reconcile", "C级企业荣誉与扶优政策的撤销/暂停审查补建（QCO 四(三)）",
         _honour_reviews_reconcile),
    Step("api.calls_prune", "清理超过保存期限的接口调用记录（至少保存六个月）", _api_calls_prune),
)

REMINDER_STEPS: tuple[Step, ...] = (
    Step("redlist.revocation_reviews_flag_overdue", "逾期未提出撤销建议的提示（SRL 第十三条）",
         _revocation_reviews_flag_overdue),
    Step("lists.objections_flag_overdue", "逾期未答复异议的提示（SPEC §5.4）", _objections_flag_overdue),
)


# --- running ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobReport:
    job: str
    day: date
    runs: tuple[JobRun, ...]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs)

    @property
    def failed(self) -> tuple[JobRun, ...]:
        return tuple(r for r in self.runs if not r.ok)

    def as_json(self) -> dict:
        return {"job": self.job, "day": self.day.isoformat(), "ok": self.ok,
                "steps": [{"name": r.name, "ok": r.ok, "counts": r.counts, "error_code": r.error_code,
                           "error": r.error} for r in self.runs]}


def _json_value(value: object) -> object:
    if isinstance(value, int | float | str | bool | type(None)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return len(value)
    return str(value)


def step_counts(result: object) -> dict:
    """What a step returned, as the counts an operator reads: a number, a dict of numbers, a
    collection (its size), a grading run (its figures)."""
    from qcredit.grading.models import GradingRun

    if result is None:
        return {}
    if isinstance(result, GradingRun):
        return {"as_of": result.as_of.isoformat(), "ruleset": result.ruleset, "enterprises": result.enterprises,
                "snapshots": result.snapshots, "changes": result.changes}
    if isinstance(result, bool):
        return {"result": result}
    if isinstance(result, int):
        return {"count": result}
    if isinstance(result, dict):
        return {str(k): _json_value(v) for k, v in result.items()}
    if hasattr(result, "count") and hasattr(result, "model"):  # a QuerySet
        return {"count": result.count()}
    try:
        return {"count": len(result)}  # type: ignore[arg-type]
    except TypeError:
        return {"result": str(result)}


def _error(exc: BaseException) -> tuple[str, str]:
    """(code, message) of a failure: the error's own code and Chinese message where it has
    them (e.g. MissingHolidayYear names the year), else its type and text."""
    code = getattr(exc, "code", None)
    code = getattr(code, "value", code)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return (str(code) if code else type(exc).__name__)[:64], f"{type(exc).__name__}: {message}"


def run_step(*, job: str, step: Step, today: date) -> JobRun:
    run = JobRun.objects.create(job=job, name=step.name, label=step.label, day=today, channel=client_address(),
                                started_at=timezone.now())
    try:
        with transaction.atomic():
            result = step.run(today)
    except Exception as exc:  # a failing step is recorded and the run goes on
        run.error_code, run.error = _error(exc)
        if getattr(exc, "code", None) is not None and getattr(exc, "message", None):
            # an error of the domain (a missing holiday year …): its message says it all
            log.error("job %s step %s failed for %s: %s", job, step.name, today, run.error)
        else:
            log.exception("job %s step %s failed for %s", job, step.name, today)
        run.ok = False
    else:
        run.counts = step_counts(result)
        run.ok = True
    run.finished_at = timezone.now()
    run.save(update_fields=["ok", "counts", "error_code", "error", "finished_at"])
    return run


def run_steps(*, job: str, steps: Iterable[Step], today: date) -> JobReport:
    return JobReport(job, today, tuple(run_step(job=job, step=s, today=today) for s in steps))


def run_daily(*, today: date | None = None) -> JobReport:
    """The daily run (01:30): the full regrade as of today, then every expiry, deadline and
    reconcile step of the workflows, each in its own transaction."""
    from qcredit.grading.services import today as local_today

    return run_steps(job=DAILY, steps=DAILY_STEPS, today=today or local_today())


def run_reminders(*, today: date | None = None) -> JobReport:
    """The deadline reminders (08:30), on working days only: the official calendar decides
    (a 调休 Saturday is a working day, a weekday of the Spring Festival is not), so the task
    runs every day and asks the calendar itself."""
    from qcredit.grading.services import today as local_today

    today = today or local_today()
    check = run_step(job=REMINDERS, step=Step("workdays.is_workday", "今天是否为工作日",
                                              lambda day: {"workday": _is_workday(day)}), today=today)
    if not check.ok or not check.counts.get("workday"):
        return JobReport(REMINDERS, today, (check,))
    return JobReport(REMINDERS, today, (check, *run_steps(job=REMINDERS, steps=REMINDER_STEPS, today=today).runs))


def _is_workday(day: date) -> bool:
    from qcredit.workdays.calendar import is_workday

    return is_workday(day)
