"""The OpenAPI schema at /api/schema/ (valid OpenAPI 3, every v1 operation, the bearer scheme)
and the documentation page at /api/docs/, which runs Swagger UI from local files under the
site's strict CSP (no inline script or style, nothing from another origin)."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.validation import validate_schema

from qcredit.web.middleware import CSP

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/enterprises/{uscc}/"), ("get", "/api/v1/enterprises/{uscc}/grade/"), ("get", "/api/v1/redlist/"),
    ("get", "/api/v1/published-a/"), ("get", "/api/v1/blacklist/"), ("get", "/api/v1/intake/batches/"),
    ("post", "/api/v1/intake/batches/"), ("get", "/api/v1/intake/batches/{batch_id}/"),
}


def test_the_schema_is_valid_openapi_with_every_operation_and_the_token_scheme():
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI document
    assert schema["openapi"].startswith("3.")
    assert {(m, p) for p, item in schema["paths"].items() for m in item} == OPERATIONS
    assert schema["components"]["securitySchemes"]["clientToken"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "qc_<前缀>_<密钥>",
        "description": "系统管理员为每个合作部门客户端签发的访问令牌（只显示一次）。"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation["security"] == [{"clientToken": []}], (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
    yaml_schema = yaml.safe_load(Client().get("/api/schema/").content)
    assert yaml_schema["paths"].keys() == schema["paths"].keys()


def test_the_grade_appears_only_in_the_internal_operation():
    schema = json.loads(Client().get("/api/schema/?format=json").content)
    for path, item in schema["paths"].items():
        text = json.dumps(item["get"]["responses"]["200"] if "get" in item else {})
        assert ("Grade" in text) == path.endswith("/grade/"), path


def test_the_documentation_page_runs_under_the_strict_csp_from_local_files():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    html = response.content.decode()
    assert "合作部门接口（API）说明" in html and 'data-schema-url="/api/schema/?format=json"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)  # no inline style or handler
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets) and any(a.endswith("api/docs.js") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # nothing from another origin
