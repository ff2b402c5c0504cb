"""On PostgreSQL, the triggers of treatments/audit/protection.py: TRUNCATE refused on every
protected table, and the notes' and addenda's history and the status changes append-only.

They replace the five row triggers of 0007 and 0009 (same rules, one naming scheme, and a
point can no longer be moved onto a signed note). The list itself lives in protection.py; the
same `install` runs after every migrate, so a table added to the list later needs no
migration of its own. On SQLite the triggers are installed after migrate only: installing
them here would make SQLite refuse later migrations that rebuild the notes' table.
"""

from django.db import migrations

from treatments.audit import protection

OLD_TRIGGERS = {
    # name: (table, events, function)
    "session_note_signed_is_final": (
        "treatments_sessionnote",
        "UPDATE OR DELETE",
        "meridian_refuse_signed_note_change",
    ),
    "note_point_of_signed_note_is_final": (
        "treatments_notepoint",
        "INSERT OR UPDATE OR DELETE",
        "meridian_refuse_signed_note_points",
    ),
    "note_addendum_is_final": ("treatments_noteaddendum", "UPDATE OR DELETE", "meridian_refuse_change"),
    "access_log_is_append_only": ("treatments_accesslog", "UPDATE OR DELETE", "meridian_refuse_change"),
    "home_care_sheet_is_final": ("treatments_homecaresheet", "UPDATE OR DELETE", "meridian_refuse_change"),
}  # fmt: skip


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, _, _) in OLD_TRIGGERS.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    protection.install(schema_editor.connection)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    protection.uninstall(schema_editor.connection)
    for name, (table, events, function) in OLD_TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0016_home_care_pictures_made_safe")]

    operations = [migrations.RunPython(forwards, backwards)]
