"""Sentry, when SENTRY_DSN is set: a server error reaches it with its type and stack, and
without what the user typed, their cookies or their name (clinic/sentry.py). Against a fake
Sentry server on localhost, from the app served by gunicorn in its own process."""

import gzip
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings

from tests.clinic.test_health import served
from tests.treatments.reminders.conftest import free_port
from tests.treatments.reminders.test_worker_process import worker_environment

PATIENT = "Featherstonehaugh"
NOTE = "Stabbing pain under the left shoulder blade"


class FakeSentry(ThreadingHTTPServer):
    """Accepts envelopes as Sentry does (POST /api/<project>/envelope/) and keeps them."""

    def __init__(self):
        self.envelopes: list[bytes] = []
        super().__init__(("127.0.0.1", 0), EnvelopeHandler)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server_address[1]}/1"

    def wait_for_envelope(self, seconds: float = 20) -> bytes:
        deadline = time.monotonic() + seconds
        while not self.envelopes:
            if time.monotonic() > deadline:
                raise AssertionError("no envelope reached the fake Sentry")
            time.sleep(0.1)
        return b"\n".join(self.envelopes)


class EnvelopeHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.envelopes.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def fake_sentry():
    server = FakeSentry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_server_error_reaches_sentry_without_the_patient_the_body_or_the_cookies(
    fake_sentry, fiona, fiona_client, tmp_path
):
    session_id = fiona_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    env = worker_environment(tmp_path, free_port())
    env.update(
        DJANGO_SETTINGS_MODULE="tests.clinic.crash_settings",
        SENTRY_DSN=fake_sentry.dsn,
        OTP_REQUIRED_ROLES="none",
    )
    body = urllib.parse.urlencode({"patient": PATIENT, "note": NOTE}).encode()

    with served(env) as server:
        request = urllib.request.Request(
            f"{server.url}/crash/?q={PATIENT}",
            data=body,
            headers={
                "Host": "localhost",
                "Cookie": f"sessionid={session_id}; csrftoken=cookie-secret-123",
                "Referer": f"http://localhost/patients/?q={PATIENT}",
            },
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=30)
        envelope = fake_sentry.wait_for_envelope().decode()

    assert answer.value.code == 500
    assert '"type":"NoteNotSaved"' in envelope
    assert '"function":"crash"' in envelope  # the stack, down to the failing view
    assert '"url":"http://localhost/crash/"' in envelope
    assert f'"user":{{"id":{fiona.pk}}}' in envelope  # her number, not her name
    assert '"release":"meridian@' in envelope
    for secret in (PATIENT, NOTE, "Stabbing", session_id, "cookie-secret-123", "fiona"):
        assert secret not in envelope, secret
    assert '"cookies"' not in envelope and '"query_string"' not in envelope
    assert '"vars"' not in envelope  # no local variables


def test_sentry_dsn_without_sentry_sdk_installed_stops_start_up_saying_what_to_install(tmp_path):
    # The package made unimportable, as in an install without the `sentry` extra.
    (tmp_path / "sentry_sdk").mkdir()
    (tmp_path / "sentry_sdk" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'sentry_sdk'\")\n"
    )
    env = dict(
        os.environ,
        PYTHONPATH=str(tmp_path),
        SENTRY_DSN="http://publickey@127.0.0.1:9/1",
        MERIDIAN_VAR_DIR=str(tmp_path),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "SENTRY_DSN is set but sentry-sdk is not installed" in result.stderr
    assert 'pip install "meridian[sentry]"' in result.stderr
