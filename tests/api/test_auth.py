"""Token authentication and scopes: no token, a malformed, unknown, replaced or disabled token is
a 401 with a Bearer challenge; a token without the scope an endpoint needs is a 403; every call,
refused ones included, is in the call log."""

from __future__ import annotations

import pytest

from qcredit.api.models import ApiCall, ApiClient
from qcredit.api.services import api_client_token_issue, api_client_update
from qcredit.api.tokens import digest

from ..portal.world import enterprise

pytestmark = pytest.mark.django_db

USCC_PATH = "/api/v1/enterprises/{}/"


@pytest.fixture
def subject(db):
    return enterprise("济南认证测试机械有限公司")


def _refused(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["detail"]  # a Chinese explanation
    return body


def test_without_a_token_the_answer_is_401_with_a_bearer_challenge(anonymous, subject):
    response = anonymous.get(USCC_PATH.format(subject.uscc))
    _refused(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    call = ApiCall.objects.get()
    assert (call.client, call.status, call.path, call.method) == (None, 401, USCC_PATH.format(subject.uscc), "GET")


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Bearer a b", "Basic c3RhZmY6cGFzcw==",
                                    "Bearer qc_zzzzzzzz_" + "a" * 43])
def test_a_malformed_header_is_401(anonymous, subject, header):
    response = anonymous.get(USCC_PATH.format(subject.uscc), HTTP_AUTHORIZATION=header)
    _refused(response, 401, "invalid_token")
    assert "WWW-Authenticate" in response


def test_an_unknown_token_is_401_and_its_prefix_is_logged(make_client, subject):
    caller = make_client("public")
    prefix = caller.client.token_prefix
    forged = f"qc_{prefix}_" + "A" * 43  # the right prefix, the wrong secret
    response = caller.get(USCC_PATH.format(subject.uscc), HTTP_AUTHORIZATION=f"Bearer {forged}")
    _refused(response, 401, "invalid_token")
    call = ApiCall.objects.get()
    assert call.client is None and call.token_prefix == prefix and call.status == 401


def test_a_replaced_token_stops_working_at_once(make_client, subject):
    caller = make_client("public")
    assert caller.get(USCC_PATH.format(subject.uscc)).status_code == 200
    new_token = api_client_token_issue(client=caller.client, actor=None)
    _refused(caller.get(USCC_PATH.format(subject.uscc)), 401, "invalid_token")
    caller.token = new_token
    assert caller.get(USCC_PATH.format(subject.uscc)).status_code == 200


def test_a_disabled_client_is_401(make_client, subject):
    caller = make_client("public")
    caller.client.active = False
    api_client_update(client=caller.client, actor=None)
    _refused(caller.get(USCC_PATH.format(subject.uscc)), 401, "client_inactive")


def test_the_token_is_stored_only_as_its_digest(make_client):
    caller = make_client("public", "internal-grade")
    stored = ApiClient.objects.filter(pk=caller.client.pk).values().get()
    assert caller.token not in {str(v) for v in stored.values()}
    assert stored["token_hash"] == digest(caller.token)
    assert caller.token.startswith(f"qc_{stored['token_prefix']}_")


@pytest.mark.parametrize(("scopes", "path", "needed"), [
    (("public",), USCC_PATH + "grade/", "internal-grade"),
    (("intake",), USCC_PATH, "public"),
    (("internal-grade",), "/api/v1/redlist/", "public"),
    (("public", "internal-grade"), "/api/v1/intake/batches/", "intake"),
])
def test_a_token_without_the_scope_is_403(make_client, subject, scopes, path, needed):
    caller = make_client(*scopes)
    response = caller.get(path.format(subject.uscc))
    body = _refused(response, 403, "scope_missing")
    assert needed in body["detail"]
    call = ApiCall.objects.get()
    assert call.client == caller.client and call.status == 403 and call.scope == needed


def test_every_call_is_logged_with_client_status_time_and_address(make_client, subject, today):
    caller = make_client("public")
    caller.get(USCC_PATH.format(subject.uscc), REMOTE_ADDR="10.1.2.3")
    caller.get(USCC_PATH.format("91350100M000100Y4Z"), REMOTE_ADDR="10.1.2.3")
    caller.get("/api/v1/blacklist/", {"region": "3701"}, REMOTE_ADDR="10.1.2.4")
    calls = list(ApiCall.objects.order_by("id").values_list("client", "method", "path", "query", "status", "scope",
                                                           "client_address"))
    assert calls == [
        (caller.client.pk, "GET", USCC_PATH.format(subject.uscc), "", 200, "public", "10.1.2.3"),
        (caller.client.pk, "GET", USCC_PATH.format("91350100M000100Y4Z"), "", 404, "public", "10.1.2.3"),
        (caller.client.pk, "GET", "/api/v1/blacklist/", "region=3701", 200, "public", "10.1.2.4"),
    ]
    assert all(c.occurred_at.date() == today for c in ApiCall.objects.all())
