"""Demo units and accounts: every role of SPEC §1 at province, city and county level, plus an
enterprise account. Used by ``qcredit demo`` and by the permission tests (the same matrix).
Never used outside the demo and the tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import EnterpriseAccount, Membership, Role, Unit

# (level prefix for usernames, unit code, name, jurisdiction, parent code, USCC of the unit)
BUREAUS = (
    ("sheng", "sd", "山东省市场监督管理局", "37", None, "11370000MB28449441"),
    ("jinan", "jn", "济南市市场监督管理局", "3701", "sd", "11370100MB2855939Q"),
    ("lixia", "jn-lx", "济南市历下区市场监督管理局", "370102", "jn", "11370102MB2857115K"),
)
# Each bureau has a unit per function; a unit's role is the function its staff perform.
FUNCTIONS = (
    (Role.DIVISION, "division", "质量发展处"),
    (Role.LEGAL, "legal", "政策法规处"),
    (Role.OFFICE, "office", "质量信用红名单工作领导小组办公室"),
    (Role.LEADER, "leader", "质量信用红名单工作领导小组"),
    (Role.EVALUATOR, "evaluator", "质量信用评价组"),
    (Role.INSPECTION, "inspection", "产品质量监督检验所"),
    (Role.REVIEWER, "reviewer", "信用复核组"),
    (Role.AUDITOR, "auditor", "驻局纪检监察组"),
    (Role.ADMIN, "admin", "信息中心"),
)
DEMO_PASSWORD = "qcredit-demo-2026"


def demo_username(level: str, role: Role) -> str:
    return f"{level}-{role.value}"


def ensure_demo_units() -> dict[str, Unit]:
    """Bureaus and their functional units (idempotent). Returns units by code."""
    units: dict[str, Unit] = {}
    for _level, code, name, jurisdiction, parent, uscc in BUREAUS:
        units[code], _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "jurisdiction": jurisdiction, "parent": units.get(parent), "uscc": uscc})
        for _role, suffix, function in FUNCTIONS:
            units[f"{code}-{suffix}"], _ = Unit.objects.update_or_create(
                code=f"{code}-{suffix}",
                defaults={"name": f"{name}{function}", "jurisdiction": jurisdiction, "parent": units[code],
                          "uscc": uscc})
    return units


@transaction.atomic
def ensure_demo_accounts(*, password: str = DEMO_PASSWORD, enterprise=None) -> list[tuple[str, str, str]]:
    """One account per role and level (``sheng-office``, ``jinan-legal``, ``lixia-division`` …)
    and, given an enterprise, the account ``enterprise`` for it. Returns (username, unit, role)."""
    User = get_user_model()
    units = ensure_demo_units()
    made = []
    for level, code, *_ in BUREAUS:
        for role, suffix, _function in FUNCTIONS:
            unit = units[f"{code}-{suffix}"]
            user, _ = User.objects.get_or_create(username=demo_username(level, role))
            user.is_staff = role == Role.ADMIN  # the Django admin is for system administrators only
            user.set_password(password)
            user.save()
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
            made.append((user.username, unit.name, role.label))
    if enterprise is not None:
        user, _ = User.objects.get_or_create(username="enterprise")
        user.set_password(password)
        user.save()
        EnterpriseAccount.objects.update_or_create(user=user, defaults={"enterprise": enterprise})
        made.append((user.username, enterprise.name, "企业用户"))
    return made
