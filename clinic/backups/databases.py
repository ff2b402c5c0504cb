"""Dumping and restoring the two databases Meridian runs on.

SQLite: the online backup API copies a consistent snapshot while the app writes (into a
private work directory, from which it is encrypted), and restore copies the restored pages
back into the configured file with the same API, under SQLite's own write lock: the file is
replaced as a whole, so no row of the append-only tables is ever deleted or updated (their
triggers never fire), and the WAL of the running app stays consistent.

PostgreSQL: `pg_dump --format=custom` of a snapshot exported by a read-only repeatable-read
transaction, so the manifest's row counts are those of the dump; it streams into the
encryption, never to disk. Restore pipes `pg_restore --no-owner` into psql inside one
transaction that first drops the schema's tables, views and functions, and commits only when
pg_restore has finished cleanly: the database is either the backup or unchanged. Dropping
tables (not deleting rows) passes the append-only triggers; it needs the owner role, which
runs migrations too.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import transaction

from clinic.backups.fileformat import CHUNK, BackupError


@dataclass
class Dump:
    counts: dict[str, int]
    chunks: Iterator[bytes]


def engine_of(connection) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def current_counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        return table_counts(cursor, connection.introspection.table_names(cursor))


@contextmanager
def dump(connection, workdir: Path) -> Iterator[Dump]:
    if engine_of(connection) == "sqlite":
        yield _sqlite_dump(connection, workdir)
    else:
        with _postgresql_dump(connection, workdir) as result:
            yield result


def restore(connection, chunks: Iterator[bytes], workdir: Path) -> None:
    connection.close()  # the restored schema is read afresh
    if engine_of(connection) == "sqlite":
        _sqlite_restore(connection, chunks, workdir)
    else:
        _postgresql_restore(connection, chunks, workdir)
    connection.close()


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def _sqlite_path(connection) -> str:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return name


def _sqlite_dump(connection, workdir: Path) -> Dump:
    snapshot = workdir / "snapshot.sqlite3"
    # mode=rw: a missing database is an error, not a new empty file to back up.
    source = sqlite3.connect(
        f"file:{quote(_sqlite_path(connection))}?mode=rw", uri=True, timeout=60
    )
    target = sqlite3.connect(snapshot)
    try:
        source.backup(target)  # all pages in one step: one consistent read transaction
        counts = table_counts(target.cursor(), _sqlite_tables(target))
    finally:
        target.close()
        source.close()
    return Dump(counts, _file_chunks(snapshot))


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


def _sqlite_restore(connection, chunks: Iterator[bytes], workdir: Path) -> None:
    restored = workdir / "restored.sqlite3"
    with restored.open("wb") as file:
        for chunk in chunks:
            file.write(chunk)
    source = sqlite3.connect(restored)
    try:
        (verdict,) = source.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok" or "django_migrations" not in _sqlite_tables(source):
            raise BackupError("The backup's SQLite database fails its integrity check.")
        target = sqlite3.connect(_sqlite_path(connection), timeout=60)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------

# Everything of the app's schema except extensions (btree_gist stays, as its owner may be
# another role): tables (with their triggers and sequences), views, then functions, so that
# the dump recreates each one and a table added by a later migration does not stay behind.
CLEAR_SCHEMA = """
DO $$
DECLARE object record;
BEGIN
    FOR object IN
        SELECT c.relname AS name,
               CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind
        FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relkind IN ('r', 'p') DESC
    LOOP
        EXECUTE format('DROP %s IF EXISTS %I CASCADE', object.kind, object.name);
    END LOOP;
    FOR object IN
        SELECT p.oid::regprocedure::text AS name FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', object.name);
    END LOOP;
END $$;
"""


def _pg_environment(connection) -> dict[str, str]:
    """libpq's variables for the client tools: the password never appears in a command line."""
    settings = connection.settings_dict
    options = settings.get("OPTIONS", {})
    environment = dict(os.environ)
    for variable, value in {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
        "PGPASSFILE": options.get("passfile"),
        "PGSERVICE": options.get("service"),
    }.items():
        if value:
            environment[variable] = str(value)
    return environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; PostgreSQL backups need the client tools "
            "(Debian/Ubuntu: apt-get install postgresql-client)."
        )
    return path


def _first_error(path: Path) -> str:
    """The tool's first error line, cut short: a COPY error's context would quote a row."""
    lines = path.read_text(errors="replace").splitlines()
    errors = [line for line in lines if "error" in line.lower()] or lines or ["(no message)"]
    return errors[0][:200]


@contextmanager
def _postgresql_dump(connection, workdir: Path) -> Iterator[Dump]:
    environment = _pg_environment(connection)
    errors = workdir / "pg_dump.err"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        counts = table_counts(cursor, connection.introspection.table_names(cursor))
        with errors.open("wb") as error_file:
            process = subprocess.Popen(
                [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-password"],
                stdout=subprocess.PIPE,
                stderr=error_file,
                env=environment,
            )
            try:
                yield Dump(counts, _process_chunks(process, errors, "pg_dump"))
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
                process.stdout.close()


def _process_chunks(process, errors: Path, name: str) -> Iterator[bytes]:
    while chunk := process.stdout.read(CHUNK):
        yield chunk
    if process.wait() != 0:
        raise BackupError(f"{name} failed: {_first_error(errors)}")


def _postgresql_restore(connection, chunks: Iterator[bytes], workdir: Path) -> None:
    """pg_restore turns the dump into SQL; psql runs it in one transaction after clearing the
    schema, and commits only once pg_restore has finished without error."""
    environment = _pg_environment(connection)
    restore_errors, psql_errors = workdir / "pg_restore.err", workdir / "psql.err"
    with restore_errors.open("wb") as restore_file, psql_errors.open("wb") as psql_file:
        pg_restore = subprocess.Popen(
            [_tool("pg_restore"), "--no-owner", "--no-comments", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=restore_file,
            env=environment,
        )
        psql = subprocess.Popen(
            [_tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_file,
            env=environment,
        )
        feeding = _Feeder(chunks, pg_restore.stdin)
        feeding.start()
        try:
            psql.stdin.write(b"BEGIN;\n" + CLEAR_SCHEMA.encode())
            while script := pg_restore.stdout.read(CHUNK):
                psql.stdin.write(script)
            feeding.join()
            if pg_restore.wait() == 0 and feeding.error is None:
                psql.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error: its status and message say which
        finally:
            # After a psql error: stop pg_restore first, so the feeder's write fails and ends.
            pg_restore.stdout.close()
            if pg_restore.poll() is None:
                pg_restore.kill()
            feeding.join()
            restore_status = pg_restore.wait()
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()  # without COMMIT, psql's end rolls the transaction back
            psql_status = psql.wait()
    if feeding.error is not None:
        raise feeding.error
    if psql_status != 0:
        raise BackupError(
            f"The restore was rolled back (the database is unchanged): {_first_error(psql_errors)}"
        )
    if restore_status != 0:
        raise BackupError(
            "pg_restore failed; the restore was rolled back (the database is unchanged): "
            + _first_error(restore_errors)
        )


class _Feeder(threading.Thread):
    """Writes the dump into pg_restore while the main thread passes its SQL on to psql."""

    def __init__(self, chunks: Iterator[bytes], pipe):
        super().__init__(daemon=True)
        self.chunks, self.pipe, self.error = chunks, pipe, None

    def run(self):
        try:
            for chunk in self.chunks:
                self.pipe.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore stopped early: its exit status says why
        except Exception as error:  # handed to the main thread, raised there
            self.error = error
        finally:
            with contextlib.suppress(BrokenPipeError):
                self.pipe.close()
