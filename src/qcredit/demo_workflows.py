"""The demo's workflows (``qcredit demo``): about fifteen months of a bureau's daily work replayed
on the generated archive, so that every screen has something real to show.

Why a replayed history. The services act on *today* (``timezone.now()``): a meeting cannot be
scheduled in the past, a decision is recorded on the day it is taken, a deadline counts from
the day its obligation arose. An overdue revocation review, an entry whose publication period
has ended (备查), an objection near its deadline can therefore only exist if the work was done
on earlier days. The replay sets the clock (``django.utils.timezone.now``, which every "today"
of the system reads) to each earlier working day in turn and lets the demo accounts of
:mod:`qcredit.accounts.demo` do that day's work through the real services: every step is a
service call with its role and jurisdiction check, its transaction, its audit event and its
notifications, as if staff had done it on that day. The archive grows the same way — each
record is imported on the first day the clock stops after its date, as a data exchange would
bring it — and the daily job (:func:`qcredit.jobs.services.run_daily`) runs on every such day,
so grades, expiries, re-checks and overdue flags follow the calendar. The clock never runs past
the real present, and it is the system's own again when the replay ends.

Whom each step is about is chosen with the rules over the generated archive, offline
(:class:`ArchiveView`): a red-list subject must be eligible (SRL 第八、九条) when nominated and
decided, and must stay clean while listed unless the story gives it a violation; an A applicant
must be A from its application to today; and so on. Where the archive has too few such
enterprises (a small demo), the province's quality division records what a real bureau would
record — an honour (SRL 第八条) for a clean A enterprise, a counterfeit finding (QCO 三(四)2)
for a D — through the archive's own services. The same archive and date give the same story.

Entry points: :func:`build_demo` (an empty database: archive, accounts and workflows),
:func:`workflows_seeded`, :func:`workflow_summary`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from qcredit.demo_supervision import SupervisionStory, supervision_summary
from qcredit.rules.dates import add_months

SHANGHAI = ZoneInfo("Asia/Shanghai")
HISTORY_MONTHS = 15  # the replay starts this many months before today (an expired listing needs > 1 year)
PROVINCE_LIST = ("sd-office", "山东省质量信用红名单")  # (owner unit code, name), SRL 第十八条
JINAN_LIST = ("jn-office", "济南市质量信用红名单")
BUREAU_LEVEL = {"37": "sheng", "3701": "jinan", "370102": "lixia"}  # demo usernames by jurisdiction
GRADE_RANK = {"A": 4, "B": 3, "C": 2, "D": 1}
CHINESE_NUMERALS = "〇一二三四五六七八九"
SUBJECTS_WITH_VIOLATIONS = {"R1-P1b", "R2-P2a", "R3-P3a"}  # the red-list subjects given a new adverse record
# Honours the province's quality division may record for a top-up subject (SRL 第八条(一)–(五)).
TOPUP_HONOURS = (
    ("government_quality_award", "provincial", "山东省人民政府"),
    ("metrology_benchmark", "provincial", "山东省市场监督管理局"),
    ("standardization_demo", "national", "国家标准化管理委员会"),
    ("credit_aaa", "provincial", "山东省质量评价协会"),
)
QUALIFYING_HONOURS = {"government_quality_award", "famous_brand_zone", "quality_improvement_zone",
                      "standard_innovation_award", "standardization_demo", "credit_aaa",
                      "inspection_platform_zone", "metrology_benchmark", "other"}


# --- the clock ------------------------------------------------------------------------------------


@contextlib.contextmanager
def demo_clock(moment: datetime) -> Iterator[None]:
    """Within the block every "now" (and so every "today") of the system is ``moment``."""
    original = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = original


class _Collect(logging.Handler):
    """Keeps the system's log records of the replay (a daily step that failed for a missing
    holiday year, a reaction that will be retried) to report each distinct one once."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text = f"{text}：{getattr(record.exc_info[1], 'message', record.exc_info[1])}"
        text = re.sub(r" for \d{4}-\d{2}-\d{2}| \d+(?= failed)", "", text)  # one line per step, not per day
        self.messages[text] = self.messages.get(text, 0) + 1


@contextlib.contextmanager
def collected_logs() -> Iterator[_Collect]:
    logger = logging.getLogger("qcredit")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, clock_time(hour, minute), tzinfo=SHANGHAI)


class StaffCalendar:
    """The days on which the demo's staff work: the official calendar where its year is loaded,
    Monday to Friday beyond it. This only places the story's own steps; every deadline the
    services compute still comes from the official calendar, and fails where a year is missing
    (SPEC §5), which the story reports."""

    def __init__(self, today: date):
        self.today = today
        self.assumed_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        from qcredit.workdays.calendar import is_workday
        from qcredit.workdays.errors import MissingHolidayYear

        try:
            return is_workday(day)
        except MissingHolidayYear:
            self.assumed_years.add(day.year)
            return day.weekday() < 5

    def on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def shift(self, day: date, n: int) -> date:
        """The ``|n|``-th working day after (n > 0) or before (n < 0) ``day``."""
        step = timedelta(days=1 if n > 0 else -1)
        for _ in range(abs(n)):
            day += step
            while not self.is_workday(day):
                day += step
        return day

    def back(self, n: int) -> date:
        return self.shift(self.today, -n)

    def months_back(self, k: int) -> date:
        """The first working day on or after the same day ``k`` months ago (a monthly stop)."""
        return self.on_or_after(add_months(self.today, -k))

    def mid(self, k: int) -> date:
        """Eight working days after the monthly stop ``k`` months ago (the month's second stop)."""
        return self.shift(self.months_back(k), 8)


# --- the archive seen offline -----------------------------------------------------------------------


class ArchiveView:
    """The generated archive evaluated offline by the rules (:func:`qcredit.rules.evaluate`) on
    any day of the replay, including days still ahead: used only to choose whom a step is about.
    Records the story adds through the archive's services are added here as well."""

    def __init__(self, bundle):
        from qcredit.rules.evaluate import EnterpriseData, RecordData

        self._record = RecordData.from_bundle
        self.items = {e["uscc"]: e for e in bundle.enterprises}
        self.order = [e["uscc"] for e in bundle.enterprises]
        self.data = {e["uscc"]: EnterpriseData.from_bundle(e) for e in bundle.enterprises}
        self.records: dict[str, list] = {}
        for item in bundle.records:
            self.records.setdefault(item["uscc"], []).append(RecordData.from_bundle(item))
        self._cache: dict[tuple[str, date], object] = {}

    def add(self, uscc: str, item: dict) -> None:
        self.records.setdefault(uscc, []).append(self._record({"uscc": uscc, **item}))
        for key in [k for k in self._cache if k[0] == uscc]:
            del self._cache[key]

    def evaluate(self, uscc: str, day: date):
        key = (uscc, day)
        if key not in self._cache:
            from qcredit.rules import evaluate, ruleset_for

            self._cache[key] = evaluate(self.data[uscc], self.records.get(uscc, ()), day, ruleset_for(day))
        return self._cache[key]

    def grade(self, uscc: str, day: date) -> str:
        return self.evaluate(uscc, day).grade

    def grade_with(self, uscc: str, item: dict, day: date) -> str:
        """The grade on ``day`` if the archive also had the record ``item`` (not kept)."""
        from qcredit.rules import evaluate, ruleset_for

        records = [*self.records.get(uscc, ()), self._record({"uscc": uscc, **item})]
        return evaluate(self.data[uscc], records, day, ruleset_for(day)).grade

    def has_honour(self, uscc: str) -> bool:
        return any(r.kind == "honour" and r.honour_type in QUALIFYING_HONOURS for r in self.records.get(uscc, ()))

    def qualifying_honour(self, uscc: str, day: date):
        """The newest honour in force on ``day`` (SPEC §5.1: dated, not expired)."""
        honours = [r for r in self.records.get(uscc, ()) if r.kind == "honour" and r.date <= day
                   and (r.valid_to is None or r.valid_to >= day) and r.honour_type in QUALIFYING_HONOURS
                   and (r.honour_type != "other" or (r.justification or "").strip())]
        return max(honours, key=lambda r: (r.date, r.record_id), default=None)


def adverse_side(evaluation) -> tuple[set, set, set]:
    """C/D criteria that hold, SRL 第九条 conditions that fail, and the records behind every
    adverse result — what :mod:`qcredit.redlist.eligibility` compares with a listing's baseline."""
    keys: set = set()
    for r in evaluation.results:
        tier = r.criterion.tier
        if r.holds is None:
            continue
        if (tier in {"C", "D"} and r.holds) or (tier in {"A", "B", "SRL-9"} and not r.holds):
            keys.update(r.evidence)
    srl9 = {r.criterion.id for r in evaluation.results if r.criterion.tier == "SRL-9" and r.holds is False}
    return set(evaluation.adverse), srl9, keys


# --- the story ----------------------------------------------------------------------------------------


@dataclass(order=True)
class Step:
    moment: datetime
    serial: int
    label: str = field(compare=False)
    run: Callable[[], object] = field(compare=False)


class Skipped(Exception):
    """A step the archive or the calendar does not allow; reported, never fatal. A step skipped
    only because an earlier one was (``consequence``) is not reported again."""

    def __init__(self, message: str, *, consequence: bool = False):
        super().__init__(message)
        self.consequence = consequence


class Story(SupervisionStory):
    """The replayed months: :meth:`build` lays out every step on its day (who does what, through
    which service), :meth:`replay` runs the days in order. Subjects are chosen when their first
    step runs, from what the archive holds then and will hold (``view``); ``made`` keeps what
    each step produced for the steps after it, ``taken`` the enterprises already in the story."""

    def __init__(self, *, bundle, today: date):
        self.bundle = bundle
        self.today = today
        self.days = StaffCalendar(today)
        self.view = ArchiveView(bundle)
        self.steps: list[Step] = []
        self._serial = itertools.count()
        self._record_serial = itertools.count(1)
        self.made: dict[str, object] = {}
        self.taken: set[str] = set()
        self.notes: list[str] = []
        self.people: dict[str, object] = {}
        self.password_hash = ""
        self.enterprise_logins: list[str] = []
        self.accounts: list[tuple[str, str, str]] = []
        self.own_uscc = self._pick_own()
        if self.own_uscc:
            self.taken.add(self.own_uscc)
        self.start = self.days.months_back(HISTORY_MONTHS)
        self._stops: tuple[int, list[date]] | None = None

    # --- who -----------------------------------------------------------------------------------

    def _pick_own(self) -> str | None:
        """The enterprise of the ``enterprise`` login: a Lixia district (历下区) enterprise graded
        A today, so that it can apply for A publication (left un-applied by the story)."""
        ordered = sorted(self.view.order)
        for test in (lambda u: self.view.items[u]["region"] == "370102",
                     lambda u: self.view.items[u]["region"].startswith("3701")):
            for uscc in ordered:
                if test(uscc) and self.view.items[uscc]["status"] == "active" and self.view.grade(uscc, self.today) == "A":
                    return uscc
        return next((u for u in ordered if self.view.items[u]["region"].startswith("3701")), None)

    def person(self, level: str, role: str):
        return self.people[f"{level}-{role}"]

    def local(self, role: str, region: str):
        """The demo account of ``role`` in the narrowest demo bureau covering ``region``."""
        for jurisdiction in ("370102", "3701", "37"):
            if region.startswith(jurisdiction):
                return self.person(BUREAU_LEVEL[jurisdiction], role)
        raise Skipped(f"没有覆盖行政区划 {region} 的演示账号")

    def bureau_name(self, user) -> str:
        from qcredit.redlist.services.common import bureau_of

        return bureau_of(user.memberships.select_related("unit__parent").first().unit).name

    def enterprise(self, uscc: str):
        from qcredit.archive.models import Enterprise

        return Enterprise.objects.get(uscc=uscc)

    def enterprise_login(self, enterprise):
        """The enterprise's own account (企业用户), opened by the province's system administrator
        the first time the enterprise acts in the story."""
        from qcredit.accounts.models import EnterpriseAccount
        from qcredit.accounts.services import enterprise_account_bind

        account = EnterpriseAccount.objects.filter(enterprise=enterprise).select_related("user").first()
        if account is not None:
            return account.user
        username = f"qy-{enterprise.uscc.lower()}"
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.password = self.password_hash
        user.save(update_fields=["password"])
        enterprise_account_bind(user=user, enterprise=enterprise, actor=self.person("sheng", "admin"))
        self.enterprise_logins.append(username)
        return user

    # --- the schedule ----------------------------------------------------------------------------

    def on(self, day: date, hhmm: str, label: str, run: Callable[[], object]) -> None:
        moment = at(day, hhmm)
        if day >= self.today:
            raise ValueError(f"story step on {day} is not before today {self.today}")
        self.steps.append(Step(moment, next(self._serial), label, run))

    def stop_days(self) -> list[date]:
        """The days the clock stops on: every step's day and one day a month (a data exchange)."""
        if self._stops is None or self._stops[0] != len(self.steps):
            days = {s.moment.date() for s in self.steps} | {self.days.months_back(k) for k in range(1, HISTORY_MONTHS)}
            self._stops = (len(self.steps), sorted(days))
        return self._stops[1]

    def checkpoints(self, start: date, end: date) -> list[date]:
        """The days in ``[start, end]`` on which the system looks (the daily job runs)."""
        return [d for d in [*self.stop_days(), self.today] if start <= d <= end]

    # --- choosing subjects (offline, with the rules) -----------------------------------------------

    def _free(self, uscc: str, region_prefix: str = "37") -> bool:
        item = self.view.items[uscc]
        return uscc not in self.taken and item["status"] == "active" and item["region"].startswith(region_prefix)

    def _stays_clean(self, uscc: str, start: date, end: date) -> bool:
        """No violation during publication (SRL 第十三条) on any day the system looks: the grade
        does not fall, no new C/D criterion, no new failing 第九条 condition, no new adverse
        record against the baseline of ``start``."""
        base = self.view.evaluate(uscc, start)
        base_adverse, base_srl9, base_keys = adverse_side(base)
        for day in self.checkpoints(start, end):
            ev = self.view.evaluate(uscc, day)
            adverse, srl9, keys = adverse_side(ev)
            if ev.grade not in GRADE_RANK or GRADE_RANK[ev.grade] < GRADE_RANK.get(base.grade, 0):
                return False
            if adverse - base_adverse or srl9 - base_srl9 or keys - base_keys:
                return False
        return True

    def pick_redlist_subject(self, *, prefix: str, nominate: date, decide: date | None, until: date,
                             label: str, spotless: bool = False) -> tuple[str, bool]:
        """(uscc, needs an honour): eligible when nominated and decided, clean while listed.
        ``spotless``: graded A with no adverse record at all when listed — a subject the story
        gives a violation, so that the revocation review rests on that one new record (an older
        record that becomes evidence only beside the new one would date the obligation back to
        the day it entered the archive)."""
        days = [nominate] + ([decide] if decide else [])
        ordered = [u for u in self.view.order if self._free(u, prefix)]

        def listed_cleanly(uscc: str) -> bool:
            if spotless:
                listed = self.view.evaluate(uscc, days[-1])
                if listed.grade != "A" or adverse_side(listed)[2]:
                    return False
            return self._stays_clean(uscc, days[-1], until)

        for uscc in ordered:
            if self.view.has_honour(uscc) and all(self.view.evaluate(uscc, d).redlist.eligible for d in days) \
                    and listed_cleanly(uscc):
                return uscc, False
        for uscc in ordered:  # a clean A enterprise that lacks only a 第八条 honour
            if all(self.view.grade(uscc, d) == "A" and set(self.view.evaluate(uscc, d).redlist.unmet) <= {"SRL-8"}
                   for d in days) and listed_cleanly(uscc):
                return uscc, True
        raise Skipped(f"{label}：档案中没有合适的企业")

    def pick_a(self, *, apply: date, until: date, mandatory_testing: bool = False, label: str) -> str:
        """An enterprise graded A on every day the system looks from ``apply`` to ``until``."""
        for uscc in self.view.order:
            if not self._free(uscc) or bool(self.view.items[uscc]["mandatory_testing"]) != mandatory_testing:
                continue
            if self.view.grade(uscc, apply) == "A" and all(self.view.grade(uscc, d) == "A"
                                                           for d in self.checkpoints(apply, until)):
                return uscc
        raise Skipped(f"{label}：档案中没有合适的企业")

    # --- archive writes by staff -----------------------------------------------------------------

    def record(self, enterprise, kind: str, day: date, ref_prefix: str, **fields):
        """A record entered by the quality division of the narrowest bureau covering the
        enterprise (SPEC §1 division: maintains the archive), dated ``day``."""
        from qcredit.archive.services import record_add

        actor = self.local("division", enterprise.region)
        source = self.bureau_name(actor)
        n = next(self._record_serial)
        abbr = "鲁" if source.startswith("山东") else "济"
        item = {"id": f"{day:%Y%m%d}-{n:03d}", "kind": kind, "date": day.isoformat(), "source": source,
                "ref": f"{abbr}市监{ref_prefix}〔{day.year}〕{100 + n}号", **fields}
        record = record_add(enterprise=enterprise, data=item, actor=actor)
        self.view.add(enterprise.uscc, item)
        return record

    # --- steps -------------------------------------------------------------------------------------

    def step(self, label: str, run: Callable[[], object]) -> Callable[[], object]:
        """A step that reports, and does not stop the replay, when the archive or the calendar
        does not allow it (a missing holiday year, no suitable enterprise, a refused service)."""
        from qcredit.accounts.services import AccessDenied, UnitError
        from qcredit.api.errors import ClientError
        from qcredit.archive.services import ArchiveError
        from qcredit.exchange.errors import ExchangeError
        from qcredit.lists.errors import ListsError
        from qcredit.redlist.errors import RedListError
        from qcredit.rulesets.errors import RuleSetVersionError
        from qcredit.supervision.errors import SupervisionError
        from qcredit.supervision.warnings import WarningError
        from qcredit.workdays.errors import MissingHolidayYear

        refused = (RedListError, ListsError, RuleSetVersionError, ArchiveError, AccessDenied, SupervisionError,
                   WarningError, ClientError, ExchangeError, UnitError)

        def guarded():
            try:
                return run()
            except Skipped as exc:
                if not exc.consequence:
                    self.notes.append(str(exc))
            except refused as exc:
                self.notes.append(f"{label}：{getattr(exc, 'message', exc)}")
            except MissingHolidayYear as exc:
                self.notes.append(f"{label}：{exc}")
            return None

        return guarded

    def build(self) -> None:
        self._foundation()
        self._redlist_province()
        self._redlist_jinan()
        self._published_a()
        self._blacklist()
        self._objections_and_statements()
        self._ruleset()
        self._issue5()  # supervision, the partner API (qcredit.demo_supervision)
        self._outbox()  # last: its delivery runs on the stop days of every other step

    def _foundation(self) -> None:
        def accounts():
            from qcredit.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts

            own = self.enterprise(self.own_uscc) if self.own_uscc else None
            self.accounts = ensure_demo_accounts(password=DEMO_PASSWORD, enterprise=own)
            self.people.update({u.username: u for u in get_user_model().objects.filter(
                username__in=[a[0] for a in self.accounts])})
            self.password_hash = make_password(DEMO_PASSWORD)

        def lists():
            from qcredit.accounts.models import Unit
            from qcredit.redlist.services import redlist_create

            for (code, name), admin in ((PROVINCE_LIST, "sheng-admin"), (JINAN_LIST, "jinan-admin")):
                self.made[code] = redlist_create(owner=Unit.objects.get(code=code), name=name,
                                                 actor=self.people[admin])

        self.on(self.start, "08:30", "演示账号", accounts)
        self.on(self.start, "09:00", "红名单", lists)

    # --- red list (SRL 第五至十五条) ----------------------------------------------------------------

    def _round(self, *, key: str, level: str, list_code: str, prepare: date, meeting: date,
               subjects: list[tuple[str, bool]], prefix: str, until: date) -> None:
        """A regular meeting (SRL 第七条) and its nominations: on ``prepare`` the office schedules
        it and the division drafts and submits; four working days before it the legal division
        reviews (第十条) and the office sets the agenda; on the day, the collective decision
        (第六条)."""
        review_day = self.days.shift(meeting, -4)
        self.on(prepare, "09:30", f"{key} 例会安排",
                self.step(f"{key} 例会安排", lambda: self._schedule(key, level, list_code, "regular", meeting)))
        for i, (name, approve) in enumerate(subjects):
            subject = f"{key}-{name}"
            self.on(prepare, f"10:{i:02d}", f"{subject} 提报",
                    self.step(f"{subject} 提报", lambda s=subject: self._nominate(
                        s, level, list_code, prefix, prepare, meeting, until, submit=True)))
            self.on(review_day, f"10:{i:02d}", f"{subject} 合法性审查",
                    self.step(f"{subject} 合法性审查", lambda s=subject: self._legal(s, level, passed=True)))
            self.on(review_day, f"15:{i:02d}", f"{subject} 列入议程",
                    self.step(f"{subject} 列入议程", lambda s=subject: self._agenda(s, key, level, s)))
            self.on(meeting, f"15:{i:02d}", f"{subject} 会议决定",
                    self.step(f"{subject} 会议决定", lambda s=subject, a=approve: self._decide(
                        s, key, level, approved=a)))

    def _schedule(self, key: str, level: str, list_code: str, kind: str, meeting: date | None, reason: str = ""):
        from qcredit.redlist.selectors import meeting_next_regular_date
        from qcredit.redlist.services import meeting_schedule

        if meeting is None:  # the next regular meeting: the last one plus the interval (SRL 第七条)
            meeting = self.days.on_or_after(meeting_next_regular_date(redlist=self.made[list_code]))
        self.made[f"meeting:{key}"] = meeting_schedule(redlist=self.made[list_code], kind=kind, date=meeting,
                                                       reason=reason, actor=self.person(level, "office"))

    def _nominate(self, subject: str, level: str, list_code: str, prefix: str, nominate: date, decide: date | None,
                  until: date, *, submit: bool):
        from qcredit.redlist.services import nomination_draft, nomination_submit

        uscc, needs_honour = self.pick_redlist_subject(prefix=prefix, nominate=nominate, decide=decide, until=until,
                                                       spotless=subject in SUBJECTS_WITH_VIOLATIONS,
                                                       label=subject)
        self.taken.add(uscc)
        enterprise = self.enterprise(uscc)
        if needs_honour:  # the division records the award certificate, then drafts the nomination
            honour_type, level_, issued_by = TOPUP_HONOURS[len(self.taken) % len(TOPUP_HONOURS)]
            awarded = self.days.shift(nominate, -20)
            self.record(enterprise, "honour", awarded, "荣", honour_type=honour_type, level=level_,
                        issued_by=issued_by, valid_to=add_months(awarded, 48).isoformat())
        division = self.person(level, "division")
        texts = self.nomination_texts(uscc, nominate, self.made[list_code].name)
        nomination = nomination_draft(redlist=self.made[list_code], enterprise=enterprise, actor=division, **texts)
        self.made[subject] = nomination
        if submit:
            nomination_submit(nomination=nomination, actor=division)

    def nomination_texts(self, uscc: str, day: date, list_name: str) -> dict:
        """Reasons and main credit facts (SRL 第十、十一条) from the archive as of ``day``; the
        division's own justification where only 第八条(六) applies (nominations.py)."""
        from qcredit.rules.kinds import CHOICE_LABELS

        qualifying = list(self.view.evaluate(uscc, day).redlist.qualifying)
        items = "、".join(f"第八条({CHINESE_NUMERALS[int(q.rsplit('.', 1)[1])]})" for q in qualifying)
        honour = self.view.qualifying_honour(uscc, day)
        clean = "近三年无因自身原因的产品质量监督抽查不合格，无质量违法违规记录"
        if honour is None:
            facts = f"{clean}。"
        elif honour.honour_type == "other":
            facts = f"{honour.justification}（{honour.issued_by or '有关部门'}，{honour.date.year}年认定）；{clean}。"
        else:
            award = CHOICE_LABELS.get(honour.honour_type, honour.honour_type)
            facts = f"{honour.date.year}年获评{award}（{honour.issued_by or '有关部门'}）；{clean}。"
        justification = ""
        if qualifying == ["SRL-8.6"]:
            justification = f"{(honour.justification if honour else '') or '质量信用表现卓越'}，属于其他卓越质量信用表现。"
        return {"reasons": f"符合 SRL {items}规定的情形和第九条规定的条件，提报列入{list_name}。",
                "credit_facts": facts, "justification": justification}

    def _legal(self, subject: str, level: str, *, passed: bool, opinion: str = ""):
        from qcredit.redlist.services import nomination_legal_review

        nomination = self.need(subject)
        nomination.refresh_from_db()
        nomination_legal_review(nomination=nomination, passed=passed, opinion=opinion,
                                actor=self.person(level, "legal"))

    def _agenda(self, subject_key: str, meeting_key: str, level: str, item_key: str):
        from qcredit.redlist.services import agenda_item_add

        subject = self.need(subject_key)
        subject.refresh_from_db()
        self.made[f"item:{item_key}"] = agenda_item_add(meeting=self.need(f"meeting:{meeting_key}"), subject=subject,
                                                         actor=self.person(level, "office"))

    def _decide(self, item_key: str, meeting_key: str, level: str, *, approved: bool, note: str = ""):
        from qcredit.redlist.services import agenda_item_decide

        meeting = self.need(f"meeting:{meeting_key}")
        number = {"R1": 1, "R2": 2, "R3": 3, "RX": 4, "J1": 1}.get(meeting_key, 9)
        agenda_item_decide(item=self.need(f"item:{item_key}"), approved=approved,
                           minutes_ref=f"{'鲁' if level == 'sheng' else '济'}质信红纪〔{meeting.date.year}〕{number}号",
                           leaders=[self.person(level, "leader")], attendees="领导小组成员、办公室工作人员",
                           note=note, actor=self.person(level, "office"))

    def need(self, key: str):
        value = self.made.get(key)
        if value is None:
            raise Skipped(f"{key}：前一步未能完成，本步略过", consequence=True)
        return value

    def _redlist_province(self) -> None:
        d = self.days
        meet1, meet2, meet3 = d.months_back(14), d.months_back(8), d.months_back(2)  # 原则上每半年 (第七条)
        last = d.back(1)
        # Round 1: two subjects; one runs its whole period (expired → 备查), one is revoked.
        self._round(key="R1", level="sheng", list_code="sd-office", prepare=d.mid(15), meeting=meet1, prefix="37",
                    subjects=[("P1a", True), ("P1b", True)], until=add_months(meet1, 12))
        # Round 2: three listed (one gets an overdue review, one an upheld objection, one a
        # statement), one declined by the meeting. Round 3: two listed (one under review).
        self._round(key="R2", level="sheng", list_code="sd-office", prepare=d.mid(9), meeting=meet2, prefix="37",
                    subjects=[("P2a", True), ("P2b", True), ("P2c", True), ("P2d", False)], until=last)
        self._round(key="R3", level="sheng", list_code="sd-office", prepare=d.mid(3), meeting=meet3, prefix="37",
                    subjects=[("P3a", True), ("P3b", True)], until=last)

        # SRL 第十三条, the whole path: a violation, the division's proposal, an extraordinary
        # meeting revokes.
        violation, follow, special = d.months_back(11), d.shift(d.months_back(11), 3), d.mid(11)
        self.on(violation, "10:00", "P1b 新增不良记录", self.step("P1b 新增不良记录", lambda: self._violation(
            "R1-P1b", "penalty", d.shift(violation, -5), "罚", scope="quality", severity="ordinary",
            decision_no=f"鲁市监罚〔{violation.year}〕57号", note="生产销售标签标识不符合规定的产品")))
        self.on(follow, "10:00", "P1b 撤销建议", self.step("P1b 撤销建议", lambda: self._propose("R1-P1b")))
        self.on(follow, "14:00", "临时会议安排", self.step("临时会议安排", lambda: self._schedule(
            "RX", "sheng", "sd-office", "extraordinary", special, reason="研究红名单主体公开期间违法违规的撤销事项（SRL 第十三条）")))
        self.on(follow, "14:30", "P1b 撤销列入议程", self.step("P1b 撤销列入议程", lambda: self._agenda(
            "review:R1-P1b", "RX", "sheng", "review:R1-P1b")))
        self.on(special, "15:00", "P1b 撤销决定", self.step("P1b 撤销决定", lambda: self._decide(
            "review:R1-P1b", "RX", "sheng", approved=True,
            note="公开期间受到质量行政处罚，经领导小组会议研究决定撤销")))

        # Violations still open today: one past its 5-working-day deadline, one recent.
        self.on(d.back(14), "10:00", "P2a 新增不良记录", self.step("P2a 新增不良记录", lambda: self._violation(
            "R2-P2a", "sampling", d.back(16), "抽", scope="quality", result="fail", own_fault=True,
            note="省级监督抽查：产品标志和使用说明项目不合格")))
        self.on(d.back(2), "10:00", "P3a 新增不良记录", self.step("P3a 新增不良记录", lambda: self._violation(
            "R3-P3a", "inspection", d.back(3), "查", scope="quality", result="fail",
            note="监督检查发现出厂检验记录不完整")))

        # The next regular meeting and what waits for it (SPEC §5.1 lifecycle 2–3).
        self.on(d.back(8), "09:30", "下次例会安排", self.step("下次例会安排", lambda: self._schedule(
            "R4", "sheng", "sd-office", "regular", None)))
        pending = [("P4a", 20, 12, True), ("P4b", 10, 3, False)]
        for name, drafted, reviewed, on_agenda in pending:
            subject, draft_day = f"R4-{name}", d.back(drafted)
            self.on(draft_day, "10:00", f"{subject} 提报", self.step(f"{subject} 提报", lambda s=subject, day=draft_day: (
                self._nominate(s, "sheng", "sd-office", "37", day, None, last, submit=True))))
            self.on(d.back(reviewed), "10:00", f"{subject} 合法性审查",
                    self.step(f"{subject} 合法性审查", lambda s=subject: self._legal(s, "sheng", passed=True)))
            if on_agenda:
                self.on(d.back(5), "10:00", f"{subject} 列入议程",
                        self.step(f"{subject} 列入议程", lambda s=subject: self._agenda(s, "R4", "sheng", s)))
        returned, waiting = d.back(10), d.back(1)
        self.on(returned, "10:30", "R4-P4d 提报", self.step("R4-P4d 提报", lambda: self._nominate(
            "R4-P4d", "sheng", "sd-office", "37", returned, None, last, submit=True)))
        self.on(d.back(5), "10:30", "R4-P4d 合法性审查", self.step("R4-P4d 合法性审查", lambda: self._legal(
            "R4-P4d", "sheng", passed=False,
            opinion="提报材料所列主要信用事实未注明荣誉文件文号，与档案记录无法对应，请补正后重新提报（SRL 第十条、第十一条）。")))
        self.on(waiting, "11:00", "R4-P4c 提报", self.step("R4-P4c 提报", lambda: self._nominate(
            "R4-P4c", "sheng", "sd-office", "37", waiting, None, last, submit=True)))

    def _violation(self, subject: str, kind: str, day: date, ref_prefix: str, **fields):
        """A new adverse record of a listed subject, entered by the division; the red list
        reacts (on commit of the regrade, and again by the idempotent reconcile the daily job
        runs) with a revocation review due in 5 working days (SRL 第十三条)."""
        from qcredit.redlist.models import RevocationReview
        from qcredit.redlist.services import revocation_reviews_reconcile

        nomination = self.need(subject)
        nomination.refresh_from_db()
        entry = getattr(nomination, "entry", None)
        if entry is None:
            raise Skipped(f"{subject}：未列入名单，略过", consequence=True)
        self.record(nomination.enterprise, kind, day, ref_prefix, **fields)
        revocation_reviews_reconcile(today=timezone.localdate(), enterprise_ids=[nomination.enterprise_id])
        review = RevocationReview.objects.filter(entry=entry, state=RevocationReview.State.OPEN).first()
        if review is not None:
            self.made[f"review:{subject}"] = review

    def _propose(self, subject: str):
        from qcredit.redlist.services import revocation_review_propose

        review = self.need(f"review:{subject}")
        review.refresh_from_db()
        self.made[f"review:{subject}"] = revocation_review_propose(
            review=review, revoke=True, reasons="该企业在公开期间受到质量行政处罚，不再符合 SRL 第九条(二)，建议撤销。",
            actor=self.person("sheng", "division"))

    def _redlist_jinan(self) -> None:
        d = self.days
        self._round(key="J1", level="jinan", list_code="jn-office", prepare=d.mid(5), meeting=d.months_back(4),
                    prefix="3701", subjects=[("J1a", True), ("J1b", True)], until=d.back(1))
        self.on(d.back(8), "09:45", "济南下次例会安排", self.step("济南下次例会安排", lambda: self._schedule(
            "J2", "jinan", "jn-office", "regular", None)))
        draft_day = d.back(2)
        self.on(draft_day, "14:00", "J2-J2a 草稿", self.step("J2-J2a 草稿", lambda: self._nominate(
            "J2-J2a", "jinan", "jn-office", "3701", draft_day, None, d.back(1), submit=False)))

    # --- A publication (QCO 三(五), 四(一); SPEC §5.2) ----------------------------------------------

    def _published_a(self) -> None:
        d = self.days
        today = self.today
        plans = [  # (key, applied, inspection opinion, evaluated, approved, mandatory testing, A until)
            ("A0", d.mid(15), None, d.months_back(14), True, False, None),
            ("A1", d.months_back(10), None, d.mid(10), True, False, today),
            ("A2", d.months_back(6), d.mid(6), d.months_back(5), True, True, today),
            ("A3", d.months_back(4), None, d.mid(4), True, False, today),
            ("A4", d.months_back(1), None, d.mid(1), True, False, today),
            ("A5", d.months_back(5), None, d.mid(5), False, False, None),
            ("A6", d.back(3), None, None, None, False, today),
            ("A7", d.back(2), None, None, None, True, today),
        ]
        for key, applied, inspected, evaluated, approved, testing, until in plans:
            # A0 must stay A for its whole validity (it then expires); A5 only until its rejection.
            end = until or (add_months(evaluated, 12) if approved else evaluated)
            self.on(applied, "14:00", f"{key} 申请", self.step(f"{key} 申请", lambda k=key, a=applied, e=end, t=testing: (
                self._apply(k, a, e, t))))
            if inspected:
                self.on(inspected, "10:00", f"{key} 检验意见", self.step(f"{key} 检验意见", lambda k=key: self._inspect(k)))
            if evaluated:
                self.on(evaluated, "15:00", f"{key} 省级评价", self.step(f"{key} 省级评价", lambda k=key, ok=approved: (
                    self._evaluate(k, ok))))

    def _apply(self, key: str, applied: date, until: date, testing: bool):
        from qcredit.lists.services import a_application_submit

        uscc = self.pick_a(apply=applied, until=until, mandatory_testing=testing, label=f"A级公示申请 {key}")
        self.taken.add(uscc)
        enterprise = self.enterprise(uscc)
        self.made[key] = a_application_submit(
            enterprise=enterprise, remarks="本企业自愿申请公示质量信用A级（守信）等级。", actor=self.enterprise_login(enterprise))

    def _inspect(self, key: str):
        from qcredit.lists.services import a_application_inspection_opinion

        application = self.need(key)
        application.refresh_from_db()
        self.made[key] = a_application_inspection_opinion(
            application=application, favourable=True,
            opinion="近三年依法监督检验合格率100%，未发现严重不合格和未经监督检验出厂情况，同意公示。",
            actor=self.local("inspection", application.enterprise.region))

    def _evaluate(self, key: str, approved: bool):
        from qcredit.lists.services import a_application_evaluate

        application = self.need(key)
        application.refresh_from_db()
        note = ("经评价，计算机生成的A级与档案记录相符，同意公示。" if approved else
                "申请材料未附近三年产品出厂检验合格率统计，评价依据不足，不予公示；可补正后重新申请。")
        self.made[key] = a_application_evaluate(application=application, approved=approved, note=note,
                                                actor=self.person("sheng", "evaluator"))

    # --- D re-check and the black list (QCO 三(五), 四(四); SPEC §5.3) ------------------------------

    def _blacklist(self) -> None:
        d = self.days
        plans = [  # (key, day, outcome): confirmed and still exposed, confirmed and later ended, kept internal
            ("B0", d.months_back(13), "ended"),
            ("B1", d.months_back(9), "exposed"),
            ("B2", d.months_back(3), "exposed"),
            ("B3", d.months_back(5), "kept"),
        ]
        k_before = {"B1": 10, "B2": 4}  # the stop before the confirmation month
        for key, day, outcome in plans:
            if outcome == "exposed":  # a natural D, or one the archive is given ahead of time
                prepare = d.mid(k_before[key])
                self.on(prepare, "11:00", f"{key} 准备", self.step(f"{key} 准备", lambda k=key, p=prepare, c=day: (
                    self._ensure_d(k, p, c))))
            self.on(day, "10:00", f"{key} 复核", self.step(f"{key} 复核", lambda k=key, c=day, o=outcome: (
                self._recheck(k, c, o))))
        self.on(d.back(3), "11:00", "待复核", self.step("待复核", self._ensure_open_recheck))

    def _d_throughout(self, uscc: str, start: date) -> bool:
        return all(self.view.grade(uscc, day) == "D" for day in [start, *self.checkpoints(start, self.today)])

    def _counterfeit(self, key: str, day: date, region_prefix: str = "37") -> str:
        """The division records a counterfeit finding (QCO 三(四)2 故意生产假冒伪劣产品) for an
        enterprise of the archive: D for the current window, so the re-check has a subject."""
        for uscc in self.view.order:
            if self._free(uscc, region_prefix) and self.view.grade(uscc, day) in {"B", "C"}:
                self.taken.add(uscc)
                self.record(self.enterprise(uscc), "counterfeit", self.days.shift(day, -2), "假",
                            note="经立案调查，生产销售以不合格产品冒充合格产品")
                self.made[f"counterfeit:{key}"] = uscc
                return uscc
        raise Skipped(f"{key}：档案中没有可记录的企业")

    def _ensure_d(self, key: str, prepare: date, confirm: date):
        if any(self._free(u) and self._d_throughout(u, prepare) for u in self.view.order):
            return
        self._counterfeit(key, prepare)

    def _recheck(self, key: str, day: date, outcome: str):
        from qcredit.lists.models import Recheck
        from qcredit.lists.services import recheck_confirm, recheck_not_confirm, recheck_open

        if outcome == "exposed":
            wanted = lambda u: self._d_throughout(u, day)  # noqa: E731
        elif outcome == "ended":
            wanted = lambda u: self.view.grade(u, day) == "D" and self.view.grade(u, self.today) != "D"  # noqa: E731
        else:
            wanted = lambda u: self.view.grade(u, day) == "D"  # noqa: E731
        reserved = self.made.get(f"counterfeit:{key}")
        ordered = sorted(self.view.order, key=lambda u: (u != reserved,  # the one given a D ahead of time
                                                         # the Jinan reviewer confirms one of Jinan's (SRL 第十八条)
                                                         key == "B2" and not self.view.items[u]["region"].startswith("3701")))
        for uscc in ordered:
            if not (uscc == reserved or self._free(uscc)) or not wanted(uscc):
                continue
            enterprise = self.enterprise(uscc)
            recheck_open(enterprise=enterprise, today=day)  # the system's reaction, if it has not run yet
            recheck = Recheck.objects.filter(enterprise=enterprise, state=Recheck.State.OPEN).first()
            if recheck is None:
                continue
            self.taken.add(uscc)
            reviewer = self.local("reviewer", enterprise.region)
            if outcome == "kept":
                records = self._evidence_records(recheck)
                if not records:
                    self.taken.discard(uscc)
                    continue
                self.made[key] = recheck_not_confirm(
                    recheck=recheck, actor=reviewer,
                    finding="经核实，失信事实属实，但已于当年整改完毕且未造成危害后果，失信程度不需对外曝光，D级仅作内部监管依据。",
                    annotations=[(r, "复核认为：已整改完毕，未造成危害后果，不对外曝光") for r in records[:1]])
                return
            facts = "；".join(f"{c['text']}（{c['article']}）" for c in recheck.adverse) or "严重失信"
            self.made[key] = recheck_confirm(
                recheck=recheck, facts=f"经复核，{enterprise.name}存在以下严重失信行为：{facts}。",
                finding="失信事实清楚，证据确凿，失信程度需对外曝光。", actor=reviewer)
            return
        raise Skipped(f"{key}：没有合适的待复核企业")

    def _evidence_records(self, recheck) -> list:
        from qcredit.archive.models import Record

        keys = [k for c in recheck.adverse for k in c.get("evidence", ())]
        return list(Record.objects.filter(pk__in=keys, superseded_at__isnull=True, withdrawn=False).order_by("pk"))

    def _ensure_open_recheck(self):
        from qcredit.lists.models import Recheck
        from qcredit.lists.services import recheck_open

        if Recheck.objects.filter(state=Recheck.State.OPEN).exists():
            return
        uscc = self._counterfeit("待复核", timezone.localdate())
        recheck_open(enterprise=self.enterprise(uscc), today=timezone.localdate())

    # --- objections and statements (SPEC §5.4) ---------------------------------------------------

    def _objections_and_statements(self) -> None:
        d = self.days
        plans = [  # (key, target, lodged, assigned, answered, well-founded)
            ("O1", "R2-P2b", 25, 20, 12, True),  # answered within the 15 working days (I-9)
            ("O2", "B1", 30, 25, 20, False),
            ("O3", "A1", 14, 12, None, None),
            ("O4", "J1-J1a", 1, None, None, None),
        ]
        for key, target, lodged, assigned, answered, upheld in plans:
            self.on(d.back(lodged), "14:00", f"{key} 异议", self.step(f"{key} 异议", lambda k=key, t=target: (
                self._lodge(k, t))))
            if assigned:
                self.on(d.back(assigned), "09:30", f"{key} 分办", self.step(f"{key} 分办", lambda k=key: self._assign(k)))
            if answered:
                self.on(d.back(answered), "16:00", f"{key} 答复", self.step(f"{key} 答复", lambda k=key, u=upheld: (
                    self._answer(k, u))))
        # The removal item of the upheld objection goes on the next regular meeting's agenda.
        self.on(d.back(2), "10:30", "O1 删除事项列入议程", self.step("O1 删除事项列入议程", lambda: self._agenda(
            "removal:O1", "R4", "sheng", "removal:O1")))
        self.on(d.mid(8), "15:00", "S1 企业声明", self.step("S1 企业声明", lambda: self._statement(
            "S1", "R2-P2c", "本企业将始终坚持质量第一、诚信经营，欢迎社会各界监督。")))
        self.on(d.months_back(7), "10:00", "S1 审核", self.step("S1 审核", lambda: self._moderate("S1")))
        self.on(d.back(2), "15:00", "S2 企业声明", self.step("S2 企业声明", lambda: self._statement(
            "S2", "A3", "本企业连续多年产品质量监督抽查合格，将持续完善质量管理体系。")))

    def _target(self, key: str) -> tuple[str, int, str]:
        """(target kind, id, owner jurisdiction) of the public entry a story key names."""
        from qcredit.lists.models import AApplication, Recheck
        from qcredit.lists.targets import resolve_target, target_of

        made = self.need(key)
        made.refresh_from_db()
        related = "published" if isinstance(made, AApplication) else (
            "blacklist_entry" if isinstance(made, Recheck) else "entry")
        entry = getattr(made, related, None)
        if entry is None:
            raise Skipped(f"{key}：没有公开条目")
        kind, target_id = target_of(entry)
        target = resolve_target(kind, target_id)
        if not target.public:
            raise Skipped(f"{key}：条目已不公开")
        return kind, target_id, target.owner_jurisdiction

    def _lodge(self, key: str, target_key: str):
        from qcredit.lists.services import objection_lodge

        kind, target_id, owner = self._target(target_key)
        texts = {
            "O1": ("王某", "0531-8690 0001", "据本人了解，该企业今年曾因产品质量问题被消费者投诉并经有关部门查实，不应继续列入红名单。"),
            "O2": ("某某律师事务所", "0531-8690 0002", "受企业委托提出异议：黑名单所列失信事实发生后企业已整改，请求重新核查。"),
            "O3": ("李某", "139 0000 0003", "本人购买的该企业产品存在质量问题，对其A级公示有异议，请核查。"),
            "O4": ("张某", "138 0000 0004", "该企业近期有产品召回信息，请核实其是否仍符合红名单条件。"),
        }
        name, contact, reasons = texts[key]
        self.made[key] = objection_lodge(target_kind=kind, target_id=target_id, name=name, contact=contact,
                                         reasons=reasons, actor=None)
        self.made[f"owner:{key}"] = owner

    def _office_of(self, jurisdiction: str):
        return self.person(BUREAU_LEVEL[jurisdiction], "office")

    def _assign(self, key: str):
        from qcredit.lists.services import objection_assign

        objection = self.need(key)
        objection.refresh_from_db()
        office = self._office_of(objection.owner_jurisdiction)
        self.made[key] = objection_assign(objection=objection, assignee=office, actor=office)

    def _answer(self, key: str, well_founded: bool):
        from qcredit.lists.services import objection_answer
        from qcredit.redlist.models import RemovalItem

        objection = self.need(key)
        objection.refresh_from_db()
        answer = ("经调查核实，异议人反映的该企业质量投诉经查属实，异议成立；已提请领导小组会议研究是否删除（SRL 第十四条(一)）。"
                  if well_founded else
                  "经调查核实，列入黑名单的失信事实有生效的处理决定为据，认定程序合法，异议不成立；企业整改后可依程序申请信用修复。")
        self.made[key] = objection = objection_answer(objection=objection, well_founded=well_founded, answer=answer,
                                                      actor=self._office_of(objection.owner_jurisdiction))
        done = (objection.route or {}).get("done") or {}
        if done.get("removal_item"):  # a red-list entry: its meeting decides (SRL 第十四条(一))
            self.made[f"removal:{key}"] = RemovalItem.objects.get(pk=done["removal_item"])

    def _statement(self, key: str, target_key: str, text: str):
        from qcredit.lists.services import statement_submit

        kind, target_id, _owner = self._target(target_key)
        made = self.need(target_key)
        enterprise = made.enterprise
        self.made[key] = statement_submit(target_kind=kind, target_id=target_id, text=text,
                                          actor=self.enterprise_login(enterprise))

    def _moderate(self, key: str):
        from qcredit.lists.services import statement_moderate

        statement = self.need(key)
        statement.refresh_from_db()
        self.made[key] = statement_moderate(statement=statement, approved=True,
                                            actor=self._office_of(statement.owner_jurisdiction))

    # --- rule sets (SPEC §6) -------------------------------------------------------------------------

    def _ruleset(self) -> None:
        d = self.days
        year = self.today.year + 1
        version = f"SD-{year}.1"

        def create():
            from qcredit.rulesets.services import ruleset_version_create

            self.made["ruleset"] = ruleset_version_create(
                actor=self.person("sheng", "admin"), version=version, effective_from=date(year, 1, 1),
                overrides={"redlist_clean_years": {"value": 5, "article": "SRL 第九条(二)（修订征求意见稿：“之前连续五年”）"}},
                title="红名单无不良记录年限调整（征求意见稿）",
                note="演示：拟将 SRL 第九条(二)的无不良记录年限由三年调整为五年，启用前先预览对红名单的影响。",
                reason="红名单管理办法修订征求意见，测算调整无不良记录年限的影响")

        def preview():
            from qcredit.rulesets.services import ruleset_version_preview_record

            ruleset_version_preview_record(actor=self.person("sheng", "admin"), version=self.need("ruleset"))

        self.on(d.back(8), "10:30", "规则版本草稿", self.step("规则版本草稿", create))
        self.on(d.back(5), "10:00", "规则版本预览", self.step("规则版本预览", preview))

    # --- the replay ----------------------------------------------------------------------------------

    def replay(self) -> None:
        """Every stop day in order: the records that arrived since the last stop (01:00, the
        nightly data exchange), the daily job (01:30: full regrade as of the day and every
        expiry, deadline and reconcile step), then the day's steps. Then today the same, at the
        real present at the latest."""
        from qcredit.jobs.services import run_daily

        by_day: dict[date, list[Step]] = {day: [] for day in self.stop_days()}
        for s in sorted(self.steps):
            by_day[s.moment.date()].append(s)
        self._records = sorted(self.bundle.records, key=lambda r: r["date"])
        self._record_cursor = 0
        self._imported: set[str] = set()
        for day in sorted(by_day):
            with demo_clock(at(day, "01:00")):
                self._import(before=day)
            with demo_clock(at(day, "01:30")):
                run_daily(today=day)
            for s in by_day[day]:
                with demo_clock(s.moment):
                    s.run()
        now = timezone.now()
        with demo_clock(min(at(self.today, "01:00"), now)):
            self._import(before=self.today + timedelta(days=1))
        with demo_clock(min(at(self.today, "01:30"), now)):
            run_daily(today=self.today)

    def _import(self, *, before: date) -> None:
        """The archive's records dated before ``before`` that have not arrived yet, and the
        enterprises established by then, in one import. The daily job that follows at once
        grades them with everything else (one set-based regrade, SPEC §4.3)."""
        from qcredit.archive.bundle import ValidBundle
        from qcredit.archive.imports import import_bundle

        limit = before.isoformat()
        first = self._record_cursor
        last = first
        while last < len(self._records) and self._records[last]["date"] < limit:
            last += 1
        records = self._records[first:last]
        needed = {r["uscc"] for r in records}
        enterprises = [e for e in self.bundle.enterprises if e["uscc"] not in self._imported
                       and (e["established_on"] < limit or e["uscc"] in needed)]
        if not records and not enterprises:
            return
        import_bundle(ValidBundle(enterprises=enterprises, records=records), via="demo", regrade=False)
        self._imported.update(e["uscc"] for e in enterprises)
        self._record_cursor = last


def workflows_seeded() -> bool:
    """Whether the demo workflows are in the database already (the provincial red list exists)."""
    from qcredit.redlist.models import RedList

    return RedList.objects.filter(owner__code=PROVINCE_LIST[0]).exists()


@dataclass
class DemoBuild:
    accounts: list[tuple[str, str, str]]
    enterprise_logins: list[str]
    notes: list[str]  # steps the archive or the calendar did not allow
    logs: dict[str, int]  # the system's warnings and errors during the replay, with their counts
    start: date
    seconds: float
    assumed_years: set[int]


def build_demo(*, enterprises: int, today: date, seed: int | None = None,
               out: Callable[[str], None] = print) -> DemoBuild:
    """An empty database becomes the demo: the generated archive arriving over the replayed
    months, the demo accounts, and every workflow in a realistic state (see the module doc)."""
    from qcredit.archive.bundle import validate_bundle
    from qcredit.archive.demo import DEFAULT_SEED, generate_bundle

    if today > timezone.localdate():
        raise ValueError(f"the demo replays the past: {today} is after today")
    started = time.perf_counter()
    bundle = validate_bundle(generate_bundle(enterprises=enterprises, as_of=today,
                                             seed=DEFAULT_SEED if seed is None else seed))
    story = Story(bundle=bundle, today=today)
    out(f"生成 {enterprises} 家山东省企业的演示质量档案，并回放 {story.start.isoformat()} 至 {today.isoformat()} "
        "的日常办理（档案按日期陆续导入，每日任务按日运行，各项流程由演示账号经服务办理）……")
    story.build()
    with collected_logs() as logs:
        story.replay()
    return DemoBuild(accounts=story.accounts, enterprise_logins=story.enterprise_logins,
                     notes=list(dict.fromkeys(story.notes)), logs=logs.messages,
                     start=story.start, seconds=time.perf_counter() - started, assumed_years=story.days.assumed_years)


# --- what is there --------------------------------------------------------------------------------------


def workflow_summary() -> list[str]:
    """A short Chinese account of the workflow states in the database (printed by the demo)."""
    from django.db.models import Count

    from qcredit.lists.models import AApplication, BlacklistEntry, Objection, PublishedA, Recheck, Statement
    from qcredit.redlist.models import AgendaItem, Entry, Meeting, Nomination, RedList, RevocationReview
    from qcredit.rulesets.models import RuleSetVersion

    def counts(queryset, labels) -> str:
        found = dict(queryset.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        return "，".join(f"{label} {found[state]}" for state, label in labels if found.get(state))

    today = timezone.localdate()
    lines = []
    for redlist in RedList.objects.select_related("owner").order_by("owner__jurisdiction"):
        entries = counts(Entry.objects.filter(redlist=redlist), [
            (Entry.State.PUBLISHED, "公开"), (Entry.State.EXPIRED, "期满转入备查库"), (Entry.State.REVOKED, "撤销"),
            (Entry.State.REMOVED, "删除")])
        nominations = counts(Nomination.objects.filter(redlist=redlist), [
            (Nomination.State.DRAFT, "草稿"), (Nomination.State.SUBMITTED, "待合法性审查"),
            (Nomination.State.REJECTED, "审查未通过退回"), (Nomination.State.AWAITING_MEETING, "待会议研究"),
            (Nomination.State.DECLINED, "会议未通过")])
        upcoming = Meeting.objects.filter(redlist=redlist, date__gte=today).order_by("date").first()
        pending = AgendaItem.objects.filter(meeting=upcoming, state=AgendaItem.State.PENDING).count() if upcoming else 0
        nxt = (f"；下次{upcoming.get_kind_display()} {upcoming.date.isoformat()}（议题 {pending} 项）"
               if upcoming else "")
        lines.append(f"红名单（{redlist.name}）：{entries or '暂无条目'}；提报 {nominations or '无'}{nxt}")
    reviews = RevocationReview.objects.filter(state=RevocationReview.State.OPEN)
    if reviews.exists() or RevocationReview.objects.exists():
        lines.append(f"撤销审查：待提出建议 {reviews.count()}（逾期 {reviews.filter(overdue_flagged_at__isnull=False).count()}），"
                     f"已办结 {RevocationReview.objects.exclude(state__in=RevocationReview.OPEN_STATES).count()}")
    lines.append("A级公示：" + "，".join(x for x in (
        counts(PublishedA.objects.all(), [(PublishedA.State.PUBLISHED, "公示中"), (PublishedA.State.EXPIRED, "有效期届满"),
                                           (PublishedA.State.WITHDRAWN, "已撤下")]),
        counts(AApplication.objects.all(), [(AApplication.State.AWAITING_INSPECTION, "待检验意见"),
                                             (AApplication.State.AWAITING_EVALUATION, "待省级评价"),
                                             (AApplication.State.REJECTED, "评价未通过")])) if x))
    lines.append("D级复核与黑名单：" + "，".join(x for x in (
        counts(BlacklistEntry.objects.all(), [(BlacklistEntry.State.EXPOSED, "黑名单公开"),
                                               (BlacklistEntry.State.ENDED, "已移出"),
                                               (BlacklistEntry.State.WITHDRAWN, "异议撤下")]),
        counts(Recheck.objects.all(), [(Recheck.State.OPEN, "待复核"), (Recheck.State.NOT_CONFIRMED, "未确认"),
                                        (Recheck.State.LAPSED, "等级变化终止")])) if x))
    objections = Objection.objects.all()
    lines.append("异议：" + "，".join(x for x in (
        f"共 {objections.count()} 件",
        counts(objections.filter(state=Objection.State.ANSWERED), [(Objection.State.ANSWERED, "已答复")]),
        counts(objections.exclude(state=Objection.State.ANSWERED), [(Objection.State.RECEIVED, "待分办"),
                                                                      (Objection.State.INVESTIGATING, "调查核实中")]),
    ) if x) + "；企业声明：" + (counts(Statement.objects.all(), [(Statement.State.APPROVED, "已公开"),
                                                              (Statement.State.PENDING, "待审核")]) or "无"))
    for version in RuleSetVersion.objects.exclude(state="active").order_by("version"):
        lines.append(f"规则版本：{version.version}（{version.get_state_display()}，未启用）")
    return lines + supervision_summary()
