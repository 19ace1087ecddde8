"""Security headers on every kind of response (a page, a 404, a refusal, a redirect, a
download), and the HTTPS settings: off on the http demo, on in production, from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe" not in csp and "http" not in csp and "*" not in csp  # nothing inline, nothing external
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_page(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response)


def test_a_refusal_and_a_redirect(client, clerk):
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert_security_headers(response)
    citizen = get_user_model().objects.create_user("citizen", password=PASSWORD)
    client.force_login(citizen)
    response = client.get("/workspace/")
    assert response.status_code == 403
    assert_security_headers(response)


def test_a_download(client):
    client.force_login(get_user_model().objects.create_superuser("root", password=PASSWORD))
    response = client.get("/admin/workdays/holidayyear/export/2026/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert_security_headers(response)


def test_no_hsts_and_no_redirect_on_the_http_demo(client):
    response = client.get("/accounts/login/")
    assert "Strict-Transport-Security" not in response and response.status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
                   SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_with_https_on_http_is_redirected_hsts_is_sent_and_cookies_are_secure(client, clerk):
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["csrftoken"]["secure"]
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD}, secure=True)
    assert response.status_code == 302 and response.cookies["sessionid"]["secure"]


# ---- the settings module read from the environment, in a fresh interpreter ----

KEY = "k" * 20 + "-random-enough-for-the-test-0123456789abcdef"
NAMES = ["DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER"]


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QCREDIT_")}
    clean.update(env)
    code = ("import json, qcredit.config.settings as s; "
            f"print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))")
    return subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60)


def settings_for(**env) -> dict:
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_are_for_the_http_demo():
    s = settings_for()
    assert s["SECURE_HSTS_SECONDS"] == 0 and not s["SECURE_SSL_REDIRECT"]
    assert not s["SESSION_COOKIE_SECURE"] and not s["CSRF_COOKIE_SECURE"] and s["SECURE_PROXY_SSL_HEADER"] is None
    assert not s["DEBUG"]


def test_production_turns_https_on():
    s = settings_for(QCREDIT_PRODUCTION="1", QCREDIT_SECRET_KEY=KEY)
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not s["SECURE_HSTS_PRELOAD"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECRET_KEY"] == KEY
    # Each stays overridable on its own.
    s = settings_for(QCREDIT_PRODUCTION="1", QCREDIT_SECRET_KEY=KEY, QCREDIT_HSTS_SECONDS="300",
                     QCREDIT_HSTS_INCLUDE_SUBDOMAINS="0", QCREDIT_TRUSTED_PROXY="1")
    assert s["SECURE_HSTS_SECONDS"] == 300 and not s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # HTTPS alone, without the production switch.
    s = settings_for(QCREDIT_HTTPS="1")
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] > 0 and s["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize("env", [
    {"QCREDIT_PRODUCTION": "1"},
    {"QCREDIT_PRODUCTION": "1", "QCREDIT_SECRET_KEY": "insecure-development-key-change-me"},
    {"QCREDIT_PRODUCTION": "1", "QCREDIT_SECRET_KEY": "too-short"},
    {"QCREDIT_REQUIRE_SECRET_KEY": "1", "QCREDIT_DEBUG": "1"},  # debug mode is no way around it
    {"QCREDIT_PRODUCTION": "1", "QCREDIT_SECRET_KEY": KEY, "QCREDIT_DEBUG": "1"},
])
def test_production_refuses_to_start_without_a_real_key_or_in_debug_mode(env):
    result = run_settings(**env)
    assert result.returncode != 0 and "RuntimeError" in result.stderr


def test_production_passes_djangos_deployment_checks():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QCREDIT_")}
    clean.update(QCREDIT_PRODUCTION="1", QCREDIT_SECRET_KEY=KEY, QCREDIT_ALLOWED_HOSTS="credit.example.cn",
                 DJANGO_SETTINGS_MODULE="qcredit.config.settings")
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                            env=clean, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
