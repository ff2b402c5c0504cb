"""Text messages through a backend chosen by settings.SMS_BACKEND.

A backend has one method, `send(*, to, text) -> str`: it returns the provider's id for the
message once the provider accepted it, or raises TemporaryFailure / PermanentFailure.
"""

import json
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from treatments.reminders.channels import PermanentFailure, TemporaryFailure


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


class ConsoleSmsBackend:
    """Development: prints each text, as Django's console e-mail backend prints mail."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str) -> str:
        ident = "console-" + get_random_string(12)
        self.stream.write(f"SMS {ident} to {to}:\n{text}\n\n")
        self.stream.flush()
        return ident


class FileSmsBackend:
    """Development: one file per text in settings.SMS_FILE_DIR."""

    def send(self, *, to: str, text: str) -> str:
        folder = Path(settings.SMS_FILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        ident = f"{timezone.now():%Y%m%d-%H%M%S}-{get_random_string(8)}"
        (folder / f"{ident}.txt").write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")
        return "file-" + ident


class HttpJsonSmsBackend:
    """A provider taking JSON over HTTPS, in the style of the common SMS APIs:

        POST SMS_API_URL   Authorization: Bearer SMS_API_KEY
        {"from": SMS_SENDER, "to": "+447700900123", "text": "…", "status_url": "…"}
        → 2xx {"id": "…", "status": "accepted" | "queued" | "delivered"}

    `status_url` (only when SMS_API_STATUS_URL is set) is where the provider POSTs its
    delivery reports for the message (treatments/reminders/delivery_reports.py).

    A 4xx answer (a bad number, a refused sender, bad credentials) is permanent, except 408
    and 429 (try later); 5xx, timeouts and unreachable servers are temporary.
    """

    def __init__(self, *, url=None, key=None, sender=None, timeout=None, status_url=None):
        self.url = url or settings.SMS_API_URL
        self.key = key if key is not None else settings.SMS_API_KEY
        self.sender = sender or settings.SMS_SENDER
        self.timeout = timeout or settings.SMS_API_TIMEOUT_SECONDS
        self.status_url = status_url if status_url is not None else settings.SMS_API_STATUS_URL

    def send(self, *, to: str, text: str) -> str:
        if not self.url:
            raise PermanentFailure("SMS provider not configured (SMS_API_URL)")
        payload = {"from": self.sender, "to": to, "text": text}
        if self.status_url:
            payload["status_url"] = self.status_url
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.key}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            code = error.code
            if 400 <= code < 500 and code not in (408, 429):
                raise PermanentFailure(f"SMS provider refused the message ({code})") from None
            raise TemporaryFailure(f"SMS provider answered {code}") from None
        except TimeoutError:
            raise TemporaryFailure("SMS provider did not answer in time") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise TemporaryFailure("SMS provider did not answer in time") from None
            raise TemporaryFailure("SMS provider unreachable") from None
        except OSError as error:
            raise TemporaryFailure(f"SMS provider unreachable ({type(error).__name__})") from None
        # A 2xx answer is the provider's acceptance, with or without an id we can read.
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            return ""
        return str(answer.get("id", ""))[:200] if isinstance(answer, dict) else ""
