"""Output escaping (issue 4 item 4): an enterprise named ``<script>alert(1)</script>``, with an
objection and a statement carrying markup, is shown as text on every list screen and every
self-service page — never as markup."""

from __future__ import annotations

import pytest

from qcredit.lists import services
from qcredit.lists.models import PublishedA

from .conftest import PINNED

pytestmark = pytest.mark.django_db

NAME = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_names_reasons_and_statements_are_escaped_on_the_staff_and_enterprise_pages(world, demo, as_user, on_day):
    on_day(PINNED)
    enterprise = world.enterprise(name=NAME)
    account = world.account(enterprise)
    application = services.a_application_submit(enterprise=enterprise, remarks="<b>申请</b>", actor=account)
    pending = services.a_application_submit(enterprise=(other := world.enterprise(name=NAME + "二")),
                                            actor=world.account(other))
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    entry = PublishedA.objects.get(application=application)
    services.statement_submit(target_kind="published_a", target_id=entry.pk, text="<img src=x onerror=alert(2)>",
                              actor=account)
    objection = services.objection_lodge(target_kind="published_a", target_id=entry.pk, name="<i>张三</i>",
                                         contact="<u>1</u>", reasons="<script>alert(3)</script>")
    staff_pages = {
        "sheng-evaluator": ["/workspace/lists/a-applications/", f"/workspace/lists/a-applications/{pending.pk}/",
                            f"/workspace/lists/a-applications/{application.pk}/"],
        "sheng-office": ["/workspace/lists/published-a/", "/workspace/lists/objections/",
                         f"/workspace/lists/objections/{objection.pk}/", "/workspace/lists/statements/"],
    }
    for username, paths in staff_pages.items():
        client = as_user(demo[username])
        for path in paths:
            page = client.get(path).content.decode()
            assert ESCAPED in page, path
            assert "<script>alert" not in page and "<img src=x" not in page and "<i>张三" not in page, path
    client = as_user(account)
    for path in ("/self-service/", "/self-service/a-applications/", "/self-service/objections/",
                 "/self-service/statements/"):
        page = client.get(path).content.decode()
        assert ESCAPED in page, path
        assert "<script>alert" not in page and "<img src=x" not in page, path
