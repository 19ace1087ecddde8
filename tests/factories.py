"""Test factories: staff in units with roles (SPEC §1), enterprises."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from qcredit.accounts.models import Membership, Role, Unit

_serial = itertools.count(1)


def unit(jurisdiction: str = "37", name: str | None = None) -> Unit:
    code = f"u{jurisdiction}-{next(_serial)}"
    return Unit.objects.create(code=code, name=name or f"测试单位{code}", jurisdiction=jurisdiction)


def staff(role: Role | str = Role.DIVISION, jurisdiction: str = "37", username: str | None = None,
          password: str = "pw-123456", in_unit: Unit | None = None, **extra):
    """A user holding ``role`` in a unit of ``jurisdiction`` (a new unit unless ``in_unit``)."""
    user = get_user_model().objects.create_user(username or f"staff{next(_serial)}", password=password, **extra)
    Membership.objects.create(user=user, unit=in_unit or unit(jurisdiction), role=Role(role))
    return user
