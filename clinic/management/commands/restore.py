"""Restore an encrypted backup into the configured database, replacing all of it.

    MERIDIAN_BACKUP_KEY=… python manage.py restore var/backups/meridian-….backup --check
    MERIDIAN_BACKUP_KEY=… python manage.py restore var/backups/meridian-….backup --yes-wipe

--check reads and authenticates the whole file and prints its manifest, touching nothing.
--yes-wipe is required to restore: everything in the database is replaced by the backup. The
file is checked in full (key, format, every record) before the database is touched. On
PostgreSQL run it as the owner role (the one that runs migrations), with the app stopped.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from clinic.backups import BackupError, check_backup, restore_backup


class Command(BaseCommand):
    help = "Restore an encrypted backup, replacing the whole database (needs --yes-wipe)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file (meridian-….backup).")
        parser.add_argument(
            "--yes-wipe",
            action="store_true",
            help="Confirm that everything now in the database is replaced by the backup.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only read and authenticate the file and print what it holds.",
        )

    def handle(self, *args, file, yes_wipe=False, check=False, **options):
        try:
            if check:
                self._report_check(check_backup(file))
                return
            if not yes_wipe:
                database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
                raise CommandError(
                    f"Restoring replaces everything in the database ({database}) with the "
                    "backup. Add --yes-wipe to go ahead, or --check to only check the file."
                )
            result = restore_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for table, count in sorted(result.backed_up.items()):
            self.stdout.write(f"  {table}: {result.restored.get(table, 0):,} of {count:,}")
        backed_up, restored = sum(result.backed_up.values()), sum(result.restored.values())
        self.stdout.write(
            f"Restored the backup of {result.created}: {restored:,} rows of {backed_up:,} "
            f"backed up, in {len(result.restored)} tables, in {result.seconds:.2f} s."
        )
        self._say_pending_migrations()
        if result.missing:
            raise CommandError(
                "Rows differ from the backup in: " + ", ".join(sorted(result.missing))
            )

    def _report_check(self, opened):
        counts = opened.manifest["counts"]
        self.stdout.write(
            f"The backup is intact: {opened.header.engine} database of {opened.header.created}, "
            f"key id {opened.header.key_id}, {len(counts)} tables, "
            f"{sum(counts.values()):,} rows."
        )
        for app, name in sorted(opened.manifest["migrations"].items()):
            self.stdout.write(f"  migrations: {app} {name}")

    def _say_pending_migrations(self):
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stdout.write(
                f"This version has {len(plan)} migrations the backup predates: run "
                "`manage.py migrate` before starting the app."
            )
