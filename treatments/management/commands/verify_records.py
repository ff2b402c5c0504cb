"""Check every seal and both hash chains under the current records key.

    python manage.py verify_records

Prints, per kind of record, how many were checked, matched, mismatched, lacked a seal or left
a seal behind (ids only: no patient data), and each chain's length; then whether the
database's own protection is whole (`protection_problems()`: a missing, disabled or altered
trigger, or a role holding more than the app should). Exits with status 1 on any failure, so
a scheduled run can alert. Keep the printed chain lengths (the cron mail, the backup log): a
copy outside the database is what shows a whole chain wiped.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from treatments.audit.keys import current_key
from treatments.audit.protection import protection_problems
from treatments.audit.verification import verify_all


class Command(BaseCommand):
    help = "Verify the seals of notes, addenda and sheets and the access-log and status chains."

    def handle(self, *args, **options):
        try:
            key = current_key()
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from None
        reports = verify_all(key)
        self.stdout.write(f"Records key {key.key_id}")
        for report in reports:
            self.stdout.write(report.summary())
        problems = protection_problems()
        for problem in problems:
            self.stdout.write(f"Database protection: {problem}")
        if not problems:
            self.stdout.write("Database protection: every trigger in place")
        failed = [report for report in reports if report.failed]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(reports)} kinds of record failed verification: "
                + ", ".join(report.kind for report in failed)
            )
        if problems:
            raise CommandError(f"The database's protection is not whole ({len(problems)}).")
        self.stdout.write(self.style.SUCCESS("Every record verifies."))
