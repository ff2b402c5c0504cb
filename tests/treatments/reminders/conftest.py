"""Real servers on localhost for the reminders' channels: an SMTP server (aiosmtpd) that keeps
what it receives or refuses as told, and an SMS provider (http.server) that answers as told
and, when told to, reports delivery to the status URL it was given, signed as providers sign.

Ann Lee (tests/treatments/conftest.py) agreed to reminders by e-mail and text here.
"""

import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from patients.models import ContactConsent
from tests.factories import AppointmentFactory, mid_morning_zone
from treatments.models import Appointment, Message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MailServer:
    """What arrived, and what to answer to the next recipient ("" accepts; "450 …")."""

    port: int = 0
    received: list = field(default_factory=list)
    refuse_with: str = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def mail_server(settings):
    server = MailServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        controller.stop()


def signed(secret: str, body: bytes) -> dict:
    """The signature header a provider sends with `body`, made here as a provider would (not
    with the app's own signing helper, so that the two are checked against each other)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-SMS-Signature": f"sha256={digest}"}


def signed_report(secret: str, **fields) -> tuple[bytes, dict]:
    """A delivery report's JSON body and its signature header."""
    body = json.dumps(fields).encode()
    return body, signed(secret, body)


@dataclass
class SmsProvider:
    """A JSON SMS API: what it was sent, and how to answer (status, body, delay).

    With `report` set (e.g. {"status": "delivered"}), after accepting a text that came with a
    `status_url` it POSTs that report about it there, signed with `secret`, trying again a
    few times while the answer is 404 or 409 (as real providers retry); `reported` gets each
    answer's status code and is set when it is done."""

    url: str = ""
    requests: list = field(default_factory=list)
    status: int = 201
    answer: dict = field(default_factory=lambda: {"id": "sms-0001", "status": "accepted"})
    delay: float = 0.0
    secret: str = "provider-shared-secret"
    report: dict | None = None
    answers: list = field(default_factory=list)
    reported: threading.Event = field(default_factory=threading.Event)

    def send_report(self, status_url: str) -> None:
        body, headers = signed_report(self.secret, id=self.answer["id"], **self.report)
        for _ in range(20):
            request = urllib.request.Request(
                status_url,
                data=body,
                headers={"Content-Type": "application/json", **headers},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    self.answers.append(response.status)
            except urllib.error.HTTPError as error:
                self.answers.append(error.code)
            if self.answers[-1] not in (404, 409):
                break
            time.sleep(0.1)
        self.reported.set()


@pytest.fixture
def sms_provider(settings):
    provider = SmsProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            sent = json.loads(self.rfile.read(length))
            provider.requests.append({"auth": self.headers.get("Authorization"), "body": sent})
            time.sleep(provider.delay)
            body = json.dumps(provider.answer).encode()
            try:
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return  # the adapter gave up waiting (the timeout test)
            if provider.report is not None and sent.get("status_url"):
                later = threading.Thread(
                    target=provider.send_report, args=(sent["status_url"],), daemon=True
                )
                later.start()

        def log_message(self, *args):  # the test output stays quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
    settings.SMS_BACKEND = "treatments.reminders.sms.HttpJsonSmsBackend"
    settings.SMS_API_URL, settings.SMS_API_KEY = provider.url, "test-key"
    settings.SMS_API_TIMEOUT_SECONDS = 1
    settings.SMS_API_STATUS_SECRET = provider.secret
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ann_agreed(ann):
    """Ann, who agreed to reminders by e-mail and by text message."""
    ann.email = "ann.lee@example.test"
    ann.email_contact = ann.sms_contact = ContactConsent.YES
    ann.save()
    return ann


@pytest.fixture(autouse=True)
def mid_morning(settings):
    """It is mid-morning on the clinic's clock whatever hour the suite runs, so quiet hours
    (21:00–08:00) never hold up a test that sends now."""
    settings.TIME_ZONE = mid_morning_zone()


def appointment_in(
    hours: float, *, patient, practitioner, room, course=None, minutes: int = 45, **fields
):
    """A booked appointment of `minutes` starting `hours` from now, booked a week ago
    (written directly)."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=hours)
    appointment = AppointmentFactory(
        patient=patient,
        practitioner=practitioner,
        room=room,
        course=course,
        start=start,
        end=start + timedelta(minutes=minutes),
        **fields,
    )
    Appointment.objects.filter(pk=appointment.pk).update(
        booked_at=timezone.now() - timedelta(days=7)
    )
    appointment.refresh_from_db()
    return appointment


def log_of(appointment) -> list[tuple[str, str, str, str]]:
    """(channel, kind, state, reason) of each message about `appointment`, oldest first."""
    return list(
        Message.objects.filter(appointment=appointment)
        .order_by("created_at", "pk")
        .values_list("channel", "kind", "state", "reason")
    )
