"""Seed the two partner systems of issue 5 (信用中国（山东）, 国家企业信用信息公示系统（山东）)
with placeholder endpoints, disabled: an administrator enters the real endpoint and token in the
admin and enables them (docs/exchange.md). Copied here rather than imported, so that the
migration stays what it was when later configuration changes."""

from django.db import migrations

PARTNERS = (
    ("creditchina-sd", "信用中国（山东）", "https://creditchina-sd.invalid/api/qcredit/list-events"),
    ("gsxt-sd", "国家企业信用信息公示系统（山东）", "https://gsxt-sd.invalid/api/qcredit/list-events"),
)


def seed(apps, schema_editor):
    Partner = apps.get_model("exchange", "Partner")
    for code, name, endpoint in PARTNERS:
        Partner.objects.get_or_create(code=code, defaults={
            "name": name, "endpoint": endpoint, "enabled": False,
            "note": "占位地址：请填写对方提供的接收地址和访问令牌后启用"})


def unseed(apps, schema_editor):
    Partner = apps.get_model("exchange", "Partner")
    Partner.objects.filter(code__in=[code for code, _, _ in PARTNERS], messages__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_outbox")]
    operations = [migrations.RunPython(seed, unseed)]
