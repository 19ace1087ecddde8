"""Staff screens of supervision by grade (SPEC §9) under /workspace/supervision/: the measures
catalogue (edited by the provincial admin), inspection plans (双随机、一公开: list, new plan,
draw preview, draw, publication, results entry, results publication, closing), and declared
conflicts of interest.

Thin: selectors read, the services of :mod:`qcredit.supervision.services` change state (they
check role, jurisdiction and state again, run in a transaction and write the audit event). A
refusal is shown as its Chinese message, never a 500; what a user may not do is not offered.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from qcredit.accounts.models import Membership, Role, covers
from qcredit.accounts.services import AccessDenied, has_role
from qcredit.archive.bundle import BundleError
from qcredit.archive.models import Enterprise
from qcredit.archive.services import ArchiveError
from qcredit.grading.models import GradeState
from qcredit.rules.codes import industry_name, region_name
from qcredit.rules.qco import GRADE_DISPLAY
from qcredit.rules.uscc import USCCError, normalize_uscc
from qcredit.web.refusals import refusal
from qcredit.web.refusals import refusal_status as _status
from qcredit.workspace.views import staff_required

from . import selectors, services
from .errors import SupervisionError
from .forms import ConflictForm, MeasureForm, PlanForm, ReasonForm, ResultForm
from .models import STRATUM_LABELS, Conflict, InspectionPlan, Measure, PlanItem

DOMAIN_ERRORS = (AccessDenied, SupervisionError, ArchiveError, BundleError)
GRADE_LABELS = {g: GRADE_DISPLAY[g] for g in "ABCD"}  # the grades measures are set for


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _roles(user) -> dict:
    return {
        "division": has_role(user=user, role=Role.DIVISION),
        "admin": has_role(user=user, role=Role.ADMIN, jurisdiction=services.PROVINCE),
        "conflicts": has_role(user=user, role=services.CONFLICT_ROLES),
    }


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("roles", _roles(request.user))
    context.setdefault("warnings_url", _url("supervision:warnings"))
    return render(request, f"supervision/{template}", context, status=status)


# --- index and measures ------------------------------------------------------------------------------


@staff_required
def index(request):
    by_state = selectors.plan_counts(user=request.user)
    states = [(value, label, by_state[value]) for value, label in InspectionPlan.State.choices]
    return _render(request, "index.html", {"states": states, "measure_counts": selectors.measure_counts(),
                                           "conflicts": _conflicts_query(request).count()})


def _grade_counts(jurisdictions: list[str]) -> dict[str, int]:
    q = Q()
    for j in jurisdictions:
        q |= Q(enterprise__region__startswith=j)
    return dict(GradeState.objects.filter(q).values_list("grade").annotate(n=Count("pk")).order_by())


@staff_required
def measures(request):
    catalogue = selectors.measures_catalogue(include_inactive=True)
    counts = _grade_counts(request.jurisdictions)
    search = _url("workspace:search")
    grades = [(g, GRADE_LABELS[g], catalogue[g], counts.get(g, 0), f"{search}?grade={g}" if search else "")
              for g in ("A", "B", "C", "D")]
    from qcredit.workspace.measures import LEAD

    return _render(request, "measures.html", {"grades": grades, "lead": LEAD})


def _measure_data(form: MeasureForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("reason", None)
    return data


@staff_required
def measure_edit(request, pk: int):
    measure = Measure.objects.filter(pk=pk).first()
    if measure is None:
        raise Http404("没有这项监管措施")
    return _measure_form(request, measure=measure, grade=measure.grade)


@staff_required
def measure_add(request, grade: str):
    if grade not in GRADE_LABELS:
        raise Http404("没有这个等级")
    return _measure_form(request, measure=None, grade=grade)


def _measure_form(request, *, measure: Measure | None, grade: str):
    if not has_role(user=request.user, role=Role.ADMIN, jurisdiction=services.PROVINCE):
        return _render(request, "refused.html", {"message": "监管措施目录由省级系统管理员维护；您可以查阅目录。"},
                       status=403)
    initial = {"active": True}
    if measure is not None:
        initial = {k: getattr(measure, k) for k in ("text", "article", "quote", "concerns", "position", "active")}
    form = MeasureForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            if measure is None:
                services.measure_create(grade=grade, data=_measure_data(form), actor=request.user,
                                        reason=form.cleaned_data["reason"])
            else:
                services.measure_update(measure=measure, data=_measure_data(form), actor=request.user,
                                        reason=form.cleaned_data["reason"])
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), _status(exc)
        else:
            messages.success(request, "监管措施已保存。")
            return redirect(reverse("supervision:measures") + f"#grade-{grade}")
    return _render(request, "measure_form.html", {"form": form, "measure": measure, "grade": grade,
                                                  "grade_label": GRADE_LABELS[grade], "error": error},
                   status=status if error else (400 if request.method == "POST" else 200))


# --- plans --------------------------------------------------------------------------------------------


@staff_required
def plans(request):
    state = request.GET.get("state", "")
    query = selectors.plans_visible(user=request.user).order_by("-created_at", "-id")
    if state in InspectionPlan.State.values:
        query = query.filter(state=state)
    return _render(request, "plans.html", {"plans": list(query[:200]), "state": state,
                                           "states": InspectionPlan.State.choices})


def _division_units(user):
    return [m.unit for m in Membership.objects.filter(user=user, role=Role.DIVISION, unit__active=True)
            .select_related("unit").order_by("unit__jurisdiction", "unit__code")]


def _plan_data(form: PlanForm) -> dict:
    return dict(form.cleaned_data)


@staff_required
def plan_new(request):
    units = _division_units(request.user)
    if not units:
        return _render(request, "refused.html",
                       {"message": "抽查计划由提报处室（监督处室）制定；您当前的角色不能制定抽查计划。"}, status=403)
    unit = units[0]
    if len(units) > 1:
        chosen = request.POST.get("unit") or request.GET.get("unit")
        unit = next((u for u in units if str(u.pk) == chosen), units[0])
    form = PlanForm(request.POST or None, jurisdiction=unit.jurisdiction)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(data=_plan_data(form), actor=request.user, unit=unit)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), _status(exc)
        else:
            messages.success(request, f"抽查计划已创建（随机种子 {plan.seed}）。请查看抽取预览后抽取。")
            return redirect("supervision:plan", pk=plan.pk)
    elif request.method == "POST":
        status = 400
    return _render(request, "plan_form.html", {"form": form, "units": units, "unit": unit, "plan": None,
                                               "error": error}, status=status)


@staff_required
def plan_edit(request, pk: int):
    plan = selectors.plan_for(user=request.user, pk=pk)
    if plan is None:
        raise Http404("没有这个抽查计划，或不在您的管辖范围内")
    if plan.state != InspectionPlan.State.DRAFT or not _manages(request.user, plan):
        return _render(request, "refused.html", {"message": "只有本级提报处室可以修改草稿状态的抽查计划。"}, status=403)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_from(plan), jurisdiction=plan.unit.jurisdiction)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, data=_plan_data(form), actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), _status(exc)
        else:
            messages.success(request, "抽查计划已修改。")
            return redirect("supervision:plan", pk=plan.pk)
    elif request.method == "POST":
        status = 400
    return _render(request, "plan_form.html", {"form": form, "units": [plan.unit], "unit": plan.unit, "plan": plan,
                                               "error": error}, status=status)


def _manages(user, plan: InspectionPlan) -> bool:
    return has_role(user=user, role=Role.DIVISION, jurisdiction=plan.unit.jurisdiction)


PLAN_ACTIONS = {
    "draw": (lambda plan, user, form: services.plan_draw(plan=plan, actor=user), "已按记录的随机种子完成抽取。"),
    "publish": (lambda plan, user, form: services.plan_publish(plan=plan, actor=user),
                "抽查计划已公示（不含任何企业信用等级）。"),
    "publish_results": (lambda plan, user, form: services.plan_publish_results(plan=plan, actor=user),
                        "检查结果已公示。"),
    "close": (lambda plan, user, form: services.plan_close(plan=plan, actor=user), "抽查计划已办结。"),
    "cancel": (lambda plan, user, form: services.plan_cancel(plan=plan, actor=user, reason=form.get("reason", "")),
               "抽查计划已撤销。"),
}


@staff_required
def plan(request, pk: int):
    plan = selectors.plan_for(user=request.user, pk=pk)
    if plan is None:
        raise Http404("没有这个抽查计划，或不在您的管辖范围内")
    manages = _manages(request.user, plan)
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in PLAN_ACTIONS:
            error, status = "未知的操作", 400
        else:
            run, done = PLAN_ACTIONS[action]
            try:
                run(plan, request.user, request.POST)
            except DOMAIN_ERRORS as exc:
                error, status = refusal(exc), _status(exc)
            else:
                messages.success(request, done)
                return redirect("supervision:plan", pk=plan.pk)
            plan = selectors.plan_for(user=request.user, pk=pk)
    context = {"plan": plan, "manages": manages, "error": error, "cancel_form": ReasonForm(),
               "regions": [(r, region_name(r)) for r in (plan.regions or [plan.unit.jurisdiction])],
               "industries": [(c, industry_name(c)) for c in plan.industries],
               "public_url": reverse("inspections:plan", args=[plan.pk]) if plan.is_public else ""}
    if plan.state == InspectionPlan.State.DRAFT:
        basis, preview = services.plan_preview(plan)
        sizes = {s: len(ids) for s, ids in basis["candidates"].items()}
        drawn = {s: 0 for s in sizes}
        for item in preview.items:
            drawn[item.stratum] += 1
        context.update(preview_rows=[(STRATUM_LABELS[s], sizes[s], plan.ratio(s), drawn[s]) for s in sizes],
                       preview_total=len(preview.items), pool_size=len(basis["pool"]),
                       conflict_count=len(basis["conflicts"]), preview_unassigned=len(preview.unassigned),
                       preview_short=len(preview.short))
    else:
        items = selectors.plan_items(plan=plan, user=request.user)
        for item in items:
            item.stratum_label = STRATUM_LABELS.get(item.stratum, item.stratum)
            item.inspector_list = sorted(item.assignments.all(), key=lambda a: a.position)
            item.short = len(item.inspector_list) < plan.inspectors_per_enterprise
        context.update(items=items, strata=selectors.plan_strata(plan) if plan.drawn_at else [],
                       loads=selectors.inspector_loads(plan) if plan.drawn_at else [],
                       unassigned=[i for i in items if not i.inspector_list],
                       short=[i for i in items if i.inspector_list and i.short],
                       missing=sum(1 for i in items if not i.result),
                       reproduces=services.plan_reproduces(plan) if plan.drawn_at else None,
                       can_enter=manages and plan.state == InspectionPlan.State.PUBLISHED)
    return _render(request, "plan.html", context, status=status)


@staff_required
def plan_result(request, pk: int, item_pk: int):
    plan = selectors.plan_for(user=request.user, pk=pk)
    item = PlanItem.objects.select_related("enterprise", "record").filter(pk=item_pk, plan_id=pk).first()
    if plan is None or item is None:
        raise Http404("没有这项抽查对象，或不在您的管辖范围内")
    if not (_manages(request.user, plan) and plan.state == InspectionPlan.State.PUBLISHED):
        return _render(request, "refused.html",
                       {"message": "检查结果由本级提报处室在计划公示后、结果公示前录入。"}, status=403)
    initial = {"result": item.result, "inspected_on": item.inspected_on, "findings": item.findings, "ref": item.ref,
               "own_fault": "no" if item.own_fault is False else "yes"}
    form = ResultForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_result_record(item=item, result=data["result"], inspected_on=data["inspected_on"],
                                        findings=data["findings"], ref=data["ref"],
                                        own_fault=data["own_fault"] != "no", reason=data["reason"],
                                        actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), _status(exc)
        else:
            messages.success(request, f"{item.enterprise.name}的检查结果已录入档案，等级已即时重新评定。")
            return redirect(reverse("supervision:plan", args=[plan.pk]) + "#items")
    elif request.method == "POST":
        status = 400
    return _render(request, "result_form.html", {"plan": plan, "item": item, "form": form, "error": error,
                                                 "enterprise_url": _url("workspace:enterprise",
                                                                        item.enterprise.uscc)},
                   status=status)


# --- conflicts of interest --------------------------------------------------------------------------


def _conflicts_query(request):
    q = Q()
    for j in request.jurisdictions:
        q |= Q(enterprise__region__startswith=j)
    return Conflict.objects.filter(q, ended_at__isnull=True)


@staff_required
def conflicts(request):
    can_declare = has_role(user=request.user, role=services.CONFLICT_ROLES)
    form = ConflictForm(request.POST or None) if can_declare else None
    error, status = "", 200
    if request.method == "POST":
        if "end" in request.POST:
            conflict = _conflicts_query(request).filter(pk=request.POST.get("end")).first()
            if conflict is None:
                raise Http404("没有这项回避登记")
            try:
                services.conflict_end(conflict=conflict, reason=request.POST.get("reason", ""), actor=request.user)
            except DOMAIN_ERRORS as exc:
                error, status = refusal(exc), _status(exc)
            else:
                messages.success(request, "回避登记已解除。")
                return redirect("supervision:conflicts")
        elif form is not None and form.is_valid():
            data = form.cleaned_data
            inspector = get_user_model().objects.filter(username=data["inspector"].strip(), is_active=True).first()
            try:
                uscc = normalize_uscc(data["uscc"])
            except USCCError as exc:
                uscc, error = None, f"统一社会信用代码无效：{exc}"
            enterprise = Enterprise.objects.filter(uscc=uscc).first() if uscc else None
            if not error and inspector is None:
                error = f"没有在岗的用户“{data['inspector']}”"
            elif not error and (enterprise is None
                                or not any(covers(j, enterprise.region) for j in request.jurisdictions)):
                error = "您的管辖范围内没有这家企业"
            if error:
                status = 400
            else:
                try:
                    services.conflict_declare(inspector=inspector, enterprise=enterprise, reason=data["reason"],
                                              actor=request.user)
                except DOMAIN_ERRORS as exc:
                    error, status = refusal(exc), _status(exc)
                else:
                    messages.success(request, "回避已登记；此后抽取时该人员不会被派往这家企业。")
                    return redirect("supervision:conflicts")
        elif form is None:
            error, status = "登记回避需要提报处室、检验单位或系统管理员角色", 403
        else:
            status = 400
    rows = list(_conflicts_query(request).select_related("inspector", "enterprise", "unit", "declared_by")[:500])
    return _render(request, "conflicts.html", {"rows": rows, "form": form, "error": error}, status=status)
