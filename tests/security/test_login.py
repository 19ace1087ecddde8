"""The login page itself: it sends a logged-in user only to this site, is never cached, and
logging out needs a POST."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://testserver.evil/"])
def test_next_never_leads_off_the_site(client, clerk, target):
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == "/accounts/landing/"


def test_next_inside_the_site_is_followed(client, clerk):
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD,
                                                "next": "/workspace/enterprises/"})
    assert response["Location"] == "/workspace/enterprises/"


def test_the_login_page_is_not_cached(client):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


def test_logout_is_a_post(client, clerk):
    client.force_login(clerk)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/workspace/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/workspace/").status_code == 302
