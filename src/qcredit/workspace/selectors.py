"""Reads for the staff pages (HackSoft selectors): a bounded number of queries per page.

Everything here is limited to the reader's jurisdictions (SPEC §1: a staff member sees internal
data only for enterprises whose region one of their units covers). Aggregates are one
``GROUP BY`` query each over the whole jurisdiction, never a loop over enterprises.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils.timezone import localdate

from qcredit.archive.models import Enterprise, Record
from qcredit.grading.models import GradeChange, GradeState
from qcredit.grading.selectors import confirmed_as_of
from qcredit.grading.services import available_rulesets, parse_evidence
from qcredit.lists.models import AApplication, BlacklistEntry, Objection, PublishedA, Recheck
from qcredit.redlist.models import Entry, Nomination, RemovalItem, RevocationReview
from qcredit.rules.codes import (
    MANUFACTURING_DIVISIONS,
    NO_INDUSTRY,
    SECTIONS,
    industry_name,
    region_name,
    short_region_name,
)
from qcredit.rules.dates import add_months
from qcredit.rules.evaluate import Evaluation, evaluation_from_snapshot
from qcredit.rules.interpretations import INTERPRETATIONS
from qcredit.rules.kinds import KINDS, display_value
from qcredit.rules.qco import GRADE_DISPLAY
from qcredit.rules.uscc import USCCError, normalize_uscc

GRADE_LABELS = GRADE_DISPLAY
UNGRADED = ""  # an enterprise the grading has not reached yet (no GradeState)
UNGRADED_LABEL = "尚未评定"
TIER_LABELS = {"A": "守信（A级）标准 — QCO 三(一)", "B": "基本守信（B级）标准 — QCO 三(二)",
               "C": "失信（C级）情形 — QCO 三(三)", "D": "严重失信（D级）情形 — QCO 三(四)",
               "SRL-8": "红名单列入条件 — SRL 第八条", "SRL-9": "红名单基本要求 — SRL 第九条"}
# A > B > C > D; N (未定级) is not on the scale (SPEC §4).
GRADE_RANK = {"A": 4, "B": 3, "C": 2, "D": 1}
GRADE_ORDER = [*GRADE_LABELS, UNGRADED]


def jurisdiction_q(jurisdictions: list[str], field: str = "region") -> Q:
    """Rows whose ``field`` (a region code) one of ``jurisdictions`` covers; none if empty."""
    cover = Q(pk__in=[])
    for prefix in jurisdictions:
        cover |= Q(**{f"{field}__startswith": prefix})
    return cover


def in_jurisdictions(enterprises: QuerySet[Enterprise], jurisdictions: list[str]) -> QuerySet[Enterprise]:
    """Only the enterprises whose region one of ``jurisdictions`` covers (SPEC §1)."""
    if not jurisdictions:
        return enterprises.none()
    return enterprises.filter(jurisdiction_q(jurisdictions))


# --- grade distribution (SPEC §9 reports: by region, industry and time) -----------------------------


@dataclass
class DistributionRow:
    code: str
    label: str
    counts: dict[str, int]  # grade ("A" … "N", "" not graded yet) → enterprises

    @property
    def cells(self) -> list[int]:
        """The counts in the order A, B, C, D, N, not graded yet."""
        return [self.counts.get(g, 0) for g in GRADE_ORDER]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Distribution:
    rows: list[DistributionRow]

    @property
    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(GRADE_ORDER, 0)
        for row in self.rows:
            for grade, n in row.counts.items():
                totals[grade] += n
        return totals

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def area_length(jurisdictions: list[str]) -> int:
    """The level one below the widest jurisdiction: cities (4 digits) for provincial staff,
    counties (6 digits) for a city's or a county's."""
    widest = min((len(j) for j in jurisdictions), default=6)
    return 4 if widest <= 2 else 6


def _by_grade() -> dict[str, int]:
    return dict.fromkeys(GRADE_ORDER, 0)


@dataclass
class GradeDistributions:
    area: Distribution  # cities (provincial staff) or counties (city and county staff)
    sections: Distribution  # GB/T 4754 门类
    manufacturing: Distribution  # 制造业 大类 (C13–C43)


def grade_distributions(*, jurisdictions: list[str]) -> GradeDistributions:
    """Enterprises per grade in each area of the jurisdictions (a city for provincial staff, a
    county for a city's or a county's), in each GB/T 4754 section, and in each division of
    manufacturing (section C, where most supervised enterprises are) — all from one GROUP BY
    query over (area, first three characters of the industry code, grade)."""
    length = area_length(jurisdictions)
    rows = (in_jurisdictions(Enterprise.objects.all(), jurisdictions)
            .annotate(area=Substr("region", 1, length), industry3=Substr("industry", 1, 3))
            .values("area", "industry3", "grade_state__grade")
            .annotate(n=Count("id")).order_by())  # no default ordering: it would join the GROUP BY
    areas: dict[str, dict[str, int]] = defaultdict(_by_grade)
    sections: dict[str, dict[str, int]] = defaultdict(_by_grade)
    divisions: dict[str, dict[str, int]] = defaultdict(_by_grade)
    for row in rows:
        grade, n, industry = row["grade_state__grade"] or UNGRADED, row["n"], row["industry3"] or ""
        areas[row["area"]][grade] += n
        sections[industry[:1]][grade] += n
        if industry[:1] == "C":
            divisions[industry if industry in MANUFACTURING_DIVISIONS else "C"][grade] += n
    section_rows = [DistributionRow(s, f"{s} {SECTIONS[s]}", sections[s]) for s in SECTIONS if s in sections]
    if "" in sections:
        section_rows.append(DistributionRow("", NO_INDUSTRY, sections[""]))
    section_rows += [DistributionRow(s, s, sections[s]) for s in sorted(sections) if s and s not in SECTIONS]
    division_rows = [DistributionRow(code, f"{code[1:]} {industry_name(code)}" if code != "C" else "C 其他/未细分",
                                     divisions[code]) for code in sorted(divisions)]
    return GradeDistributions(
        Distribution([DistributionRow(code, short_region_name(code), areas[code]) for code in sorted(areas)]),
        Distribution(section_rows), Distribution(division_rows))


@dataclass
class Movements:
    """Grade changes per month (SPEC §4.3 grade history): upgrades, downgrades, first gradings
    and changes to or from N, with the from→to matrix over the period."""

    months: list[date]
    up: list[int]
    down: list[int]
    first: list[int]
    other: list[int]
    matrix: dict[tuple[str, str], int]

    @property
    def total(self) -> int:
        return sum(self.up) + sum(self.down) + sum(self.first) + sum(self.other)


def movement_direction(from_grade: str, to_grade: str) -> str:
    if not from_grade:
        return "first"
    if from_grade in GRADE_RANK and to_grade in GRADE_RANK:
        return "up" if GRADE_RANK[to_grade] > GRADE_RANK[from_grade] else "down"
    return "other"


def grade_movements(*, jurisdictions: list[str], today: date, months: int = 12) -> Movements:
    """Grade changes by the month of their evaluation date over the last ``months`` months
    (this one included): one GROUP BY query."""
    start = add_months(today.replace(day=1), -(months - 1))
    axis = [add_months(start, i) for i in range(months)]
    index = {m: i for i, m in enumerate(axis)}
    series = {k: [0] * months for k in ("up", "down", "first", "other")}
    matrix: dict[tuple[str, str], int] = defaultdict(int)
    # Grouped by the day (a few hundred distinct evaluation dates a year) and put into months
    # here: date_trunc over a timestamp cast of every row cost more than the grouping itself.
    rows = (GradeChange.objects.filter(jurisdiction_q(jurisdictions, "enterprise__region"), as_of__gte=start,
                                       as_of__lte=today)
            .values("as_of", "from_grade", "to_grade").annotate(n=Count("id")).order_by())
    for row in rows:
        i = index.get(row["as_of"].replace(day=1))
        if i is None:
            continue
        series[movement_direction(row["from_grade"], row["to_grade"])][i] += row["n"]
        matrix[(row["from_grade"], row["to_grade"])] += row["n"]
    return Movements(axis, series["up"], series["down"], series["first"], series["other"], dict(matrix))


# --- search ----------------------------------------------------------------------------------------

SORTS = {"uscc": ("uscc",), "name": ("name", "uscc"), "region": ("region", "uscc"),
         "grade": ("grade_state__grade", "uscc"), "established": ("established_on", "uscc")}
SORT_LABELS = {"uscc": "统一社会信用代码", "name": "名称", "region": "行政区划", "grade": "等级", "established": "成立日期"}
LIST_STATUSES = {"redlist": "在红名单（公开中）", "published_a": "A级公示中", "blacklist": "在黑名单（曝光中）",
                 "none": "不在任何公开名单"}
# The beginning of a USCC (GB 32100-2015): registration authority, category, then the division
# code's digits. Such a query is a code prefix only (an index range); other letters and digits
# may be a code prefix or part of a name ("TCL", "3M").
_USCC_START = re.compile(r"^[1-9ANY][0-9A-HJ-NP-RTUW-Y]\d{2,6}[0-9A-HJ-NP-RTUW-Y]{0,10}$")
_ALNUM = re.compile(r"^[0-9A-Za-z]{2,18}$")


def _on_redlist(on: date):
    return Exists(Entry.objects.filter(enterprise=OuterRef("pk"), state=Entry.State.PUBLISHED,
                                       published_on__lte=on, valid_until__gte=on))


def _published_a(on: date):
    return Exists(PublishedA.objects.filter(enterprise=OuterRef("pk"), state=PublishedA.State.PUBLISHED,
                                            published_on__lte=on, valid_until__gte=on))


def _blacklisted():
    return Exists(BlacklistEntry.objects.filter(enterprise=OuterRef("pk"), state=BlacklistEntry.State.EXPOSED))


def enterprise_search(*, jurisdictions: list[str], query: str = "", region: str = "", industry: str = "",
                      grade: str = "", status: str = "", sort: str = "uscc", today: date | None = None
                      ) -> QuerySet[Enterprise]:
    """Enterprises of the jurisdictions by USCC (exact, any case; or its beginning) or a part
    of the name, filtered by region (a city or county code prefix), industry (a GB/T 4754
    section letter or code prefix), grade (``A`` … ``N``, or ``none`` for not graded yet) and
    list status (``redlist``, ``published_a``, ``blacklist``, ``none``), in the ``sort``
    order. Grades are internal: staff of the jurisdiction only (SPEC §7.1)."""
    from qcredit.grading.services import today as grading_today

    on = today or grading_today()
    enterprises = in_jurisdictions(Enterprise.objects.select_related("grade_state"), jurisdictions)
    order = list(SORTS.get(sort, SORTS["uscc"]))
    query = (query or "").strip()
    uscc = None
    if len(query) == 18:
        try:
            uscc = normalize_uscc(query)
        except USCCError:
            uscc = None
    if uscc:
        enterprises = enterprises.filter(uscc=uscc)
    elif _USCC_START.match(query.upper()):
        # The range lets the unique index both find and order the codes (LIKE 'x%' alone is
        # answered by the pattern index, then every row of the archive is walked in order).
        prefix = query.upper()
        enterprises = enterprises.filter(uscc__startswith=prefix, uscc__gte=prefix, uscc__lt=prefix + "Z")
    elif query:
        if _ALNUM.match(query):
            enterprises = enterprises.filter(Q(uscc__startswith=query.upper()) | Q(name__contains=query))
        else:
            enterprises = enterprises.filter(name__contains=query)
        # A name fragment (LIKE '%…%') matches few rows, but the planner cannot know how few:
        # ordering by an indexed column, it walks that index and filters — the whole archive
        # when nothing matches (0.2 s on 100,000 enterprises). Ordering by an expression of the
        # same value makes it scan once and sort the few matches (docs/web/workspace.md).
        order = [Concat(F(key), Value("")) if key in _TEXT_KEYS else key for key in order]
    return _filtered(enterprises, region, industry, grade, status, on).order_by(*order)


_TEXT_KEYS = {"uscc", "name", "region"}


def _filtered(enterprises: QuerySet[Enterprise], region: str, industry: str, grade: str, status: str,
              on: date) -> QuerySet[Enterprise]:
    if region and region.isdigit() and len(region) in (2, 4, 6):
        enterprises = enterprises.filter(region__startswith=region)
    if industry and re.fullmatch(r"[A-Ta-t]\d{0,4}", industry):
        enterprises = enterprises.filter(industry__startswith=industry.upper())
    if grade == "none":
        enterprises = enterprises.filter(grade_state__isnull=True)
    elif grade in GRADE_LABELS:
        enterprises = enterprises.filter(grade_state__grade=grade)
    if status == "redlist":
        enterprises = enterprises.filter(_on_redlist(on))
    elif status == "published_a":
        enterprises = enterprises.filter(_published_a(on))
    elif status == "blacklist":
        enterprises = enterprises.filter(_blacklisted())
    elif status == "none":
        enterprises = enterprises.exclude(_on_redlist(on)).exclude(_published_a(on)).exclude(_blacklisted())
    return enterprises


def list_status_of(*, enterprise_ids: list[int], today: date) -> dict[int, set[str]]:
    """Which public lists each of ``enterprise_ids`` is on now (for one page of results:
    three indexed queries, whatever the page size)."""
    status: dict[int, set[str]] = defaultdict(set)
    if not enterprise_ids:
        return status
    for pk in Entry.objects.filter(enterprise_id__in=enterprise_ids, state=Entry.State.PUBLISHED,
                                   published_on__lte=today, valid_until__gte=today).values_list("enterprise_id",
                                                                                                 flat=True):
        status[pk].add("redlist")
    for pk in PublishedA.objects.filter(enterprise_id__in=enterprise_ids, state=PublishedA.State.PUBLISHED,
                                        published_on__lte=today, valid_until__gte=today).values_list("enterprise_id",
                                                                                                      flat=True):
        status[pk].add("published_a")
    for pk in BlacklistEntry.objects.filter(enterprise_id__in=enterprise_ids,
                                            state=BlacklistEntry.State.EXPOSED).values_list("enterprise_id", flat=True):
        status[pk].add("blacklist")
    return status


@dataclass
class RegionOption:
    code: str
    label: str
    counties: list[tuple[str, str]] = field(default_factory=list)


def region_options(*, jurisdictions: list[str]) -> list[RegionOption]:
    """The cities and counties of the jurisdictions that have enterprises, for the search
    filter: one DISTINCT query, kept for ten minutes (a new district appears rarely)."""
    key = "workspace.regions." + ",".join(sorted(jurisdictions))
    regions = cache.get(key)
    if regions is None:
        regions = list(in_jurisdictions(Enterprise.objects.all(), jurisdictions).order_by("region")
                       .values_list("region", flat=True).distinct())
        cache.set(key, regions, 600)
    cities: dict[str, RegionOption] = {}
    for code in regions:
        option = cities.setdefault(code[:4], RegionOption(code[:4], region_name(code[:4])))
        option.counties.append((code, short_region_name(code)))
    return list(cities.values())


# --- the enterprise page -------------------------------------------------------------------------


@dataclass
class RecordView:
    record: Record
    fields: list[tuple[str, str]]
    corrected: bool = False


@dataclass
class Dossier:
    enterprise: Enterprise
    state: GradeState | None
    evaluation: Evaluation | None
    confirmed_as_of: date | None
    records_by_year: list[tuple[int, list[RecordView]]]
    history: list[RecordView]
    external_credit: list[RecordView]
    changes: list[GradeChange]
    current_keys: set[int] = field(default_factory=set)
    interpretations: dict = field(default_factory=lambda: INTERPRETATIONS)

    @property
    def has_honours(self) -> bool:
        return any(v.record.kind == "honour" for _, views in self.records_by_year for v in views)


def record_view(record: Record, corrected: bool = False) -> RecordView:
    kind = KINDS[record.kind]
    return RecordView(record, [(f.label, display_value(f, getattr(record, f.name))) for f in kind.fields], corrected)


def ruleset_by_version(version: str):
    for ruleset in available_rulesets():
        if ruleset.version == version:
            return ruleset
    return None


def enterprise_dossier(*, uscc: str) -> Dossier | None:
    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        return None
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None:
        return None
    state = GradeState.objects.select_related("evaluation").filter(enterprise=enterprise).first()
    evaluation = None
    if state is not None:
        ruleset = ruleset_by_version(state.evaluation.ruleset)
        if ruleset is not None:
            ev = state.evaluation
            evaluation = evaluation_from_snapshot(uscc=uscc, as_of=ev.as_of, ruleset=ruleset, grade=ev.grade,
                                                  holds_code=ev.holds, evidence=parse_evidence(ev.evidence))
    confirmed = confirmed_as_of(state)

    versions = list(Record.objects.filter(enterprise=enterprise).select_related("recorded_by").order_by(
        "-date", "source", "record_id", "-version"))
    corrected_keys = {(v.source, v.record_id) for v in versions if v.version > 1}
    current, history, external = [], [], []
    for v in versions:
        if v.superseded_at is None and not v.withdrawn:
            view = record_view(v, (v.source, v.record_id) in corrected_keys)
            (external if v.kind == "external_credit" else current).append(view)
        else:
            history.append(record_view(v))
    by_year: dict[int, list[RecordView]] = {}
    for view in current:
        by_year.setdefault(view.record.date.year, []).append(view)
    changes = list(GradeChange.objects.filter(enterprise=enterprise).order_by("-occurred_at", "-id")[:50])
    return Dossier(enterprise, state, evaluation, confirmed, sorted(by_year.items(), reverse=True), history,
                   external, changes, {v.record.pk for v in current})


@dataclass
class EnterpriseLists:
    """The enterprise on the lists (SPEC §5): public entries and the archive (备查), and the
    workflow items about it, for staff of its jurisdiction (SPEC §7.1)."""

    redlist_entries: list[Entry]
    nominations: list[Nomination]
    revocation_reviews: list[RevocationReview]
    removal_items: list[RemovalItem]
    a_applications: list[AApplication]
    published_a: list[PublishedA]
    rechecks: list[Recheck]
    blacklist: list[BlacklistEntry]
    objections: list[Objection]

    @property
    def public_now(self) -> list[str]:
        """The public lists it is on now (what the portal shows of it)."""
        labels = []
        if any(e.state == Entry.State.PUBLISHED for e in self.redlist_entries):
            labels.append("质量信用红名单")
        if any(p.state == PublishedA.State.PUBLISHED for p in self.published_a):
            labels.append("A级（守信）企业公示")
        if any(b.state == BlacklistEntry.State.EXPOSED for b in self.blacklist):
            labels.append("失信黑名单")
        return labels


def enterprise_lists(*, enterprise: Enterprise, jurisdictions: list[str]) -> EnterpriseLists:
    """Everything of the lists about one enterprise. Red-list workflow internals (nominations,
    revocation reviews, removal items) are shown only for lists whose jurisdiction the reader
    covers — the list's bureau and the levels above it, as the red list's own selectors decide
    (SPEC §7.1 "workflow internals: staff of the jurisdiction")."""
    own_lists = jurisdiction_q(jurisdictions, "redlist__owner__jurisdiction")
    entry_lists = jurisdiction_q(jurisdictions, "entry__redlist__owner__jurisdiction")
    return EnterpriseLists(
        redlist_entries=list(Entry.objects.filter(enterprise=enterprise).select_related("redlist", "nomination")
                             .order_by("-published_on", "-id")),
        nominations=list(Nomination.objects.filter(own_lists, enterprise=enterprise).select_related("redlist", "unit")
                         .order_by("-created_at", "-id")),
        revocation_reviews=list(RevocationReview.objects.filter(entry_lists, entry__enterprise=enterprise)
                                .select_related("entry__redlist", "unit").order_by("-created_at", "-id")),
        removal_items=list(RemovalItem.objects.filter(entry_lists, entry__enterprise=enterprise)
                           .select_related("entry__redlist").order_by("-opened_at", "-id")),
        a_applications=list(AApplication.objects.filter(enterprise=enterprise).order_by("-applied_at", "-id")),
        published_a=list(PublishedA.objects.filter(enterprise=enterprise).select_related("owner")
                         .order_by("-published_on", "-id")),
        rechecks=list(Recheck.objects.filter(enterprise=enterprise).order_by("-opened_on", "-id")),
        blacklist=list(BlacklistEntry.objects.filter(enterprise=enterprise).select_related("owner")
                       .order_by("-listed_on", "-id")),
        objections=list(Objection.objects.filter(enterprise=enterprise).order_by("-lodged_at", "-id")),
    )


# --- my tasks (the dashboard) ----------------------------------------------------------------------


@dataclass
class Task:
    """One item waiting for the reader, in one of their roles and units."""

    kind: str  # what is to be done (a TASK_LABELS key)
    role: str  # the role it waits for (accounts.Role value)
    unit: str  # the unit's name
    subject: str  # the enterprise (or meeting) it concerns
    uscc: str = ""
    due_on: date | None = None  # a deadline (SPEC §5), or the meeting date
    deadline: bool = False  # due_on is a deadline of the regulation (not just a date)
    overdue: bool = False
    detail: str = ""
    target: tuple[str, int] | None = None  # (object kind, pk) for a link to its workflow page
    workdays_left: int | None = None  # working days from today to due_on (negative: overdue)


TASK_LABELS = {
    "nomination_draft": "红名单提报草稿，待提报",
    "nomination_legal_review": "红名单提报，待合法性审查（SRL 第十条）",
    "nomination_to_agenda": "通过合法性审查，待列入会议议程（SRL 第六、七条）",
    "revocation_propose": "红名单主体出现失信情形，待提出是否撤销的建议（SRL 第十三条）",
    "revocation_overdue": "撤销建议逾期未提出，请督办（SRL 第十三条）",
    "revocation_to_agenda": "撤销建议已提出，待列入会议议程",
    "removal_to_agenda": "删除事项，待列入会议议程（SRL 第十四条）",
    "meeting_upcoming": "领导小组会议",
    "meeting_to_record": "会议已召开，待记录集体研究决定（SRL 第六条）",
    "a_inspection": "A级公示申请，待检验单位提出评价意见（QCO 三(五)）",
    "a_evaluation": "A级公示申请，待省级评价（QCO 三(五)）",
    "recheck": "计算为D级，待复核失信事实和程度（QCO 三(五)）",
    "objection_assign": "异议已受理，待分办",
    "objection_answer": "异议待答复",
    "objection_followup": "异议调查核实中",
    "statement_moderate": "企业声明，待审核",
    "holidays_missing": "下一年度法定节假日安排尚未导入",
}


def _memberships(user):
    from qcredit.accounts.models import Membership

    return list(Membership.objects.select_related("unit").filter(user=user, unit__active=True))


def _redlist_tasks(user, memberships, today: date) -> list[Task]:
    from qcredit.redlist.models import AgendaItem, Meeting

    tasks: list[Task] = []
    by_role: dict[str, list] = defaultdict(list)
    for m in memberships:
        by_role[m.role].append(m.unit)

    divisions = by_role.get("division", [])
    if divisions:
        for n in (Nomination.objects.filter(unit__in=divisions, state=Nomination.State.DRAFT)
                  .select_related("enterprise", "unit", "redlist")):
            tasks.append(Task("nomination_draft", "division", n.unit.name, n.enterprise.name, n.enterprise.uscc,
                              detail=str(n.redlist), target=("nomination", n.pk)))
        for r in (RevocationReview.objects.filter(unit__in=divisions, state=RevocationReview.State.OPEN)
                  .select_related("entry__redlist", "unit")):
            tasks.append(Task("revocation_propose", "division", r.unit.name, r.entry.name, r.entry.uscc,
                              due_on=r.due_on, deadline=True, overdue=r.due_on < today,
                              detail=str(r.entry.redlist), target=("revocation_review", r.pk)))

    legal = {u.jurisdiction: u for u in by_role.get("legal", [])}
    if legal:
        for n in (Nomination.objects.filter(redlist__owner__jurisdiction__in=legal, state=Nomination.State.SUBMITTED)
                  .select_related("enterprise", "redlist__owner")):
            tasks.append(Task("nomination_legal_review", "legal", legal[n.redlist.jurisdiction].name, n.enterprise.name,
                              n.enterprise.uscc, detail=f"{n.redlist}，{localdate(n.submitted_at):%Y-%m-%d} 提报"
                              if n.submitted_at else str(n.redlist), target=("nomination", n.pk)))

    office = {u.jurisdiction: u for u in by_role.get("office", [])}
    if office:
        pending = AgendaItem.objects.filter(state=AgendaItem.State.PENDING)
        for n in (Nomination.objects.filter(redlist__owner__jurisdiction__in=office,
                                            state=Nomination.State.AWAITING_MEETING)
                  .exclude(Exists(pending.filter(nomination=OuterRef("pk"))))
                  .select_related("enterprise", "redlist__owner")):
            tasks.append(Task("nomination_to_agenda", "office", office[n.redlist.jurisdiction].name, n.enterprise.name,
                              n.enterprise.uscc, detail=str(n.redlist), target=("nomination", n.pk)))
        for r in (RevocationReview.objects.filter(entry__redlist__owner__jurisdiction__in=office,
                                                  state__in=RevocationReview.OPEN_STATES)
                  .exclude(Exists(pending.filter(revocation_review=OuterRef("pk"))))
                  .select_related("entry__redlist__owner", "unit")):
            unit = office[r.entry.redlist.jurisdiction].name
            if r.state == RevocationReview.State.PROPOSED:
                tasks.append(Task("revocation_to_agenda", "office", unit, r.entry.name, r.entry.uscc,
                                  detail=f"{r.unit}建议{'撤销' if r.revoke_proposed else '保留'}",
                                  target=("revocation_review", r.pk)))
            elif r.due_on < today:
                tasks.append(Task("revocation_overdue", "office", unit, r.entry.name, r.entry.uscc, due_on=r.due_on,
                                  deadline=True, overdue=True, detail=f"提报单位：{r.unit}",
                                  target=("revocation_review", r.pk)))
        for item in (RemovalItem.objects.filter(entry__redlist__owner__jurisdiction__in=office,
                                                state=RemovalItem.State.OPEN)
                     .exclude(Exists(pending.filter(removal_item=OuterRef("pk"))))
                     .select_related("entry__redlist__owner")):
            tasks.append(Task("removal_to_agenda", "office", office[item.entry.redlist.jurisdiction].name,
                              item.entry.name, item.entry.uscc, detail=item.get_route_display(),
                              target=("redlist_entry", item.entry_id)))

    meeting_units = {**{j: ("leader", u) for j, u in ((u.jurisdiction, u) for u in by_role.get("leader", []))},
                     **{j: ("office", u) for j, u in office.items()}}
    if meeting_units:
        meetings = (Meeting.objects.filter(redlist__owner__jurisdiction__in=meeting_units)
                    .filter(Q(date__gte=today) | Q(date__lt=today, items__state=AgendaItem.State.PENDING))
                    .annotate(pending=Count("items", filter=Q(items__state=AgendaItem.State.PENDING)))
                    .select_related("redlist__owner").distinct().order_by("date", "id"))
        for meeting in meetings:
            role, unit = meeting_units[meeting.redlist.jurisdiction]
            past = meeting.date < today
            if past and role != "office":
                continue
            tasks.append(Task("meeting_to_record" if past else "meeting_upcoming", role, unit.name,
                              f"{meeting.redlist}{meeting.get_kind_display()}", due_on=meeting.date,
                              detail=f"{meeting.pending} 项议题待研究", target=("meeting", meeting.pk)))
    return tasks


def _lists_tasks(user, memberships, today: date) -> list[Task]:
    """Through the lists app's own queue selectors (they check the role and log the read of
    internal data, SPEC §7.3)."""
    from qcredit.accounts.services import AccessDenied
    from qcredit.lists import selectors as lists

    roles = {m.role for m in memberships}
    units = {}
    for m in memberships:
        units.setdefault(m.role, m.unit.name)
    tasks: list[Task] = []
    if roles & {"evaluator", "inspection"}:
        try:
            applications = lists.a_applications_to_handle(user=user)
        except AccessDenied:
            applications = []
        for a in applications:
            inspection = a.state == AApplication.State.AWAITING_INSPECTION
            role = "inspection" if inspection else "evaluator"
            tasks.append(Task("a_inspection" if inspection else "a_evaluation", role, units.get(role, ""),
                              a.enterprise.name, a.enterprise.uscc, detail=f"{a.applied_on:%Y-%m-%d} 申请",
                              target=("a_application", a.pk)))
    if "reviewer" in roles:
        for r in lists.rechecks_to_handle(user=user):
            tasks.append(Task("recheck", "reviewer", units["reviewer"], r.enterprise.name, r.enterprise.uscc,
                              detail=f"{r.opened_on:%Y-%m-%d} 发起（{r.get_cause_display()}）", target=("recheck", r.pk)))
    if "office" in roles:
        for o in lists.objections_to_handle(user=user, open_only=True):
            if o.state not in Objection.OPEN_STATES:
                continue
            if o.state == Objection.State.RECEIVED:
                kind = "objection_assign"
            elif o.assignee_id == user.pk:
                kind = "objection_answer"
            else:
                kind = "objection_followup"
            detail = f"受理编号 {o.receipt}，{o.get_target_kind_display()}"
            if o.assignee_id and o.assignee_id != user.pk:
                detail += f"，承办人 {o.assignee.get_full_name() or o.assignee.get_username()}"
            tasks.append(Task(kind, "office", units["office"], o.enterprise.name, o.enterprise.uscc, due_on=o.due_on,
                              deadline=True, overdue=o.due_on < today, detail=detail, target=("objection", o.pk)))
        for s in lists.statements_to_moderate(user=user):
            tasks.append(Task("statement_moderate", "office", units["office"], s.enterprise.name, s.enterprise.uscc,
                              detail=f"{s.get_target_kind_display()}，{localdate(s.submitted_at):%Y-%m-%d} 提交",
                              target=("statement", s.pk)))
    return tasks


def _admin_tasks(memberships, today: date) -> list[Task]:
    """The State Council publishes next year's holidays each November (SPEC §5); deadlines
    that run into a year without its schedule cannot be computed (MissingHolidayYear)."""
    from qcredit.workdays.calendar import add_workdays
    from qcredit.workdays.errors import MissingHolidayYear
    from qcredit.workdays.models import HolidayYear

    admin = next((m.unit for m in memberships if m.role == "admin" and len(m.unit.jurisdiction) == 2), None)
    if admin is None or today.month < 11 or HolidayYear.objects.filter(year=today.year + 1).exists():
        return []
    from qcredit.grading.services import ruleset_on

    longest = max(v for k, v in ruleset_on(today).parameter_values(today).items()
                  if k in ("objection_answer_deadline", "redlist_revocation_deadline"))
    try:
        add_workdays(today, longest)
        blocked = False
    except MissingHolidayYear:
        blocked = True
    return [Task("holidays_missing", "admin", admin.name, f"{today.year + 1} 年", overdue=blocked,
                 detail=("已有期限无法计算（如异议答复期限），请尽快导入" if blocked
                         else "国务院办公厅每年11月前后发布下一年度安排"), target=("holidays", today.year + 1))]


def my_tasks(*, user, today: date) -> list[Task]:
    """Items waiting for ``user`` in each role they hold, within their units' jurisdictions,
    across the workflows (SPEC §5): overdue first, then by due date."""
    from qcredit.workdays.calendar import workdays_between
    from qcredit.workdays.errors import WorkdayError

    memberships = _memberships(user)
    tasks = (_redlist_tasks(user, memberships, today) + _lists_tasks(user, memberships, today)
             + _admin_tasks(memberships, today))
    for task in tasks:
        if task.deadline and task.due_on is not None:
            try:
                task.workdays_left = workdays_between(today, task.due_on)
            except WorkdayError:
                task.workdays_left = None
    tasks.sort(key=lambda t: (not t.overdue, t.due_on is None, t.due_on or date.max, t.kind, t.subject))
    return tasks
