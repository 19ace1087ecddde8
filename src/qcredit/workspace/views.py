"""Staff pages: the dashboard, enterprise search and the enterprise page. Thin: selectors read,
templates show."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from qcredit.accounts.models import Membership, Role, covers
from qcredit.accounts.services import staff_jurisdictions
from qcredit.audit.services import audit_access
from qcredit.grading.services import today as grading_today
from qcredit.rules.codes import MANUFACTURING_DIVISIONS, SECTIONS, region_name
from qcredit.web.templatetags.charts import GRADE_COLOURS

from . import selectors
from .measures import LEAD as MEASURES_LEAD
from .measures import measures_for

PAGE_SIZE = 50


def staff_required(view):
    """Staff with a role in some unit; what they see is limited to their jurisdictions."""

    @login_required
    def wrapped(request, *args, **kwargs):
        request.jurisdictions = staff_jurisdictions(request.user)
        if not request.jurisdictions:
            raise PermissionDenied("只有在监管单位担任角色的工作人员可以使用工作台")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _url(name: str, *args) -> str:
    """A URL of another area's page if that page exists (areas are built independently)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# Where a task leads: the workflow page of its object (URL name, with its key), else the area's index.
_TASK_PAGES = {
    "nomination": ("workspace:redlist-nomination", "workspace:redlist-index"),
    "revocation_review": ("workspace:redlist-review", "workspace:redlist-index"),
    "redlist_entry": ("workspace:redlist-entry", "workspace:redlist-index"),
    "meeting": ("workspace:redlist-meeting", "workspace:redlist-index"),
    "a_application": ("workspace:lists-a-application", "workspace:lists-a-applications"),
    "recheck": ("workspace:lists-recheck", "workspace:lists-rechecks"),
    "objection": ("workspace:lists-objection", "workspace:lists-objections"),
    "statement": (None, "workspace:lists-statements"),
    "holidays": (None, "workspace:holidays"),  # the year is not loaded yet: its page would not exist
}


def _task_link(task: selectors.Task) -> str:
    if task.target is not None:
        kind, pk = task.target
        detail, index = _TASK_PAGES[kind]
        link = (_url(detail, pk) if detail else "") or _url(index)
        if link:
            return link
    return _url("workspace:enterprise", task.uscc) if task.uscc else ""


_GRADE_SERIES = [*[(label, GRADE_COLOURS[g]) for g, label in selectors.GRADE_LABELS.items()],
                 (selectors.UNGRADED_LABEL, GRADE_COLOURS[""])]
_GRADE_KEYS = selectors.GRADE_ORDER


def _search_url(**params) -> str:
    return reverse("workspace:search") + "?" + urlencode({k: v for k, v in params.items() if v})


def _chart_rows(distribution: selectors.Distribution, param: str) -> list:
    return [(row.label, [row.counts[g] for g in _GRADE_KEYS], _search_url(**{param: row.code}) if row.code else "")
            for row in distribution.rows]


@login_required
def home(request):
    """The dashboard: my tasks and their deadlines, the grade distribution of my jurisdictions
    by area and industry, grade movements over the last twelve months."""
    jurisdictions = staff_jurisdictions(request.user)
    if not jurisdictions:
        if Membership.objects.filter(user=request.user, role=Role.AUDITOR, unit__active=True).exists():
            # Auditors read the audit trail, not the archive (docs/decisions.md).
            return render(request, "workspace/home_auditor.html", {})
        raise PermissionDenied("只有在监管单位担任角色的工作人员可以使用工作台")
    today = grading_today()
    tasks = selectors.my_tasks(user=request.user, today=today)
    for task in tasks:
        task.label = selectors.TASK_LABELS[task.kind]
        task.role_label = Role(task.role).label
        task.link = _task_link(task)
        task.overdue_workdays = -task.workdays_left if task.overdue and task.workdays_left else None
    distributions = selectors.grade_distributions(jurisdictions=jurisdictions)
    by_area = distributions.area
    movements = selectors.grade_movements(jurisdictions=jurisdictions, today=today)
    # Grade statistics are internal (SPEC §7.1): a small county or industry bar can stand for a
    # single enterprise's grade, so reading them is an access event, as in the reports.
    audit_access(actor=request.user, action="workspace.dashboard.grade_statistics",
                 obj=("workspace.dashboard", ",".join(jurisdictions), "等级统计"),
                 detail={"jurisdictions": jurisdictions, "total": by_area.total})
    totals = by_area.totals
    return render(request, "workspace/home.html", {
        "today": today,
        "jurisdictions": [(j, region_name(j)) for j in jurisdictions],
        "tasks": tasks,
        "overdue": sum(1 for t in tasks if t.overdue),
        "grade_tiles": [(g, selectors.GRADE_LABELS.get(g, selectors.UNGRADED_LABEL), totals[g],
                         _search_url(grade=g or "none")) for g in _GRADE_KEYS],
        "total": by_area.total,
        "series": _GRADE_SERIES,
        "grade_keys": _GRADE_KEYS,
        "area_level": "市" if selectors.area_length(jurisdictions) == 4 else "区县",
        "by_area": by_area, "area_rows": _chart_rows(by_area, "region"),
        "by_section": distributions.sections, "section_rows": _chart_rows(distributions.sections, "industry"),
        "by_division": distributions.manufacturing,
        "division_rows": _chart_rows(distributions.manufacturing, "industry"),
        "movements": movements,
        "movement_series": [("升级", GRADE_COLOURS["A"], movements.up), ("降级", GRADE_COLOURS["D"], movements.down),
                            ("涉及未定级", GRADE_COLOURS["N"], movements.other)],
        "matrix": _matrix(movements),
        "first_total": sum(movements.first),
    })


def _matrix(movements: selectors.Movements) -> dict:
    """The from→to table of the period: rows = previous grade (首次评定 first), columns = new."""
    grades = list(selectors.GRADE_LABELS)
    rows = []
    for source in ["", *grades]:
        cells = [movements.matrix.get((source, target), 0) for target in grades]
        if any(cells):
            rows.append((selectors.GRADE_LABELS.get(source, "首次评定"), cells))
    return {"columns": [selectors.GRADE_LABELS[g] for g in grades], "rows": rows}


_LIST_BADGES = {"redlist": "红名单", "published_a": "A级公示", "blacklist": "黑名单"}


@staff_required
def search(request):
    """Enterprise search by USCC or name fragment, filtered by region, industry, grade and list
    status, sorted and paginated; only the enterprises of the reader's jurisdictions."""
    params = {key: request.GET.get(key, "").strip() for key in ("q", "region", "industry", "grade", "status", "sort")}
    if params["sort"] not in selectors.SORTS:
        params["sort"] = "uscc"
    today = grading_today()
    results = selectors.enterprise_search(jurisdictions=request.jurisdictions, query=params["q"],
                                          region=params["region"], industry=params["industry"], grade=params["grade"],
                                          status=params["status"], sort=params["sort"], today=today)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    status = selectors.list_status_of(enterprise_ids=[e.pk for e in page], today=today)
    for enterprise in page:
        enterprise.lists = [(code, label) for code, label in _LIST_BADGES.items() if code in status.get(enterprise.pk, ())]
        enterprise.region_label = region_name(enterprise.region)
    query = urlencode({k: v for k, v in params.items() if v})
    return render(request, "workspace/search.html", {
        "p": params, "page": page, "query": query,
        "regions": selectors.region_options(jurisdictions=request.jurisdictions),
        "sections": SECTIONS.items(), "divisions": MANUFACTURING_DIVISIONS.items(),
        "grades": [*selectors.GRADE_LABELS.items(), ("none", selectors.UNGRADED_LABEL)],
        "statuses": selectors.LIST_STATUSES.items(), "sorts": selectors.SORT_LABELS.items(),
        "filtered": any(params[k] for k in ("q", "region", "industry", "grade", "status")),
    })


def _verdict(tier: str, holds: bool | None) -> str:
    if holds is None:
        return "未评定"
    if tier in ("C", "D"):
        return "情形成立" if holds else "情形不成立"
    if tier == "SRL-8":
        return "具备" if holds else "不具备"
    return "符合" if holds else "不符合"


@staff_required
def enterprise(request, uscc: str):
    dossier = selectors.enterprise_dossier(uscc=uscc)
    if dossier is None or not any(covers(j, dossier.enterprise.region) for j in request.jurisdictions):
        # Outside the jurisdiction the page does not exist for this user (SPEC §7.1 "other staff: no").
        return render(request, "workspace/404.html", status=404)
    e = dossier.enterprise
    lists = selectors.enterprise_lists(enterprise=e, jurisdictions=request.jurisdictions)
    grade = dossier.state.grade if dossier.state else None
    audit_access(actor=request.user, action="workspace.enterprise.view", obj=e,
                 detail={"grade": grade, "lists": lists.public_now,
                         "workflow_items": len(lists.nominations) + len(lists.revocation_reviews)
                         + len(lists.removal_items) + len(lists.a_applications) + len(lists.rechecks)
                         + len(lists.objections)})
    tiers = []
    if dossier.evaluation is not None:
        table = dossier.evaluation.ruleset.parameters
        for tier, label in selectors.TIER_LABELS.items():
            rows = [{
                "result": r,
                "verdict": _verdict(tier, r.holds),
                "favourable": None if r.holds is None else (r.holds if tier in ("A", "B", "SRL-8", "SRL-9")
                                                            else not r.holds),
                "interpretations": [(i, dossier.interpretations[i].text) for i in r.criterion.interpretations
                                    if i in dossier.interpretations],
                "evidence": [(key, key in dossier.current_keys) for key in r.evidence],
                "parameters": [(table[name].label, table[name].describe(value), table[name].reference)
                               for name, value in r.parameters.items()],
            } for r in dossier.evaluation.results if r.criterion.tier == tier]
            if rows:
                tiers.append((tier, label, rows))
    changes = [(c, selectors.movement_direction(c.from_grade, c.to_grade)) for c in dossier.changes]
    _attach_links(lists)
    if _url("workspace:record-correct", e.uscc, 1):
        for _, views in dossier.records_by_year:
            for v in views:
                v.correct_link = _url("workspace:record-correct", e.uscc, v.record.pk)
    return render(request, "workspace/enterprise.html", {
        "d": dossier, "e": e, "ev": dossier.evaluation, "tiers": tiers,
        "grade_label": selectors.GRADE_LABELS.get(grade or "N"),
        "region_label": region_name(e.region),
        "industry_label": _industry_label(e.industry),
        "interpretations": dossier.interpretations,
        "lists": lists, "changes": changes,
        "measures": measures_for(grade=grade, exporter=e.exporter, licence_required=e.licence_required,
                                 has_honours=dossier.has_honours),
        "measures_lead": MEASURES_LEAD,
        "record_add": _url("workspace:record-add", e.uscc),
    })


def _industry_label(code: str) -> str:
    from qcredit.rules.codes import industry_name

    return f"{code} {industry_name(code)}" if code else "—"


def _attach_links(lists: selectors.EnterpriseLists) -> None:
    """``.link`` on each list item: its workflow page in the other areas, where it exists."""
    for kind, objects in (("nomination", lists.nominations), ("revocation_review", lists.revocation_reviews),
                          ("a_application", lists.a_applications), ("recheck", lists.rechecks),
                          ("objection", lists.objections)):
        for obj in objects:
            obj.link = _url(_TASK_PAGES[kind][0], obj.pk)
    for item in lists.removal_items:
        item.link = _url("workspace:redlist-entry", item.entry_id)
    for entry in lists.redlist_entries:
        entry.link = _url("workspace:redlist-entry", entry.pk) or _url("workspace:redlist-nomination",
                                                                        entry.nomination_id)
    for entry in lists.published_a:
        entry.link = _url("workspace:lists-published-a", entry.pk) or _url("workspace:lists-published-a")
    for entry in lists.blacklist:
        entry.link = _url("workspace:lists-blacklist-entry", entry.pk) or _url("workspace:lists-blacklist")
