"""Staff pages. Thin: selectors read, templates show."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from . import selectors


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("只有监管部门工作人员可以使用工作台")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@staff_required
def home(request):
    query = request.GET.get("q", "")
    page = Paginator(selectors.enterprise_search(query=query), 50).get_page(request.GET.get("page"))
    counts = selectors.grade_counts()
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
    if dossier is None:
        raise Http404("档案中没有这家企业")
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
