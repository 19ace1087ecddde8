"""The report pages (SPEC §9 last bullet; issue 5 item 6), mounted at /workspace/reports/.

Staff with any role but auditor (they read the audit trail, not the archive), limited to their
jurisdictions (``staff_jurisdictions``). Charts are server-side SVG; every table downloads as
CSV and XLSX with the page's filters. Grade statistics are internal data: each view and each
download of them is one access event (docs/reports.md)."""

from __future__ import annotations

import tempfile
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render

from qcredit.accounts.models import Membership, Role
from qcredit.accounts.services import staff_jurisdictions
from qcredit.audit.services import audit_access
from qcredit.exchange.exports import CONTENT_TYPES, csv_chunks, export_regions, xlsx_write
from qcredit.grading.services import today as grading_today
from qcredit.rules.codes import short_region_name
from qcredit.web.templatetags.charts import GRADE_COLOURS, PALETTE

from . import selectors
from .forms import ReportFilter, default_period
from .selectors import GRADE_LABELS, GRADES, SECTION_TITLES, Scope, Table

GRADE_SERIES = [(GRADE_LABELS[g], GRADE_COLOURS[g]) for g in (*GRADES, "")]


def refused(request, message: str, *, status: int = 403):
    return render(request, "reports/refused.html", {"message": message}, status=status)


def staff_required(view):
    """Staff holding a role (auditors excepted); the view gets ``request.report_jurisdictions``."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        jurisdictions = staff_jurisdictions(request.user)
        if not jurisdictions:
            return refused(request, "统计报表供在监管单位担任角色的工作人员查看（纪检/审计人员查阅审计日志）。"
                                    "当前账号没有这样的角色。")
        request.report_jurisdictions = jurisdictions
        return view(request, *args, **kwargs)

    return wrapped


def _membership(user, region: str) -> Membership | None:
    """The unit the reader acts in for an access event: the narrowest covering the region."""
    held = [m for m in Membership.objects.select_related("unit").filter(user=user, unit__active=True)
            .exclude(role=Role.AUDITOR) if region.startswith(m.unit.jurisdiction)]
    return max(held, key=lambda m: len(m.unit.jurisdiction), default=None)


class Filters:
    """The page's filters, validated; invalid values fall back to the defaults (and the form
    shows why)."""

    def __init__(self, request, section: str):
        self.today = grading_today()
        self.form = ReportFilter(request.GET or None, jurisdictions=request.report_jurisdictions, today=self.today,
                                 period=section in ("movements", "lists"), industry=section != "deadlines")
        data = self.form.cleaned_data if self.form.is_bound and self.form.is_valid() else {}
        self.region = data.get("region", "")
        self.industry = data.get("industry", "")
        self.start, self.end = ((data["start"], data["end"]) if data.get("start")
                                else default_period(self.today))
        self.scope = Scope(tuple(request.report_jurisdictions), self.region, self.industry)
        kept = {"region": self.region, "industry": self.industry}
        if "start" in self.form.fields:
            kept.update(start=f"{self.start:%Y-%m}", end=f"{self.end:%Y-%m}")
        self.query = urlencode({k: v for k, v in kept.items() if v})

    def describe(self) -> dict:
        return {"region": self.region, "industry": self.industry,
                **({"start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"} if "start" in self.form.fields else {})}

    def link(self, **changes) -> str:
        values = {"region": self.region, "industry": self.industry}
        if "start" in self.form.fields:
            values.update(start=f"{self.start:%Y-%m}", end=f"{self.end:%Y-%m}")
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v})


def _log_grades(request, section: str, filters: Filters, tables: list[Table], *, download: str = "") -> None:
    """Grade statistics are internal (SPEC §7.1): one access event per view or download, with
    the filters and the number of enterprises counted — small groups can point at one."""
    first = tables[0]
    counted = first.total[-1] if first.total else 0  # enterprises (distribution) or grade changes (movements)
    audit_access(actor=request.user, action=f"reports.{section}.{'download' if download else 'view'}",
                 obj=("reports.report", section, f"统计报表：{SECTION_TITLES[section]}"),
                 detail={"filters": filters.describe(), "counted": counted, **({"table": download} if download else {})},
                 membership=_membership(request.user, filters.region or min(request.report_jurisdictions, key=len)))


def _cells(table: Table) -> list[list[tuple]]:
    return [[(v, isinstance(v, int) and not isinstance(v, bool)) for v in row] for row in table.rows]


def _numeric_columns(table: Table) -> list[bool]:
    """Columns whose every value is a figure are right-aligned (their headers too)."""
    return [i > 0 and all(isinstance(row[i], int) for row in table.rows) for i in range(len(table.columns))]


def _present(tables: list[Table]) -> list[dict]:
    return [{"t": t, "rows": _cells(t), "total": [(v, isinstance(v, int)) for v in t.total] if t.total else None,
             "headers": list(zip(t.columns, _numeric_columns(t), strict=True))}
            for t in tables]


@staff_required
def index(request):
    today = grading_today()
    scope = Scope(tuple(request.report_jurisdictions))
    stats = selectors.list_statistics(scope, start=today, end=today, today=today)
    overdue = selectors.deadline_totals(scope, today=today)
    return render(request, "reports/index.html", {
        "today": today, "jurisdictions": request.report_jurisdictions, "current": stats.current,
        "overdue": overdue["revocation"] + overdue["objection"],
        "may_export": bool(export_regions(request.user)),
    })


def _page(request, section: str, template: str, build):
    filters = Filters(request, section)
    tables = selectors.section_tables(section, filters.scope, start=filters.start, end=filters.end,
                                      today=filters.today)
    if section in selectors.GRADE_SECTIONS:
        _log_grades(request, section, filters, tables)
    context = {"section": section, "title": SECTION_TITLES[section], "form": filters.form, "filters": filters,
               "query": filters.query, "tables": _present(tables), "today": filters.today,
               "may_export": bool(export_regions(request.user))}
    context.update(build(filters, tables))
    return render(request, template, context)


def _stacked(table: Table, filters: Filters, param: str, *, label=None) -> list:
    """Chart rows (label, grade counts, drill-down link) from a grade distribution table."""
    rows = []
    for code, row in zip(table.codes, table.rows, strict=True):
        link = filters.link(**{param: code}) if code and code != getattr(filters, param) else ""
        rows.append((label(code) if label else row[0], row[1:-1], link))
    return rows


@staff_required
def grades(request):
    def build(filters, tables):
        area, sections, divisions = tables
        return {"series": GRADE_SERIES, "area_level": filters.scope.area_level,
                "area_rows": _stacked(area, filters, "region", label=short_region_name),
                "section_rows": _stacked(sections, filters, "industry"),
                "division_rows": _stacked(divisions, filters, "industry") if divisions.rows else []}

    return _page(request, "grades", "reports/grades.html", build)


@staff_required
def movements(request):
    def build(filters, tables):
        movement, ends = tables
        labels = [row[0][:7] for row in movement.rows]
        stock = [(GRADE_LABELS[g], GRADE_COLOURS[g], ends.column(GRADE_LABELS[g])) for g in GRADES]
        flows = [("升级", GRADE_COLOURS["A"], movement.column("升级")), ("降级", GRADE_COLOURS["D"], movement.column("降级")),
                 ("首次评定", GRADE_COLOURS["N"], movement.column("首次评定"))]
        into_cd = [(f"转入 {g}", GRADE_COLOURS[g], movement.column(f"{g} 转入")) for g in ("C", "D")]
        return {"labels": labels, "stock_series": stock, "flow_series": flows, "into_cd": into_cd}

    return _page(request, "movements", "reports/movements.html", build)


@staff_required
def lists(request):
    def build(filters, tables):
        summary, red, published_a, black, by_unit = tables
        labels = [row[0] for row in red.rows]
        listed = [(t.title.split("：")[0], colour, t.column("列入")) for t, colour in
                  ((red, PALETTE[2]), (published_a, PALETTE[0]), (black, PALETTE[3]))]
        exited = [(t.title.split("：")[0], colour, t.column("移出合计")) for t, colour in
                  ((red, PALETTE[2]), (published_a, PALETTE[0]), (black, PALETTE[3]))]
        current: dict[str, list[int]] = {}
        order = [row[0] for row in summary.rows]
        for row in by_unit.rows:
            current.setdefault(row[0], [0] * len(order))[order.index(row[1])] += row[2]
        unit_rows = [(bureau, counts) for bureau, counts in current.items() if any(counts)]
        unit_series = [(name, colour) for name, colour in zip(order, (PALETTE[2], PALETTE[0], PALETTE[3]), strict=True)]
        return {"labels": labels, "listed_series": listed, "exited_series": exited, "unit_rows": unit_rows,
                "unit_series": unit_series}

    return _page(request, "lists", "reports/lists.html", build)


@staff_required
def deadlines(request):
    def build(filters, tables):
        table = tables[0]
        per_unit: dict[str, list[int]] = {}
        for row in table.rows:
            cells = per_unit.setdefault(row[0], [0, 0, 0])
            cells[0] += row[3]
            cells[1] += row[4]
            cells[2] += row[5]
        series = [("已逾期", GRADE_COLOURS["D"]), (table.columns[4], GRADE_COLOURS["C"]), ("其后到期", GRADE_COLOURS[""])]
        return {"unit_rows": list(per_unit.items()), "deadline_series": series}

    return _page(request, "deadlines", "reports/deadlines.html", build)


@staff_required
def download(request, key: str, fmt: str):
    section = selectors.TABLE_SECTION.get(key)
    if section is None or fmt not in ("csv", "xlsx"):
        raise Http404("没有这张报表")
    filters = Filters(request, section)
    tables = selectors.section_tables(section, filters.scope, start=filters.start, end=filters.end,
                                      today=filters.today)
    table = next(t for t in tables if t.key == key)
    if section in selectors.GRADE_SECTIONS:
        _log_grades(request, section, filters, tables, download=key)
    scope = filters.region or "-".join(request.report_jurisdictions)
    name = f"qcredit-report-{key}_{scope}{'_' + filters.industry if filters.industry else ''}_{filters.today}.{fmt}"
    rows = [list(r) for r in table.all_rows()]
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(table.columns, rows), content_type=CONTENT_TYPES["csv"])
    else:
        out = tempfile.TemporaryFile()
        xlsx_write(out, table.columns, rows, title=table.title, text_only=False, widths={0: 30})
        out.seek(0)
        response = FileResponse(out, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
