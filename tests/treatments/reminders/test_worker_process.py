"""The real worker: `manage.py db_worker` as a separate process against the test database,
working the queue the reminder pass fills, and a reminder arriving at a real SMTP server."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from clinic.models import ClinicProfile
from patients.models import ContactConsent
from tests.factories import PatientFactory, PractitionerFactory, RoomFactory
from tests.treatments.reminders.conftest import appointment_in, free_port, log_of
from treatments.reminders.tasks import reminder_pass

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"


def worker_environment(tmp_path: Path, mail_port: int) -> dict:
    """The test's settings for the worker process: its database, mail server and clock."""
    env = dict(os.environ)
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        user = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgres://{user}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    else:
        # The SQLite settings name VAR_DIR/meridian.sqlite3: a var folder of its own whose
        # database is the test database (SQLite follows the link to the real file, so both
        # processes share one file and one write-ahead log).
        env.pop("DATABASE_URL", None)
        (tmp_path / "meridian.sqlite3").symlink_to(Path(database["NAME"]).resolve())
        env["MERIDIAN_VAR_DIR"] = str(tmp_path)
    env.update(
        TASKS_BACKEND="database",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_port),
        TIME_ZONE=django_settings.TIME_ZONE,
        DEBUG="false",
    )
    return env


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_process_sends_a_due_reminder_and_logs_it_sent(mail_server, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ClinicProfile.objects.update_or_create(
        pk=1, defaults={"name": "Meridian Clinic", "reminder_sms_hours": 0}
    )
    ann = PatientFactory(given_name="Ann", family_name="Lee", email="ann.lee@example.test")
    ann.email_contact = ContactConsent.YES
    ann.save()
    visit = appointment_in(
        30, patient=ann, practitioner=PractitionerFactory(), room=RoomFactory(name="Willow")
    )
    reminder_pass.enqueue()  # into the database queue: nothing is sent yet
    assert log_of(visit) == []

    worker = subprocess.run(
        [sys.executable, str(MANAGE), "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        env=worker_environment(tmp_path, mail_server.port),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert worker.returncode == 0, worker.stderr[-2000:]
    assert log_of(visit) == [("email", "reminder", "sent", "")]
    (mail,) = mail_server.received
    assert mail["To"] == "ann.lee@example.test"
    output = worker.stdout + worker.stderr
    assert "ann.lee" not in output and "Lee" not in output  # no patient data in its log
    assert "treatments.reminders.tasks.deliver_message state=SUCCESSFUL" in output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_minute_clock_and_the_worker_process_beat_and_make_the_health_check_pass(
    client, settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get("/healthz").status_code == 503  # no worker has beaten yet

    call_command("send_reminders", stdout=StringIO())  # the clock: the beat and the pass queued
    assert client.get("/healthz").status_code == 503  # queued is not run
    worker = subprocess.run(
        [sys.executable, str(MANAGE), "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        env=worker_environment(tmp_path, free_port()),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert worker.returncode == 0, worker.stderr[-2000:]
    assert "clinic.tasks.worker_heartbeat state=SUCCESSFUL" in worker.stdout + worker.stderr
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
