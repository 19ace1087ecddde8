"""A small world for the record screens: a province division, a county (历下区) division, a
reviewer and an auditor; an enterprise in the county and one in Qingdao (outside it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.archive import services
from qcredit.rules.uscc import make_uscc

from .. import factories

TODAY = timezone.localdate()
RECENT = (TODAY - timedelta(days=30)).isoformat()
FUTURE = (TODAY + timedelta(days=300)).isoformat()


def enterprise_data(n: int, region: str = "370102", **changes) -> dict:
    data = {"uscc": make_uscc(f"91{region}MA{n:07d}"), "name": f"测试机械有限公司{n}",
            "established_on": "2010-01-01", "region": region, "industry": "C3491", "licence_required": False,
            "mandatory_testing": False, "exporter": False, "status": "active"}
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # staged uploads go to var/uploads


@pytest.fixture
def county_clerk():
    return factories.staff(Role.DIVISION, "370102", username="lixia-clerk")


@pytest.fixture
def province_clerk():
    return factories.staff(Role.DIVISION, "37", username="sheng-clerk")


@pytest.fixture
def reviewer():
    return factories.staff(Role.REVIEWER, "370102", username="lixia-reviewer")


@pytest.fixture
def lixia():
    """An enterprise of 历下区 (370102) with a clean archive: graded A (QCO 三(一), I-2)."""
    return services.enterprise_register(data=enterprise_data(1))


@pytest.fixture
def qingdao():
    return services.enterprise_register(data=enterprise_data(2, region="370202", name="青岛测试有限公司"))
