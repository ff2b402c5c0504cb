"""Re-seal every record under a new records key.

    MERIDIAN_RECORDS_OLD_KEY=<key in use until now> MERIDIAN_RECORDS_KEY=<new key> \\
        python manage.py rotate_records_key

Stop the app first (it would keep sealing with the old key), then start it with the new key.
Everything is verified under the old key first; if anything fails, nothing is re-sealed and
the command exits with status 1 (find out what happened with `verify_records` under the old
key). The old key's seals stay beside the new ones: nothing is updated or deleted.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from treatments.audit.keys import current_key, old_key
from treatments.audit.verification import RotationRefused, rotate
from treatments.models import SealedKind


class Command(BaseCommand):
    help = (
        "Verify everything under MERIDIAN_RECORDS_OLD_KEY, then re-seal under MERIDIAN_RECORDS_KEY."
    )

    def handle(self, *args, **options):
        try:
            old, new = old_key(), current_key()
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from None
        try:
            counts = rotate(old=old, new=new)
        except RotationRefused as refusal:
            for report in refusal.reports:
                if report.failed:
                    self.stderr.write(report.summary())
            raise CommandError(f"Not rotated: {refusal}") from None
        for kind, count in counts.items():
            self.stdout.write(f"{SealedKind(kind).label}: {count} sealed under key {new.key_id}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rotated from key {old.key_id} to {new.key_id}. Start the app with the new key."
            )
        )
