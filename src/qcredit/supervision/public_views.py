"""Public pages of inspection plans (双随机、一公开, SPEC §9) at /inspections/: anonymous,
read-only, cacheable, rendered from :func:`selectors.public_plans` / :func:`selectors.public_plan`
only — values built field by field without any grade, stratum or ratio (SPEC §7.1)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie

from . import selectors

PUBLIC_MAX_AGE = 300
PAGE_SIZE = 20


def public_page(view):
    return require_safe(vary_on_cookie(cache_control(public=True, max_age=PUBLIC_MAX_AGE)(view)))


@public_page
def index(request):
    page = Paginator(selectors.public_plans(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/public/index.html", {"page": page})


@public_page
def plan(request, pk: int):
    found = selectors.public_plan(pk)
    if found is None:
        raise Http404("没有这项公示的抽查计划")
    return render(request, "supervision/public/plan.html", {"plan": found})
