"""Rate limits (SPEC §7.2 "rate-limited"): per client and per scope, counted in the call log so
that they hold across server processes without Redis; beyond the limit 429 with Retry-After;
refused calls do not count; the period slides."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from qcredit.api.models import ApiCall

from ..portal.world import enterprise

pytestmark = pytest.mark.django_db

RATES = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public": "3/min", "internal-grade": "2/hour",
                                                                "intake": "5/min"}}


@pytest.fixture
def clock(monkeypatch):
    moment = [datetime.combine(timezone.localdate(), time(9, 0), tzinfo=ZoneInfo("Asia/Shanghai"))]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    return moment


@pytest.fixture
def subject(db):
    return enterprise("济南限流测试机械有限公司")


@override_settings(REST_FRAMEWORK=RATES)
def test_beyond_the_rate_a_client_gets_429_with_retry_after(make_client, subject, clock):
    caller = make_client("public")
    path = f"/api/v1/enterprises/{subject.uscc}/"
    for _ in range(3):
        clock[0] += timedelta(seconds=10)
        assert caller.get(path).status_code == 200
    response = caller.get(path)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and "秒后重试" in response.json()["detail"]
    # The first counted call (20 s ago) leaves the minute in 40 s.
    assert int(response["Retry-After"]) == 40
    assert caller.get(path).status_code == 429  # refused calls are logged but do not count …
    clock[0] += timedelta(seconds=39)
    assert caller.get(path).status_code == 429
    clock[0] += timedelta(seconds=2)
    assert caller.get(path).status_code == 200  # … so the period slides on from the counted ones
    assert list(ApiCall.objects.order_by("id").values_list("status", flat=True)) == [200, 200, 200, 429, 429, 429, 200]


@override_settings(REST_FRAMEWORK=RATES)
def test_limits_are_per_client_and_per_scope(make_client, subject, clock):
    first, second = make_client("public", "internal-grade"), make_client("public")
    path = f"/api/v1/enterprises/{subject.uscc}/"
    for _ in range(3):
        assert first.get(path).status_code == 200
    assert first.get(path).status_code == 429
    assert second.get(path).status_code == 200  # another client has its own count
    assert first.get(path + "grade/").status_code == 200  # another scope has its own count and rate
    assert first.get(path + "grade/").status_code == 200
    limited = first.get(path + "grade/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) == 3600


def test_the_default_rates_come_from_the_settings():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) == {"public", "internal-grade", "intake"}
    from qcredit.api.throttling import parse_rate

    assert all(parse_rate(rate)[0] > 0 for rate in rates.values())


def test_the_daily_job_drops_call_log_rows_past_their_retention_and_never_less_than_six_months(make_client):
    from datetime import date, datetime, timedelta

    from django.utils import timezone as tz

    from qcredit.api.services import api_call_log, api_calls_prune

    caller = make_client("public")
    tzinfo = tz.get_current_timezone()
    for days_ago in (10, 399, 401, 800):
        api_call_log(client=caller.client, token_prefix="", method="GET", path="/api/v1/redlist/", query="",
                     scope="public", status=200, duration_ms=3, client_address="127.0.0.1",
                     started_at=datetime.combine(date(2026, 11, 30) - timedelta(days=days_ago),
                                                 datetime.min.time(), tzinfo=tzinfo) + timedelta(hours=12))
    assert api_calls_prune(today=date(2026, 11, 30))["deleted"] == 2
    assert ApiCall.objects.count() == 2
    with pytest.raises(ValueError):
        api_calls_prune(today=date(2026, 11, 30), keep_days=90)
