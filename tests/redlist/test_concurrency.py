"""Two officers of the office record a decision on the same agenda item at the same moment (two
threads, two database connections): exactly one decision is recorded, the other is refused with
ALREADY_DECIDED, and nothing is half-applied (SRL 第六条: one collective decision per item)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from qcredit.accounts.models import Role
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.redlist import services
from qcredit.redlist.errors import RedListError, RedListErrorCode
from qcredit.redlist.models import AgendaItem, Entry, Nomination
from qcredit.redlist.services import meetings

from .. import factories
from .conftest import on_agenda, subject


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_the_same_item_at_once_one_wins_and_nothing_is_half_applied(
        people, units, province_list, monkeypatch):
    division = people["sheng-division"]
    nomination = services.nomination_draft(redlist=province_list, enterprise=subject(), reasons="理由",
                                           credit_facts="事实", actor=division)
    services.nomination_submit(nomination=nomination, actor=division)
    services.nomination_legal_review(nomination=nomination, passed=True, actor=people["sheng-legal"])
    item = on_agenda(people, province_list, nomination)
    officers = [people["sheng-office"], factories.staff(Role.OFFICE, in_unit=units["sd-office"])]

    # Hold the item's lock a little while inside the deciding transaction, so the two really overlap.
    start = threading.Barrier(2)
    evaluate = meetings.evaluate_enterprise

    def slow_evaluate(*args, **kwargs):
        threading.Event().wait(0.3)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(meetings, "evaluate_enterprise", slow_evaluate)
    outcomes: dict[int, object] = {}

    def record(i: int, approved: bool):
        try:
            start.wait()
            outcomes[i] = services.agenda_item_decide(
                item=item, approved=approved, minutes_ref=f"纪要{i}号", leaders=[people["sheng-leader"]],
                actor=officers[i])
        except Exception as exc:  # any outcome is asserted below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(i, i == 0)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    decided = [o for o in outcomes.values() if isinstance(o, AgendaItem)]
    refused = [o for o in outcomes.values() if not isinstance(o, AgendaItem)]
    assert len(decided) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], RedListError) and refused[0].code is RedListErrorCode.ALREADY_DECIDED

    item.refresh_from_db()
    nomination.refresh_from_db()
    winner = decided[0]
    assert item.state == winner.state and item.minutes_ref == winner.minutes_ref
    assert AuditEvent.objects.filter(action="redlist.agenda_item.decide").count() == 1
    if item.state == AgendaItem.State.APPROVED:
        assert nomination.state == Nomination.State.PUBLISHED
        assert Entry.objects.count() == 1 and PublicationEvent.objects.count() == 1
    else:
        assert nomination.state == Nomination.State.DECLINED
        assert not Entry.objects.exists() and not PublicationEvent.objects.exists()
