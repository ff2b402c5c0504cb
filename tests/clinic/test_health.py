"""`/healthz`: a load balancer's probe, answered without login, 200 when the database, the
migrations, the worker's heartbeat and the backup disk are all right, 503 otherwise."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from clinic import health
from clinic.models import WorkerHeartbeat
from clinic.tasks import worker_heartbeat
from tests.factories import PatientFactory
from tests.treatments.reminders.conftest import free_port
from treatments.models import AccessLog

HEALTHZ = "/healthz"
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _ask_about_migrations_again():
    health.forget_migrations_check()
    yield
    health.forget_migrations_check()


@pytest.fixture
def worker_beating(db):
    """The worker has just run its heartbeat (the tests run tasks in place)."""
    worker_heartbeat.enqueue()


def _checks(response) -> dict:
    return json.loads(response.content)["checks"]


def test_all_well_answers_200_with_every_check_ok(client, worker_beating):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {
            "database": {"ok": True},
            "migrations": {"ok": True},
            "worker": {"ok": True},
            "disk": {"ok": True},
        },
    }


def test_the_answer_is_never_cached(client, worker_beating):
    assert "no-store" in client.get(HEALTHZ)["Cache-Control"]


def test_an_anonymous_probe_is_answered_without_a_session_or_an_access_log_entry(
    client, worker_beating
):
    before = AccessLog.objects.count()

    response = client.get(HEALTHZ)

    assert response.status_code == 200  # not a redirect to the login page
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
    assert AccessLog.objects.count() == before


def test_a_logged_in_colleague_who_must_change_their_password_sees_it_too(
    fiona, fiona_client, worker_beating
):
    fiona.must_change_password = True
    fiona.save()

    assert fiona_client.get(HEALTHZ).status_code == 200
    assert fiona_client.get("/").status_code == 302  # the rule holds elsewhere


def test_a_worker_silent_for_over_two_minutes_answers_503(client, worker_beating):
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=121))

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "failing"
    assert _checks(response)["worker"] == {"ok": False, "reason": "last heartbeat 121 s ago"}
    assert _checks(response)["database"] == {"ok": True}


def test_a_worker_that_never_beat_answers_503(client, db):
    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert _checks(response)["worker"] == {"ok": False, "reason": "no heartbeat yet"}


def test_the_heartbeat_age_allowed_is_a_setting(client, worker_beating, settings):
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 600
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=5))

    assert client.get(HEALTHZ).status_code == 200


def test_less_free_disk_than_the_minimum_answers_503(client, worker_beating, settings):
    settings.HEALTH_MIN_FREE_DISK_MB = 1024**4  # an exabyte: more than any disk has free

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert _checks(response)["disk"] == {
        "ok": False,
        "reason": "free space for backups below the minimum",
    }


def test_the_disk_is_measured_where_backups_will_go_before_the_folder_exists(
    client, worker_beating, settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path / "not" / "yet" / "made"

    assert client.get(HEALTHZ).status_code == 200


def test_a_migration_not_applied_answers_503(client, worker_beating):
    # The database forgets that it ran the newest clinic migration, as after a deploy of new
    # code without `migrate` (rolled back with the test's transaction).
    MigrationRecorder(connection).record_unapplied("clinic", "0012_worker_heartbeat")

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert _checks(response)["migrations"] == {"ok": False, "reason": "1 not applied"}


def test_migrations_once_found_applied_are_not_read_again(
    client, worker_beating, django_assert_num_queries
):
    client.get(HEALTHZ)

    # The database check's SELECT 1 and the heartbeat; no migration table read.
    with django_assert_num_queries(2):
        assert client.get(HEALTHZ).status_code == 200


def test_the_https_redirect_spares_the_probe_only(client, worker_beating, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(HEALTHZ).status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_an_unknown_host_is_still_refused(client, worker_beating):
    assert client.get(HEALTHZ, HTTP_HOST="probe.invalid").status_code == 400


def test_head_is_answered_and_other_methods_are_refused(worker_beating):
    client = Client(enforce_csrf_checks=True)  # a POST without a token: 405 all the same

    assert client.head(HEALTHZ).status_code == 200
    assert client.head(HEALTHZ).content == b""
    assert client.post(HEALTHZ).status_code == 405
    assert client.delete(HEALTHZ).status_code == 405


def test_the_answer_carries_no_patient_data(client, worker_beating):
    PatientFactory(given_name="Annabel", family_name="Featherstonehaugh")
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(hours=1))

    body = client.get(HEALTHZ).content.decode()

    assert "Annabel" not in body and "Featherstonehaugh" not in body
    assert "postgres" not in body.lower() and "sqlite" not in body.lower()


# --- The database down, for real: the app served by gunicorn in its own process ------------


@contextmanager
def served(env: dict):
    """gunicorn serving the app on a free port with these environment variables; what it wrote
    (its own lines and the app's log) is in `.output` once the block ends."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "clinic.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    answer = SimpleNamespace(url=f"http://127.0.0.1:{port}", output="")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(
                    urllib.request.Request(f"{answer.url}/static/", headers={"Host": "localhost"}),
                    timeout=1,
                )
            except urllib.error.HTTPError:
                break  # answered: it is up
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    raise RuntimeError(server.communicate()[0][-2000:]) from None
                time.sleep(0.2)
            else:
                break
        yield answer
    finally:
        server.terminate()
        answer.output = server.communicate(timeout=10)[0]


def _probe(base_url: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{base_url}{HEALTHZ}", headers={"Host": "localhost"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _database_down_answer(env: dict) -> tuple[int, dict]:
    with served(env) as server:
        return _probe(server.url)


def test_a_postgresql_server_not_listening_answers_503(tmp_path):
    env = dict(os.environ, MERIDIAN_VAR_DIR=str(tmp_path))
    env["DATABASE_URL"] = f"postgres://meridian@127.0.0.1:{free_port()}/meridian"

    status, body = _database_down_answer(env)

    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "reason": "unreachable"}
    assert body["checks"]["worker"] == {"ok": False, "reason": "database unreachable"}


def test_a_sqlite_database_that_cannot_be_opened_answers_503(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MERIDIAN_VAR_DIR"] = str(tmp_path)
    (tmp_path / "meridian.sqlite3").mkdir()  # a folder where the database file should be

    status, body = _database_down_answer(env)

    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "reason": "unreachable"}
