"""The documentation page of the partner API (/api/docs/): how to connect, in Chinese, and the
OpenAPI schema rendered by Swagger UI served from drf-spectacular-sidecar (no CDN).

drf-spectacular's own Swagger view renders an inline ``<script>`` and ``<style>``, which the
site's CSP forbids (qcredit/web/middleware.py). This page keeps the CSP unchanged: it loads
the sidecar's bundle and a static init script of this app (api/docs.js) that reads the schema
address from a ``data-`` attribute. Without JavaScript the page still explains everything and
links the schema itself."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from rest_framework.settings import api_settings

from .models import Scope
from .throttling import parse_rate
from .views import intake_max_bytes, intake_max_items

UNITS = {1: "秒", 60: "分钟", 3600: "小时", 86400: "天"}


@require_safe
def docs(request):
    rates = []
    for scope in Scope:
        rate = parse_rate((api_settings.DEFAULT_THROTTLE_RATES or {}).get(scope.value))
        rates.append((scope.value, scope.label, f"每{UNITS.get(rate[1], f'{rate[1]} 秒')} {rate[0]} 次" if rate else "不限"))
    return render(request, "api/docs.html", {
        "schema_url": reverse("api:schema"), "rates": rates,
        "base_url": request.build_absolute_uri("/api/v1/"),
        "max_items": intake_max_items(), "max_mb": intake_max_bytes() // 1024 // 1024,
    })
