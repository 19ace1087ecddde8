"""The services CI must provide are really there (a missing one fails CI, never skips)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

from .conftest import REQUIRE_SERVICES


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_postgres_pass_runs_on_postgresql_15_or_later():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000


def test_redis_answers_ping():
    url = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=3) as s:
            s.sendall(b"PING\r\n")
            answer = s.recv(16)
    except OSError as exc:
        if REQUIRE_SERVICES:
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    assert answer.startswith(b"+PONG")
