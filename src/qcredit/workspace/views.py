"""Staff pages. Thin: selectors read, templates show."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from qcredit.accounts.models import covers
from qcredit.accounts.services import staff_jurisdictions
from qcredit.audit.services import audit_access

from . import selectors


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


@staff_required
def home(request):
    query = request.GET.get("q", "")
    page = Paginator(selectors.enterprise_search(query=query, jurisdictions=request.jurisdictions),
                     50).get_page(request.GET.get("page"))
    counts = selectors.grade_counts(jurisdictions=request.jurisdictions)
    return render(request, "workspace/home.html", {
        "query": query, "page": page, "total": counts["total"],
        "grades": [(g, label, counts[g]) for g, label in selectors.GRADE_LABELS.items()],
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
        raise Http404("档案中没有这家企业，或不在您的管辖范围内")
    audit_access(actor=request.user, action="workspace.enterprise.view", obj=dossier.enterprise,
                 detail={"grade": dossier.state.grade if dossier.state else None})
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
    return render(request, "workspace/enterprise.html", {
        "d": dossier, "e": dossier.enterprise, "ev": dossier.evaluation, "tiers": tiers,
        "grade_label": selectors.GRADE_LABELS.get(dossier.state.grade if dossier.state else "N"),
        "interpretations": dossier.interpretations,
    })
