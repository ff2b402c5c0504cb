"""The app's own PostgreSQL role: what it may do, in SQL the tables' owner runs.

Two roles (README, Production): an owner that runs `migrate` and owns every table, and the
app role the web app connects as. The app role owns nothing, so it cannot drop or disable
the triggers of audit/protection.py, replace their functions, or ALTER anything; it is not a
superuser, so it cannot set `session_replication_role`; it has no TRUNCATE, no TRIGGER, no
CREATE on the schema; on the append-only tables only SELECT and INSERT.

Append-only tables have no UPDATE for the app role, so `SELECT … FOR UPDATE` and the stronger
`LOCK TABLE` modes on them fail for it: serialise appends with an advisory lock or a lock on
another table. Appointment writers serialise the same way: transaction-scoped advisory locks
on the practitioner, room, patient and course they touch (scheduling/services.py
`_lock_slots`), which any role may take, not a table lock.
"""

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from treatments.audit.protection import append_only_tables


class RoleRefused(Exception):
    """The role cannot be the app's role as it stands; the message says why."""


def _one(cursor, sql: str, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()


def app_role_refusals(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Why `role` must not be the app's role (it would keep the owner's powers), in words."""
    with connection.cursor() as cursor:
        found = _one(
            cursor,
            "SELECT rolsuper, rolcreaterole, pg_has_role(%s, current_user, 'MEMBER'), "
            "%s = current_user FROM pg_roles WHERE rolname = %s",
            [role, role, role],
        )
        if found is None:
            return [f'there is no role "{role}": create it first (README, Production)']
        superuser, createrole, member_of_owner, is_owner = found
        refusals = []
        if is_owner:
            refusals.append(f'"{role}" is the role running this command, the tables\' owner')
        elif member_of_owner:
            refusals.append(f'"{role}" is a member of the owner role and has its powers')
        if superuser:
            refusals.append(f'"{role}" is a superuser')
        if createrole:
            refusals.append(f'"{role}" has CREATEROLE')
        (owned,) = _one(
            cursor,
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s AND c.relnamespace = current_schema()::regnamespace",
            [role],
        )
        if owned:
            refusals.append(f'"{role}" owns {owned} tables, sequences or indexes')
        (owns_database,) = _one(
            cursor,
            "SELECT pg_get_userbyid(datdba) = %s FROM pg_database "
            "WHERE datname = current_database()",
            [role],
        )
        if owns_database:
            refusals.append(f'"{role}" owns the database')
    return refusals


def app_role_sql(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """The GRANT and REVOKE statements that give `role` the app's privileges and no more.

    Idempotent: run again after every migrate (it also covers tables made since; default
    privileges cover them in between, with UPDATE and DELETE until then)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        owner, schema, database = _one(
            cursor, "SELECT current_user, current_schema(), current_database()"
        )
        tables = set(connection.introspection.table_names(cursor))
    app, owner, schema, database = map(quote, (role, owner, schema, database))
    append_only = ", ".join(quote(t) for t in append_only_tables() if t in tables)
    statements = [
        # Nobody but the owner creates objects in the schema (PostgreSQL 15's default).
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {schema} FROM {app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"GRANT CONNECT ON DATABASE {database} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"REVOKE INSERT, UPDATE, DELETE ON {quote('django_migrations')} FROM {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        # Tables and sequences a later migrate creates (as the owner).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
    if append_only:
        statements.insert(7, f"REVOKE UPDATE, DELETE ON {append_only} FROM {app}")
    return statements


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Give `role` the app's privileges (as the tables' owner); return the SQL that ran."""
    if connection.vendor != "postgresql":
        raise RoleRefused("Database roles are a PostgreSQL set-up; SQLite has none.")
    refusals = app_role_refusals(connection, role)
    if refusals:
        raise RoleRefused("Not an app role: " + "; ".join(refusals) + ".")
    statements = app_role_sql(connection, role)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
