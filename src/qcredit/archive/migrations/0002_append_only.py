"""The archive ledger is append-only in the database itself (SPEC §3): a record version's
content never changes, ``superseded_at`` is stamped once, and (PostgreSQL) rows are never
deleted. The model layer refuses the same; this also stops raw SQL and other clients."""

from django.db import migrations

MUTABLE = {"superseded_at"}


def content_columns(apps):
    model = apps.get_model("archive", "Record")
    return [f.column for f in model._meta.concrete_fields if f.column not in MUTABLE]


def create(apps, schema_editor):
    cols = content_columns(apps)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in cols)
        schema_editor.execute(f"""
            CREATE OR REPLACE FUNCTION archive_record_append_only() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'archive_record is append-only: rows are never deleted';
              END IF;
              IF OLD.superseded_at IS NOT NULL OR {changed} THEN
                RAISE EXCEPTION 'archive_record is append-only: only superseded_at may be set, once';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER archive_record_append_only BEFORE UPDATE OR DELETE ON archive_record
              FOR EACH ROW EXECUTE FUNCTION archive_record_append_only();
        """)
    elif vendor == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in cols)
        schema_editor.execute(f"""
            CREATE TRIGGER archive_record_append_only BEFORE UPDATE ON archive_record
            WHEN OLD.superseded_at IS NOT NULL OR {changed}
            BEGIN SELECT RAISE(ABORT, 'archive_record is append-only: only superseded_at may be set, once'); END
        """)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS archive_record_append_only ON archive_record;"
                              "DROP FUNCTION IF EXISTS archive_record_append_only();")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS archive_record_append_only")


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
