"""A small world for the public-list scenarios: enterprises registered through the archive's
own services (so they are graded at once, SPEC §4.3), their enterprise accounts, and records
that make a grade A, C or D."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.models import EnterpriseAccount
from qcredit.archive.services import enterprise_register, record_add
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeState
from qcredit.rules.uscc import make_uscc

_serial = itertools.count(1)


def recent() -> str:
    """A date inside the current window whenever the suite runs (grades are as of today)."""
    return (timezone.localdate() - timedelta(days=60)).isoformat()


class World:
    def enterprise(self, *, region: str = "370102", mandatory_testing: bool = False, name: str | None = None,
                   established_on: str = "2010-03-01"):
        n = next(_serial)
        return enterprise_register(data={
            "uscc": make_uscc(f"91{region}MA{n:07d}"), "name": name or f"济南测试{n}号机械有限公司",
            "established_on": established_on, "region": region, "industry": "C3431", "licence_required": False,
            "mandatory_testing": mandatory_testing, "exporter": False, "status": "active"}, actor=None)

    def account(self, enterprise, username: str | None = None):
        user = get_user_model().objects.create_user(username or f"ent{next(_serial)}", password="pw-123456")
        EnterpriseAccount.objects.create(user=user, enterprise=enterprise)
        return user

    def record(self, enterprise, kind: str, **fields):
        n = next(_serial)
        return record_add(enterprise=enterprise, data={"id": f"T-{n}", "kind": kind, "date": recent(),
                                                       "source": "省局监督处", **fields}, actor=None)

    def make_c(self, enterprise):
        """A failed sampling in the current window: C (QCO-C2)."""
        return self.record(enterprise, "sampling", scope="quality", result="fail")

    def make_d(self, enterprise):
        """Counterfeit production: D (QCO-D2)."""
        return self.record(enterprise, "counterfeit", ref="鲁市监罚〔2026〕1号")


def grade_of(enterprise) -> str:
    return GradeState.objects.get(enterprise=enterprise).grade


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def actions_since(seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True))


def workdays_after(start: date, n: int) -> date:
    """The n-th working day after ``start`` (start not counted; a rest-day start counts from the
    next working day), derived independently with chinesecalendar (SPEC §5)."""
    import chinese_calendar

    day = start
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not chinese_calendar.is_workday(day):
            day += timedelta(days=1)
    return day


def redlist_entry(enterprise, people):
    """A published entry of the provincial red list for ``enterprise``, through the red list's own
    services (nomination, legality review, meeting decision, SRL 第五至十二条). The enterprise
    gets a provincial government quality award first (SRL 第八条(一))."""
    from qcredit.accounts.models import Unit
    from qcredit.redlist import services as redlist

    n = next(_serial)
    record_add(enterprise=enterprise, data={"id": f"H-{n}", "kind": "honour", "date": recent(), "source": "省政府",
                                            "honour_type": "government_quality_award", "level": "provincial",
                                            "issued_by": "山东省人民政府"}, actor=None)
    owner = Unit.objects.get(code="sd-office")
    redlist_ = getattr(owner, "redlist", None) or redlist.redlist_create(owner=owner, name="山东省质量信用红名单")
    nomination = redlist.nomination_draft(redlist=redlist_, enterprise=enterprise, reasons="质量管理卓越",
                                          credit_facts="荣获山东省省长质量奖", actor=people["sheng-division"])
    redlist.nomination_submit(nomination=nomination, actor=people["sheng-division"])
    redlist.nomination_legal_review(nomination=nomination, passed=True, opinion="", actor=people["sheng-legal"])
    meeting = redlist.meeting_schedule(redlist=redlist_, kind="extraordinary", date=timezone.localdate(),
                                       reason="审议红名单事项", actor=people["sheng-office"])
    item = redlist.agenda_item_add(meeting=meeting, subject=nomination, actor=people["sheng-office"])
    redlist.agenda_item_decide(item=item, approved=True, minutes_ref="领导小组会议纪要〔2026〕1号",
                               leaders=[people["sheng-leader"]], attendees="办公室全体", note="",
                               actor=people["sheng-office"])
    nomination.refresh_from_db()
    return nomination.entry
