"""The access log and the status changes are hash chains: every row's link covers the row
and the link before it, and the chain's head covers the newest. Appends are queued, so
readers racing on both databases still leave one unbroken chain."""

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.test import RequestFactory

from tests.factories import PatientFactory, course_under_way, session
from tests.treatments.audit.sealed import read
from treatments.audit import chains
from treatments.audit.keys import current_key
from treatments.audit.services import _append, record_read
from treatments.audit.verification import verify_chain
from treatments.models import (
    AccessLog,
    AppointmentStatus,
    AppointmentStatusChange,
    ChainHead,
    RecordSeal,
    SealedKind,
)
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.django_db


def links(kind) -> dict[int, str]:
    key_id = current_key().key_id
    return dict(RecordSeal.objects.filter(kind=kind, key_id=key_id).values_list("record_id", "mac"))


def test_a_read_is_logged_with_its_link_and_moves_the_head_on(paul):
    patient = PatientFactory()

    read(paul, patient)
    read(paul, patient, what="course", object_id=7)

    first, second = AccessLog.objects.order_by("pk")
    key = current_key()
    expected = chains.link(key, "access log", "", chains.access_log_content(first))
    assert links("access log")[first.pk] == expected
    assert links("access log")[second.pk] == chains.link(
        key, "access log", expected, chains.access_log_content(second)
    )
    head = ChainHead.objects.get(kind="access log")
    assert (head.length, head.last_id, head.last_link) == (
        2,
        second.pk,
        links("access log")[second.pk],
    )
    assert not verify_chain("access log", key).failed


def test_a_chain_takes_the_key_of_its_first_append(paul):
    head = ChainHead.objects.get(kind="access log")  # made by migration 0021, not started
    assert (head.key_id, head.length) == ("", 0)
    assert not verify_chain("access log", current_key()).failed

    read(paul, PatientFactory())

    head.refresh_from_db()
    assert (head.key_id, head.length) == (current_key().key_id, 1)


def test_several_rows_appended_at_once_are_chained_in_order(paul, priya):
    patients = PatientFactory.create_batch(3)

    _append([AccessLog(user=paul, patient=p, what="patient", object_id=p.pk) for p in patients])

    assert AccessLog.objects.count() == 3 == len(links("access log"))
    assert ChainHead.objects.get(kind="access log").length == 3
    assert not verify_chain("access log", current_key()).failed


def test_an_ipv6_address_is_chained_as_it_is_stored(paul):
    request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")
    request.user = paul

    record_read(request, patient=PatientFactory(), what="patient", object_id=1)

    assert AccessLog.objects.get().ip_address == "2001:db8::1"
    assert not verify_chain("access log", current_key()).failed


def test_every_status_change_is_chained(paul, fiona):
    course = course_under_way(paul.practitioner)
    ahead = session(course, days_ago=-3, status=AppointmentStatus.BOOKED)

    scheduling.cancel(appointment=ahead, reason="Away", by=fiona)
    scheduling.undo_status(appointment=ahead, by=fiona)

    changes = list(AppointmentStatusChange.objects.order_by("pk"))
    assert [c.to_status for c in changes] == ["cancelled", "booked"]
    assert set(links("status change")) == {c.pk for c in changes}
    assert ChainHead.objects.get(kind="status change").length == 2
    assert not verify_chain("status change", current_key()).failed


def test_reads_are_not_chained_under_a_key_the_chain_is_not_under(paul, settings):
    read(paul, PatientFactory())
    settings.MERIDIAN_RECORDS_KEY = "a-key-changed-without-rotating-it-0123456789"

    with pytest.raises(ImproperlyConfigured, match="rotate_records_key"), transaction.atomic():
        read(paul, PatientFactory())

    assert AccessLog.objects.count() == 1


# --- under real concurrency -------------------------------------------------------------------

THREADS, READS = 8, 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_racing_on_the_log_leave_one_unbroken_chain(paul):
    patient = PatientFactory()
    barrier = threading.Barrier(THREADS)
    errors = []

    def reader():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            for _ in range(READS):
                read(paul, patient)
        except Exception as error:  # the failure this test exists to catch
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    report = verify_chain(SealedKind.ACCESS_LOG, current_key())
    assert (report.checked, report.ok, report.failed) == (THREADS * READS, THREADS * READS, False)
