"""Red-list scenarios: the demo bureaus (province 37, Jinan 3701, Lixia 370102) with every role,
a red list owned by the provincial office and one by Jinan's (SRL 第十八条), subjects built in
the archive through its services, and a clock (every date in these tests is "today" as the
clock says, so deadlines can be put across a holiday)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.models import Unit
from qcredit.archive.services import enterprise_register, record_add
from qcredit.redlist import services
from qcredit.rules.uscc import make_uscc
from qcredit.workdays.calendar import calendar_cache_clear

SHANGHAI = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


class Clock:
    """Sets what ``timezone.now()`` — and so every "today" of the system — returns."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.today: date | None = None

    def set(self, day: date) -> date:
        moment = datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)
        self._monkeypatch.setattr(timezone, "now", lambda: moment)
        self.today = day
        return day

    def advance(self, days: int) -> date:
        return self.set(self.today + timedelta(days=days))


# A Monday in a year whose official schedule is loaded.
DEFAULT_TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    c = Clock(monkeypatch)
    c.set(DEFAULT_TODAY)
    return c


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def people(db):
    """Every demo account by username (``sheng-office``, ``jinan-legal``, ``lixia-division`` …)."""
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def units(people):
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def province_list(units):
    return services.redlist_create(owner=units["sd-office"], name="山东省质量信用红名单")


@pytest.fixture
def jinan_list(units):
    return services.redlist_create(owner=units["jn-office"], name="济南市质量信用红名单")


def subject(*, region: str = "370102", name: str | None = None, honour: str | None = "government_quality_award",
            justification: str = "", established_on: str = "2010-01-01", licence_required: bool = False):
    """An enterprise in the archive; by default eligible (a provincial government quality award,
    SRL 第八条(一), and a clean archive, 第九条)."""
    n = next(_serial)
    enterprise = enterprise_register(data={
        "uscc": make_uscc(f"91{region}MA{n:07d}"), "name": name or f"测试企业{n}号有限公司",
        "established_on": established_on, "region": region, "licence_required": licence_required,
        "mandatory_testing": False, "exporter": False, "status": "active"}, actor=None)
    if honour:
        add_record(enterprise, "honour", days_ago=30, honour_type=honour, level="provincial",
                   issued_by="山东省人民政府", **({"justification": justification} if justification else {}))
    return enterprise


def add_record(enterprise, kind: str, *, days_ago: int = 1, **fields):
    day = timezone.localdate() - timedelta(days=days_ago)
    n = next(_serial)
    return record_add(enterprise=enterprise, data={
        "id": f"R-{n:05d}", "kind": kind, "date": day.isoformat(), "source": "山东省市场监督管理局",
        "ref": f"鲁市监〔{day.year}〕{n}号", **fields}, actor=None)


def failed_sampling(enterprise, *, days_ago: int = 0):
    return add_record(enterprise, "sampling", days_ago=days_ago, scope="quality", result="fail")


LEVEL = {"37": "sheng", "3701": "jinan", "370102": "lixia"}


def account(people, redlist, role: str):
    """The demo account of ``role`` in the bureau that owns ``redlist``."""
    return people[f"{LEVEL[redlist.jurisdiction]}-{role}"]


def publish(people, redlist, enterprise, *, credit_facts: str = "荣获山东省省长质量奖", reasons: str = "质量管理卓越"):
    """The whole nomination path with the list's own accounts: draft, submit, legal review,
    meeting decision. Returns the entry."""
    division, legal = account(people, redlist, "division"), account(people, redlist, "legal")
    nomination = services.nomination_draft(redlist=redlist, enterprise=enterprise, reasons=reasons,
                                           credit_facts=credit_facts, actor=division)
    services.nomination_submit(nomination=nomination, actor=division)
    services.nomination_legal_review(nomination=nomination, passed=True, opinion="", actor=legal)
    item = on_agenda(people, redlist, nomination)
    decide(people, redlist, item, approved=True)
    nomination.refresh_from_db()
    return nomination.entry


def on_agenda(people, redlist, subject_, *, meeting=None):
    office = account(people, redlist, "office")
    meeting = meeting or services.meeting_schedule(redlist=redlist, kind="extraordinary",
                                                   date=timezone.localdate(), reason="审议红名单事项", actor=office)
    return services.agenda_item_add(meeting=meeting, subject=subject_, actor=office)


def decide(people, redlist, item, *, approved: bool, note: str = ""):
    return services.agenda_item_decide(item=item, approved=approved, minutes_ref="领导小组会议纪要〔2026〕1号",
                                       leaders=[account(people, redlist, "leader")], attendees="办公室全体",
                                       note=note, actor=account(people, redlist, "office"))
