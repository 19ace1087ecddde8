"""Reads of supervision by grade (QCO 四; SPEC §9).

Internal reads (the measures that apply to an enterprise's grade, a plan's strata) are for staff
pages only; their callers log the access where a grade is shown. The public reads at the end
(:func:`public_plans`, :func:`public_plan`) return plain values built field by field from what
一公开 requires — name, unit, scope, dates, drawn enterprises, inspectors, results — and nothing
else: no grade, no stratum, no ratio, no draw order (SPEC §7.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from qcredit.accounts.models import covers
from qcredit.accounts.services import staff_jurisdictions
from qcredit.audit.services import audit_access
from qcredit.rules.codes import industry_name, region_name

from .models import STRATA, InspectionPlan, Measure, PlanAssignment, PlanItem

# --- measures ----------------------------------------------------------------------------------------


def measures_catalogue(*, include_inactive: bool = False) -> dict[str, list[Measure]]:
    """The catalogue by grade, in its order (A, B, C, D)."""
    query = Measure.objects.select_related("updated_by").order_by("grade", "position", "id")
    if not include_inactive:
        query = query.filter(active=True)
    catalogue: dict[str, list[Measure]] = {g: [] for g in ("A", "B", "C", "D")}
    for m in query:
        catalogue[m.grade].append(m)
    return catalogue


def measures_for(*, grade: str | None, exporter: bool = False, licence_required: bool = False,
                 has_honours: bool = False) -> list[Measure]:
    """The active measures of ``grade`` that concern an enterprise with these properties (some
    concern only exporters, enterprises under licence management or holders of honours). An
    ungraded enterprise (N, or none yet) has no grade-specific measure."""
    if grade not in ("A", "B", "C", "D"):
        return []
    applies = {Measure.Concerns.ALL: True, Measure.Concerns.EXPORTER: exporter,
               Measure.Concerns.LICENCE: licence_required, Measure.Concerns.HONOURS: has_honours}
    return [m for m in Measure.objects.filter(grade=grade, active=True).order_by("position", "id")
            if applies.get(m.concerns, False)]


def measure_counts() -> dict[str, int]:
    """How many active measures each grade has (for lists and reports)."""
    counts = dict(Measure.objects.filter(active=True).values_list("grade").annotate(n=Count("id")))
    return {g: counts.get(g, 0) for g in ("A", "B", "C", "D")}


# --- plans (staff) -------------------------------------------------------------------------------------


def _visible(user):
    jurisdictions = staff_jurisdictions(user)
    if not jurisdictions:
        return InspectionPlan.objects.none()
    q = Q()
    for j in jurisdictions:
        q |= Q(unit__jurisdiction__startswith=j)
    return InspectionPlan.objects.filter(q)


def plans_visible(*, user):
    """The plans a staff member may see: those of a bureau level their unit covers (the plan's
    own bureau and the levels above it), with the number drawn and the number with a result."""
    return (_visible(user).select_related("unit")
            .annotate(drawn=Count("items", distinct=True),
                      with_result=Count("items", filter=~Q(items__result=""), distinct=True)))


def plan_counts(*, user) -> dict[str, int]:
    """How many visible plans are in each state."""
    counts = dict(_visible(user).order_by().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in InspectionPlan.State.values}


def plan_for(*, user, pk: int) -> InspectionPlan | None:
    plan = InspectionPlan.objects.select_related("unit", "pool_unit", "created_by", "drawn_by",
                                                 "published_by").filter(pk=pk).first()
    if plan is None or not any(covers(j, plan.unit.jurisdiction) for j in staff_jurisdictions(user)):
        return None
    return plan


@dataclass
class StratumRow:
    stratum: str
    label: str
    size: int
    ratio: object
    drawn: int


def plan_items(*, plan: InspectionPlan, user, log: bool = True) -> list[PlanItem]:
    """The drawn enterprises with their inspectors, by USCC. Their strata are grades at the draw
    (internal): the read is logged as an access to confidential data."""
    items = list(PlanItem.objects.filter(plan=plan).select_related("enterprise", "record")
                 .prefetch_related("assignments__inspector", "assignments__unit").order_by("enterprise__uscc"))
    if log and items:
        audit_access(actor=user, action="supervision.plan.view", obj=plan,
                     detail={"items": len(items), "strata": sorted({i.stratum for i in items})})
    return items


def plan_strata(plan: InspectionPlan) -> list[StratumRow]:
    """Per stratum: its size in the recorded basis, the ratio and how many were drawn (internal)."""
    candidates = (plan.basis or {}).get("candidates", {})
    drawn = dict(plan.items.values_list("stratum").annotate(n=Count("id")))
    from .models import STRATUM_LABELS

    return [StratumRow(s, STRATUM_LABELS[s], len(candidates.get(s, ())), plan.ratio(s), drawn.get(s, 0))
            for s in STRATA]


def inspector_loads(plan: InspectionPlan) -> list[tuple[object, object, int]]:
    """Each assigned inspector with their unit and number of enterprises."""
    rows = (PlanAssignment.objects.filter(item__plan=plan).values("inspector_id", "unit__name")
            .annotate(n=Count("id")).order_by("-n", "inspector_id"))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[r["inspector_id"] for r in rows])}
    return [(users[r["inspector_id"]], r["unit__name"], r["n"]) for r in rows]


# --- plans (public, 一公开) -----------------------------------------------------------------------------


CJK = re.compile(r"^[\u3400-\u9fff·]+$")


def person_name(user) -> str:
    """A person's name as written: 张伟 (family name first, no space) for a Chinese name,
    "Given Family" otherwise, the login name when there is none."""
    family, given = (user.last_name or "").strip(), (user.first_name or "").strip()
    if family and given and CJK.match(family + given):
        return family + given
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class PublicInspector:
    name: str
    unit: str


@dataclass(frozen=True)
class PublicItem:
    name: str
    uscc: str
    region: str
    inspectors: tuple[PublicInspector, ...]
    result: str = ""  # label, only once results are public
    inspected_on: date | None = None
    findings: str = ""
    ref: str = ""


@dataclass(frozen=True)
class PublicPlan:
    pk: int
    name: str
    unit: str
    method: str
    regions: tuple[str, ...]
    industries: tuple[str, ...]
    keywords: tuple[str, ...]
    starts_on: date
    ends_on: date
    published_at: datetime
    results_published_at: datetime | None
    state: str
    drawn: int
    items: tuple[PublicItem, ...] = field(default=())

    @property
    def results_public(self) -> bool:
        return self.results_published_at is not None


PUBLIC_STATES = (InspectionPlan.State.PUBLISHED, InspectionPlan.State.RESULTS_RECORDED, InspectionPlan.State.CLOSED)
PUBLIC_STATE_LABELS = {InspectionPlan.State.PUBLISHED: "检查中", InspectionPlan.State.RESULTS_RECORDED: "结果已公示",
                       InspectionPlan.State.CLOSED: "已办结"}


def _public(plan: InspectionPlan, items: tuple[PublicItem, ...] = (), drawn: int = 0) -> PublicPlan:
    return PublicPlan(
        pk=plan.pk, name=plan.name, unit=plan.unit.name, method=plan.method_label,
        regions=tuple(region_name(r) for r in (plan.regions or [plan.unit.jurisdiction])),
        industries=tuple(f"{c} {industry_name(c)}" if industry_name(c) != c else c for c in plan.industries),
        keywords=tuple(plan.keywords), starts_on=plan.starts_on, ends_on=plan.ends_on,
        published_at=plan.published_at, state=PUBLIC_STATE_LABELS[plan.state],
        results_published_at=plan.results_published_at if plan.results_public else None,
        drawn=drawn or len(items), items=items)


def public_plans() -> list[PublicPlan]:
    """Published plans, newest publication first (no items)."""
    plans = (InspectionPlan.objects.filter(state__in=PUBLIC_STATES).select_related("unit")
             .annotate(n=Count("items")).order_by("-published_at", "-id"))
    return [_public(p, drawn=p.n) for p in plans]


def public_plan(pk: int) -> PublicPlan | None:
    """One published plan with its drawn enterprises (by USCC) and inspectors (names and units),
    and, once published, the results."""
    plan = InspectionPlan.objects.select_related("unit").filter(pk=pk, state__in=PUBLIC_STATES).first()
    if plan is None:
        return None
    results = plan.results_public
    items = []
    for item in (PlanItem.objects.filter(plan=plan).select_related("enterprise")
                 .prefetch_related("assignments__inspector", "assignments__unit").order_by("enterprise__uscc")):
        e = item.enterprise
        inspectors = tuple(PublicInspector(person_name(a.inspector), a.unit.name)
                           for a in sorted(item.assignments.all(), key=lambda a: a.position))
        items.append(PublicItem(
            name=e.name, uscc=e.uscc, region=region_name(e.region), inspectors=inspectors,
            result=item.get_result_display() if results else "",
            inspected_on=item.inspected_on if results else None,
            findings=item.findings if results and item.result == PlanItem.Result.FAIL else "",
            ref=item.ref if results else ""))
    return _public(plan, tuple(items))
