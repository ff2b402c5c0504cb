"""Write an encrypted backup of the database into BACKUP_DIR, then apply the retention rule.

    MERIDIAN_BACKUP_KEY=… python manage.py backup
    python manage.py backup --new-key     # print a fresh key (and its id) to put in the environment

Safe while the app runs (SQLite's online backup API; a pg_dump snapshot). Exit status 1, with
the reason, when the key is missing or the dump fails; no partial file is left behind.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic.backups import BackupError, BackupKey, make_backup


class Command(BaseCommand):
    help = "Write an encrypted backup of the database (key: MERIDIAN_BACKUP_KEY)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Print a new random backup key and its id, and do nothing else.",
        )

    def handle(self, *args, new_key=False, verbosity=1, **options):
        if new_key:
            text = BackupKey.new_text()
            self.stdout.write(text)
            self.stderr.write(
                f"Key id {BackupKey.from_text(text).key_id}. Set it as MERIDIAN_BACKUP_KEY for "
                "the backup job and keep a copy away from the backups (a password manager, a "
                "sealed envelope): without it no backup can be restored."
            )
            return
        try:
            result = make_backup()
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(result.counts.values())
        self.stdout.write(
            f"Backup written: {result.path} ({result.size:,} bytes; {len(result.counts)} "
            f"tables, {rows:,} rows; key id {result.key_id}) in {result.seconds:.2f} s."
        )
        if verbosity > 1:
            for table, count in result.counts.items():
                self.stdout.write(f"  {table}: {count:,}")
        rule = f"newest {settings.BACKUP_KEEP}"
        if settings.BACKUP_KEEP_DAYS:
            rule += f" and those of the last {settings.BACKUP_KEEP_DAYS} days"
        removed = ", ".join(path.name for path in result.removed) or "none"
        self.stdout.write(f"Retention (keep the {rule}): removed {removed}.")
