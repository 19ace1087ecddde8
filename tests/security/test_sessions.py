"""Session expiry: a login ends after 30 minutes without a request, 10 hours after it began
whatever the activity, and when the browser closes; the login page then says why."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from qcredit.web import auth, middleware

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def wall(monkeypatch):
    """The session clock (epoch seconds) under the test's control."""

    class Wall:
        now = time.time()

        def time(self):
            return self.now

        def advance(self, minutes=0, hours=0):
            self.now += minutes * 60 + hours * 3600

    w = Wall()
    monkeypatch.setattr(middleware, "time", w)
    monkeypatch.setattr(auth, "time", w)
    return w


def login(client):
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_documented_values():
    assert settings.QCREDIT_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_the_session_cookie_ends_with_the_browser(client, clerk, wall):
    cookie = login(client).cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == "" and cookie["httponly"]


def test_thirty_idle_minutes_end_the_login(client, clerk, wall):
    login(client)
    for _ in range(3):  # activity keeps it alive
        wall.advance(minutes=29)
        assert client.get("/workspace/").status_code == 200
    wall.advance(minutes=31)
    response = client.get("/workspace/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/workspace/")
    assert "_auth_user_id" not in client.session
    assert "超过 30 分钟未操作" in client.get(response["Location"]).content.decode()


def test_ten_hours_end_the_login_whatever_the_activity(client, clerk, wall):
    login(client)
    for _ in range(29):  # a request every 20 minutes: never idle
        wall.advance(minutes=20)
        assert client.get("/workspace/").status_code == 200
    wall.advance(minutes=21)  # 10 h 1 min after the login
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert "本次登录已超过 10 小时" in client.get(response["Location"]).content.decode()
    # A new login starts a new lifetime.
    login(client)
    assert client.get("/workspace/").status_code == 200


def test_reading_pages_does_not_rewrite_the_session_on_every_request(client, clerk, wall):
    login(client)
    wall.advance(minutes=1)
    client.get("/workspace/")
    stamped = client.session[auth.SESSION_SEEN_AT]
    wall.now += 30
    client.get("/workspace/")
    assert client.session[auth.SESSION_SEEN_AT] == stamped  # at most once a minute
    wall.now += 31
    client.get("/workspace/")
    assert client.session[auth.SESSION_SEEN_AT] == int(wall.now)
