"""Writes of supervision by grade (QCO 四; SPEC §9): the measures catalogue, declared conflicts of
interest, and the lifecycle of inspection plans (双随机、一公开).

Every function checks role and jurisdiction itself (:func:`qcredit.accounts.services.authorize`),
runs in one transaction with row locks on what it decides, moves the django-fsm state, and writes
its audit event in that transaction. Who may do what:

- measures: the provincial admin (系统管理员 of ``37``; the catalogue is the province's);
- conflicts: a division, inspection unit or admin whose unit covers the enterprise's region;
- plans: a division (提报处室 — the supervising divisions) of the plan's bureau level
  (``authorize(jurisdiction=plan.unit.jurisdiction)``, like a red list, SRL 第十八条); results
  become archive records through :func:`qcredit.archive.services.record_add`, which checks the
  division's region again and regrades the enterprise in the same transaction (SPEC §4.3).

A draw is final: there is no re-draw of a drawn plan (one could otherwise draw until the result
pleases). A plan that must not go ahead is cancelled with a reason, visibly, and a new one made.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import can_proceed

from qcredit.accounts.models import Membership, Role, Unit, covers
from qcredit.accounts.services import authorize
from qcredit.archive.models import Enterprise
from qcredit.archive.services import record_add, record_correct
from qcredit.audit.services import audit_write
from qcredit.grading.models import GradeState

from . import draw as drawing
from .errors import SupervisionError, SupervisionErrorCode
from .models import STRATA, Conflict, InspectionPlan, Measure, PlanAssignment, PlanItem

PROVINCE = "37"  # the catalogue of measures is the province's (one for every unit)
SEED_LIMIT = 10**12  # seeds shown to people: at most 12 digits
MAX_INSPECTORS_PER_ENTERPRISE = 5
TEXT_LIMITS = {"name": 200, "note": 2000, "findings": 2000, "ref": 200, "reason": 2000}
REGION_RE = re.compile(r"^\d{2}(\d{2}){0,2}$")
INDUSTRY_RE = re.compile(r"^[A-T](\d{1,4})?$")
CONFLICT_ROLES = (Role.DIVISION, Role.INSPECTION, Role.ADMIN)


def _today() -> date:
    from qcredit.grading.services import today

    return today()


def _invalid(message: str) -> SupervisionError:
    return SupervisionError(SupervisionErrorCode.INVALID, message)


def _text(value, *, label: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(f"请填写{label}")
    if len(value) > limit:
        raise _invalid(f"{label}不能超过 {limit} 字（现为 {len(value)} 字）")
    return value


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise SupervisionError(SupervisionErrorCode.REASON_REQUIRED, "此操作必须说明理由")
    return _text(reason, label="理由", limit=TEXT_LIMITS["reason"])


def _guard(plan: InspectionPlan, transition: str, action: str):
    method = getattr(plan, transition)
    if not can_proceed(method):
        raise SupervisionError(SupervisionErrorCode.WRONG_STATE,
                               f"抽查计划当前状态为“{plan.get_state_display()}”，不能{action}")
    return method


# --- measures catalogue (QCO 四(一)–(四)) -----------------------------------------------------------


def _provincial_admin(actor) -> Membership | None:
    """The provincial admin's membership; None for the system (migrations, the CLI)."""
    return None if actor is None else authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)


def _measure_json(measure: Measure) -> dict:
    return {"grade": measure.grade, "position": measure.position, "text": measure.text,
            "article": measure.article, "quote": measure.quote, "concerns": measure.concerns,
            "active": measure.active}


def _measure_fields(data: dict) -> dict:
    fields = {
        "text": _text(data.get("text"), label="措施", limit=200, required=True),
        "article": _text(data.get("article"), label="依据条款", limit=60, required=True),
        "quote": _text(data.get("quote"), label="条文原文", limit=2000),
        "concerns": data.get("concerns") or "",
        "active": bool(data.get("active", True)),
    }
    if fields["concerns"] not in Measure.Concerns.values:
        raise _invalid(f"适用企业“{fields['concerns']}”不是可选的类别")
    if data.get("position") is not None:
        try:
            fields["position"] = int(data["position"])
        except (TypeError, ValueError):
            raise _invalid("顺序应为整数") from None
        if not 0 <= fields["position"] <= 999:
            raise _invalid("顺序应在 0 到 999 之间")
    return fields


def measure_create(*, grade: str, data: dict, actor, reason: str = "") -> Measure:
    """Add a measure to the catalogue of ``grade`` (at the end unless ``position`` is given)."""
    membership = _provincial_admin(actor)
    if grade not in ("A", "B", "C", "D"):
        raise _invalid(f"等级“{grade}”不是 A、B、C、D 之一")
    fields = _measure_fields(data)
    with transaction.atomic():
        if "position" not in fields:
            last = Measure.objects.filter(grade=grade).order_by("-position").values_list("position", flat=True).first()
            fields["position"] = (last or 0) + 1
        measure = Measure.objects.create(grade=grade, updated_at=timezone.now(), updated_by=actor, **fields)
        audit_write(actor=actor, membership=membership, action="supervision.measure.create", obj=measure,
                    after=_measure_json(measure), reason=(reason or "").strip())
    return measure


def measure_update(*, measure: Measure, data: dict, actor, reason: str = "") -> Measure:
    """Change a measure's text, article, quote, whom it concerns, order, or retire it
    (``active=False``: it stays in the catalogue's history, never deleted)."""
    membership = _provincial_admin(actor)
    fields = _measure_fields(data)
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        before = _measure_json(measure)
        for name, value in fields.items():
            setattr(measure, name, value)
        if _measure_json(measure) == before:
            raise _invalid("修改后的内容与原内容相同")
        measure.updated_at, measure.updated_by = timezone.now(), actor
        measure.save()
        audit_write(actor=actor, membership=membership, action="supervision.measure.update", obj=measure,
                    before=before, after=_measure_json(measure), reason=(reason or "").strip())
    return measure


# --- declared conflicts of interest (回避) -----------------------------------------------------------


def conflict_declare(*, inspector, enterprise: Enterprise, reason: str, actor) -> Conflict:
    """Declare that ``inspector`` must never inspect ``enterprise`` (for every plan, whoever
    draws it: a conflict is a fact about a person, not about one unit's plans)."""
    membership = authorize(user=actor, role=CONFLICT_ROLES, region=enterprise.region)
    reason = _text(reason, label="回避事由", limit=TEXT_LIMITS["reason"], required=True)
    if inspector is None or not inspector.is_active:
        raise _invalid("请选择在岗的检查人员")
    with transaction.atomic():
        if Conflict.objects.filter(inspector=inspector, enterprise=enterprise, ended_at__isnull=True).exists():
            raise SupervisionError(SupervisionErrorCode.DUPLICATE,
                                   f"{_person(inspector)}与{enterprise.name}的回避已登记")
        conflict = Conflict.objects.create(unit=membership.unit, inspector=inspector, enterprise=enterprise,
                                           reason=reason, declared_by=actor, declared_at=timezone.now())
        audit_write(actor=actor, membership=membership, action="supervision.conflict.declare", obj=conflict,
                    after={"inspector": inspector.get_username(), "enterprise": enterprise.uscc, "reason": reason})
    return conflict


def conflict_end(*, conflict: Conflict, reason: str, actor) -> Conflict:
    """End a declaration (the relation ended, or it was declared in error), with a reason."""
    membership = authorize(user=actor, role=CONFLICT_ROLES, region=conflict.enterprise.region)
    reason = _reason(reason)
    with transaction.atomic():
        conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.ended_at is not None:
            raise SupervisionError(SupervisionErrorCode.WRONG_STATE, "该回避登记已解除")
        conflict.ended_at, conflict.ended_by, conflict.end_reason = timezone.now(), actor, reason
        conflict.save(update_fields=["ended_at", "ended_by", "end_reason"])
        audit_write(actor=actor, membership=membership, action="supervision.conflict.end", obj=conflict,
                    before={"active": True}, after={"active": False}, reason=reason)
    return conflict


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


# --- inspection plans: create and edit (draft) --------------------------------------------------------


def _plan_json(plan: InspectionPlan) -> dict:
    return {"name": plan.name, "unit": plan.unit.code, "kind": plan.kind, "record_scope": plan.record_scope,
            "regions": plan.regions, "industries": plan.industries, "keywords": plan.keywords,
            "ratios": {s: str(plan.ratio(s)) for s in STRATA},
            "inspectors_per_enterprise": plan.inspectors_per_enterprise, "pool": plan.pool,
            "pool_unit": plan.pool_unit.code if plan.pool_unit_id else None, "seed": plan.seed,
            "starts_on": plan.starts_on, "ends_on": plan.ends_on, "state": plan.state}


def _prefixes(values, *, pattern: re.Pattern, label: str, normalise=str.strip) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[\s,，、;；]+", values)
    result = []
    for value in values or ():
        value = normalise(str(value))
        if not value:
            continue
        if not pattern.match(value):
            raise _invalid(f"{label}“{value}”格式不正确")
        if value not in result:
            result.append(value)
    return sorted(result)


def _ratio(value, stratum: str) -> Decimal:
    try:
        ratio = Decimal(str(value)).quantize(Decimal("0.0001"))
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(f"{stratum}级抽查比例“{value}”不是数字") from None
    if not Decimal(0) <= ratio <= Decimal(1):
        raise _invalid(f"{stratum}级抽查比例应在 0 到 1 之间（现为 {ratio}）")
    return ratio


def _plan_fields(data: dict, unit: Unit) -> dict:
    """The validated fields of a plan from ``data`` (form or CLI names = model field names;
    ``ratios`` may be a dict by stratum instead of ``ratio_a`` …)."""
    fields: dict = {
        "name": _text(data.get("name"), label="计划名称", limit=TEXT_LIMITS["name"], required=True),
        "note": _text(data.get("note"), label="说明", limit=TEXT_LIMITS["note"]),
        "kind": data.get("kind") or InspectionPlan.Kind.SAMPLING,
        "record_scope": data.get("record_scope") or InspectionPlan.RecordScope.QUALITY,
        "pool": data.get("pool") or InspectionPlan.Pool.INSPECTION_ROLE,
    }
    if fields["kind"] not in InspectionPlan.Kind.values:
        raise _invalid("检查方式应为监督抽查或监督检查")
    if fields["record_scope"] not in InspectionPlan.RecordScope.values:
        raise _invalid("领域应为质量或计量")
    if fields["pool"] not in InspectionPlan.Pool.values:
        raise _invalid("检查人员库不是可选的类别")
    regions = _prefixes(data.get("regions"), pattern=REGION_RE, label="区域代码") or [unit.jurisdiction]
    outside = [r for r in regions if not covers(unit.jurisdiction, r)]
    if outside:
        raise SupervisionError(SupervisionErrorCode.OUT_OF_SCOPE,
                               f"区域 {'、'.join(outside)} 不在{unit.name}的管辖范围（{unit.jurisdiction}）内")
    fields["regions"] = regions
    fields["industries"] = _prefixes(data.get("industries"), pattern=INDUSTRY_RE, label="行业代码",
                                     normalise=lambda v: v.strip().upper())
    keywords = data.get("keywords") or []
    if isinstance(keywords, str):
        keywords = re.split(r"[\s,，、;；]+", keywords)
    fields["keywords"] = sorted({_text(k, label="关键词", limit=40) for k in keywords if (k or "").strip()})
    ratios = data.get("ratios") or {}
    for stratum in STRATA:
        key = f"ratio_{stratum.lower()}"
        value = ratios.get(stratum, data.get(key))
        if value is None or value == "":
            value = InspectionPlan._meta.get_field(key).default
        fields[key] = _ratio(value, stratum if stratum != "N" else "未定")
    try:
        per = int(data.get("inspectors_per_enterprise") or 2)
    except (TypeError, ValueError):
        raise _invalid("每户检查人员数应为整数") from None
    if not 1 <= per <= MAX_INSPECTORS_PER_ENTERPRISE:
        raise _invalid(f"每户检查人员数应在 1 到 {MAX_INSPECTORS_PER_ENTERPRISE} 之间")
    fields["inspectors_per_enterprise"] = per
    pool_unit = data.get("pool_unit")
    if fields["pool"] == InspectionPlan.Pool.UNIT:
        if pool_unit is None:
            raise _invalid("请选择检查人员所在单位")
        if not covers(unit.jurisdiction, pool_unit.jurisdiction):
            raise SupervisionError(SupervisionErrorCode.OUT_OF_SCOPE,
                                   f"{pool_unit.name}不在{unit.name}的管辖范围内，不能作为检查人员库")
        fields["pool_unit"] = pool_unit
    else:
        fields["pool_unit"] = None
    seed = data.get("seed")
    if seed in (None, ""):
        seed = secrets.randbelow(SEED_LIMIT)
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise _invalid("随机种子应为整数") from None
    if not 0 <= seed < SEED_LIMIT:
        raise _invalid("随机种子应为 0 到 999999999999 之间的整数")
    fields["seed"] = seed
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise _invalid("请填写检查开始和结束日期")
    if ends_on < starts_on:
        raise _invalid("检查结束日期不能早于开始日期")
    fields["starts_on"], fields["ends_on"] = starts_on, ends_on
    return fields


def _division_unit(actor, unit: Unit | None) -> tuple[Membership | None, Unit]:
    """The division membership a plan is made by, and the plan's unit (the acting unit)."""
    if actor is None:
        if unit is None:
            raise _invalid("系统创建抽查计划时必须指定组织单位")
        return None, unit
    membership = authorize(user=actor, role=Role.DIVISION, jurisdiction=unit.jurisdiction if unit else None)
    if unit is not None and membership.unit_id != unit.pk:
        held = Membership.objects.filter(user=actor, unit=unit, role=Role.DIVISION, unit__active=True).first()
        if held is None:
            raise SupervisionError(SupervisionErrorCode.OUT_OF_SCOPE, f"您不是{unit.name}的提报处室人员")
        membership = held
    return membership, membership.unit


def plan_create(*, data: dict, actor, unit: Unit | None = None) -> InspectionPlan:
    """A new plan in draft, owned by the acting division's unit (or ``unit``, one of its
    division units). Without a seed, a random 12-digit seed is chosen and recorded."""
    membership, unit = _division_unit(actor, unit)
    fields = _plan_fields(data, unit)
    with transaction.atomic():
        plan = InspectionPlan.objects.create(unit=unit, created_by=actor, created_at=timezone.now(), **fields)
        audit_write(actor=actor, membership=membership, action="supervision.plan.create", obj=plan,
                    after=_plan_json(plan))
    return plan


def _plan_membership(plan: InspectionPlan, actor) -> Membership | None:
    return None if actor is None else authorize(user=actor, role=Role.DIVISION, jurisdiction=plan.unit.jurisdiction)


def _lock(plan: InspectionPlan) -> InspectionPlan:
    return InspectionPlan.objects.select_for_update(of=("self",)).select_related("unit", "pool_unit").get(pk=plan.pk)


def plan_update(*, plan: InspectionPlan, data: dict, actor) -> InspectionPlan:
    """Edit a draft (scope, ratios, pool, seed, dates). Drawn plans are final."""
    membership = _plan_membership(plan, actor)
    with transaction.atomic():
        plan = _lock(plan)
        if plan.state != InspectionPlan.State.DRAFT:
            raise SupervisionError(SupervisionErrorCode.WRONG_STATE,
                                   f"抽查计划当前状态为“{plan.get_state_display()}”，只有草稿可以修改")
        before = _plan_json(plan)
        for name, value in _plan_fields(data, plan.unit).items():
            setattr(plan, name, value)
        plan.save()
        audit_write(actor=actor, membership=membership, action="supervision.plan.update", obj=plan,
                    before=before, after=_plan_json(plan))
    return plan


# --- the draw -----------------------------------------------------------------------------------------


def scope_enterprises(plan: InspectionPlan):
    """The active enterprises in the plan's scope: regions (prefixes), industries (prefixes),
    keywords (any of them in the name: 产品/名称关键词)."""
    regions = plan.regions or [plan.unit.jurisdiction]
    query = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
    query = query.filter(_any("region__startswith", regions))
    if plan.industries:
        query = query.filter(_any("industry__startswith", plan.industries))
    if plan.keywords:
        query = query.filter(_any("name__contains", plan.keywords))
    return query


def _any(lookup: str, values: Iterable[str]) -> Q:
    q = Q()
    for value in values:
        q |= Q(**{lookup: value})
    return q


def candidates_by_stratum(plan: InspectionPlan) -> dict[str, list[int]]:
    """The enterprises in scope per stratum: their current grade; N when not graded (yet)."""
    strata: dict[str, list[int]] = {s: [] for s in STRATA}
    grades = dict(GradeState.objects.filter(enterprise__in=scope_enterprises(plan).values("pk"))
                  .values_list("enterprise_id", "grade"))
    for pk in scope_enterprises(plan).values_list("pk", flat=True):
        strata[grades.get(pk) if grades.get(pk) in strata else "N"].append(pk)
    return {s: sorted(ids) for s, ids in strata.items()}


def inspector_pool(plan: InspectionPlan) -> list[tuple[int, int]]:
    """(user id, unit id) of each inspector a plan may assign, sorted: the active holders of the
    inspection role (检验单位) in units inside the plan unit's jurisdiction, or every active
    staff member (auditors excepted: read-only) of the chosen unit. A user in several fitting
    units is listed once, with the narrowest unit."""
    memberships = Membership.objects.filter(user__is_active=True, unit__active=True).select_related("unit")
    if plan.pool == InspectionPlan.Pool.UNIT:
        memberships = memberships.filter(unit=plan.pool_unit).exclude(role=Role.AUDITOR)
    else:
        memberships = memberships.filter(role=Role.INSPECTION, unit__jurisdiction__startswith=plan.unit.jurisdiction)
    best: dict[int, Unit] = {}
    for m in memberships.order_by("user_id", "unit_id"):
        current = best.get(m.user_id)
        if current is None or len(m.unit.jurisdiction) > len(current.jurisdiction):
            best[m.user_id] = m.unit
    return sorted((user_id, unit.pk) for user_id, unit in best.items())


def _conflicts(pool: list[tuple[int, int]], enterprise_ids: Iterable[int]) -> list[tuple[int, int]]:
    users = [u for u, _ in pool]
    ids = set(enterprise_ids)
    pairs = Conflict.objects.filter(ended_at__isnull=True, inspector_id__in=users).values_list("inspector_id",
                                                                                               "enterprise_id")
    return sorted((u, e) for u, e in pairs if e in ids)


def _basis_digest(seed: int, basis: dict) -> str:
    text = json.dumps({"seed": seed, **basis}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def draw_from_basis(plan: InspectionPlan) -> drawing.Draw:
    """The draw that the plan's recorded basis and seed give (for the draw and for checking it)."""
    basis = plan.basis
    return drawing.draw(seed=plan.seed, candidates=basis["candidates"], ratios=basis["ratios"],
                        pool=[tuple(p) for p in basis["pool"]], conflicts=[tuple(c) for c in basis["conflicts"]],
                        per_enterprise=basis["per_enterprise"])


def plan_preview(plan: InspectionPlan) -> tuple[dict, drawing.Draw]:
    """What drawing now would give (internal: strata sizes and counts), writing nothing."""
    basis = _basis(plan, timezone.now())
    preview = InspectionPlan(seed=plan.seed, basis=basis)
    return basis, draw_from_basis(preview)


def _basis(plan: InspectionPlan, moment) -> dict:
    candidates = candidates_by_stratum(plan)
    pool = inspector_pool(plan)
    return {"as_of": moment.isoformat(), "candidates": candidates,
            "ratios": {s: str(plan.ratio(s)) for s in STRATA},
            "per_enterprise": plan.inspectors_per_enterprise,
            "pool": [list(p) for p in pool],
            "conflicts": [list(c) for c in _conflicts(pool, (e for ids in candidates.values() for e in ids))]}


def plan_draw(*, plan: InspectionPlan, actor) -> InspectionPlan:
    """Draw the plan (draft → drawn): record the basis — the enterprises in scope per stratum
    at this moment, the inspector pool and the declared conflicts — then draw from it with the
    recorded seed and store the drawn enterprises and their inspectors."""
    membership = _plan_membership(plan, actor)
    with transaction.atomic():
        plan = _lock(plan)
        transition = _guard(plan, "draw", "抽取")
        now = timezone.now()
        basis = _basis(plan, now)
        if not any(basis["candidates"].values()):
            raise SupervisionError(SupervisionErrorCode.EMPTY_SCOPE, "抽查范围内没有存续的企业，请调整区域、行业或关键词")
        if not basis["pool"]:
            raise SupervisionError(SupervisionErrorCode.NO_INSPECTORS,
                                   "检查人员库为空：辖区内没有检验单位人员，或所选单位没有在岗工作人员")
        plan.basis, plan.basis_digest = basis, _basis_digest(plan.seed, basis)
        result = draw_from_basis(plan)
        if not result.items:
            raise SupervisionError(SupervisionErrorCode.EMPTY_SCOPE, "按所设比例没有抽中任何企业，请调整抽查比例")
        transition()
        plan.drawn_at, plan.drawn_by = now, actor
        plan.save()
        _store(plan, result)
        audit_write(actor=actor, membership=membership, action="supervision.plan.draw", obj=plan,
                    before={"state": InspectionPlan.State.DRAFT},
                    after={"state": plan.state, "seed": plan.seed, "basis_digest": plan.basis_digest,
                           "drawn": len(result.items), "unassigned": len(result.unassigned),
                           "short": len(result.short)})
    return plan


def _store(plan: InspectionPlan, result: drawing.Draw) -> None:
    items = PlanItem.objects.bulk_create([PlanItem(plan=plan, enterprise_id=i.enterprise_id, stratum=i.stratum,
                                                   draw_order=i.draw_order) for i in result.items])
    if any(item.pk is None for item in items):  # backends that do not return keys from bulk inserts
        items = list(PlanItem.objects.filter(plan=plan))
    by_enterprise = {item.enterprise_id: item for item in items}
    PlanAssignment.objects.bulk_create([
        PlanAssignment(item=by_enterprise[i.enterprise_id], inspector_id=user_id, unit_id=unit_id, position=n)
        for i in result.items for n, (user_id, unit_id) in enumerate(i.inspectors, start=1)])


def stored_draw(plan: InspectionPlan) -> drawing.Draw:
    items = []
    assignments: dict[int, list[tuple[int, int]]] = {}
    for a in PlanAssignment.objects.filter(item__plan=plan).order_by("item_id", "position"):
        assignments.setdefault(a.item_id, []).append((a.inspector_id, a.unit_id))
    for item in PlanItem.objects.filter(plan=plan):
        items.append(drawing.DrawnItem(item.enterprise_id, item.stratum, item.draw_order,
                                       tuple(assignments.get(item.pk, ()))))
    return drawing.Draw(items=items, required=plan.inspectors_per_enterprise)


def plan_reproduces(plan: InspectionPlan) -> bool:
    """Does drawing again from the recorded basis and seed give exactly the stored plan (and
    is the basis the one its digest was taken of)?"""
    if not plan.basis or plan.drawn_at is None:
        return False
    if _basis_digest(plan.seed, plan.basis) != plan.basis_digest:
        return False
    return draw_from_basis(plan).signature() == stored_draw(plan).signature()


# --- publication, results, closing -------------------------------------------------------------------


def plan_publish(*, plan: InspectionPlan, actor) -> InspectionPlan:
    """Publish the plan (一公开): its name, scope, dates, the drawn enterprises and their
    inspectors appear at /inspections/ — never a grade, a stratum or a ratio."""
    membership = _plan_membership(plan, actor)
    with transaction.atomic():
        plan = _lock(plan)
        _guard(plan, "publish", "公示")()
        plan.published_at, plan.published_by = timezone.now(), actor
        plan.save()
        audit_write(actor=actor, membership=membership, action="supervision.plan.publish", obj=plan,
                    before={"state": InspectionPlan.State.DRAWN}, after={"state": plan.state})
    return plan


def _record_data(plan: InspectionPlan, item: PlanItem, *, result: str, inspected_on: date, findings: str,
                 ref: str, own_fault: bool | None) -> dict:
    note = f"双随机抽查计划“{plan.name}”（编号 {plan.pk}）"
    if findings:
        note = f"{findings}\n{note}"
    data = {"id": f"PLAN-{plan.pk}-{item.enterprise.uscc}", "kind": plan.kind, "date": inspected_on.isoformat(),
            "source": plan.unit.name, "ref": ref, "note": note, "scope": plan.record_scope, "result": result}
    if plan.kind == InspectionPlan.Kind.SAMPLING:
        data["own_fault"] = True if own_fault is None else bool(own_fault)
    return data


def plan_result_record(*, item: PlanItem, result: str, inspected_on: date | None, actor, findings: str = "",
                       ref: str = "", own_fault: bool | None = None, reason: str = "") -> PlanItem:
    """Enter (or correct, with a reason) the result of one drawn enterprise while the plan is
    published. A pass or a fail becomes an archive record of the plan's kind (``sampling`` or
    ``inspection``, SPEC §3) with the plan's unit as ``source``, through the archive's own
    service — which regrades the enterprise in the same transaction (SPEC §4.3). 未检查 (closed
    down, not found) makes no record."""
    with transaction.atomic():
        # The plan first (as plan_publish_results does), so no result slips in after publication.
        plan = _lock(InspectionPlan(pk=item.plan_id))
        item = (PlanItem.objects.select_for_update(of=("self",)).select_related("enterprise", "record")
                .get(pk=item.pk))
        item.plan = plan
        membership = _plan_membership(plan, actor)
        if plan.state != InspectionPlan.State.PUBLISHED:
            raise SupervisionError(SupervisionErrorCode.WRONG_STATE,
                                   f"抽查计划当前状态为“{plan.get_state_display()}”，只有公示后、结果公示前可以录入结果")
        if result not in PlanItem.Result.values:
            raise _invalid("请选择检查结果")
        findings = _text(findings, label="发现的问题", limit=TEXT_LIMITS["findings"])
        ref = _text(ref, label="文号", limit=TEXT_LIMITS["ref"])
        if result == PlanItem.Result.FAIL and not findings:
            raise _invalid("检查结果为不合格时，请填写发现的问题")
        if inspected_on is None:
            raise _invalid("请填写检查日期")
        if inspected_on > _today():
            raise _invalid("检查日期不能晚于今天")
        if inspected_on < plan.starts_on:
            raise _invalid(f"检查日期不能早于计划的检查开始日期（{plan.starts_on:%Y年%m月%d日}）")
        correcting = bool(item.result)
        if correcting:
            reason = _reason(reason)
        before = {"result": item.result, "inspected_on": item.inspected_on, "findings": item.findings,
                  "ref": item.ref, "record": item.record_id}
        current = _current_version(item)
        if result == PlanItem.Result.NOT_INSPECTED:
            if item.record_id is not None:
                # It was inspected: the archive keeps that fact; a wrong record is withdrawn
                # in the records area with its reason, not here.
                raise SupervisionError(SupervisionErrorCode.WRONG_STATE,
                                       "已录入合格或不合格结果的企业不能改为未检查；如记录有误，请在档案中撤回该记录")
            record = None
        else:
            data = _record_data(plan, item, result=result, inspected_on=inspected_on, findings=findings, ref=ref,
                                own_fault=own_fault)
            if current is None and item.record_id is None:
                record = record_add(enterprise=item.enterprise, data=data, actor=actor, via="inspection_plan")
            elif current is None:  # withdrawn since (not inspected, or in the records area)
                raise SupervisionError(SupervisionErrorCode.WRONG_STATE,
                                       "该企业的检查结果记录已在档案中撤回，请在档案录入页面处理")
            else:
                content = {k: v for k, v in data.items() if k not in ("id", "source")}
                record = record_correct(record=current, data=content, reason=reason, actor=actor,
                                        via="inspection_plan")
        item.result, item.inspected_on, item.findings, item.ref = result, inspected_on, findings, ref
        item.own_fault = own_fault if plan.kind == InspectionPlan.Kind.SAMPLING and result != "not_inspected" else None
        item.record, item.result_by, item.result_at = record, actor, timezone.now()
        item.save()
        audit_write(actor=actor, membership=membership,
                    action="supervision.plan.result." + ("correct" if correcting else "record"), obj=item,
                    before=before if correcting else None,
                    after={"result": result, "inspected_on": inspected_on, "findings": findings, "ref": ref,
                           "record": item.record_id}, reason=reason if correcting else "")
    return item


def _current_version(item: PlanItem):
    """The current version of the item's archive record, if it has one (a correction made in
    the records area is a newer version of the same (source, id))."""
    from qcredit.archive.models import Record

    if item.record_id is None:
        return None
    record = item.record
    return Record.objects.current().filter(source=record.source, record_id=record.record_id).first()


def plan_publish_results(*, plan: InspectionPlan, actor) -> InspectionPlan:
    """Publish the results (published → results_recorded): every drawn enterprise has one."""
    membership = _plan_membership(plan, actor)
    with transaction.atomic():
        plan = _lock(plan)
        transition = _guard(plan, "publish_results", "公示检查结果")
        missing = plan.items.filter(result="").count()
        if missing:
            raise SupervisionError(SupervisionErrorCode.RESULTS_MISSING,
                                   f"还有 {missing} 户企业没有录入检查结果，全部录入后才能公示结果")
        transition()
        plan.results_published_at, plan.results_published_by = timezone.now(), actor
        plan.save()
        audit_write(actor=actor, membership=membership, action="supervision.plan.publish_results", obj=plan,
                    before={"state": InspectionPlan.State.PUBLISHED}, after={"state": plan.state})
    return plan


def plan_close(*, plan: InspectionPlan, actor) -> InspectionPlan:
    """Close the plan (办结): it stays public with its results."""
    membership = _plan_membership(plan, actor)
    with transaction.atomic():
        plan = _lock(plan)
        _guard(plan, "close", "办结")()
        plan.closed_at, plan.closed_by = timezone.now(), actor
        plan.save()
        audit_write(actor=actor, membership=membership, action="supervision.plan.close", obj=plan,
                    before={"state": InspectionPlan.State.RESULTS_RECORDED}, after={"state": plan.state})
    return plan


def plan_cancel(*, plan: InspectionPlan, actor, reason: str) -> InspectionPlan:
    """Cancel a plan before publication (draft or drawn), with a reason; the draw is kept."""
    membership = _plan_membership(plan, actor)
    reason = _reason(reason)
    with transaction.atomic():
        plan = _lock(plan)
        before = plan.state
        _guard(plan, "cancel", "撤销")()
        plan.closed_at, plan.closed_by, plan.close_reason = timezone.now(), actor, reason
        plan.save()
        audit_write(actor=actor, membership=membership, action="supervision.plan.cancel", obj=plan,
                    before={"state": before}, after={"state": plan.state}, reason=reason)
    return plan


def inspector_users(ids: Iterable[int]) -> dict[int, object]:
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=list(ids))}
