"""What every service of the public lists shares: the date, the parameters in force, text
checks, state guards, who is told, and the partner field set of publication events (SPEC §7.2)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django_fsm import can_proceed

from qcredit.accounts.models import Role, Unit

from ..errors import ListsError, ListsErrorCode


def today() -> date:
    """The local date (Asia/Shanghai) on which a service acts."""
    from qcredit.grading.services import today as grading_today

    return grading_today()


def id_filter(ids):
    """``ids`` for an ``__in`` lookup: a queryset stays a sub-select (no parameter per id);
    any other iterable becomes a list."""
    from django.db.models import QuerySet

    return ids if isinstance(ids, QuerySet) else list(ids)


def parameter(name: str, on: date):
    """A parameter of the rule set in force on ``on`` (SPEC §6); never a literal."""
    from qcredit.grading.services import ruleset_on

    return ruleset_on(on).parameter_values(on)[name]


def required(text: str | None, code: ListsErrorCode, message: str, *, max_length: int | None = None,
             label: str = "") -> str:
    text = (text or "").strip()
    if not text:
        raise ListsError(code, message)
    if max_length is not None and len(text) > max_length:
        raise ListsError(ListsErrorCode.TEXT_TOO_LONG, f"{label or '内容'}不能超过 {max_length} 字（现为 {len(text)} 字）")
    return text


def optional(text: str | None, *, max_length: int, label: str) -> str:
    text = (text or "").strip()
    if len(text) > max_length:
        raise ListsError(ListsErrorCode.TEXT_TOO_LONG, f"{label}不能超过 {max_length} 字（现为 {len(text)} 字）")
    return text


def guard(obj, transition_name: str, action: str):
    """The object's state allows the transition, or a coded error naming its state."""
    method = getattr(obj, transition_name)
    if not can_proceed(method):
        raise ListsError(ListsErrorCode.WRONG_STATE,
                         f"{obj._meta.verbose_name}当前状态为“{obj.get_state_display()}”，不能{action}")
    return method


def province_of(region: str) -> str:
    """The provincial jurisdiction of a region (GB/T 2260: the first two digits)."""
    return (region or "")[:2]


def bureau_of(unit: Unit) -> Unit:
    """The bureau a functional unit belongs to (the unit whose parent has another jurisdiction):
    认定部门 and 数据来源单位 of an entry (SPEC §7.2)."""
    while unit.parent_id is not None and unit.parent.jurisdiction == unit.jurisdiction:
        unit = unit.parent
    return unit


# --- who is told ------------------------------------------------------------------------------------


def enterprise_users(enterprise) -> list:
    return list(get_user_model().objects.filter(is_active=True, enterprise_account__enterprise=enterprise))


def office_users(jurisdiction: str) -> list:
    from qcredit.accounts.services import users_with_role

    return users_with_role(role=Role.OFFICE, jurisdiction=jurisdiction)


# --- publication events (SPEC §7.2) ----------------------------------------------------------------


def withdrawal_payload(*, name: str, uscc: str, category: str, kind_label: str, public_reason: str,
                       on: date) -> dict:
    """What a withdrawal tells partners: the subject, the list, and the public reason — never
    the internal reasoning."""
    return {"主体名称": name, "统一社会信用代码": uscc, "名单类别": category, "撤下类别": kind_label,
            "撤下原因": public_reason, "撤下日期": on.isoformat()}
