"""Encrypted backups of the clinic's database: `manage.py backup` and `manage.py restore`.

A backup is one file, `meridian-<engine>-<UTC time>.backup`, encrypted with the key in
MERIDIAN_BACKUP_KEY (fileformat.py) and written 0600 into BACKUP_DIR (0700). The clear dump
exists only in a private 0700 work directory inside BACKUP_DIR while it is encrypted (SQLite;
PostgreSQL's dump streams straight into the encryption) and is removed afterwards, on failure
too; one left by a killed run is removed by the next. After each successful backup the
retention rule removes older files: the newest BACKUP_KEEP always stay, and so does any made
in the last BACKUP_KEEP_DAYS days (when set).

A restore checks the whole file (key, format, every record's authentication) before it
touches the database, then replaces the configured database as a whole (databases.py).
"""

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

from clinic.backups import databases
from clinic.backups.fileformat import (
    BackupError,
    BackupKey,
    EncryptingWriter,
    OpenedBackup,
    open_backup,
)

__all__ = ["BackupError", "BackupKey", "apply_retention", "make_backup", "restore_backup"]

BACKUP_NAME = re.compile(r"^meridian-(sqlite|postgresql)-(\d{8}T\d{6}Z)(?:-(\d+))?\.backup$")
_STAMP = "%Y%m%dT%H%M%SZ"
_WORK_PREFIX = ".work-"


@dataclass
class BackupResult:
    path: Path
    size: int
    key_id: str
    counts: dict[str, int]
    seconds: float
    removed: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    backed_up: dict[str, int]
    restored: dict[str, int]
    created: str
    seconds: float

    @property
    def missing(self) -> dict[str, tuple[int, int | None]]:
        """Tables whose rows differ from the backup's manifest: (backed up, restored)."""
        return {
            table: (count, self.restored.get(table))
            for table, count in self.backed_up.items()
            if self.restored.get(table) != count
        }


def make_backup(
    *,
    connection=None,
    key: BackupKey | None = None,
    directory: Path | None = None,
    keep: int | None = None,
    keep_days: int | None = None,
    now: datetime | None = None,
) -> BackupResult:
    started = time.monotonic()
    connection = connection or connections[DEFAULT_DB_ALIAS]
    key = key or BackupKey.from_environment()
    engine = databases.engine_of(connection)
    directory = Path(directory or settings.BACKUP_DIR)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077 and directory.stat().st_uid == os.geteuid():
        directory.chmod(0o700)  # a folder made by hand: only its owner reads the backups
    with _only_backup_running(directory), _private_workdir(directory) as workdir:
        with databases.dump(connection, workdir) as dump:
            manifest = {
                "engine": engine,
                "created": now.isoformat(),
                "counts": dump.counts,
                "migrations": _latest_migrations(connection),
            }
            path = _write(directory, engine, now, key, manifest, dump.chunks)
        removed = apply_retention(
            directory,
            keep=settings.BACKUP_KEEP if keep is None else keep,
            keep_days=settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days,
            now=now,
        )
    return BackupResult(
        path, path.stat().st_size, key.key_id, dump.counts, time.monotonic() - started, removed
    )


def check_backup(path: Path, *, key: BackupKey | None = None, connection=None) -> OpenedBackup:
    """Read the whole file and authenticate every record; the database is not touched."""
    key = key or BackupKey.from_environment()
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with _open(path) as file:
        opened = open_backup(file, key)
        engine = databases.engine_of(connection)
        if opened.header.engine != engine:
            raise BackupError(
                f"This is a backup of a {opened.header.engine} database and the configured "
                f"database is {engine}: restore it onto the same kind of database."
            )
        for _ in opened.chunks:
            pass
    return opened


def restore_backup(path: Path, *, key: BackupKey | None = None, connection=None) -> RestoreResult:
    started = time.monotonic()
    key = key or BackupKey.from_environment()
    connection = connection or connections[DEFAULT_DB_ALIAS]
    checked = check_backup(path, key=key, connection=connection)
    parent = (
        Path(connection.settings_dict["NAME"]).parent if connection.vendor == "sqlite" else None
    )
    with _private_workdir(parent) as workdir, _open(path) as file:
        databases.restore(connection, open_backup(file, key).chunks, workdir)
    return RestoreResult(
        backed_up=checked.manifest["counts"],
        restored=databases.current_counts(connection),
        created=checked.header.created,
        seconds=time.monotonic() - started,
    )


def apply_retention(
    directory: Path, *, keep: int, keep_days: int, now: datetime | None = None
) -> list[Path]:
    """Remove backups beyond the newest `keep`, unless younger than `keep_days` (0: no age
    rule). The time comes from the file name (copies keep it; they may not keep mtimes)."""
    now = now or datetime.now(UTC)
    found = []
    for path in Path(directory).iterdir():
        if match := BACKUP_NAME.match(path.name):
            made = datetime.strptime(match[2], _STAMP).replace(tzinfo=UTC)
            found.append(((made, int(match[3] or 1)), path))
    found.sort(reverse=True)
    removed = []
    for index, ((made, _), path) in enumerate(found):
        if index < max(keep, 1) or (keep_days and made > now - timedelta(days=keep_days)):
            continue
        path.unlink()
        removed.append(path)
    return removed


def _write(directory: Path, engine, now, key, manifest, chunks) -> Path:
    """Into a hidden .partial file first, renamed when complete: a backup that failed half-way
    never looks like one (nor counts for retention)."""
    stamp = now.strftime(_STAMP)
    partial = directory / f".meridian-{engine}-{stamp}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            writer = EncryptingWriter(
                out, key=key, engine=engine, created=now.isoformat(), manifest=manifest
            )
            for chunk in chunks:
                writer.write(chunk)
            writer.close()
            out.flush()
            os.fsync(out.fileno())
        path, number = directory / f"meridian-{engine}-{stamp}.backup", 1
        while path.exists():
            number += 1
            path = directory / f"meridian-{engine}-{stamp}-{number}.backup"
        partial.rename(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def _latest_migrations(connection) -> dict[str, str]:
    latest = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        latest[app] = name
    return latest


@contextlib.contextmanager
def _open(path: Path):
    try:
        file = Path(path).open("rb")  # noqa: SIM115 — closed below; only opening is guarded
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    with file:
        yield file


@contextlib.contextmanager
def _only_backup_running(directory: Path) -> Iterator[None]:
    """One backup at a time per directory; leftovers of a killed run are removed first."""
    with (directory / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"Another backup into {directory} is running.") from None
        for leftover in directory.iterdir():
            if leftover.name.startswith(_WORK_PREFIX) and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            elif leftover.name.endswith(".partial"):
                leftover.unlink(missing_ok=True)
        yield


@contextlib.contextmanager
def _private_workdir(parent: Path | None) -> Iterator[Path]:
    """A 0700 directory for the clear dump while it is encrypted or restored, always removed."""
    workdir = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=parent))
    try:
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
