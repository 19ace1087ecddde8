"""GradeState.evidence_hash: the checksum of the current evidence, compared by the full regrade
on PostgreSQL (grading.batch.evidence_hash_sql; the expression is repeated here as it stands
when this migration was written)."""

from django.db import migrations, models

EVIDENCE_HASH = (
    "(SELECT COALESCE(bit_xor(hashint8extended(x::bigint, hashtextextended(split_part(p, '=', 1), 0))), 0) "
    "FROM unnest(string_to_array(evidence, ';')) AS p, unnest(string_to_array(split_part(p, '=', 2), ',')) AS x WHERE p <> '')"
)


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"UPDATE grading_gradestate SET evidence_hash = {EVIDENCE_HASH}")


class Migration(migrations.Migration):

    dependencies = [
        ("grading", "0005_gradestate_result"),
    ]

    operations = [
        migrations.AddField(
            model_name="gradestate",
            name="evidence_hash",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="证据校验值"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
