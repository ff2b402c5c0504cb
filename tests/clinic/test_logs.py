"""The log names each request and its user by number, as plain lines or JSON, and never what a
user typed: not a searched name in the address, not an exception's message (clinic/logs.py)."""

import json
import logging
import os
import re
import urllib.error
import urllib.request
from io import StringIO

import pytest

from clinic.logs import JsonFormatter, PlainFormatter, RequestContextFilter
from patients.models import PatientQuerySet
from tests.clinic.test_health import served

SEARCHED_NAME = "Featherstonehaugh"


@pytest.fixture
def log_lines():
    """What the root logger writes, through the settings' filter, in a formatter of choice."""
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)

    def lines():
        return [line for line in stream.getvalue().splitlines() if line]

    lines.use = handler.setFormatter
    yield lines
    root.removeHandler(handler)


@pytest.fixture
def search_breaks(monkeypatch):
    """The patient search fails with the searched words in its message, as `int()` would."""

    def search(self, query):
        raise ValueError(f"cannot search for {query!r}")

    monkeypatch.setattr(PatientQuerySet, "search", search)


def test_every_answer_carries_a_new_request_id(client, db):
    first, second = client.get("/accounts/login/"), client.get("/accounts/login/")

    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_proxys_safe_request_id_is_kept(client, db):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="4bf92f3577b34da6a3ce929d0e0e4736")

    assert response["X-Request-ID"] == "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize(
    "incoming", ["a b", "x" * 65, "-starts-with-a-dash", "<script>", "Ann Lee; q=Ann"]
)
def test_an_unsafe_request_id_is_replaced(client, db, incoming):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_even_the_https_redirect_carries_its_request_id(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response["X-Request-ID"]


def test_a_json_line_names_the_request_and_the_user_by_number(fiona, fiona_client, log_lines):
    log_lines.use(JsonFormatter())

    response = fiona_client.get(f"/patients/999999/?q={SEARCHED_NAME}")

    assert response.status_code == 404
    (line,) = log_lines()
    entry = json.loads(line)
    assert entry.keys() == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "user_id",
        "status_code",
    }
    assert entry["level"] == "WARNING" and entry["logger"] == "django.request"
    assert entry["message"] == "Not Found: /patients/999999/"
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["user_id"] == fiona.pk
    assert entry["status_code"] == 404
    assert SEARCHED_NAME not in line and "fiona" not in line.lower()


def test_a_crash_is_logged_as_its_type_and_frames_without_its_message(
    fiona, fiona_client, log_lines, search_breaks
):
    log_lines.use(JsonFormatter())
    fiona_client.raise_request_exception = False

    response = fiona_client.get(f"/patients/?q={SEARCHED_NAME}")

    assert response.status_code == 500
    (line,) = log_lines()
    entry = json.loads(line)
    assert entry["message"] == "Internal Server Error: /patients/"
    assert entry["user_id"] == fiona.pk
    assert entry["exception"]["type"] == "ValueError"
    assert "message" not in entry["exception"]
    assert {"function": "search", "file": __file__}.items() <= entry["exception"]["frames"][
        -1
    ].items()
    assert SEARCHED_NAME not in line


def test_the_plain_line_carries_the_request_id_and_no_exception_message(
    fiona, fiona_client, log_lines, search_breaks
):
    log_lines.use(PlainFormatter())
    fiona_client.raise_request_exception = False

    response = fiona_client.get(f"/patients/?q={SEARCHED_NAME}")

    text = "\n".join(log_lines())
    assert f"ERROR django.request [{response['X-Request-ID']} user={fiona.pk}]" in text
    assert "Internal Server Error: /patients/" in text
    assert 'raise ValueError(f"cannot search for {query!r}")' in text  # the source line
    assert "ValueError (message not logged: DEBUG is off)" in text
    assert SEARCHED_NAME not in text


def test_with_debug_on_the_exception_message_is_logged(
    fiona_client, log_lines, search_breaks, settings
):
    log_lines.use(JsonFormatter(exception_messages=True))
    fiona_client.raise_request_exception = False

    fiona_client.get("/patients/?q=Lovelace")

    (line,) = log_lines()
    assert json.loads(line)["exception"]["message"] == "ValueError: cannot search for 'Lovelace'"


def test_a_line_outside_any_request_names_none(log_lines, client, db):
    log_lines.use(JsonFormatter())
    client.get("/accounts/login/")  # a finished request leaves nothing behind

    logging.getLogger("meridian.test").warning("the nightly job ran")

    (line,) = log_lines()
    assert json.loads(line) | {"time": "…"} == {
        "time": "…",
        "level": "WARNING",
        "logger": "meridian.test",
        "message": "the nightly job ran",
        "request_id": None,
        "user_id": None,
    }


def test_with_log_format_json_the_served_app_writes_one_json_object_per_line(tmp_path):
    env = dict(os.environ, MERIDIAN_VAR_DIR=str(tmp_path), LOG_FORMAT="json")
    env.pop("DATABASE_URL", None)  # an empty SQLite database: the health check fails

    with served(env) as server:
        answers = {}
        for method in ("POST", "GET"):
            request = urllib.request.Request(
                f"{server.url}/healthz?q={SEARCHED_NAME}",
                method=method,
                headers={"Host": "localhost"},
            )
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=20)
            answers[method] = answer.value.headers["X-Request-ID"]

    # Every line the app wrote is JSON (gunicorn's own lines keep gunicorn's format).
    entries = [json.loads(line) for line in server.output.splitlines() if line.startswith("{")]
    by_request = {entry["request_id"]: entry for entry in entries}
    refused, failing = by_request[answers["POST"]], by_request[answers["GET"]]
    assert refused | {"time": "…"} == {
        "time": "…",
        "level": "WARNING",
        "logger": "django.request",
        "message": "Method Not Allowed (POST): /healthz",
        "request_id": answers["POST"],
        "user_id": None,
        "status_code": 405,
    }
    assert failing["logger"] == "clinic.health" and failing["level"] == "WARNING"
    assert failing["message"].startswith("Health check failing: migrations (")
    assert failing["request_id"] == answers["GET"]
    # Not also Django's ERROR for a 5xx, which would be mailed to ADMIN_EMAILS at every probe.
    assert "Service Unavailable" not in server.output
    assert SEARCHED_NAME not in server.output
