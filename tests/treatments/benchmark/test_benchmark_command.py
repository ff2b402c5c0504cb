"""`manage.py benchmark --quick`: the command builds its tiny clinic, times every page and
write, and prints them; no assertion on the times, which belong to the machine."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from patients.models import Patient
from tests.factories import PatientFactory
from treatments.benchmark import measure, scale

ROWS = [
    "book() one appointment",
    "book() at ~1k appointments (twin)",
    "book_course() 6 sessions",
    "day calendar, busy day",
    "day calendar, quiet day",
    "ListView, busy day",
    "raw SQL, busy day",
    "practitioner week",
    "team week",
    "Today",
    "home page",
    "patient search, name",
    "patient search, phone",
    "raw indexed name lookup",
    "access log page",
    "admin changelist, busy day",
    "search queries alone, name",
    "search queries alone, phone",
]


@pytest.fixture
def benchmark_leaves_nothing_behind():
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {scale.MARK_TABLE}")
    measure.destroy_twin()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_quick_benchmark_prints_every_page_and_write_with_figures(
    benchmark_leaves_nothing_behind,
):
    out = StringIO()
    call_command("benchmark", "--quick", stdout=out, stderr=StringIO())
    report = out.getvalue()
    assert "Meridian benchmark:" in report and "cores" in report
    for name in ROWS:
        line = next(line for line in report.splitlines() if line.startswith(name))
        median, queries = line[len(name) :].split()
        assert float(median) >= 0 and int(queries) >= 1
    assert re.search(r"day calendar / ListView, busy day +[\d.]+x +<4x +(met|NOT MET)", report)
    assert re.search(r"book\(\) at 1M / at ~1k appointments +[\d.]+x", report)
    assert re.search(r"name search queries alone / raw lookup +[\d.]+x +<10x", report)
    # The bulk-built patients are indexed for search as the patient service indexes them.
    sample = Patient.objects.filter(family_name__in=scale.FAMILY).order_by("pk")[3]
    phone = sample.phone.as_e164  # +447900000003
    for typed in [sample.search_name, phone[-7:], f"0{phone[3:7]} {phone[7:9]}", phone[-6:]]:
        assert sample in Patient.objects.search(typed), typed
    # The bulk-built access log is chained as the services chain it: every record verifies.
    verified = StringIO()
    call_command("verify_records", stdout=verified)
    assert "Every record verifies." in verified.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_benchmark_refuses_a_database_that_holds_a_clinics_data():
    PatientFactory(given_name="Margaret", family_name="Okafor")
    with pytest.raises(CommandError, match="holds data that the benchmark did not put there"):
        call_command("benchmark", "--quick", stdout=StringIO(), stderr=StringIO())
