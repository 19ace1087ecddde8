"""Seeds written by data migrations (the partner systems, the catalogue of measures) come back
after ``flush`` — which empties every table and then emits ``post_migrate`` — and are left alone
while present."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal

from qcredit.exchange.models import Partner
from qcredit.supervision.models import Measure

pytestmark = pytest.mark.django_db


def test_emptied_seed_tables_are_seeded_again_on_post_migrate():
    Partner.objects.all().delete()
    Measure.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(Partner.objects.values_list("code", flat=True)) == {"creditchina-sd", "gsxt-sd"}
    assert Measure.objects.filter(grade="C").exists() and Measure.objects.filter(grade="A").exists()


def test_present_seeds_are_left_as_the_administrators_made_them():
    Partner.objects.filter(code="gsxt-sd").delete()
    Partner.objects.filter(code="creditchina-sd").update(endpoint="https://example.invalid/in")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert list(Partner.objects.values_list("code", "endpoint")) == [("creditchina-sd", "https://example.invalid/in")]
