"""Loading a year's official holiday schedule (SPEC §5 preamble: "admins can load a year's
schedule — the State Council publishes it each November"). :func:`holiday_year_load` is the
one way the calendar is written: the admin screens, the import command and the seed all end
here (the seed of migration 0002 excepted, which writes the same rows with historical models).

Who may load (SPEC §1 admin: "holiday calendar"): a 系统管理员, a superuser (the Django admin),
or the system itself (``actor=None``: the CLI command run by the operator).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import authorize
from qcredit.audit.services import audit_write

from .errors import Problem, WorkdayError, WorkdayErrorCode
from .models import CalendarDay, HolidayYear
from .schedule import normalise, schedule_problems

SOURCE_MAX_LENGTH = HolidayYear._meta.get_field("source").max_length


# The calendar is the State Council's, the same for every unit: only the provincial admin loads it.
PROVINCE = "37"


def _admin(actor):
    """The membership a provincial admin acts by; None for the system and for a superuser."""
    if actor is None or (actor.is_active and actor.is_superuser):
        return None
    return authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)


def _content(holiday_year: HolidayYear) -> dict:
    """A year's schedule as the audit event's before/after."""
    return {
        "year": holiday_year.year,
        "source": holiday_year.source,
        "days": [[d.isoformat(), k, n] for d, k, n in holiday_year.days.order_by("date").values_list(
            "date", "kind", "name")],
    }


def _year_loaded_event(*, actor, membership, holiday_year: HolidayYear, before: dict | None, reason: str) -> None:
    """audit: workdays.year_loaded / workdays.year_replaced — the single call site of the audit
    event (SPEC §7.3), inside the load's transaction."""
    audit_write(actor=actor, membership=membership, obj=holiday_year, before=before,
                after=_content(holiday_year), reason=reason,
                action="workdays.year_replaced" if before else "workdays.year_loaded")


def holiday_year_load(*, year: int, days: list[tuple[date, str, str]], source: str, actor=None,
                      replace: bool = False, reason: str = "") -> HolidayYear:
    """Load ``year``'s schedule: ``days`` are ``(date, kind, name)`` with kind ``holiday``
    (法定节假日) or ``workday`` (调休上班日), ``source`` the notice it comes from.

    All or nothing: every problem of the schedule is reported at once
    (``WorkdayError(INVALID_SCHEDULE)`` with ``problems``) and nothing is written. A year
    already loaded is replaced only with ``replace=True`` and a ``reason``; its old days are
    dropped and the new ones written in the same transaction.
    """
    membership = _admin(actor)
    source = (source or "").strip()
    reason = (reason or "").strip()
    problems = []
    if not source:
        problems.append(Problem("依据", "请注明依据，如 国务院办公厅通知的名称和文号"))
    elif len(source) > SOURCE_MAX_LENGTH:
        problems.append(Problem("依据", f"超过 {SOURCE_MAX_LENGTH} 个字"))
    problems.extend(schedule_problems(year=year, days=days))
    if problems:
        raise WorkdayError(WorkdayErrorCode.INVALID_SCHEDULE,
                           f"{year} 年节假日安排有 {len(problems)} 处问题，未导入任何数据", problems)
    schedule = normalise(days)

    with transaction.atomic():
        holiday_year = HolidayYear.objects.select_for_update().filter(year=year).first()
        before = None
        if holiday_year is not None:
            if not replace:
                raise WorkdayError(
                    WorkdayErrorCode.YEAR_ALREADY_LOADED,
                    f"{year} 年的节假日安排已于 {timezone.localtime(holiday_year.loaded_at):%Y-%m-%d} 导入"
                    f"（依据：{holiday_year.source}）；如需替换，请选择替换并说明原因")
            if not reason:
                raise WorkdayError(WorkdayErrorCode.REASON_REQUIRED, f"替换已导入的 {year} 年节假日安排必须说明原因")
            before = _content(holiday_year)
            holiday_year.days.all().delete()
            holiday_year.source, holiday_year.reason = source, reason
            holiday_year.loaded_at, holiday_year.loaded_by = timezone.now(), actor
            holiday_year.save()
        else:
            try:
                with transaction.atomic():
                    holiday_year = HolidayYear.objects.create(year=year, source=source, reason=reason,
                                                              loaded_by=actor)
            except IntegrityError:  # loaded concurrently by someone else
                raise WorkdayError(WorkdayErrorCode.YEAR_ALREADY_LOADED,
                                   f"{year} 年的节假日安排刚刚已由他人导入；如需替换，请选择替换并说明原因") from None
        CalendarDay.objects.bulk_create(
            CalendarDay(holiday_year=holiday_year, date=d.date, kind=d.kind, name=d.name) for d in schedule)
        _year_loaded_event(actor=actor, membership=membership, holiday_year=holiday_year, before=before,
                           reason=reason)
    return holiday_year
