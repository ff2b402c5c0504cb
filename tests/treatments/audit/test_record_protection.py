"""The database itself refuses to rewrite the clinical records (treatments/audit/protection.py):
on SQLite and on PostgreSQL, whoever sends the SQL. Connecting as the app's own role on
PostgreSQL: test_app_role.py."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import IntegrityError, OperationalError, connection, models, transaction

from tests.treatments.audit.records import TAMPERING, clinical_records, protected_rows
from treatments.audit.protection import (
    PROTECTED,
    install,
    protection_lifted,
    protection_problems,
    triggers_for,
)
from treatments.models import AccessLog, NotePoint, SessionNote

pytestmark = pytest.mark.django_db

only_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite rebuilds a table to alter it"
)


@pytest.fixture
def records(paul):
    return clinical_records(paul.practitioner)


@pytest.mark.parametrize("attempt", TAMPERING)
def test_the_database_refuses_to(attempt, records):
    sql, params = TAMPERING[attempt](records)
    before = protected_rows()

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)

    assert protected_rows() == before


def test_a_draft_and_its_points_still_change_freely(records):
    draft = records.draft
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE treatments_sessionnote SET subjective = 'Still writing' WHERE id = %s",
            [draft.pk],
        )
        cursor.execute("DELETE FROM treatments_notepoint WHERE note_id = %s", [draft.pk])
    NotePoint.objects.create(note=draft, point=records.spare_point, side="left")

    draft.refresh_from_db()
    assert draft.subjective == "Still writing"
    assert [p.point for p in draft.points.all()] == [records.spare_point]


def test_the_append_only_tables_still_take_new_rows(records, paul):
    AccessLog.objects.create(user=paul, patient=records.read.patient, what="patient", object_id=1)

    assert AccessLog.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.parametrize("table", PROTECTED)
def test_postgresql_refuses_to_truncate(table, records):
    before = protected_rows()
    with connection.cursor() as cursor:
        # Check the records' deferred foreign keys now: PostgreSQL will not truncate a table
        # with checks pending, which would hide what the trigger does.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    refused = pytest.raises(IntegrityError, match="cannot be truncated")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")

    assert protected_rows() == before


def test_every_protected_table_is_a_table_of_the_app(records):
    tables = connection.introspection.table_names()

    assert set(PROTECTED) <= set(tables)
    assert {trigger.table for trigger in triggers_for(connection)} == set(PROTECTED)


def test_the_protection_is_whole_after_migrate():
    assert protection_problems() == []


def test_a_disabled_or_dropped_trigger_is_reported():
    dropped = triggers_for(connection)[0]
    with connection.cursor() as cursor:
        on = f" ON {dropped.table}" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER {dropped.name}{on}")

    assert protection_problems() == [
        f"{dropped.table}: trigger {dropped.name} is missing, disabled or altered"
    ]
    assert install(connection) == [dropped.name]
    assert protection_problems() == []
    assert install(connection) == []  # nothing missing: no DDL at all


@only_sqlite
def test_a_trigger_narrowed_to_let_everything_through_is_reported_and_replaced(records):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER meridian_treatments_accesslog_no_delete")
        cursor.execute(
            "CREATE TRIGGER meridian_treatments_accesslog_no_delete BEFORE DELETE ON "
            "treatments_accesslog FOR EACH ROW WHEN 0 BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    assert len(protection_problems()) == 1

    install(connection)

    assert protection_problems() == []
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.all().delete()


@pytest.mark.postgres
def test_a_trigger_function_replaced_by_one_that_lets_everything_through_is_reported():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION meridian_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$"
        )

    assert len(protection_problems()) == 7  # the seven append-only tables' row triggers

    install(connection)

    assert protection_problems() == []


def test_the_protection_can_be_lifted_for_a_block_and_comes_back(records):
    with protection_lifted(connection):
        SessionNote.objects.filter(pk=records.signed.pk).update(subjective="Rewritten")

    assert protection_problems() == []
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNote.objects.filter(pk=records.signed.pk).update(subjective="Again")


# --- SQLite rebuilds tables: migrate puts the triggers back ------------------------------------


def _widen(model, name: str, by: int) -> tuple[models.Field, models.Field]:
    old = model._meta.get_field(name)
    new = models.CharField(max_length=old.max_length + by)
    new.set_attributes_from_name(name)
    new.model = model
    return old, new


@only_sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_table_rebuilt_by_sqlite_gets_its_triggers_back_at_the_next_migrate():
    old, new = _widen(AccessLog, "what", 1)
    with connection.schema_editor() as editor:  # SQLite: new table, copy, drop, rename
        editor.alter_field(AccessLog, old, new)
        editor.alter_field(AccessLog, new, old)
    assert protection_problems() == [
        "treatments_accesslog: trigger meridian_treatments_accesslog_no_update is missing, "
        "disabled or altered",
        "treatments_accesslog: trigger meridian_treatments_accesslog_no_delete is missing, "
        "disabled or altered",
    ]

    call_command("migrate", verbosity=0)

    assert protection_problems() == []


@only_sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_migration_may_rebuild_the_notes_table_because_migrate_lifts_the_triggers_first():
    old, new = _widen(SessionNote, "adverse_event_detail", 1)
    # The points' trigger names the notes' table; SQLite will not rename a table over it.
    refused = pytest.raises(OperationalError, match="error in trigger")
    with refused, connection.schema_editor() as editor:
        editor.alter_field(SessionNote, old, new)

    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    with connection.schema_editor() as editor:
        editor.alter_field(SessionNote, old, new)
        editor.alter_field(SessionNote, new, old)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    assert protection_problems() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_back_and_forth_keeps_the_records_protected():
    call_command("migrate", "treatments", "0010_home_care_illustration", verbosity=0)
    call_command("migrate", verbosity=0)

    assert protection_problems() == []


@only_sqlite
def test_granting_an_app_role_is_for_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_app_role", "meridian_app")
