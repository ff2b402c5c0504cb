"""What `manage.py benchmark` times, and how: every case once to warm up (and count its
queries), then `runs` rounds in which each case runs once, in turn, so that the shared
machine's noise falls on all of them alike; the median of each case's runs is reported.

Pages go through Django's test client, logged in as the role that uses them, with the whole
middleware stack; writes go through the booking services, each in a transaction rolled back
afterwards, so the database stays as it was (a page's reads are recorded in the access log
as any read is). The booking at ~1,000 appointments runs on a small twin database (see
`twin`), switched in as the default connection for its turn.
"""

import copy
import statistics
import time as clock
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection, connections, transaction
from django.db.utils import ConnectionDoesNotExist, load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from clinic.models import local_datetime
from clinic.pagination import count_up_to
from patients.models import Patient
from patients.views import PATIENTS_PER_PAGE
from treatments.benchmark import baseline, scale
from treatments.models import Appointment, AppointmentType
from treatments.scheduling import services as scheduling
from treatments.scheduling.services import PlannedSession

TWIN = "benchmark_twin"
BOOKING_AT = time(7)  # every practitioner's free hour on the built days


class Rollback(Exception):
    """Leaves a measured write's transaction, undoing it."""


@contextmanager
def default_is(alias: str):
    """Make `alias` the default connection for the block (the services and the ORM use it)."""
    saved = connections["default"]
    connections["default"] = connections[alias]
    try:
        yield
    finally:
        connections["default"] = saved


def add_twin() -> str:
    """Open the small twin of the default database as connection `TWIN`: `<name>_twin` on
    PostgreSQL (created when missing), `<file>-twin.sqlite3` beside the SQLite file.

    The connection is made here rather than added to the settings: it exists only while
    the command runs (and Django's test cases let such connections be)."""
    settings = copy.deepcopy(connections.settings["default"])
    name = str(settings["NAME"])
    if connection.vendor == "postgresql":
        settings["NAME"] = f"{name}_twin"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(settings['NAME'])}")
    else:
        stem, dot, suffix = name.rpartition(".")
        settings["NAME"] = f"{stem}-twin.{suffix}" if dot else f"{name}-twin"
    connections[TWIN] = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, TWIN)
    return settings["NAME"]


def drop_twin() -> None:
    """Close the twin's connection (the database stays, for the next run)."""
    try:
        twin = connections[TWIN]
    except ConnectionDoesNotExist:
        return
    twin.close()
    del connections[TWIN]


def destroy_twin() -> None:
    """Delete the twin database itself (the smoke test's clean-up)."""
    name = add_twin()
    drop_twin()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


@dataclass
class Case:
    name: str
    run: Callable[[], object]  # one measured call; returns the seconds it took, or None
    db: str = "default"
    queries: int = 0
    times: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000


def _counted(queries: CaptureQueriesContext) -> int:
    """Queries, without the savepoints that the benchmark's own rollback adds."""
    return sum(
        1
        for q in queries.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))
    )


def page(client: Client, url: str) -> Callable[[], None]:
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}.")

    return run


def search_queries(query: str) -> None:
    """What the patient search page asks the database: the first page of matches and their
    count up to the paginator's limit."""
    found = Patient.objects.search(query)
    list(found[:PATIENTS_PER_PAGE])
    count_up_to(found)


def untimed(function, *args) -> Callable[[], None]:
    """`function(*args)`, timed by the caller."""

    def run():
        function(*args)

    return run


def rolled_back(write: Callable[[], object]) -> Callable[[], float]:
    """Time `write` alone, inside a transaction that is then rolled back."""

    def run():
        try:
            with transaction.atomic():
                started = clock.perf_counter()
                write()
                took = clock.perf_counter() - started
                raise Rollback
        except Rollback:
            return took

    return run


def booking_writes(day: date):
    """book() once and book_course() six times, for the benchmark patient's open course."""
    who = scale.people()
    follow_up = AppointmentType.objects.order_by("pk").first()
    course = who.course
    first = local_datetime(day + timedelta(days=7), BOOKING_AT)

    def one():
        scheduling.book(
            patient=course.complaint.patient,
            practitioner=who.practitioners[0],
            room=who.rooms[0],
            appointment_type=follow_up,
            start=first,
            end=first + timedelta(minutes=30),
            course=course,
            by=who.desk,
        )

    def six():
        scheduling.book_course(
            course=course,
            sessions=[
                PlannedSession(start=first + timedelta(days=7 * n), room=who.rooms[0])
                for n in range(6)
            ],
            appointment_type=follow_up,
            by=who.desk,
        )

    return rolled_back(one), rolled_back(six)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cases(day: date, *, with_twin: bool) -> list[Case]:
    who = scale.people()
    desk, manager = logged_in(who.desk), logged_in(who.manager)
    quiet = day + timedelta(days=5 - day.weekday())  # that week's Saturday
    one, six = booking_writes(day)
    if with_twin:
        with default_is(TWIN):
            twin_one, _ = booking_writes(day)
    patient = who.course.complaint.patient
    sample = (Patient.objects.exclude(pk=patient.pk).order_by("pk").only("search_name", "phone"))[
        len(scale.GIVEN) // 2
    ]
    name_query = sample.search_name  # "given family": two words, as the desk types them
    phone_digits = str(sample.phone)[-7:]
    admin_day = urlencode(
        {"start__year": day.year, "start__month": day.month, "start__day": day.day, "all": ""}
    )
    return [
        Case("book() one appointment", one),
        *([Case("book() at ~1k appointments (twin)", twin_one, db=TWIN)] if with_twin else []),
        Case("book_course() 6 sessions", six),
        Case("day calendar, busy day", page(desk, _day(day))),
        Case("day calendar, quiet day", page(desk, _day(quiet))),
        Case("ListView, busy day", page(desk, reverse("benchmark-day-list", args=[day]))),
        Case("raw SQL, busy day", untimed(baseline.raw_day, day)),
        Case(
            "practitioner week",
            page(desk, reverse("treatments:schedule-week", args=[who.practitioners[0].pk, day])),
        ),
        Case("team week", page(desk, reverse("treatments:schedule-team-week", args=[day]))),
        Case("Today", page(desk, reverse("treatments:today"))),
        Case("home page", page(desk, reverse("clinic:home"))),
        Case(
            "patient search, name",
            page(desk, f"{reverse('patients:list')}?{urlencode({'q': name_query})}"),
        ),
        Case(
            "patient search, phone",
            page(desk, f"{reverse('patients:list')}?{urlencode({'q': phone_digits})}"),
        ),
        Case("raw indexed name lookup", untimed(baseline.raw_name_lookup, name_query)),
        # The search's own SQL without the page around it: the first page of matches and the
        # bounded count, as the search page runs them.
        Case("search queries alone, name", untimed(search_queries, name_query)),
        Case("search queries alone, phone", untimed(search_queries, phone_digits)),
        Case("access log page", page(manager, reverse("treatments:access-log"))),
        Case(
            "admin changelist, busy day",
            page(manager, f"{reverse('admin:treatments_appointment_changelist')}?{admin_day}"),
        ),
    ]


def _day(day: date) -> str:
    return reverse("treatments:schedule-day", args=[day.isoformat()])


# The test client's host and plain HTTP whatever the settings say, and no second factor
# (it would stop the manager's pages at the code form).
MEASURING = {
    "ALLOWED_HOSTS": ["testserver"],
    "SECURE_SSL_REDIRECT": False,
    "OTP_REQUIRED_ROLES": [],
    "ROOT_URLCONF": "treatments.benchmark.urls",
}


def measure(day: date, runs: int, *, with_twin: bool, say=lambda message: None) -> list[Case]:
    with override_settings(**MEASURING):
        found = cases(day, with_twin=with_twin)
        say("Warming up and counting queries…")
        for case in found:
            with default_is(case.db):
                with CaptureQueriesContext(connection) as queries:
                    case.run()
                case.queries = _counted(queries)  # read while the connection is still its own
        for round_ in range(runs):
            say(f"Round {round_ + 1} of {runs}…")
            for case in found:
                with default_is(case.db):
                    started = clock.perf_counter()
                    took = case.run()
                    case.times.append(took if took is not None else clock.perf_counter() - started)
    return found


def appointments_on(day: date) -> int:
    start, end = baseline.day_bounds(day)
    return Appointment.objects.filter(start__gte=start, start__lt=end).count()
