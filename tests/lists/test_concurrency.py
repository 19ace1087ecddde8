"""Two reviewers confirm the same re-check at the same moment (two threads, two database
connections): exactly one black-list entry and one publication, the other is refused with
WRONG_STATE, and nothing is half-applied."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.lists import services
from qcredit.lists.errors import ListsError, ListsErrorCode
from qcredit.lists.models import BlacklistEntry, Recheck
from qcredit.lists.services import common

from .world import World


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_confirming_the_same_recheck_at_once_list_the_enterprise_once(monkeypatch):
    ensure_demo_accounts()
    people = {u.username: u for u in get_user_model().objects.all()}
    world = World()
    enterprise = world.enterprise()
    world.make_d(enterprise)  # commits; the re-check opens on commit
    recheck = Recheck.objects.get(enterprise=enterprise)

    # Hold the re-check's lock a little while inside the confirming transaction, so the two overlap.
    parameter = common.parameter

    def slow_parameter(*args, **kwargs):
        threading.Event().wait(0.3)
        return parameter(*args, **kwargs)

    monkeypatch.setattr(common, "parameter", slow_parameter)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def confirm(username: str):
        try:
            start.wait()
            outcomes[username] = services.recheck_confirm(recheck=recheck, facts=f"{username}确认的失信事实",
                                                          actor=people[username])
        except Exception as exc:  # asserted below
            outcomes[username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(u,)) for u in ("sheng-reviewer", "lixia-reviewer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    confirmed = [o for o in outcomes.values() if isinstance(o, Recheck)]
    refused = [o for o in outcomes.values() if not isinstance(o, Recheck)]
    assert len(confirmed) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], ListsError) and refused[0].code is ListsErrorCode.WRONG_STATE
    [entry] = BlacklistEntry.objects.all()
    assert entry.facts == confirmed[0].facts
    assert PublicationEvent.objects.filter(list_kind="blacklist").count() == 1
    assert AuditEvent.objects.filter(action="lists.recheck.confirm").count() == 1
