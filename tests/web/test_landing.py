"""Where a login lands: staff (an auditor too) in the workspace, an enterprise in its own pages, a
superuser without a unit in the admin, anyone else on the public portal."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from qcredit.accounts.models import EnterpriseAccount, Role
from tests import factories

pytestmark = pytest.mark.django_db


def landing(client, user) -> str:
    client.force_login(user)
    response = client.get("/accounts/landing/")
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize("role", [Role.DIVISION, Role.AUDITOR, Role.ADMIN])
def test_a_member_of_a_unit_lands_in_the_workspace(client, role):
    assert landing(client, factories.staff(role, "3701")) == "/workspace/"


def test_an_enterprise_lands_in_its_self_service(client):
    from tests.lists.world import World

    enterprise = World().enterprise()
    user = get_user_model().objects.create_user("ent", password="pw-123456")
    EnterpriseAccount.objects.create(user=user, enterprise=enterprise)
    assert landing(client, user) == "/self-service/"


def test_a_superuser_without_a_unit_lands_in_the_admin_and_anyone_else_on_the_portal(client):
    User = get_user_model()
    assert landing(client, User.objects.create_superuser("root", password="pw-123456")) == "/admin/"
    client.logout()
    assert landing(client, User.objects.create_user("someone", password="pw-123456")) == "/"
