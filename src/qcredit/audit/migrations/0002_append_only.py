"""The audit trail is append-only in the database itself (SPEC §7.3 "nobody edits it"): any
UPDATE or DELETE of an event is refused, whoever sends it. Tampering below that (a superuser
disabling triggers, a file edited on disk) is what the hash chain and ``qcredit audit verify``
are for."""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("""
            CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
              -- audit/purge.py: only for emptying a test database
              IF TG_OP <> 'UPDATE' AND current_setting('qcredit.audit_purge', true) = 'on' THEN
                RETURN OLD;
              END IF;
              RAISE EXCEPTION 'audit_auditevent is append-only: events are never changed or deleted';
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
              FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
            CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
              FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
        """)
    elif vendor == "sqlite":
        schema_editor.execute("""
            CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
            BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: events are never changed or deleted'); END
        """)
        # qcredit_audit_purge() is registered on every connection Django opens (audit/purge.py);
        # another client without it cannot delete at all.
        schema_editor.execute("""
            CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
            WHEN qcredit_audit_purge() = 0
            BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: events are never changed or deleted'); END
        """)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;"
                              "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;"
                              "DROP FUNCTION IF EXISTS audit_event_append_only();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
