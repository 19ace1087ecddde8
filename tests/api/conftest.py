"""Fixtures of the partner API scenarios: clients with tokens of each scope, an HTTP caller,
and the portal's archive of enterprises of every grade (tests/portal/world.py), on and off
the public lists."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from qcredit.api.models import ApiClient
from qcredit.api.services import api_client_create

from ..portal import world as portal_world

SOURCE = "人民银行济南分行征信中心"


@dataclass
class Caller:
    """Calls the API with one client's token (or none)."""

    token: str | None
    client: ApiClient | None = None

    def _headers(self, extra: dict) -> dict:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **extra}

    def get(self, path: str, data: dict | None = None, **extra):
        return Client().get(path, data or {}, **self._headers(extra))

    def post(self, path: str, body, content_type: str = "application/json", **extra):
        payload = body if isinstance(body, (str, bytes)) else json.dumps(body, ensure_ascii=False)
        return Client().post(path, payload, content_type=content_type, **self._headers(extra))


@pytest.fixture
def make_client(db):
    """``make_client("public", "internal-grade", jurisdiction="3701", sources=[…])`` → Caller."""

    def make(*scopes: str, code: str | None = None, jurisdiction: str = "37", sources=(SOURCE,),
             may_register_enterprises: bool = False) -> Caller:
        make.n += 1
        client, token = api_client_create(code=code or f"partner-{make.n}", name=f"测试合作部门{make.n}",
                                          scopes=list(scopes or ["public"]), jurisdiction=jurisdiction,
                                          sources=list(sources), may_register_enterprises=may_register_enterprises,
                                          actor=None)
        return Caller(token, client)

    make.n = 0
    return make


@pytest.fixture
def anonymous() -> Caller:
    return Caller(None)


@pytest.fixture
def today(monkeypatch):
    return portal_world.pin_clock(monkeypatch)


@pytest.fixture
def world(db, today) -> portal_world.PortalWorld:
    return portal_world.build()
