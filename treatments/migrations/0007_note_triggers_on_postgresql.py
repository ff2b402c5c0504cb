"""On PostgreSQL, a second line of defence for clinical records.

Triggers refuse: UPDATE or DELETE of a signed session note; adding, changing or removing
the points of a signed note; UPDATE or DELETE of an addendum; UPDATE or DELETE of the
access log. The application never does these; the triggers stop anyone who tries through
the ORM, a shell or SQL.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION meridian_refuse_signed_note_change() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'session note % is signed and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION meridian_refuse_signed_note_points() RETURNS trigger AS $$
DECLARE
    note_id bigint := COALESCE(NEW.note_id, OLD.note_id);
BEGIN
    IF TG_OP <> 'INSERT' THEN note_id := OLD.note_id; END IF;
    IF EXISTS (SELECT 1 FROM treatments_sessionnote
               WHERE id = note_id AND signed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'session note % is signed: its points cannot change', note_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION meridian_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER session_note_signed_is_final
    BEFORE UPDATE OR DELETE ON treatments_sessionnote
    FOR EACH ROW EXECUTE FUNCTION meridian_refuse_signed_note_change();
CREATE TRIGGER note_point_of_signed_note_is_final
    BEFORE INSERT OR UPDATE OR DELETE ON treatments_notepoint
    FOR EACH ROW EXECUTE FUNCTION meridian_refuse_signed_note_points();
CREATE TRIGGER note_addendum_is_final
    BEFORE UPDATE OR DELETE ON treatments_noteaddendum
    FOR EACH ROW EXECUTE FUNCTION meridian_refuse_change();
CREATE TRIGGER access_log_is_append_only
    BEFORE UPDATE OR DELETE ON treatments_accesslog
    FOR EACH ROW EXECUTE FUNCTION meridian_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS session_note_signed_is_final ON treatments_sessionnote;
DROP TRIGGER IF EXISTS note_point_of_signed_note_is_final ON treatments_notepoint;
DROP TRIGGER IF EXISTS note_addendum_is_final ON treatments_noteaddendum;
DROP TRIGGER IF EXISTS access_log_is_append_only ON treatments_accesslog;
DROP FUNCTION IF EXISTS meridian_refuse_signed_note_change();
DROP FUNCTION IF EXISTS meridian_refuse_signed_note_points();
DROP FUNCTION IF EXISTS meridian_refuse_change();
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS.replace("%", "%%"))  # no query parameters here
        schema_editor.execute(TRIGGERS)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0006_point_catalogue_and_note_permissions")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
