"""`make demo`: a graded demo archive and a login for every role at every level (issue 3.1)."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from qcredit.accounts.demo import BUREAUS, DEMO_PASSWORD, FUNCTIONS, demo_username
from qcredit.accounts.models import EnterpriseAccount, Membership
from qcredit.demo_setup import DEMO_SUPERUSER, run_demo
from qcredit.grading.models import GradeState

pytestmark = pytest.mark.django_db


def test_the_demo_grades_its_archive_and_prints_a_login_for_every_role(capsys):
    assert run_demo(enterprises=120, serve=False) == 0
    out = capsys.readouterr().out
    assert GradeState.objects.count() == 120
    for level, _code, _name, jurisdiction, *_ in BUREAUS:
        for role, *_ in FUNCTIONS:
            username = demo_username(level, role)
            assert username in out
            user = authenticate(username=username, password=DEMO_PASSWORD)
            assert user is not None, username
            assert Membership.objects.get(user=user).unit.jurisdiction == jurisdiction
    account = EnterpriseAccount.objects.get(user__username="enterprise")
    assert account.enterprise.region.startswith("3701")
    assert authenticate(username=DEMO_SUPERUSER[0], password=DEMO_SUPERUSER[1]).is_superuser
