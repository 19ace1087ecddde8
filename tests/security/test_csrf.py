"""CSRF everywhere: every POST form of every template carries the token, no view is exempt,
and a POST without the token is refused (403, in Chinese) on every route of the site."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from qcredit.accounts.models import Role

from .. import factories
from .conftest import PASSWORD

FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
POST = re.compile(r"""method\s*=\s*["']?post\b""", re.IGNORECASE)
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
TOKEN = re.compile(r"{%\s*csrf_token\s*%}")


def project_templates() -> dict[str, Path]:
    """Every template of the project's own apps, by its template name."""
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("qcredit."):
            continue
        root = Path(config.path) / "templates"
        for path in root.rglob("*.html"):
            found[path.relative_to(root).as_posix()] = path
    return found


EDGE = re.compile(r"<form\b|</form\s*>", re.IGNORECASE)


def form_bodies(text: str):
    """(opening tag, body) of every POST form. HTML forms do not nest, so a ``<form`` before the
    closing tag is another branch of a template condition (``{% if %}<form …>{% else %}<form …>
    {% endif %}`` sharing one body): the body runs to the closing tag at depth zero."""
    for match in FORM.finditer(text):
        if not POST.search(match.group(0)):
            continue
        depth, end = 1, len(text)
        for edge in EDGE.finditer(text, match.end()):
            depth += -1 if edge.group(0).startswith("</") else 1
            if depth == 0:
                end = edge.start()
                break
        yield match.group(0), text[match.end():end]


def test_the_scan_sees_the_project_templates():
    templates = project_templates()
    assert "web/login.html" in templates and "web/password_change.html" in templates
    assert sum(1 for text in (p.read_text() for p in templates.values()) for _ in form_bodies(text)) >= 4


def test_every_post_form_has_the_csrf_token():
    templates = project_templates()
    missing = []
    for name, path in sorted(templates.items()):
        for tag, body in form_bodies(path.read_text()):
            # A form may take its fields from an included template: look one level in.
            included = "".join(templates[n].read_text() for n in INCLUDE.findall(body) if n in templates)
            if not TOKEN.search(body) and not TOKEN.search(included):
                missing.append(f"{name}: {tag}")
    assert missing == [], "POST forms without {% csrf_token %}:\n" + "\n".join(missing)


def walk(patterns, prefix=""):
    """(sample path, pattern, callback) for every route; converters get sample values."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            part = sample(entry.pattern)
            if part is not None:
                yield from walk(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            part = sample(entry.pattern)
            yield (None if part is None else "/" + prefix + part), entry, entry.callback


SAMPLES = {"int": "1", "str": "x1", "slug": "x1", "uuid": str(uuid.uuid4()), "path": "a/b"}


def sample(pattern) -> str | None:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "1"), str(pattern))
    if isinstance(pattern, RegexPattern):
        text = str(pattern.regex.pattern).lstrip("^").rstrip("$").rstrip("\\Z")
        return None if re.search(r"[(\[*+?{}|]", text) else text.replace("\\", "")
    return None


def test_every_view_exempt_from_the_middleware_is_checked_here():
    """A view may be ``csrf_exempt`` only to check the token itself later (Django's pattern for
    upload handlers: ``csrf_exempt`` outside, ``csrf_protect`` inside). Each such view must have
    a sample path, so that the POST test below proves it still refuses a POST without token."""
    exempt = [(p, entry, callback) for p, entry, callback in walk(get_resolver().url_patterns)
              if getattr(callback, "csrf_exempt", False)
              # A REST API view authenticates by token, not by cookie; DRF enforces CSRF itself
              # for session authentication.
              and not hasattr(callback, "cls")]
    unchecked = [f"{entry.pattern}: {callback.__module__}.{callback.__name__}" for p, entry, callback in exempt
                 if p is None]
    assert unchecked == []


@pytest.mark.django_db
def test_a_post_without_the_token_is_refused_on_every_route():
    user = factories.staff(Role.OFFICE, "37", username="office", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    paths = sorted({p for p, _entry, callback in walk(get_resolver().url_patterns)
                    if p is not None and not hasattr(callback, "cls")})
    assert {"/accounts/login/", "/accounts/logout/", "/accounts/password/", "/admin/login/"} <= set(paths)
    accepted = []
    for path in paths:
        response = client.post(path, {"anything": "1"})
        if response.status_code != 403:
            accepted.append(f"{path}: {response.status_code}")
    assert accepted == [], "POST without CSRF token not refused:\n" + "\n".join(accepted)


@pytest.mark.django_db
def test_the_refusal_is_in_chinese_and_anonymous_posts_are_refused_too(clerk):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>请求未被接受</h1>" in html and "跨站请求伪造" in html
    assert "_auth_user_id" not in client.session

    # With the token from the page, the same login goes through.
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD,
                                                "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.django_db
def test_logout_needs_the_token(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/workspace/").status_code == 200  # still logged in
