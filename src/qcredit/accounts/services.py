"""Who may do what, where (SPEC §1): every workflow service asks :func:`authorize` itself,
whatever a state machine's own permission hooks say, and records the membership it acted by
in its audit event.

Jurisdiction has two forms. ``region``: the acting unit's jurisdiction must cover an
enterprise's region (a city's staff act on that city's enterprises). ``jurisdiction``: the
acting unit must be the bureau level that owns the object — a red list, its meetings and
its decisions belong to one unit's jurisdiction (SRL 第十八条: cities and counties run
their own lists; the province does not decide at a city's meeting, nor a city at the
province's).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from qcredit.audit.services import audit_write

from .models import EnterpriseAccount, Membership, Notification, Role, Unit, covers


class AccessErrorCode(enum.Enum):
    NOT_AUTHENTICATED = "not_authenticated"
    NO_ROLE = "no_role"
    OUT_OF_JURISDICTION = "out_of_jurisdiction"
    NOT_OWN_ENTERPRISE = "not_own_enterprise"


class AccessDenied(Exception):
    def __init__(self, code: AccessErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _roles(role: Role | Iterable[Role]) -> list[str]:
    return [str(role)] if isinstance(role, str) else [str(r) for r in role]


def authorize(*, user, role: Role | Iterable[Role], region: str | None = None,
              jurisdiction: str | None = None) -> Membership:
    """The membership by which ``user`` may act in ``role`` (any of several), inside
    ``region`` (covered by the unit's jurisdiction) and for an object owned by
    ``jurisdiction`` (the unit's jurisdiction exactly). Raises :class:`AccessDenied`."""
    roles = _roles(role)
    labels = "、".join(Role(r).label for r in roles)
    if user is None or not user.is_authenticated or not user.is_active:
        raise AccessDenied(AccessErrorCode.NOT_AUTHENTICATED, "请先以在岗工作人员身份登录")
    held = [m for m in Membership.objects.select_related("unit").filter(user=user, role__in=roles, unit__active=True)]
    if not held:
        raise AccessDenied(AccessErrorCode.NO_ROLE, f"此操作需要“{labels}”角色，当前账号没有该角色")
    fitting = [m for m in held
               if (region is None or m.unit.covers(region))
               and (jurisdiction is None or m.unit.jurisdiction == jurisdiction)]
    if not fitting:
        where = []
        if region is not None:
            where.append(f"行政区划 {region}")
        if jurisdiction is not None:
            where.append(f"管辖区域为 {jurisdiction} 的单位事项")
        raise AccessDenied(AccessErrorCode.OUT_OF_JURISDICTION,
                           f"您以“{labels}”角色所在单位的管辖范围不包括{'、'.join(where)}")
    # The narrowest unit that fits: a county officer who is also in the city unit acts as county.
    return max(fitting, key=lambda m: len(m.unit.jurisdiction))


def has_role(*, user, role: Role | Iterable[Role], region: str | None = None,
             jurisdiction: str | None = None) -> bool:
    try:
        authorize(user=user, role=role, region=region, jurisdiction=jurisdiction)
    except AccessDenied:
        return False
    return True


def staff_jurisdictions(user) -> list[str]:
    """The jurisdictions in which ``user`` may see internal data (SPEC §7.1 "staff of the
    jurisdiction"): every unit the user holds a staff role in, auditors excepted (they read
    the audit trail, not the archive)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return sorted(set(Membership.objects.filter(user=user, unit__active=True).exclude(role=Role.AUDITOR)
                      .values_list("unit__jurisdiction", flat=True)))


def sees_internal(user, region: str) -> bool:
    return any(covers(j, region) for j in staff_jurisdictions(user))


def enterprise_account(*, user, enterprise) -> EnterpriseAccount:
    """The account by which ``user`` acts for ``enterprise`` (its own only)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise AccessDenied(AccessErrorCode.NOT_AUTHENTICATED, "请先以企业账号登录")
    account = EnterpriseAccount.objects.filter(user=user).select_related("enterprise").first()
    if account is None or account.enterprise_id != enterprise.id:
        raise AccessDenied(AccessErrorCode.NOT_OWN_ENTERPRISE, "企业账号只能办理本企业的事项")
    return account


class UnitError(ValueError):
    """An invalid unit (its message is shown to the admin as it is)."""


# --- administration (SPEC §1 admin: users, units, jurisdictions) ------------------------------------


def _admin(actor) -> Membership | None:
    """Administration is done by an admin, or by the system itself (``actor=None``: the CLI
    and the demo set-up)."""
    return None if actor is None else authorize(user=actor, role=Role.ADMIN)


def unit_create(*, code: str, name: str, jurisdiction: str, parent: Unit | None = None, uscc: str = "",
                actor=None) -> Unit:
    from django.core.exceptions import ValidationError

    membership = _admin(actor)
    with transaction.atomic():
        unit = Unit(code=code, name=name, jurisdiction=jurisdiction, parent=parent, uscc=uscc)
        try:
            unit.full_clean()
        except ValidationError as exc:
            raise UnitError("；".join(m for ms in exc.message_dict.values() for m in ms)) from None
        if parent is not None and not parent.covers(jurisdiction):
            raise UnitError(f"下级单位的管辖区域 {jurisdiction} 不在上级单位“{parent}”的管辖区域内")
        unit.save()
        audit_write(actor=actor, membership=membership, action="accounts.unit.create", obj=unit,
                    after={"code": code, "name": name, "jurisdiction": jurisdiction,
                           "parent": parent.code if parent else None})
    return unit


def membership_grant(*, user, unit: Unit, role: Role, actor=None, reason: str = "") -> Membership:
    membership = _admin(actor)
    with transaction.atomic():
        granted, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
        if created:
            audit_write(actor=actor, membership=membership, action="accounts.membership.grant", obj=granted,
                        after={"user": user.get_username(), "unit": unit.code, "role": str(role)}, reason=reason)
    return granted


def membership_revoke(*, membership_to_revoke: Membership, actor=None, reason: str = "") -> None:
    membership = _admin(actor)
    with transaction.atomic():
        before = {"user": membership_to_revoke.user.get_username(), "unit": membership_to_revoke.unit.code,
                  "role": membership_to_revoke.role}
        audit_write(actor=actor, membership=membership, action="accounts.membership.revoke",
                    obj=membership_to_revoke, before=before, reason=reason)
        membership_to_revoke.delete()


def enterprise_account_bind(*, user, enterprise, actor=None) -> EnterpriseAccount:
    membership = _admin(actor)
    with transaction.atomic():
        account, _ = EnterpriseAccount.objects.update_or_create(user=user, defaults={"enterprise": enterprise})
        audit_write(actor=actor, membership=membership, action="accounts.enterprise_account.bind", obj=account,
                    after={"user": user.get_username(), "enterprise": enterprise.uscc})
    return account


# --- notifications --------------------------------------------------------------------------------


def users_with_role(*, role: Role | Iterable[Role], jurisdiction: str | None = None, region: str | None = None):
    """Active users holding ``role`` in the unit of ``jurisdiction`` exactly, or in any unit
    covering ``region``."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, memberships__role__in=_roles(role),
                                            memberships__unit__active=True)
    if jurisdiction is not None:
        users = users.filter(memberships__unit__jurisdiction=jurisdiction)
    users = users.distinct()
    if region is not None:
        users = [u for u in users if any(covers(j, region) for j in
                                         u.memberships.filter(role__in=_roles(role)).values_list("unit__jurisdiction",
                                                                                              flat=True))]
    return list(users)


def notify(*, recipients: Iterable, subject: str, body: str = "", link: str = "") -> list[Notification]:
    """Inbox messages, written in the caller's transaction (they exist only if the change they
    report commits); e-mail copies are sent on commit only (SPEC §7.3)."""
    recipients = list({u.pk: u for u in recipients}.values())
    notes = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=subject[:200], body=body, link=link) for u in recipients])
    mails = [(subject, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email])
             for u in recipients if u.email]
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return notes
