import time

from django.core.management.base import BaseCommand

from clinic.tasks import worker_heartbeat
from treatments.reminders.tasks import reminder_pass


class Command(BaseCommand):
    help = (
        "Enqueue the reminder pass (plan the delivery log, hand due messages to the worker). "
        "Run it every minute: from cron, or with --every 60 (as `make run` does). Each run "
        "also enqueues the worker's heartbeat, which /healthz reads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, enqueueing the pass every SECONDS (0: once, then exit).",
        )

    def handle(self, *args, every: int, **options):
        try:
            while True:
                worker_heartbeat.enqueue()
                result = reminder_pass.enqueue()
                self.stdout.write(f"Reminder pass enqueued ({result.id}).")
                if not every:
                    return
                time.sleep(every)
        except KeyboardInterrupt:  # Ctrl-C in `make run`: stop quietly
            return
