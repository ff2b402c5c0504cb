"""Figures for the reminders, on the clinic's own data (the demo clinic after `seed_demo`):

    python manage.py measure_reminders                 # the next 7 days, then 200 sends
    python manage.py measure_reminders --days 7 --step 15 --sends 200

1. Due vs sent: the reminder pass run on a simulated clock every `--step` minutes from now to
   `--days` ahead, each due message delivered at once: e-mail to an SMTP server on localhost
   (aiosmtpd, started here), texts to the file backend in a temporary folder. It prints the
   reminders the rules call for and what became of them (sent, skipped with each reason,
   failed, still scheduled past the window).
2. Sends per second: `--sends` e-mail reminders delivered one after another to the same local
   server, through `services.deliver` (the body of the worker's task, one SMTP conversation
   each); the queue's own overhead (db_worker polling its table) is not in this figure.

Everything it writes is rolled back at the end; no e-mail leaves the machine. Figures, not a
test: they depend on the machine.
"""

import logging
import socket
import tempfile
import time as clock
from collections import Counter
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from patients.models import ContactConsent, Patient
from treatments.models import Appointment, Message, MessageState
from treatments.reminders import services
from treatments.reminders.rules import ReminderRules


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Reminders due vs sent over the next days, and e-mail sends per second, locally."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument("--step", type=int, default=15, help="Minutes between passes.")
        parser.add_argument("--sends", type=int, default=200)

    def handle(self, *args, days, step, sends, **options):
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            raise CommandError("Needs aiosmtpd (pip install -e '.[dev]').") from None
        if days < 1 or step < 1 or sends < 0:
            raise CommandError("--days and --step must be at least 1, --sends at least 0.")
        received = []
        # aiosmtpd logs each envelope (addresses included): patient data stays out of logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        logging.getLogger("treatments.reminders.services").setLevel(logging.WARNING)

        class Keep:
            async def handle_DATA(self, server, session, envelope):
                received.append(len(envelope.content))
                return "250 OK"

        with socket.socket() as probe:  # a free port (aiosmtpd cannot be given port 0)
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        smtp = Controller(Keep(), hostname="127.0.0.1", port=port)
        smtp.start()
        try:
            with (
                tempfile.TemporaryDirectory() as sms_dir,
                override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                    EMAIL_HOST="127.0.0.1",
                    EMAIL_PORT=port,
                    EMAIL_USE_TLS=False,
                    EMAIL_USE_SSL=False,
                    EMAIL_HOST_USER="",
                    EMAIL_HOST_PASSWORD="",
                    SMS_BACKEND="treatments.reminders.sms.FileSmsBackend",
                    SMS_FILE_DIR=sms_dir,
                ),
            ):
                try:
                    with transaction.atomic():
                        self._due_vs_sent(days, step)
                        self._sends_per_second(sends, received)
                        raise Rollback
                except Rollback:
                    pass
        finally:
            smtp.stop()

    def _due_vs_sent(self, days: int, step: int) -> None:
        start = timezone.now()
        end = start + timedelta(days=days)
        rules = ReminderRules.of_clinic()
        booked = Appointment.objects.live().filter(status="booked", start__gt=start, start__lte=end)
        appointments = booked.count()
        began = clock.perf_counter()
        now, passes = start, 0
        while now <= end:
            services.plan_messages(now=now, rules=rules)
            for message_id in services.claim_due(now=now):
                services.deliver(message_id=message_id, now=now)
            now += timedelta(minutes=step)
            passes += 1
        took = clock.perf_counter() - began
        reminders = Message.objects.filter(appointment__in=booked, kind="reminder")
        states = Counter(reminders.values_list("channel", "state"))
        reasons = Counter(
            reminders.filter(state=MessageState.SKIPPED).values_list("channel", "reason")
        )
        self.stdout.write(
            f"Next {days} days from {timezone.localtime(start):%a %d %b %H:%M}: "
            f"{appointments} booked appointments; {passes} passes every {step} min "
            f"({took:.1f} s)."
        )
        for channel in rules.channels():
            due = sum(n for (c, _), n in states.items() if c == channel)
            sent = states[(channel, MessageState.SENT)] + states[(channel, MessageState.DELIVERED)]
            self.stdout.write(
                f"  {channel}: {due} reminders due, {sent} sent, "
                f"{states[(channel, MessageState.SKIPPED)]} skipped, "
                f"{states[(channel, MessageState.FAILED)]} failed, "
                f"{states[(channel, MessageState.SCHEDULED)]} still scheduled"
            )
            for (c, reason), n in sorted(reasons.items()):
                if c == channel:
                    self.stdout.write(f"      skipped: {reason}: {n}")

    def _sends_per_second(self, sends: int, received: list) -> None:
        if not sends:
            return
        appointment = Appointment.objects.live().filter(start__gt=timezone.now()).first()
        if appointment is None:
            self.stdout.write("Sends per second: no appointment ahead to remind of.")
            return
        Patient.objects.filter(pk=appointment.patient_id).update(
            email="measure@example.com", email_contact=ContactConsent.YES, is_archived=False
        )
        Message.objects.filter(appointment=appointment).delete()  # the first part's, rolled back
        now = timezone.now()
        ids = [
            Message.objects.create(
                patient_id=appointment.patient_id,
                appointment=appointment,
                channel="email",
                kind="reminder",
                appointment_start=appointment.start - timedelta(seconds=k + 1),
                send_at=now,
                state=MessageState.SCHEDULED,
            ).pk
            for k in range(sends)
        ]
        # The measured messages speak of the appointment's time: the check for a moved
        # appointment must pass, so each is pointed back at it just before it is sent.
        before = len(received)
        began = clock.perf_counter()
        for k, message_id in enumerate(ids):
            Message.objects.filter(pk=message_id).update(appointment_start=appointment.start)
            services.deliver(message_id=message_id, now=now)
            Message.objects.filter(pk=message_id).update(
                appointment_start=appointment.start + timedelta(days=3650, seconds=k)
            )
        took = clock.perf_counter() - began
        arrived = len(received) - before
        self.stdout.write(
            f"Sends: {arrived} of {sends} e-mails (with .ics) accepted by the local SMTP server "
            f"in {took:.2f} s: {arrived / took:.1f} per second, one SMTP conversation each."
        )
