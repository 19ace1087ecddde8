"""The daily run and the working-day reminders (issue "Celery tasks for regrade, expiry,
deadline reminders"): every step recorded, a failing step reported without stopping the others,
a missing holiday year named."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from qcredit.archive.bundle import validate_bundle
from qcredit.archive.demo import generate_bundle
from qcredit.archive.imports import import_bundle
from qcredit.cli import main
from qcredit.grading.models import GradeState, GradingRun
from qcredit.jobs import services
from qcredit.jobs.models import JobRun
from qcredit.jobs.services import Step, run_daily, run_reminders

pytestmark = pytest.mark.django_db


def first_day(predicate, start: date) -> date:
    day = start
    while not predicate(day):
        day += timedelta(days=1)
    return day


class Failure(RuntimeError):
    pass


def failing(day):
    raise Failure("档案库连接中断")


@pytest.fixture
def three_steps(monkeypatch):
    calls = []

    def step(name):
        def run(day):
            calls.append((name, day))
            return {"done": 1}
        return run

    monkeypatch.setattr(services, "DAILY_STEPS", (
        Step("first", "第一步", step("first")), Step("broken", "出错的一步", failing), Step("last", "最后一步", step("last"))))
    return calls


def test_the_daily_run_covers_every_workflow_step():
    assert [s.name for s in services.DAILY_STEPS] == [
        "workdays.check", "grading.regrade_all", "rulesets.versions_reconcile",
        "redlist.expire_due", "redlist.revocation_reviews_reconcile", "redlist.revocation_reviews_flag_overdue",
        "lists.published_a_expire_due", "lists.published_a_reconcile", "lists.recheck_reconcile",
        "lists.blacklist_end_due", "lists.objections_flag_overdue", "supervision.honour_reviews_reconcile",
        "api.calls_prune"]


def test_a_failing_step_is_recorded_and_the_steps_after_it_still_run(three_steps):
    day = date(2026, 6, 1)
    report = run_daily(today=day)
    assert three_steps == [("first", day), ("last", day)]
    assert not report.ok and [r.name for r in report.failed] == ["broken"]
    runs = {r.name: r for r in JobRun.objects.filter(job="daily", day=day)}
    assert {n: r.ok for n, r in runs.items()} == {"first": True, "broken": False, "last": True}
    assert runs["first"].counts == {"done": 1} and runs["first"].finished_at >= runs["first"].started_at
    assert runs["broken"].error_code == "Failure" and "档案库连接中断" in runs["broken"].error


def test_a_failing_step_leaves_nothing_half_done(monkeypatch):
    from qcredit.grading import services as grading

    def regrade_then_fail(**kwargs):
        grading.regrade_all(**kwargs)
        raise Failure("重评之后出错")

    monkeypatch.setattr(grading, "regrade_all", regrade_then_fail)
    monkeypatch.setattr(services, "DAILY_STEPS", tuple(s for s in services.DAILY_STEPS
                                                        if s.name == "grading.regrade_all"))
    assert not run_daily(today=date(2026, 6, 1)).ok
    assert not GradingRun.objects.exists()  # the step's transaction rolled back


def test_the_daily_run_regrades_every_enterprise_as_of_today(monkeypatch):
    day = date(2026, 6, 30)
    import_bundle(validate_bundle(generate_bundle(enterprises=40, as_of=day)), via="test", regrade=False)
    monkeypatch.setattr(services, "DAILY_STEPS", tuple(s for s in services.DAILY_STEPS
                                                        if s.name in {"workdays.check", "grading.regrade_all"}))
    report = run_daily(today=day)
    assert report.ok, report.as_json()
    run = GradingRun.objects.get()
    assert (run.kind, run.as_of) == ("full", day) and GradeState.objects.count() == 40
    regrade = JobRun.objects.get(name="grading.regrade_all")
    assert regrade.counts["enterprises"] == 40 and regrade.counts["as_of"] == "2026-06-30"
    check = JobRun.objects.get(name="workdays.check")
    # the longest working-day deadline that can be set today: 15 working days (I-9), counted
    # independently on the official calendar
    expected, n = day, 0
    while n < 15:
        expected += timedelta(days=1)
        n += chinese_calendar.is_workday(expected)
    assert check.counts == {"workday": chinese_calendar.is_workday(day), "longest_deadline": expected.isoformat()}


def test_a_missing_holiday_year_is_named(monkeypatch, capsys):
    """Late in December, a deadline counted from today runs into next year: without that
    year's official schedule the run says which year is missing, never guesses."""
    from qcredit.workdays.models import HolidayYear

    missing = max(HolidayYear.objects.values_list("year", flat=True)) + 1
    day = date(missing - 1, 12, 28)
    monkeypatch.setattr(services, "DAILY_STEPS", tuple(s for s in services.DAILY_STEPS
                                                        if s.name in {"workdays.check", "grading.regrade_all"}))
    report = run_daily(today=day)
    check = JobRun.objects.get(name="workdays.check")
    assert check.ok is False and check.error_code == "missing_holiday_year" and f"{missing} 年" in check.error
    assert [r.name for r in report.failed] == ["workdays.check"]  # the regrade still ran
    assert main(["jobs", "run-daily", "--date", day.isoformat()]) == 1
    err = capsys.readouterr().err
    assert f"{missing} 年的法定节假日安排尚未导入" in err and "workdays.check" in err


def test_the_command_exits_1_when_a_step_failed_and_0_when_all_ran(three_steps, monkeypatch, capsys):
    assert main(["jobs", "run-daily", "--date", "2026-06-01"]) == 1
    captured = capsys.readouterr()
    assert "[成功] first" in captured.out and "[成功] last" in captured.out
    assert "broken: Failure: 档案库连接中断" in captured.err
    monkeypatch.setattr(services, "DAILY_STEPS", services.DAILY_STEPS[:1])
    assert main(["jobs", "run-daily", "--date", "2026-06-02"]) == 0
    assert main(["jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert "2026-06-02" in out and "失败" in out and "档案库连接中断" in out


def test_an_invalid_date_is_invalid_input(capsys):
    assert main(["jobs", "run-daily", "--date", "2026-02-30"]) == 2
    assert "--date" in capsys.readouterr().err
    assert not JobRun.objects.exists()


@pytest.fixture
def reminder_steps(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "REMINDER_STEPS", (Step("remind", "提醒", lambda day: calls.append(day) or 1),))
    return calls


def test_reminders_run_on_a_working_day_even_a_make_up_saturday(reminder_steps):
    # a 调休 weekend day of 2026 on the official calendar
    makeup = first_day(lambda d: d.weekday() >= 5 and chinese_calendar.is_workday(d), date(2026, 1, 1))
    report = run_reminders(today=makeup)
    assert report.ok and reminder_steps == [makeup]
    assert [r.name for r in report.runs] == ["workdays.is_workday", "remind"]


def test_no_reminders_on_a_public_holiday_weekday(reminder_steps):
    holiday = first_day(lambda d: d.weekday() < 5 and not chinese_calendar.is_workday(d), date(2026, 9, 1))
    report = run_reminders(today=holiday)
    assert report.ok and reminder_steps == []
    assert JobRun.objects.get(job="reminders").counts == {"workday": False}


def test_reminders_from_the_command_line(reminder_steps, capsys):
    workday = first_day(chinese_calendar.is_workday, date(2026, 6, 1))
    assert main(["jobs", "reminders", "--date", workday.isoformat()]) == 0
    assert reminder_steps == [workday] and "[成功] remind" in capsys.readouterr().out
    assert main(["jobs", "reminders", "--date", "2099-06-01"]) == 1
    assert "2099 年的法定节假日安排尚未导入" in capsys.readouterr().err


def test_reminders_on_a_day_without_a_loaded_calendar_fail_loudly(reminder_steps):
    report = run_reminders(today=date(2099, 6, 1))
    assert not report.ok and reminder_steps == []
    assert "2099 年" in report.runs[0].error


def test_every_step_runs_on_a_demo_archive_and_a_second_run_the_same_day_changes_nothing():
    """With the real apps: the first run grades and opens what the on-commit reactions would
    have opened (reconcile); the second finds nothing left to do."""
    day = date(2026, 6, 30)  # a working day of a loaded year
    import_bundle(validate_bundle(generate_bundle(enterprises=60, as_of=day)), via="test", regrade=False)
    first = run_daily(today=day)
    assert first.ok, [(r.name, r.error) for r in first.failed]
    assert [r.name for r in first.runs] == [s.name for s in services.DAILY_STEPS]
    assert JobRun.objects.get(name="grading.regrade_all").counts["changes"] == 60
    # no on-commit reaction ran in this test's transaction: the reconcile opened a re-check
    # for every computed D (SPEC §5.3)
    d_grades = GradeState.objects.filter(grade="D").count()
    assert d_grades and JobRun.objects.get(name="lists.recheck_reconcile").counts["opened"] == d_grades
    second = run_daily(today=day)
    assert second.ok
    for run in second.runs[1:]:
        numbers = {k: v for k, v in run.counts.items()
                   if isinstance(v, int) and not isinstance(v, bool) and k != "enterprises"}
        assert not any(numbers.values()), (run.name, run.counts)
