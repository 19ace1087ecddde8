"""SPEC §1: roles held in units, jurisdiction by GB/T 2260 prefix."""

from __future__ import annotations

import pytest

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, AccessErrorCode, authorize, sees_internal, unit_create
from qcredit.audit.models import AuditEvent

from .. import factories

pytestmark = pytest.mark.django_db


def test_a_city_officer_acts_only_inside_the_city():
    officer = factories.staff(Role.DIVISION, "3701")
    assert authorize(user=officer, role=Role.DIVISION, region="370102").unit.jurisdiction == "3701"
    with pytest.raises(AccessDenied) as info:
        authorize(user=officer, role=Role.DIVISION, region="370202")
    assert info.value.code is AccessErrorCode.OUT_OF_JURISDICTION and "370202" in info.value.message


def test_list_owned_objects_need_the_owning_bureau_level():
    province_office = factories.staff(Role.OFFICE, "37")
    assert authorize(user=province_office, role=Role.OFFICE, jurisdiction="37")
    with pytest.raises(AccessDenied):  # the province does not decide at Jinan's meeting
        authorize(user=province_office, role=Role.OFFICE, jurisdiction="3701")


def test_a_user_may_hold_several_roles_and_the_narrowest_fitting_unit_acts():
    user = factories.staff(Role.DIVISION, "3701")
    from qcredit.accounts.models import Membership

    Membership.objects.create(user=user, unit=factories.unit("370102"), role=Role.DIVISION)
    Membership.objects.create(user=user, unit=factories.unit("3701"), role=Role.REVIEWER)
    assert authorize(user=user, role=Role.DIVISION, region="370102").unit.jurisdiction == "370102"
    assert authorize(user=user, role=Role.REVIEWER, region="370105").unit.jurisdiction == "3701"
    with pytest.raises(AccessDenied) as info:
        authorize(user=user, role=Role.LEGAL)
    assert info.value.code is AccessErrorCode.NO_ROLE


def test_auditors_read_the_trail_not_the_archive():
    auditor = factories.staff(Role.AUDITOR, "37")
    division = factories.staff(Role.DIVISION, "3702")
    assert not sees_internal(auditor, "370102")
    assert sees_internal(division, "370211") and not sees_internal(division, "370102")


def test_units_are_validated_and_audited():
    admin = factories.staff(Role.ADMIN, "37")
    with pytest.raises(ValueError, match="行政区划代码"):
        unit_create(code="bad", name="错误单位", jurisdiction="370", actor=admin)
    province = unit_create(code="sd-x", name="省局某处", jurisdiction="37", actor=admin)
    with pytest.raises(ValueError, match="不在上级单位"):
        unit_create(code="qd-x", name="青岛某处", jurisdiction="3702", parent=unit_create(
            code="jn-x", name="济南某处", jurisdiction="3701", parent=province, actor=admin), actor=admin)
    assert AuditEvent.objects.filter(action="accounts.unit.create").count() == 2
    with pytest.raises(AccessDenied):
        unit_create(code="sd-y", name="越权", jurisdiction="37", actor=factories.staff(Role.OFFICE, "37"))
