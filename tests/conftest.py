"""Suite-wide settings: hypothesis profiles and the ``postgres`` marker.

``HYPOTHESIS_PROFILE=ci`` (make test, CI): derandomised, so a failure reproduces; ``dev``
(default): random, fewer examples. Tests marked ``postgres`` need PostgreSQL: on SQLite they
are skipped, except under ``QCREDIT_REQUIRE_SERVICES=1`` (CI), where they fail.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

from tests.browser.fixtures import _browser, page, phone_page  # noqa: E402, F401 - one browser for the suite

REQUIRE_SERVICES = os.environ.get("QCREDIT_REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    # Tests create dozens of accounts (every role at every level); production hashing is
    # deliberately slow, so the tests hash with a fast algorithm.
    from django.conf import settings as django_settings

    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require_redis(broker_url: str) -> None:
    """Redis at ``broker_url`` must answer: without it a test is skipped locally and FAILS under
    QCREDIT_REQUIRE_SERVICES=1 (CI)."""
    import socket
    from urllib.parse import urlparse

    url = urlparse(broker_url)
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=3).close()
    except OSError as exc:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis is required (QCREDIT_REQUIRE_SERVICES=1) and not reachable: {exc}")
        pytest.skip(f"Redis not reachable: {exc}")


def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and database_vendor() != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("needs PostgreSQL, and QCREDIT_REQUIRE_SERVICES=1 forbids skipping it")
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.fixture(autouse=True)
def _audit_trail_flushable(request):
    """Transactional tests end with Django emptying every table; the audit trail refuses
    deletes (migration audit 0002), so that flush is let through — for the test database only.
    The database fixture is set up first, so this teardown runs just before its flush; the
    next test starts with the trail append-only again."""
    from qcredit.audit import purge

    purge._purge_allowed = False
    marker = request.node.get_closest_marker("django_db")
    transactional = ("transactional_db" in request.fixturenames or "live_server" in request.fixturenames
                     or bool(marker and marker.kwargs.get("transaction")))
    uses_db = transactional or marker is not None or "db" in request.fixturenames
    if uses_db:
        from django.db import connection

        request.getfixturevalue("_django_db_helper")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET qcredit.audit_purge")
    yield
    if transactional:
        purge._purge_allowed = True
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET qcredit.audit_purge = 'on'")
