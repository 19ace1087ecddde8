"""Property-based tests of the partner API against its own OpenAPI schema (schemathesis): for
every operation, generated requests — valid and invalid — sent with a token of each scope get
no 5xx, and every answer conforms to the schema (documented status code, content type, body).
Bounded (a few examples per operation) so that it runs in well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from qcredit.api.views import EXAMPLE_USCC
from qcredit.archive.services import record_add

from ..portal.world import enterprise
from .conftest import SOURCE

EXAMPLES_PER_OPERATION = 12
# Generous rates: the pinned clock keeps every call inside one period.
RATES = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public": "100000/min", "internal-grade": "100000/min",
                                                                "intake": "100000/min"}}


# The JSON Lines body of the intake is text on the wire.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


def _load(method: str, *phases: str):
    """The schema's operations of one method, loaded at collection through the WSGI application
    (the schema view reads no database). schemathesis.pytest.from_fixture would load it per
    test, but it relies on a pytest internal (Node._nodeid) that pytest 9 no longer has."""
    loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).include(method=method)
    loaded.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True)
    loaded.config.phases.update(phases=list(phases))
    return loaded


# Reads: every phase, including "coverage" (boundary and invalid values of each parameter).
reads = _load("GET", "examples", "coverage", "fuzzing")
# The intake: its body schema (a bundle of 17 kinds of records) gives the coverage phase over a
# thousand cases, each an import; examples and random bundles (valid and invalid) are enough.
writes = _load("POST", "examples", "fuzzing")


@pytest.fixture
def in_test_transaction():
    """Requests through the WSGI application end with Django closing "old" database connections,
    which on PostgreSQL would close the test's own (its transaction with it); Django's test
    client disconnects that handler during its requests, so do the same here."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(in_test_transaction, world, make_client) -> dict[str, str]:
    """A token of each scope and one with all of them, and data behind the schema's examples:
    the example enterprise (graded C) and the example batch's source for the intake clients."""
    subject = enterprise("济南某某机械有限公司")
    subject.uscc = EXAMPLE_USCC
    subject.save(update_fields=["uscc"])
    record_add(enterprise=subject, data={"id": "ST-1", "kind": "sampling", "date": "2026-05-01", "source": SOURCE,
                                         "scope": "quality", "result": "fail"}, actor=None)
    return {scope: make_client(*scopes).token for scope, scopes in {
        "public": ["public"], "internal-grade": ["internal-grade"], "intake": ["intake"],
        "all": ["public", "internal-grade", "intake"]}.items()}


def _call(case, tokens: dict[str, str], excluded=()) -> None:
    for token in tokens.values():
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=list(excluded))


@pytest.mark.django_db
@override_settings(REST_FRAMEWORK=RATES)
@reads.parametrize()
# The archive and the tokens are deliberately shared by the generated inputs of one operation.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_reads_conform_to_the_schema(case, tokens):
    _call(case, tokens)


@pytest.mark.django_db
@override_settings(REST_FRAMEWORK=RATES)
@writes.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_the_intake_conforms_to_the_schema(case, tokens):
    # A bundle's validity does not fit in JSON Schema — USCC check characters, enterprises that
    # must exist in the archive, the client's own sources and jurisdiction — so a schema-valid
    # batch may rightly be refused with 400 and its problems. Every other check still applies
    # (no 5xx; documented status code, content type and body).
    _call(case, tokens, excluded=[positive_data_acceptance])
