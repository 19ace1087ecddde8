"""The one way past the append-only triggers: emptying a whole *test* database between
transactional tests (Django's flush). Production code never calls :func:`allow_purge`.

The triggers guard against casual and accidental edits by any client; they are not the
tamper evidence — whoever can switch them off (or drop them) could do so anyway, and that is
what the hash chain and ``qcredit audit verify`` catch.
"""

from __future__ import annotations

import contextlib

_purge_allowed = False


def purge_allowed() -> int:
    """SQLite function ``qcredit_audit_purge()`` read by the trigger (1 = allowed)."""
    return 1 if _purge_allowed else 0


def register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("qcredit_audit_purge", 0, purge_allowed, deterministic=False)


@contextlib.contextmanager
def allow_purge(connection):
    """Let the current connection delete or truncate audit events (for flushing test databases)."""
    global _purge_allowed
    _purge_allowed = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET qcredit.audit_purge = 'on'")
    try:
        yield
    finally:
        _purge_allowed = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET qcredit.audit_purge")
