"""Fixtures of the supervision scenarios: the demo accounts of every role at province (37), Jinan
(3701) and Lixia (370102); a world of enterprises registered and graded through the archive's
services (tests.lists.world); inspectors with names in the Jinan inspection institute; and a
helper that makes enterprises of a wanted grade."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.models import Membership, Role, Unit
from qcredit.grading.models import GradeState

from ..lists.world import World

_serial = itertools.count(1)


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def people(db):
    """Every demo account by username (``sheng-division``, ``jinan-inspection``, ``lixia-admin`` …)."""
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def units(people):
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def inspectors(units):
    """Six named inspectors of the Jinan inspection institute (with jinan-inspection: seven)."""
    User = get_user_model()
    made = []
    for family, given in (("张", "伟"), ("王", "芳"), ("李", "娜"), ("刘", "强"), ("陈", "静"), ("杨", "磊")):
        user = User.objects.create_user(f"insp{next(_serial)}", password="pw-123456", last_name=family,
                                        first_name=given)
        Membership.objects.create(user=user, unit=units["jn-inspection"], role=Role.INSPECTION)
        made.append(user)
    return made


class Grades:
    """Enterprises of a wanted grade, registered through the services (graded at once)."""

    def __init__(self, world: World):
        self.world = world

    def make(self, grade: str, *, region: str = "370102", name: str | None = None):
        if grade == "B":
            # Two to three years old and clean: QCO 三(二)1 (B needs 2 years, A 3).
            established = (timezone.localdate() - timedelta(days=365 * 2 + 120)).isoformat()
            enterprise = self.world.enterprise(region=region, name=name, established_on=established)
        else:
            enterprise = self.world.enterprise(region=region, name=name)
        if grade == "C":
            self.world.make_c(enterprise)
        elif grade == "D":
            self.world.make_d(enterprise)
        actual = GradeState.objects.get(enterprise=enterprise).grade
        assert actual == grade, f"made {actual}, wanted {grade}"
        return enterprise

    def many(self, counts: dict[str, int], *, region: str = "370102") -> dict[str, list]:
        return {g: [self.make(g, region=region) for _ in range(n)] for g, n in counts.items()}


@pytest.fixture
def grades(world) -> Grades:
    return Grades(world)
