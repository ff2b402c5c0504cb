"""The clinical records nobody may rewrite, and the database triggers that hold them.

`PROTECTED` is the one list: a table and its rule. Adding a table is one line there; the next
`migrate` installs its triggers on either database (`install`, run after every migrate from
treatments/apps.py) and `protection_problems()` reports them until it has.

The services never change these rows; the triggers stop anyone who tries anyway, through the
ORM, a shell or SQL:

- PostgreSQL: a row trigger (BEFORE UPDATE OR DELETE, and INSERT for the points of a note)
  and a statement-level BEFORE TRUNCATE trigger on every protected table. The app's own
  role owns nothing (`manage.py grant_app_role`), so it cannot disable, drop or replace them,
  nor set `session_replication_role`.
- SQLite: BEFORE UPDATE / DELETE (/ INSERT) triggers that RAISE(ABORT). Django's SQLite schema
  editor rebuilds a table for most ALTERs (create a new table, copy, drop the old one), which
  drops the old table's triggers; and SQLite refuses to rename a table while a trigger on
  another table names a missing one (the points' trigger names the notes' table). So on
  SQLite `migrate` first removes the triggers (pre_migrate) and installs them all again at the
  end (post_migrate). Anyone holding the SQLite file can still drop them: there the keyed
  signatures are what detect a change.

Only the triggers' rules live here; who may do what is in the services and the roles.
"""

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper


class Rule(enum.Enum):
    SIGNED_NOTE_IS_FINAL = "a signed note cannot be changed or deleted"
    POINTS_OF_A_SIGNED_NOTE_ARE_FINAL = "the points of a signed note cannot change"
    APPEND_ONLY = "rows are added, never changed or deleted"


PROTECTED: dict[str, Rule] = {
    "treatments_sessionnote": Rule.SIGNED_NOTE_IS_FINAL,
    "treatments_notepoint": Rule.POINTS_OF_A_SIGNED_NOTE_ARE_FINAL,
    "treatments_noteaddendum": Rule.APPEND_ONLY,
    "treatments_historicalsessionnote": Rule.APPEND_ONLY,
    "treatments_historicalnoteaddendum": Rule.APPEND_ONLY,
    "treatments_accesslog": Rule.APPEND_ONLY,
    "treatments_homecaresheet": Rule.APPEND_ONLY,
    "treatments_appointmentstatuschange": Rule.APPEND_ONLY,
    # The keyed seals and chain links (audit/seals.py, chains.py): a new key adds seals.
    "treatments_recordseal": Rule.APPEND_ONLY,
}


def append_only_tables() -> list[str]:
    return [table for table, rule in PROTECTED.items() if rule is Rule.APPEND_ONLY]


# --- PostgreSQL ------------------------------------------------------------------------------
# The functions keep the names migration 0007 gave them. Raising integrity_constraint_violation
# makes Django raise IntegrityError, as for any other constraint.

PG_FUNCTIONS = {
    "meridian_refuse_signed_note_change": """
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'session note % is signed and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
""",
    # An UPDATE is checked on both sides: a point may not be moved onto a signed note either.
    "meridian_refuse_signed_note_points": """
BEGIN
    IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM treatments_sessionnote
                                      WHERE id = OLD.note_id AND signed_at IS NOT NULL))
       OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM treatments_sessionnote
                                         WHERE id = NEW.note_id AND signed_at IS NOT NULL))
    THEN
        RAISE EXCEPTION 'the points of a signed session note cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
""",
    "meridian_refuse_change": """
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
""",
    "meridian_refuse_truncate": """
BEGIN
    RAISE EXCEPTION '% holds clinical records and cannot be truncated', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
""",
}

PG_ROW_TRIGGER = {
    Rule.SIGNED_NOTE_IS_FINAL: ("UPDATE OR DELETE", "meridian_refuse_signed_note_change"),
    Rule.POINTS_OF_A_SIGNED_NOTE_ARE_FINAL: (
        "INSERT OR UPDATE OR DELETE",
        "meridian_refuse_signed_note_points",
    ),
    Rule.APPEND_ONLY: ("UPDATE OR DELETE", "meridian_refuse_change"),
}

# pg_trigger.tgtype bits: what a trigger's definition must add up to.
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE = 1, 2, 4, 8, 16, 32
_EVENT_BITS = {"INSERT": _INSERT, "UPDATE": _UPDATE, "DELETE": _DELETE}


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    create: str  # idempotent: CREATE OR REPLACE (PostgreSQL), IF NOT EXISTS (SQLite)
    function: str = ""  # PostgreSQL: the function it executes
    tgtype: int = 0  # PostgreSQL: its timing, level and events


def _postgresql_triggers(table: str, rule: Rule) -> list[Trigger]:
    events, function = PG_ROW_TRIGGER[rule]
    row_type = _ROW | _BEFORE
    for event in events.split(" OR "):
        row_type |= _EVENT_BITS[event]
    row, truncate = f"meridian_{table}_rows", f"meridian_{table}_no_truncate"
    return [
        Trigger(
            row,
            table,
            f"CREATE OR REPLACE TRIGGER {row} BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            function,
            row_type,
        ),
        Trigger(
            truncate,
            table,
            f"CREATE OR REPLACE TRIGGER {truncate} BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION meridian_refuse_truncate()",
            "meridian_refuse_truncate",
            _BEFORE | _TRUNCATE,
        ),
    ]


# --- SQLite ----------------------------------------------------------------------------------

_SIGNED = "EXISTS (SELECT 1 FROM treatments_sessionnote WHERE id = {} AND signed_at IS NOT NULL)"
SQLITE_CONDITIONS = {
    # event -> the WHEN condition under which the change is refused (None: always)
    Rule.SIGNED_NOTE_IS_FINAL: {
        "UPDATE": "OLD.signed_at IS NOT NULL",
        "DELETE": "OLD.signed_at IS NOT NULL",
    },
    Rule.POINTS_OF_A_SIGNED_NOTE_ARE_FINAL: {
        "INSERT": _SIGNED.format("NEW.note_id"),
        "UPDATE": f"{_SIGNED.format('OLD.note_id')} OR {_SIGNED.format('NEW.note_id')}",
        "DELETE": _SIGNED.format("OLD.note_id"),
    },
    Rule.APPEND_ONLY: {"UPDATE": None, "DELETE": None},
}


def _sqlite_triggers(table: str, rule: Rule) -> list[Trigger]:
    triggers = []
    for event, condition in SQLITE_CONDITIONS[rule].items():
        name = f"meridian_{table}_no_{event.lower()}"
        when = f" WHEN {condition}" if condition else ""
        message = f"{table}: {rule.value}"
        triggers.append(
            Trigger(
                name,
                table,
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} FOR EACH ROW"
                f"{when} BEGIN SELECT RAISE(ABORT, '{message}'); END",
            )
        )
    return triggers


def triggers_for(connection: BaseDatabaseWrapper) -> list[Trigger]:
    """Every trigger `PROTECTED` asks for on this database (none on other databases)."""
    build = {"postgresql": _postgresql_triggers, "sqlite": _sqlite_triggers}.get(connection.vendor)
    if build is None:
        return []
    return [trigger for table, rule in PROTECTED.items() for trigger in build(table, rule)]


def _existing_tables(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


# --- install, check, lift ----------------------------------------------------------------------


def install(connection: BaseDatabaseWrapper) -> list[str]:
    """Create every trigger of `PROTECTED` that is missing, disabled or altered on the tables
    that exist (PostgreSQL: with its function); return their names. Idempotent, and no DDL at
    all when nothing is missing."""
    tables = _existing_tables(connection)
    wanted = [t for t in triggers_for(connection) if t.table in tables]
    present = _present(connection, wanted)
    missing = [t for t in wanted if t.name not in present]
    if not missing:
        return []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, body in PG_FUNCTIONS.items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger "
                    f"LANGUAGE plpgsql AS $body${body}$body$"
                )
        for trigger in missing:
            if connection.vendor == "sqlite":  # an altered one is replaced, not kept
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger.name}")
            cursor.execute(trigger.create)
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {trigger.table} ENABLE TRIGGER {trigger.name}")
    return [t.name for t in missing]


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop every trigger of `PROTECTED` (migration 0016's reverse, and SQLite's pre_migrate)."""
    tables = _existing_tables(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger in triggers_for(connection):
            if trigger.table not in tables:
                continue
            on = f" ON {trigger.table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger.name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS meridian_refuse_truncate()")


def _present(connection: BaseDatabaseWrapper, triggers: list[Trigger]) -> set[str]:
    """The names of `triggers` that exist as defined (PostgreSQL: and are enabled)."""
    if not triggers:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            found = {(name, table): sql for name, table, sql in cursor.fetchall()}
            return {
                t.name
                for t in triggers
                if _same_sql(found.get((t.name, t.table)), t.create.replace(" IF NOT EXISTS", ""))
            }
        cursor.execute(
            """
            SELECT t.tgname, c.relname, p.proname, t.tgtype, t.tgenabled, p.prosrc
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND t.tgqual IS NULL  -- no WHEN clause narrows it
              AND c.relname = ANY(%s) AND pg_table_is_visible(c.oid)
            """,
            [sorted({t.table for t in triggers})],
        )
        found = {
            (name, table): (function, tgtype, enabled, source)
            for name, table, function, tgtype, enabled, source in cursor.fetchall()
        }
    return {
        t.name
        for t in triggers
        if (definition := found.get((t.name, t.table)))
        and definition[0] == t.function
        and definition[1] == t.tgtype
        and definition[2] in ("O", "A")  # fires in normal sessions
        and _same_sql(definition[3], PG_FUNCTIONS[t.function])
    }


def _same_sql(found: str | None, expected: str) -> bool:
    return found is not None and found.split() == expected.split()


def protection_problems(connection: BaseDatabaseWrapper | None = None) -> list[str]:
    """What is missing from the database's protection of the records, in words; [] when whole.

    A missing, disabled or altered trigger on a table of `PROTECTED` that exists; on
    PostgreSQL also any role other than a table's owner that holds TRUNCATE or TRIGGER on a
    protected table, or UPDATE or DELETE on an append-only one (`grant_app_role` takes them
    away). Tables not created yet (before the first migrate) have nothing to protect.
    """
    if connection is None:
        from django.db import connection
    tables = _existing_tables(connection)
    wanted = [t for t in triggers_for(connection) if t.table in tables]
    present = _present(connection, wanted)
    problems = [
        f"{t.table}: trigger {t.name} is missing, disabled or altered"
        for t in wanted
        if t.name not in present
    ]
    if connection.vendor == "postgresql":
        problems += _privilege_problems(connection, tables)
    return problems


def _privilege_problems(connection: BaseDatabaseWrapper, tables: set[str]) -> list[str]:
    protected = sorted(set(PROTECTED) & tables)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, COALESCE(grantee.rolname, 'PUBLIC'), acl.privilege_type
            FROM pg_class c
            CROSS JOIN LATERAL aclexplode(c.relacl) acl
            LEFT JOIN pg_roles grantee ON grantee.oid = acl.grantee
            WHERE c.relname = ANY(%s) AND pg_table_is_visible(c.oid)
              AND acl.grantee <> c.relowner
              AND acl.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER')
            ORDER BY 1, 2, 3
            """,
            [protected],
        )
        rows = cursor.fetchall()
    return [
        f"{table}: role {role} may {privilege}"
        for table, role, privilege in rows
        if privilege in ("TRUNCATE", "TRIGGER") or PROTECTED[table] is Rule.APPEND_ONLY
    ]


@contextmanager
def protection_lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Run the block with the triggers off, in one transaction, and put them back after.

    For the test suite's flush (it empties every table) and for tests that play an attacker
    who already got past the triggers. On PostgreSQL this sets `session_replication_role`,
    which only a superuser may: the app's role cannot. On SQLite the triggers are dropped and
    created again; if the block fails, the rollback brings them back.
    """
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            elif connection.vendor == "sqlite":
                uninstall(connection)
        yield
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET session_replication_role")
            elif connection.vendor == "sqlite":
                install(connection)


# --- migrate and the system check (connected in treatments/apps.py) ---------------------------


def before_migrate(sender, using: str, **kwargs) -> None:
    """SQLite: take the triggers off while migrations rebuild tables (see the module's doc)."""
    from django.db import connections

    if connections[using].vendor == "sqlite":
        uninstall(connections[using])


def after_migrate(sender, using: str, plan=None, verbosity=1, stdout=None, **kwargs) -> None:
    """After every migrate: every protected table has its triggers (again).

    Except on PostgreSQL after unapplying migrations: there the migrations' own reverse
    steps decide (0016's puts back the triggers of 0007 and 0009)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql" and any(backwards for _, backwards in plan or []):
        return
    missing = install(connection)
    if missing and verbosity >= 2 and stdout is not None:
        stdout.write(f"  Protected clinical records: installed {len(missing)} triggers.\n")


def check_protection(app_configs=None, databases=None, **kwargs) -> list:
    """`manage.py check --database default`, and `migrate` before it runs: a warning (not an
    error, which would stop the migrate that repairs it) per gap in the protection."""
    from django.core.checks import Warning
    from django.db import connections

    return [
        Warning(
            problem,
            hint="Run `manage.py migrate` as the tables' owner (it installs the triggers), "
            "then `manage.py grant_app_role <app role>` (README, Production).",
            id="treatments.W001",
        )
        for alias in databases or []
        for problem in protection_problems(connections[alias])
    ]
