"""Reports (SPEC §9 last bullet, issue 5 item 6): grade distribution and movements by region,
industry and period; red/black-list statistics; overdue deadlines by unit.

Every figure is read by one ``GROUP BY`` query per table over the whole scope (never a loop
over enterprises); what Python does afterwards is to fold the grouped rows (days into months,
three-character industry codes into sections). Each function returns :class:`Table` values —
a title, columns and rows — which the pages draw as charts and tables and which download as
CSV and XLSX unchanged (``reports.views.download``, ``qcredit reports``).

A :class:`Scope` limits everything to jurisdictions (SPEC §1: staff see internal data only for
enterprises of their units' regions) and optionally to one region and one industry inside them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Substr

from qcredit.accounts.models import Unit
from qcredit.archive.models import Enterprise
from qcredit.grading.models import GradeChange, GradeState
from qcredit.lists.models import BlacklistEntry, Objection, PublishedA, Recheck
from qcredit.redlist.models import Entry, RevocationReview
from qcredit.rules.codes import MANUFACTURING_DIVISIONS, NO_INDUSTRY, SECTIONS, industry_name, region_name
from qcredit.rules.dates import add_months
from qcredit.rules.qco import GRADE_DISPLAY

GRADES = ("A", "B", "C", "D", "N")
GRADE_LABELS = {**GRADE_DISPLAY, "N": "N 未定级", "": "尚未评定"}
GRADE_RANK = {"A": 4, "B": 3, "C": 2, "D": 1}  # N is not on the scale (SPEC §4)
MAX_MONTHS = 60
DUE_SOON_WORKDAYS = 5


# --- tables ------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A report table: the first column labels the rows, the others are figures."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    total: list | None = None  # the totals row, labelled in its first cell
    note: str = ""
    codes: list[str] = field(default_factory=list)  # the code of each row (region, industry …), for links

    def all_rows(self) -> list[list]:
        return self.rows + ([self.total] if self.total else [])

    def column(self, label: str) -> list:
        i = self.columns.index(label)
        return [row[i] for row in self.rows]


def _totals(label: str, rows: list[list], first_figure: int = 1) -> list:
    width = len(rows[0]) if rows else 0
    return [label, *([""] * (first_figure - 1)),
            *[sum(row[i] for row in rows if isinstance(row[i], int)) for i in range(first_figure, width)]]


# --- scope -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a report covers: the reader's jurisdictions (``()`` = everything, for the CLI), one
    region inside them (a 2-, 4- or 6-digit prefix) and one industry (GB/T 4754: a section
    letter such as ``C`` or a code prefix such as ``C34``)."""

    jurisdictions: tuple[str, ...]
    region: str = ""
    industry: str = ""

    @property
    def prefixes(self) -> tuple[str, ...]:
        return (self.region,) if self.region else self.jurisdictions

    def q(self, region_field: str = "region", industry_field: str | None = "industry") -> Q:
        cover = Q()
        if self.prefixes:
            cover = Q(pk__in=[])
            for prefix in self.prefixes:
                cover |= Q(**{f"{region_field}__startswith": prefix})
        if self.industry and industry_field:
            cover &= Q(**{f"{industry_field}__startswith": self.industry})
        return cover

    @property
    def area_length(self) -> int:
        """Cities (4 digits) under a province, counties (6) under a city or a county."""
        widest = min((len(p) for p in self.prefixes), default=2)
        return 4 if widest <= 2 else 6

    @property
    def area_level(self) -> str:
        return "市" if self.area_length == 4 else "县（市、区）"


def covers(jurisdictions: tuple[str, ...] | list[str], region: str) -> bool:
    return any(region.startswith(j) for j in jurisdictions)


# --- months ------------------------------------------------------------------------------------------


def month_axis(start: date, end: date) -> list[date]:
    """The first days of the months from ``start``'s to ``end``'s, both included."""
    first, last = start.replace(day=1), end.replace(day=1)
    months = []
    while first <= last and len(months) < MAX_MONTHS:
        months.append(first)
        first = add_months(first, 1)
    return months


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def _month_label(month: date) -> str:
    return f"{month.year}-{month.month:02d}"


# --- grade distribution (SPEC §9: by region and industry) --------------------------------------------


def _grade_columns() -> list[str]:
    return [GRADE_LABELS[g] for g in (*GRADES, "")]


def _counts_row(counts: dict[str, int]) -> list[int]:
    cells = [counts.get(g, 0) for g in (*GRADES, "")]
    return [*cells, sum(cells)]


def grades_by_area(scope: Scope) -> Table:
    """Enterprises per grade in each city (provincial scope) or county (city or county scope),
    now: one GROUP BY over (area, grade)."""
    length = scope.area_length
    grouped = (Enterprise.objects.filter(scope.q()).annotate(area=Substr("region", 1, length))
               .values("area", "grade_state__grade").annotate(n=Count("id")).order_by())
    areas: dict[str, dict[str, int]] = defaultdict(dict)
    for row in grouped:
        grade = row["grade_state__grade"] or ""
        areas[row["area"]][grade] = areas[row["area"]].get(grade, 0) + row["n"]
    codes = sorted(areas)
    rows = [[region_name(code), *_counts_row(areas[code])] for code in codes]
    return Table("grades-area", f"等级分布（按{scope.area_level}）", [scope.area_level, *_grade_columns(), "合计"], rows,
                 _totals("合计", rows) if rows else None, codes=codes,
                 note="当前等级（每家企业最新一次评定的结果）；“尚未评定”为已建档、评定尚未覆盖的企业。")


def grades_by_industry(scope: Scope) -> tuple[Table, Table]:
    """Enterprises per grade in each GB/T 4754 section and in each division of manufacturing
    (section C): one GROUP BY over (first three characters of the industry code, grade)."""
    grouped = (Enterprise.objects.filter(scope.q()).annotate(industry3=Substr("industry", 1, 3))
               .values("industry3", "grade_state__grade").annotate(n=Count("id")).order_by())
    sections: dict[str, dict[str, int]] = defaultdict(dict)
    divisions: dict[str, dict[str, int]] = defaultdict(dict)
    for row in grouped:
        grade, code = row["grade_state__grade"] or "", row["industry3"] or ""
        section = code[:1]
        sections[section][grade] = sections[section].get(grade, 0) + row["n"]
        if section == "C":
            division = code if code in MANUFACTURING_DIVISIONS else "C"
            divisions[division][grade] = divisions[division].get(grade, 0) + row["n"]
    section_codes = [s for s in SECTIONS if s in sections] + sorted(s for s in sections if s and s not in SECTIONS)
    if "" in sections:
        section_codes.append("")
    section_rows = [[f"{s} {SECTIONS[s]}" if s in SECTIONS else (s or NO_INDUSTRY), *_counts_row(sections[s])]
                    for s in section_codes]
    division_codes = sorted(divisions)
    division_rows = [[f"{c} {industry_name(c)}" if c != "C" else "C 未细分到大类", *_counts_row(divisions[c])]
                     for c in division_codes]
    return (
        Table("grades-industry", "等级分布（按行业门类，GB/T 4754）", ["行业门类", *_grade_columns(), "合计"],
              section_rows, _totals("合计", section_rows) if section_rows else None, codes=section_codes),
        Table("grades-manufacturing", "制造业各大类的等级分布", ["制造业大类", *_grade_columns(), "合计"],
              division_rows, _totals("合计", division_rows) if division_rows else None, codes=division_codes),
    )


# --- grade movements over time (SPEC §4.3 grade history; §9 "movements … by time") ------------------


@dataclass
class Movements:
    months: list[date]
    into: dict[str, list[int]]  # grade → per month, changes to that grade (first gradings included)
    out: dict[str, list[int]]  # grade → per month, changes from that grade
    first: list[int]  # first gradings per month
    up: list[int]
    down: list[int]
    stock: dict[str, list[int]]  # grade → enterprises with that grade at each month's end (or today)
    opening: dict[str, int]  # grade → enterprises with that grade the day before the first month
    movements: Table
    month_ends: Table


def grade_movements(scope: Scope, *, start: date, end: date, today: date) -> Movements:
    """Grade changes (``grading.GradeChange``) by the month of their evaluation date, into and
    out of each grade, and the distribution at each month's end.

    Two GROUP BY queries: the changes since the first month by (day, from, to), and the
    current grades. The distribution at a month's end is the current one minus the changes
    after it: the grade history of every enterprise is one chain from "not graded" to its
    current grade, and the current grade only moves forward in time (grading/services.py)."""
    months = month_axis(start, min(end, today))
    if not months:
        months = [today.replace(day=1)]
    first_day = months[0]
    index = {m: i for i, m in enumerate(months)}
    n = len(months)
    into = {g: [0] * n for g in GRADES}
    out = {g: [0] * n for g in GRADES}
    first, up, down = [0] * n, [0] * n, [0] * n
    after: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # as_of → grade → net change
    grouped = (GradeChange.objects.filter(scope.q("enterprise__region", "enterprise__industry"), as_of__gte=first_day)
               .values("as_of", "from_grade", "to_grade").annotate(n=Count("id")).order_by())
    for row in grouped:
        day, source, target, count = row["as_of"], row["from_grade"], row["to_grade"], row["n"]
        after[day][target] += count
        if source:
            after[day][source] -= count
        i = index.get(day.replace(day=1))
        if i is None:  # after the period (its net change still counts for the month ends)
            continue
        if target in into:
            into[target][i] += count
        if source in out:
            out[source][i] += count
        if not source:
            first[i] += count
        elif source in GRADE_RANK and target in GRADE_RANK:
            (up if GRADE_RANK[target] > GRADE_RANK[source] else down)[i] += count

    current = dict(GradeState.objects.filter(scope.q("enterprise__region", "enterprise__industry"))
                   .values_list("grade").annotate(n=Count("enterprise")).order_by())
    ends = [min(month_end(m), today) for m in months]
    stock = {g: [] for g in GRADES}
    for moment in ends:
        later = defaultdict(int)
        for day, net in after.items():
            if day > moment:
                for grade, count in net.items():
                    later[grade] += count
        for g in GRADES:
            stock[g].append(current.get(g, 0) - later[g])
    opening_net = defaultdict(int)
    for net in after.values():
        for grade, count in net.items():
            opening_net[grade] += count
    opening = {g: current.get(g, 0) - opening_net[g] for g in GRADES}

    columns = ["月份", "首次评定"]
    for g in GRADES:
        columns += [f"{g} 转入", f"{g} 转出"]
    columns += ["升级", "降级", "变动合计"]
    rows = []
    for i, m in enumerate(months):
        cells = [first[i]]
        for g in GRADES:
            cells += [into[g][i], out[g][i]]
        rows.append([_month_label(m), *cells, up[i], down[i], sum(into[g][i] for g in GRADES)])
    movements_table = Table(
        "movements", "每月等级变动（转入、转出各等级）", columns, rows, _totals("合计", rows) if rows else None,
        note="按评价日所在月份统计（grading.GradeChange）；首次评定计入所评等级的“转入”；"
             "升级、降级按 A > B > C > D 计，转入或转出 N（未定级）不计升降。")
    end_rows = [[f"{_month_label(m)}{'（至今日）' if ends[i] == today and month_end(m) > today else ''}",
                 *[stock[g][i] for g in GRADES], sum(stock[g][i] for g in GRADES)] for i, m in enumerate(months)]
    month_end_table = Table(
        "month-ends", "月末等级分布", ["月末", *[GRADE_LABELS[g] for g in GRADES], "已评定合计"], end_rows,
        note=f"期初（{(first_day - timedelta(days=1)).isoformat()}）："
             + "，".join(f"{g} {opening[g]}" for g in GRADES)
             + "。由当前等级减去其后的等级变动推算；按企业当前所在行政区划和行业归属。")
    return Movements(months, into, out, first, up, down, stock, opening, movements_table, month_end_table)


# --- red / black list statistics ---------------------------------------------------------------------


@dataclass(frozen=True)
class ListSpec:
    key: str
    label: str
    model: type
    listed: str  # date field of the listing
    owner: str  # path to the owning unit
    exits: dict[str, str]  # state → label of an exit
    current: Q  # what is public now (the list apps' public predicate)


def list_specs(today: date) -> list[ListSpec]:
    return [
        ListSpec("redlist", "质量信用红名单", Entry, "published_on", "redlist__owner",
                 {Entry.State.REVOKED: "撤销", Entry.State.REMOVED: "删除", Entry.State.EXPIRED: "期满"},
                 Q(state=Entry.State.PUBLISHED, published_on__lte=today, valid_until__gte=today)),
        ListSpec("published_a", "A级（守信）企业公示", PublishedA, "published_on", "owner",
                 {PublishedA.State.WITHDRAWN: "撤下", PublishedA.State.EXPIRED: "期满"},
                 Q(state=PublishedA.State.PUBLISHED, published_on__lte=today, valid_until__gte=today)),
        ListSpec("blacklist", "失信黑名单", BlacklistEntry, "listed_on", "owner",
                 {BlacklistEntry.State.ENDED: "移出", BlacklistEntry.State.REPAIRED: "信用修复",
                  BlacklistEntry.State.WITHDRAWN: "异议撤下", BlacklistEntry.State.SUPERSEDED: "被新记录取代"},
                 Q(state=BlacklistEntry.State.EXPOSED)),
    ]


def bureau_names() -> dict[int, str]:
    """Unit id → the name of its bureau (the unit itself, or the nearest ancestor whose parent
    has another jurisdiction): 认定部门 of a list's entries. One query over the units."""
    units = {u.pk: u for u in Unit.objects.only("id", "name", "jurisdiction", "parent_id")}
    names = {}
    for pk, unit in units.items():
        bureau = unit
        while bureau.parent_id is not None and units[bureau.parent_id].jurisdiction == bureau.jurisdiction:
            bureau = units[bureau.parent_id]
        names[pk] = bureau.name
    return names


def bureaus_by_jurisdiction() -> dict[str, str]:
    """Jurisdiction → the name of the bureau of that jurisdiction (objections are owned by one)."""
    out: dict[str, str] = {}
    for jurisdiction, name in (Unit.objects.filter(Q(parent__isnull=True) | ~Q(parent__jurisdiction=F("jurisdiction")))
                               .order_by("id").values_list("jurisdiction", "name")):
        out.setdefault(jurisdiction, name)
    return out


@dataclass
class ListStatistics:
    months: list[date]
    listed: dict[str, list[int]]  # list key → listings per month
    exited: dict[str, list[int]]  # list key → exits per month (all kinds)
    current: dict[str, int]
    summary: Table
    monthly: list[Table]
    by_unit: Table


def list_statistics(scope: Scope, *, start: date, end: date, today: date) -> ListStatistics:
    """Per list: entries listed and leaving (by kind) per month of the period, the entries
    public now, and the same per owning bureau — three GROUP BY queries per list."""
    months = month_axis(start, min(end, today)) or [today.replace(day=1)]
    first_day, last_day = months[0], min(month_end(months[-1]), today)
    index = {m: i for i, m in enumerate(months)}
    names = bureau_names()
    summary_rows, monthly, unit_rows = [], [], []
    listed_series, exited_series, current_counts = {}, {}, {}
    for spec in list_specs(today):
        entries = spec.model.objects.filter(scope.q("region", "enterprise__industry"))
        listed = [0] * len(months)
        for row in (entries.filter(**{f"{spec.listed}__gte": first_day, f"{spec.listed}__lte": last_day})
                    .values(spec.listed).annotate(n=Count("id")).order_by()):
            listed[index[row[spec.listed].replace(day=1)]] += row["n"]
        exits = {state: [0] * len(months) for state in spec.exits}
        for row in (entries.filter(exited_on__gte=first_day, exited_on__lte=last_day, state__in=list(spec.exits))
                    .values("exited_on", "state").annotate(n=Count("id")).order_by()):
            exits[row["state"]][index[row["exited_on"].replace(day=1)]] += row["n"]
        per_unit = (entries.values(spec.owner).annotate(
            current=Count("id", filter=spec.current),
            listed=Count("id", filter=Q(**{f"{spec.listed}__gte": first_day, f"{spec.listed}__lte": last_day})),
            exited=Count("id", filter=Q(exited_on__gte=first_day, exited_on__lte=last_day,
                                        state__in=list(spec.exits)))).order_by())
        by_bureau: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for row in per_unit:
            cells = by_bureau[names.get(row[spec.owner], "")]
            cells[0] += row["current"]
            cells[1] += row["listed"]
            cells[2] += row["exited"]
        for bureau in sorted(by_bureau):
            if any(by_bureau[bureau]):
                unit_rows.append([bureau, spec.label, *by_bureau[bureau]])
        current = sum(cells[0] for cells in by_bureau.values())
        exits_total = [sum(exits[s][i] for s in spec.exits) for i in range(len(months))]
        listed_series[spec.key], exited_series[spec.key], current_counts[spec.key] = listed, exits_total, current
        summary_rows.append([spec.label, current, sum(listed), sum(exits_total),
                             "、".join(f"{label} {sum(exits[state])}" for state, label in spec.exits.items())])
        rows = [[_month_label(m), listed[i], *[exits[s][i] for s in spec.exits], exits_total[i]]
                for i, m in enumerate(months)]
        monthly.append(Table(f"lists-{spec.key.replace('_', '-')}", f"{spec.label}：每月列入与移出",
                             ["月份", "列入", *spec.exits.values(), "移出合计"], rows, _totals("合计", rows)))
    summary = Table("lists-summary", "名单概况", ["名单", "当前公开", "期内列入", "期内移出", "期内移出（按类别）"],
                    summary_rows,
                    note="当前公开：红名单和A级公示在有效期内、黑名单曝光中（与门户网站一致）。")
    unit_rows.sort(key=lambda r: (r[0], r[1]))
    by_unit = Table("lists-units", "各认定部门的名单情况", ["认定部门", "名单", "当前公开", "期内列入", "期内移出"],
                    unit_rows, _totals("合计", unit_rows, first_figure=2) if unit_rows else None,
                    note="认定部门：红名单为名单所属单位的局，A级为评价单位的局，黑名单为复核确认单位的局。")
    return ListStatistics(months, listed_series, exited_series, current_counts, summary, monthly, by_unit)


# --- deadlines by unit (SPEC §5: revocation proposals, objection answers; re-checks) ----------------


@dataclass
class Deadlines:
    due_soon_until: date
    due_soon_note: str
    table: Table
    rechecks: Table


def _due_soon_until(today: date) -> tuple[date, str, str]:
    from qcredit.workdays.calendar import add_workdays
    from qcredit.workdays.errors import WorkdayError

    try:
        return add_workdays(today, DUE_SOON_WORKDAYS), f"{DUE_SOON_WORKDAYS} 个工作日内", ""
    except WorkdayError as exc:
        return today + timedelta(days=7), "7 日内", f"{exc}：“即将到期”暂按 7 个自然日计。"


def deadlines(scope: Scope, *, today: date) -> Deadlines:
    """Open items with a deadline, per owning unit: revocation proposals (the submitting
    division, SRL 第十三条) and objection answers (the office of the owning bureau, SPEC §5.4) —
    overdue, due soon, later; and open D re-checks per area (SPEC sets them no deadline). One
    GROUP BY query per kind. The scope is the owning unit's jurisdiction (re-checks: the
    enterprise's region)."""
    soon_until, soon_label, fallback = _due_soon_until(today)
    counters = {"open": Count("id"), "overdue": Count("id", filter=Q(due_on__lt=today)),
                "soon": Count("id", filter=Q(due_on__gte=today, due_on__lte=soon_until)), "earliest": Min("due_on")}
    rows = []
    for row in (RevocationReview.objects.filter(scope.q("unit__jurisdiction", None), state=RevocationReview.State.OPEN)
                .values("unit__name").annotate(**counters).order_by()):
        rows.append([row["unit__name"], "红名单撤销建议（SRL 第十三条）", row["open"], row["overdue"], row["soon"],
                     row["open"] - row["overdue"] - row["soon"], row["earliest"].isoformat()])
    bureaus = bureaus_by_jurisdiction()
    for row in (Objection.objects.filter(scope.q("owner_jurisdiction", None), state__in=Objection.OPEN_STATES)
                .values("owner_jurisdiction").annotate(**counters).order_by()):
        owner = bureaus.get(row["owner_jurisdiction"], region_name(row["owner_jurisdiction"]))
        rows.append([f"{owner}（领导小组办公室）", "异议答复（SPEC §5.4）", row["open"], row["overdue"], row["soon"],
                     row["open"] - row["overdue"] - row["soon"], row["earliest"].isoformat()])
    rows.sort(key=lambda r: (-r[3], -r[4], r[0], r[1]))
    total = ["合计", "", *[sum(r[i] for r in rows) for i in range(2, 6)], ""] if rows else None
    table = Table("deadlines", "有期限事项（按承办单位）",
                  ["承办单位", "事项", "未办结", "已逾期", f"{soon_label}到期", "其后到期", "最早期限"], rows, total,
                  note=f"统计日 {today.isoformat()}；逾期 = 期限已过仍未办结（期限当日办结不算逾期）；"
                       f"即将到期 = 期限在 {soon_until.isoformat()} 之前（含）。{fallback}")
    length = scope.area_length
    recheck_rows, codes = [], []
    for row in (Recheck.objects.filter(scope.q("enterprise__region", None), state=Recheck.State.OPEN)
                .annotate(area=Substr("enterprise__region", 1, length)).values("area")
                .annotate(open=Count("id"), earliest=Min("opened_on")).order_by("area")):
        codes.append(row["area"])
        recheck_rows.append([region_name(row["area"]), row["open"], row["earliest"].isoformat(),
                             (today - row["earliest"]).days])
    rechecks = Table("rechecks", f"待复核的D级（按{scope.area_level}）", [scope.area_level, "待复核", "最早发起日期", "最长已等待（天）"],
                     recheck_rows, None, codes=codes,
                     note="D级复核（QCO 三(五)）没有规定期限，这里列出未复核的数量和等待时间，供督办参考；"
                          "由管辖该企业所在地的复核人员办理。")
    return Deadlines(soon_until, soon_label, table, rechecks)


def deadline_totals(scope: Scope, *, today: date) -> dict[str, int]:
    """Overdue items in the scope (the index page's figure)."""
    return {"revocation": RevocationReview.objects.filter(scope.q("unit__jurisdiction", None),
                                                          state=RevocationReview.State.OPEN, due_on__lt=today).count(),
            "objection": Objection.objects.filter(scope.q("owner_jurisdiction", None), state__in=Objection.OPEN_STATES,
                                                  due_on__lt=today).count()}


def enterprises_in(scope: Scope) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(scope.q())


# --- the tables of each page ----------------------------------------------------------------------

SECTION_TITLES = {"grades": "等级分布", "movements": "等级变动", "lists": "名单统计", "deadlines": "期限督办"}

SECTION_TABLES = {
    "grades": ("grades-area", "grades-industry", "grades-manufacturing"),
    "movements": ("movements", "month-ends"),
    "lists": ("lists-summary", "lists-redlist", "lists-published-a", "lists-blacklist", "lists-units"),
    "deadlines": ("deadlines", "rechecks"),
}
TABLE_SECTION = {key: section for section, keys in SECTION_TABLES.items() for key in keys}
# Grades of enterprises are internal (SPEC §7.1): these sections are access events (docs/reports.md).
GRADE_SECTIONS = ("grades", "movements")


def section_tables(section: str, scope: Scope, *, start: date, end: date, today: date) -> list[Table]:
    """The tables of one report page, in the order of :data:`SECTION_TABLES`."""
    if section == "grades":
        return [grades_by_area(scope), *grades_by_industry(scope)]
    if section == "movements":
        found = grade_movements(scope, start=start, end=end, today=today)
        return [found.movements, found.month_ends]
    if section == "lists":
        stats = list_statistics(scope, start=start, end=end, today=today)
        return [stats.summary, *stats.monthly, stats.by_unit]
    if section == "deadlines":
        found = deadlines(scope, today=today)
        return [found.table, found.rechecks]
    raise KeyError(section)


def report_table(key: str, scope: Scope, *, start: date, end: date, today: date) -> Table:
    """One table by its key (downloads, the CLI); KeyError for an unknown key."""
    section = TABLE_SECTION[key]
    return next(t for t in section_tables(section, scope, start=start, end=end, today=today) if t.key == key)
