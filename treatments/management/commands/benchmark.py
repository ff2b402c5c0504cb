"""How fast Meridian is at a busy clinic's scale, on the database Django is configured with.

    DATABASE_URL=postgres://…/meridian_bench python manage.py benchmark
    MERIDIAN_VAR_DIR=/tmp/bench python manage.py benchmark         # SQLite: /tmp/bench/…
    python manage.py benchmark --runs 30
    python manage.py benchmark --quick                             # a smoke test: seconds
    python manage.py benchmark --session                           # a cookie for wrk

The first run builds the scale database (treatments/benchmark/scale.py: 100,000 patients,
~1,000,000 appointments, ~1,000,000 access-log rows; minutes), and a small twin of it at
~1,000 appointments; later runs reuse both. It refuses a database that holds anything it did
not build, so point it at an empty one. Then it prints, for each page and write, the median
of `--runs` interleaved runs, the queries, and the ratios the performance goals are set in.
A benchmark, not a test: the times depend on the machine; the ratios much less.
"""

import os
import platform
import sys
from datetime import date

import django
from django.conf import settings
from django.contrib.auth import login
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from patients.models import Patient
from treatments.benchmark import measure, scale
from treatments.models import AccessLog, Appointment

GOALS = [
    # (label, numerator, denominator, low, high)
    ("book() at 1M / at ~1k appointments", "book() one appointment",
     "book() at ~1k appointments (twin)", 0.5, 1.5),
    ("book_course() 6 sessions / book()", "book_course() 6 sessions",
     "book() one appointment", None, 4),
    ("day calendar / ListView, busy day", "day calendar, busy day", "ListView, busy day", None, 4),
    ("day calendar / raw SQL, busy day", "day calendar, busy day", "raw SQL, busy day", None, 20),
    ("name search / raw indexed lookup", "patient search, name", "raw indexed name lookup",
     None, 10),
    ("name search queries alone / raw lookup", "search queries alone, name",
     "raw indexed name lookup", None, 10),
]  # fmt: skip
RATIOS = [
    ("day calendar busy / quiet day", "day calendar, busy day", "day calendar, quiet day"),
    ("phone search / raw indexed name lookup", "patient search, phone", "raw indexed name lookup"),
    (
        "phone search queries alone / raw lookup",
        "search queries alone, phone",
        "raw indexed name lookup",
    ),
    ("name search page / ListView, busy day", "patient search, name", "ListView, busy day"),
    ("admin changelist / day calendar", "admin changelist, busy day", "day calendar, busy day"),
]


class Command(BaseCommand):
    help = "Build (or reuse) a scale database and time the pages and bookings on it."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=None, help="Rounds (default 15; 2 quick).")
        parser.add_argument(
            "--quick", action="store_true", help="A tiny clinic and 2 rounds: a smoke test."
        )
        parser.add_argument(
            "--build-only", action="store_true", help="Build or check the databases, time nothing."
        )
        parser.add_argument(
            "--session",
            action="store_true",
            help="Print a front-desk session cookie and the busy day's calendar path (for wrk).",
        )

    def handle(self, *args, runs, quick, build_only, session, **options):
        runs = runs or (2 if quick else 15)
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        big, small = (scale.QUICK, scale.QUICK_SMALL) if quick else (scale.FULL, scale.SMALL)
        if session:
            mark = scale.read_mark()
            if mark is None:
                raise CommandError(f"{self._where()} is not a benchmark database: build it first.")
            self._session(date.fromisoformat(mark["day"]))
            return
        day = self._ready(big, "the scale database")
        measure.add_twin()
        try:
            with measure.default_is(measure.TWIN):
                call_command("migrate", verbosity=0, interactive=False)
                self._ready(small, "its small twin", day=day)
            if build_only:
                return
            cases = measure.measure(day, runs, with_twin=True, say=self._say)
            self._report(cases, big, day, runs)
        finally:
            measure.drop_twin()

    def _say(self, message: str) -> None:
        self.stderr.write(message)

    def _ready(self, wanted: scale.Scale, what: str, day: date | None = None) -> date:
        """The benchmark day of the database, built now if it is empty."""
        mark = scale.read_mark()
        if mark is None:
            if scale.holds_data():
                raise CommandError(
                    f"{self._where()} holds data that the benchmark did not put there: it "
                    "builds its clinic only in an empty database. Point DATABASE_URL (or "
                    "MERIDIAN_VAR_DIR) at a new one and run `manage.py migrate` there first."
                )
            day = day or scale.benchmark_day(timezone.localdate())
            self._say(f"Building {what} ({wanted.name}) in {self._where()}…")
            scale.build(wanted, day=day, say=self._say)
            return day
        if mark.get("scale") != wanted.name:
            raise CommandError(
                f"{self._where()} holds a benchmark clinic at scale {mark.get('scale')!r}, "
                f"not {wanted.name!r}: use another database for this scale."
            )
        return date.fromisoformat(mark["day"])

    def _where(self) -> str:
        if connection.vendor == "postgresql":
            host = connection.settings_dict.get("HOST") or "local socket"
            return f"PostgreSQL database {connection.settings_dict['NAME']} on {host}"
        return f"SQLite file {connection.settings_dict['NAME']}"

    def _session(self, day: date) -> None:
        """A logged-in front-desk session, as the login page would leave it."""
        request = HttpRequest()
        request.session = SessionStore()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        login(request, scale.people().desk, backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        self.stdout.write(f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}")
        self.stdout.write(reverse("treatments:schedule-day", args=[day.isoformat()]))

    def _report(self, cases, big: scale.Scale, day: date, runs: int) -> None:
        by_name = {case.name: case for case in cases}
        mark = scale.read_mark()
        counts = {
            "patients": Patient.objects.count(),
            "appointments": Appointment.objects.count(),
            "access-log rows": AccessLog.objects.count(),
        }
        quiet = day.fromordinal(day.toordinal() + 5 - day.weekday())
        today = timezone.localdate()
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        write = self.stdout.write
        write(f"Meridian benchmark: {self._where()}")
        write(
            f"  scale {big.name}, built {mark.get('built')} in {mark.get('build seconds', '?')} s; "
            + ", ".join(f"{n:,} {what}" for what, n in counts.items())
        )
        write(
            f"  busy day {day:%a %Y-%m-%d}: {measure.appointments_on(day)} appointments; "
            f"quiet day {quiet:%a %Y-%m-%d}: {measure.appointments_on(quiet)}; "
            f"today {today:%a %Y-%m-%d}: {measure.appointments_on(today)}"
        )
        write(
            f"  machine: {os.cpu_count()} cores, load {load}; Python {platform.python_version()}, "
            f"Django {django.get_version()}, DEBUG {settings.DEBUG}; "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC; median of {runs} interleaved runs"
        )
        write("")
        write(f"{'what':<40} {'median ms':>10} {'queries':>8}")
        for case in cases:
            write(f"{case.name:<40} {case.median_ms:>10.1f} {case.queries:>8}")
        write("")
        write(f"{'ratio':<40} {'value':>10} {'goal':>8}")
        for label, top, bottom, low, high in GOALS:
            if top not in by_name or bottom not in by_name:
                continue
            ratio = by_name[top].median_ms / by_name[bottom].median_ms
            met = (low is None or ratio >= low) and ratio <= high
            goal = f"{low}–{high}x" if low is not None else f"<{high}x"
            write(f"{label:<40} {ratio:>9.2f}x {goal:>8}  {'met' if met else 'NOT MET'}")
        for label, top, bottom in RATIOS:
            ratio = by_name[top].median_ms / by_name[bottom].median_ms
            write(f"{label:<40} {ratio:>9.2f}x")
        sys.stdout.flush()
