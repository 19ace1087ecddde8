"""The catalogue of supervision measures by grade (QCO 四; SPEC §9): seeded from the regulation,
edited only by the provincial admin through an audited service, shown on the internal
enterprise page — never on public pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qcredit.accounts.services import AccessDenied
from qcredit.audit.models import AuditEvent
from qcredit.supervision import selectors, services
from qcredit.supervision.errors import SupervisionError
from qcredit.supervision.models import Measure
from qcredit.workspace.measures import CATALOGUE


def test_the_catalogue_is_seeded_with_the_measures_of_qco_four(db):
    seeded = [(m.grade, m.text, m.article, m.quote, m.concerns) for m in Measure.objects.order_by("grade", "position")]
    assert seeded == [(m.grade, m.text, m.article, m.quote, m.concerns) for m in CATALOGUE]
    assert selectors.measure_counts() == {g: sum(1 for m in CATALOGUE if m.grade == g) for g in "ABCD"}
    # Each grade's measures cite their own item of QCO 四.
    for grade, item in zip("ABCD", ("四(一)", "四(二)", "四(三)", "四(四)"), strict=True):
        assert all(item in m.article for m in Measure.objects.filter(grade=grade))


def test_only_the_provincial_admin_edits_and_every_edit_is_audited(people):
    measure = Measure.objects.filter(grade="C").first()
    data = {"text": "列入重点监管，每年至少检查两次", "article": measure.article, "quote": measure.quote,
            "concerns": measure.concerns, "active": True}
    for username in ("jinan-admin", "lixia-admin", "sheng-division", "sheng-office", "sheng-auditor"):
        with pytest.raises(AccessDenied):
            services.measure_update(measure=measure, data=data, actor=people[username])
    services.measure_update(measure=measure, data=data, actor=people["sheng-admin"], reason="局务会决定")
    event = AuditEvent.objects.get(action="supervision.measure.update")
    assert event.actor_name == "sheng-admin" and event.reason == "局务会决定"
    assert measure.text in event.before and "每年至少检查两次" in event.after
    measure.refresh_from_db()
    assert measure.updated_by == people["sheng-admin"]
    with pytest.raises(SupervisionError):  # nothing changed
        services.measure_update(measure=measure, data=data, actor=people["sheng-admin"])
    with pytest.raises(SupervisionError):
        services.measure_update(measure=measure, data={**data, "concerns": "everyone"}, actor=people["sheng-admin"])
    with pytest.raises(SupervisionError):
        services.measure_update(measure=measure, data={**data, "text": " "}, actor=people["sheng-admin"])


def test_a_new_measure_goes_to_the_end_of_its_grade(people):
    last = Measure.objects.filter(grade="B").order_by("-position").first()
    added = services.measure_create(grade="B", data={"text": "开展质量提升帮扶", "article": "QCO 四(二)"},
                                    actor=people["sheng-admin"])
    assert added.position == last.position + 1
    assert AuditEvent.objects.filter(action="supervision.measure.create").count() == 1
    with pytest.raises(SupervisionError):
        services.measure_create(grade="E", data={"text": "x", "article": "y"}, actor=people["sheng-admin"])
    with pytest.raises(AccessDenied):
        services.measure_create(grade="B", data={"text": "x", "article": "y"}, actor=people["jinan-admin"])


def measure_texts(html: str) -> set[str]:
    section = re.search(r'<section class="card" id="measures".*?</section>', html, re.S).group(0)
    return set(re.findall(r"<li><b>(.*?)</b>", section))


def test_the_enterprise_page_shows_the_edited_catalogue(client, people, world):
    enterprise = world.enterprise()
    world.make_c(enterprise)
    client.force_login(people["jinan-division"])
    url = reverse("workspace:enterprise", args=[enterprise.uscc])
    before = measure_texts(client.get(url).content.decode())
    assert before == {m.text for m in Measure.objects.filter(grade="C", concerns="")}
    edited, retired = Measure.objects.filter(grade="C", concerns="").order_by("position")[:2]
    admin = people["sheng-admin"]
    services.measure_update(measure=edited, data={"text": "列为年度监督抽查重点", "article": edited.article,
                                                  "quote": edited.quote, "concerns": "", "active": True}, actor=admin)
    services.measure_update(measure=retired, data={"text": retired.text, "article": retired.article,
                                                   "quote": retired.quote, "concerns": "", "active": False},
                            actor=admin)
    after = measure_texts(client.get(url).content.decode())
    assert after == (before - {edited.text, retired.text}) | {"列为年度监督抽查重点"}


def test_the_measures_screen_offers_editing_to_the_provincial_admin_only(client, people):
    measure = Measure.objects.filter(grade="A").first()
    edit = reverse("supervision:measure-edit", args=[measure.pk])
    client.force_login(people["jinan-division"])
    page = client.get(reverse("supervision:measures")).content.decode()
    assert measure.text in page and edit not in page
    assert client.get(edit).status_code == 403
    client.force_login(people["jinan-admin"])
    refused = client.post(edit, {"text": "改", "article": "QCO 四(一)", "active": "on"})
    assert refused.status_code == 403 and "省级系统管理员" in refused.content.decode()
    client.force_login(people["sheng-admin"])
    assert edit in client.get(reverse("supervision:measures")).content.decode()
    response = client.post(edit, {"text": "减少日常监督检查频次", "article": "QCO 四(一)", "quote": measure.quote,
                                  "concerns": "", "position": measure.position, "active": "on",
                                  "reason": "文字规范"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.text == "减少日常监督检查频次"
    unchanged = client.post(edit, {"text": "减少日常监督检查频次", "article": "QCO 四(一)", "quote": measure.quote,
                                   "concerns": "", "position": measure.position, "active": "on"})
    assert unchanged.status_code == 400 and "相同" in unchanged.content.decode()


def test_measures_are_never_on_public_pages(client, world):
    enterprise = world.enterprise()
    texts = [m.text for m in Measure.objects.all()]
    for url in (reverse("portal:home"), reverse("portal:enterprise", args=[enterprise.uscc]),
                reverse("inspections:index")):
        html = client.get(url).content.decode()
        assert not any(t in html for t in texts), url
