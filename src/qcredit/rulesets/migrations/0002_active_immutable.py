"""An active rule-set version is immutable in the database itself (SPEC §6): no column of an
active row changes — except ``rechecked_on``, set once — and an active row is never deleted,
whoever sends the statement. Grades stored under a version name rely on it."""

from django.db import migrations

MUTABLE = {"rechecked_on"}
MESSAGE = "rulesets_rulesetversion: an active rule-set version is immutable"


def content_columns(apps):
    model = apps.get_model("rulesets", "RuleSetVersion")
    return [f.column for f in model._meta.concrete_fields if f.column not in MUTABLE]


def create(apps, schema_editor):
    cols = content_columns(apps)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in cols)
        schema_editor.execute(f"""
            CREATE OR REPLACE FUNCTION rulesets_version_immutable() RETURNS trigger AS $$
            BEGIN
              IF OLD.state <> 'active' THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
              END IF;
              IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION '{MESSAGE}: it is never deleted';
              END IF;
              IF {changed} OR (OLD.rechecked_on IS NOT NULL AND NEW.rechecked_on IS DISTINCT FROM OLD.rechecked_on) THEN
                RAISE EXCEPTION '{MESSAGE}: only rechecked_on may be set, once';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER rulesets_version_immutable BEFORE UPDATE OR DELETE ON rulesets_rulesetversion
              FOR EACH ROW EXECUTE FUNCTION rulesets_version_immutable();
        """)
    elif vendor == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in cols)
        schema_editor.execute(f"""
            CREATE TRIGGER rulesets_version_no_update BEFORE UPDATE ON rulesets_rulesetversion
            WHEN OLD.state = 'active' AND ({changed}
                 OR (OLD.rechecked_on IS NOT NULL AND NEW.rechecked_on IS NOT OLD.rechecked_on))
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}: only rechecked_on may be set, once'); END
        """)
        # qcredit_audit_purge() (audit/purge.py) lets a *test* database be emptied between tests.
        schema_editor.execute(f"""
            CREATE TRIGGER rulesets_version_no_delete BEFORE DELETE ON rulesets_rulesetversion
            WHEN OLD.state = 'active' AND qcredit_audit_purge() = 0
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}: it is never deleted'); END
        """)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS rulesets_version_immutable ON rulesets_rulesetversion;"
                              "DROP FUNCTION IF EXISTS rulesets_version_immutable();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS rulesets_version_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS rulesets_version_no_delete")


class Migration(migrations.Migration):
    dependencies = [("rulesets", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
