"""The web app's own PostgreSQL role (README, Production; `manage.py grant_app_role`): it does
the clinic's everyday work, and cannot tamper with the records, lift their protection or
change the schema. The owner's own TRUNCATE and raw SQL: test_record_protection.py."""

import os
import secrets
import threading
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import RequestFactory

from tests.factories import at, book, future_monday
from tests.treatments.audit.records import TAMPERING, clinical_records, protected_rows
from tests.treatments.homecare.sheets import issue
from treatments.audit.protection import PROTECTED, protection_problems
from treatments.audit.services import record_read
from treatments.models import AccessLog, AppointmentStatus, SessionNote
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.postgres

APP_ROLE = f"meridian_app_test_{os.getpid()}"
# With a password, the test also runs where the server does not trust 127.0.0.1.
APP_PASSWORD = secrets.token_urlsafe(16)

# What a process holding the app role's login would try beyond the records' rows.
LIFTING_THE_PROTECTION = {
    "disable a trigger": "ALTER TABLE treatments_accesslog "
    "DISABLE TRIGGER meridian_treatments_accesslog_rows",
    "disable all triggers of the notes": "ALTER TABLE treatments_sessionnote DISABLE TRIGGER ALL",
    "drop a trigger": "DROP TRIGGER meridian_treatments_sessionnote_rows ON treatments_sessionnote",
    "replace a trigger's function": "CREATE OR REPLACE FUNCTION meridian_refuse_change() "
    "RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
    "turn triggers off for the session": "SET session_replication_role = replica",
    "create a table": "CREATE TABLE treatments_shadow (id integer)",
    "take over the access log": f'ALTER TABLE treatments_accesslog OWNER TO "{APP_ROLE}"',
    "drop the access log": "DROP TABLE treatments_accesslog",
    "record a migration as applied": "INSERT INTO django_migrations (app, name, applied) "
    "VALUES ('treatments', '9999_fake', now())",
}


@pytest.fixture
def app_role():
    """A login role for the app, with no privileges yet; dropped with its grants after."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE \"{APP_ROLE}\" LOGIN PASSWORD '{APP_PASSWORD}'")
    yield APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{APP_ROLE}"')
        cursor.execute(f'DROP ROLE "{APP_ROLE}"')


def connect_as(role: str) -> psycopg.Connection:
    """A plain connection to the test database as `role`."""
    where = connection.settings_dict
    return psycopg.connect(
        host=where["HOST"] or "127.0.0.1",
        port=where["PORT"] or 5432,
        dbname=where["NAME"],
        user=role,
        password=APP_PASSWORD,
        autocommit=True,
    )


def as_app_role(role: str, work):
    """Run `work` in a thread whose Django connection logs in as `role`, as the app would."""
    outcome = {}
    backend = type(connections["default"])
    settings = {**connections["default"].settings_dict, "USER": role, "PASSWORD": APP_PASSWORD}

    def run():
        wrapper = backend(settings)
        connections["default"] = wrapper  # this thread's connection only
        try:
            outcome["result"] = work()
        except Exception as error:  # handed to the test's thread
            outcome["error"] = error
        finally:
            wrapper.close()

    thread = threading.Thread(target=run, name="app-role")
    thread.start()
    thread.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def attempt(app: psycopg.Connection, sql: str, params=()) -> str:
    """What the database answered: the error's class, or "allowed"."""
    try:
        app.execute(sql, params)
    except psycopg.Error as error:
        return type(error).__name__
    return "allowed"


# Committed, so that the app role's own connections see the records.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_app_role_does_the_days_work_but_cannot_tamper(app_role, paul, fiona, dr_paul, room_a):
    records = clinical_records(dr_paul)
    call_command("grant_app_role", app_role, stdout=StringIO())
    before = protected_rows()

    with connect_as(app_role) as app:
        answers = {
            f"truncate {table}": attempt(app, f"TRUNCATE {table} CASCADE") for table in PROTECTED
        }
        for name, tamper in TAMPERING.items():
            answers[name] = attempt(app, *tamper(records))
        for name, sql in LIFTING_THE_PROTECTION.items():
            answers[name] = attempt(app, sql)

    assert {name: answer for name, answer in answers.items() if answer == "allowed"} == {}
    assert len(answers) == 9 + 22 + 9
    assert protected_rows() == before
    assert protection_problems() == []

    def a_days_work():
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.8")
        request.user = fiona
        patient = records.signed.appointment.patient
        record_read(request, patient=patient, what="patient", object_id=patient.pk)
        booked = book(
            patient=patient, practitioner=dr_paul, room=room_a, by=fiona,
            start=at(future_monday(), "11:00"),
        )  # fmt: skip
        scheduling.cancel(appointment=booked, reason="Changed plans", by=fiona)
        draft = notes.note_save_draft(
            note=records.draft, by=paul, subjective="Still writing",
            points=[(records.spare_point, "left")],
        )  # fmt: skip
        notes.note_sign(note=draft, by=paul)
        notes.addendum_add(note=records.signed, by=paul, reason="Detail", text="Left side.")
        issue(dr_paul, patient=patient)
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT current_user")
            return booked.pk, cursor.fetchone()[0]

    booked, worked_as = as_app_role(app_role, a_days_work)

    assert worked_as == app_role

    assert AccessLog.objects.filter(user=fiona, what="patient").count() == 1
    assert scheduling.Appointment.objects.get(pk=booked).status == AppointmentStatus.CANCELLED
    assert SessionNote.objects.get(pk=records.draft.pk).is_signed
    assert records.signed.addenda.count() == 2


@pytest.mark.django_db
def test_tables_a_later_migrate_creates_are_granted_too(app_role):
    call_command("grant_app_role", app_role, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE treatments_later (id integer)")  # as the owner, like migrate
        cursor.execute(
            "SELECT has_table_privilege(%s, 'treatments_later', 'INSERT'), "
            "has_table_privilege(%s, 'treatments_later', 'TRUNCATE')",
            [app_role, app_role],
        )
        assert cursor.fetchone() == (True, False)


@pytest.mark.django_db
def test_a_role_that_may_truncate_a_protected_table_is_reported(app_role):
    call_command("grant_app_role", app_role, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE, UPDATE ON treatments_accesslog TO "{app_role}"')

    assert protection_problems() == [
        f"treatments_accesslog: role {app_role} may TRUNCATE",
        f"treatments_accesslog: role {app_role} may UPDATE",
    ]


@pytest.mark.django_db
def test_the_sql_can_be_printed_without_running_it(app_role):
    out = StringIO()
    call_command("grant_app_role", app_role, "--sql", stdout=out)

    assert 'REVOKE UPDATE, DELETE ON "treatments_noteaddendum", ' in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, 'treatments_accesslog', 'SELECT')", [app_role]
        )
        assert cursor.fetchone() == (False,)


@pytest.mark.django_db
def test_the_owner_cannot_be_made_the_app_role():
    with pytest.raises(CommandError, match="the role running this command, the tables' owner"):
        call_command("grant_app_role", connection.settings_dict["USER"] or "postgres")


@pytest.mark.django_db
def test_a_role_that_owns_a_table_is_refused(app_role):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE treatments_shadow (id integer)")
        cursor.execute(f'ALTER TABLE treatments_shadow OWNER TO "{app_role}"')

    with pytest.raises(CommandError, match="owns 1 tables"):
        call_command("grant_app_role", app_role)


@pytest.mark.django_db
def test_an_unknown_role_is_refused():
    with pytest.raises(CommandError, match='there is no role "nobody_here": create it first'):
        call_command("grant_app_role", "nobody_here")
