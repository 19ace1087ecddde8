"""Who reaches which list screen (SPEC §1): staff with a role only; each queue for the role that
works it; the index offers what the user's roles work and nothing else."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

QUEUES = {
    "/workspace/lists/a-applications/": {"sheng-evaluator", "sheng-inspection", "jinan-inspection",
                                         "lixia-inspection"},
    "/workspace/lists/rechecks/": {"sheng-reviewer", "jinan-reviewer", "lixia-reviewer"},
    "/workspace/lists/objections/": {"sheng-office", "jinan-office", "lixia-office"},
    "/workspace/lists/statements/": {"sheng-office", "jinan-office", "lixia-office"},
}
EVERY_STAFF = ("/workspace/lists/", "/workspace/lists/published-a/", "/workspace/lists/blacklist/")


def test_anonymous_users_are_sent_to_the_login(client):
    for path in (*EVERY_STAFF, *QUEUES):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_each_queue_opens_for_its_role_and_refuses_the_others_in_chinese(demo, as_user):
    for username, user in demo.items():
        client = as_user(user)
        staff = username != "enterprise" and not username.endswith("-auditor")
        for path in EVERY_STAFF:
            assert client.get(path).status_code == (200 if staff else 403), (username, path)
        for path, allowed in QUEUES.items():
            response = client.get(path)
            assert response.status_code == (200 if username in allowed else 403), (username, path)


def test_the_index_offers_the_queues_of_the_users_roles(demo, as_user):
    page = as_user(demo["sheng-evaluator"]).get("/workspace/lists/").content.decode()
    assert "A级公示申请待省级评价" in page and "D级待复核" not in page and "异议待办" not in page
    page = as_user(demo["lixia-office"]).get("/workspace/lists/").content.decode()
    assert "异议待办" in page and "企业声明待审核" in page and "A级公示申请待省级评价" not in page
    page = as_user(demo["jinan-evaluator"]).get("/workspace/lists/").content.decode()
    assert "A级公示申请待省级评价" not in page  # city evaluators do not publish (QCO 三(五) "省级")
    assert 'href="/workspace/lists/"' in page  # the nav link of the shared staff shell appears
