"""How the day calendar and the week view scale with the number of appointments.

    python manage.py benchmark_schedule            # N = 10, 60, 200 appointments on one day
    python manage.py benchmark_schedule --runs 9 --sizes 10 60 200 400

Builds 8 practitioners with working hours, 8 rooms, patients with courses (half of them with
red flags) and N appointments on one day, all through the booking service, inside a
transaction that is rolled back at the end: nothing is left behind. Each page is rendered
with Django's test client, once to warm up and then `--runs` times; it prints the queries,
the median time and its ratio to the smallest N. A benchmark, not a test: the numbers depend
on the machine.
"""

import statistics
import time as clock
from datetime import time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from clinic.models import Practitioner, Room, User, WorkingHours, local_datetime
from patients.models import Complaint, Patient, RedFlag
from treatments.models import AppointmentType, TreatmentCourse
from treatments.scheduling import services as scheduling

PRACTITIONERS = 8
PATIENTS = 40  # each has at most N / 40 sessions on the day: within a 12-session course
OPENS, CLOSES = time(8), time(20)
SLOT_MINUTES = settings.SCHEDULE_SLOT_MINUTES


class Rollback(Exception):
    """Raised to leave the benchmark's transaction, undoing everything it wrote."""


class Command(BaseCommand):
    help = "Time the day calendar and the week view at 10, 60 and 200 appointments a day."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[10, 60, 200])
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, sizes, runs, **options):
        slots = PRACTITIONERS * (CLOSES.hour - OPENS.hour) * 60 // SLOT_MINUTES
        if not sizes or min(sizes) < 1 or max(sizes) > slots or runs < 1:
            raise CommandError(f"Sizes must be 1 to {slots} and runs at least 1.")
        try:
            with transaction.atomic():
                results = self._measure(sorted(sizes), runs)
                raise Rollback
        except Rollback:
            pass
        self._report(results, runs)

    def _measure(self, sizes, runs):
        day = self._day()
        practitioners, rooms, courses = self._clinic(day)
        manager = User.objects.create(username="benchmark-schedule", is_superuser=True)
        client = Client()
        client.force_login(manager)
        pages = {
            "day": reverse("treatments:schedule-day", args=[day.isoformat()]),
            "week": reverse(
                "treatments:schedule-week", args=[practitioners[0].pk, day.isoformat()]
            ),
        }
        results = []
        for size in sizes:
            savepoint = transaction.savepoint()
            self._book(day, size, practitioners, rooms, courses, manager)
            row = {"size": size}
            for name, url in pages.items():
                row[name] = self._time(client, url, runs)
            results.append(row)
            transaction.savepoint_rollback(savepoint)
        return results

    def _day(self):
        """A Tuesday at least a week ahead: the clinic is open, and every slot is bookable."""
        today = timezone.localdate()
        return today + timedelta(days=(1 - today.weekday()) % 7 + 7)

    def _clinic(self, day):
        practitioners, rooms = [], []
        for i in range(1, PRACTITIONERS + 1):
            user = User.objects.create(username=f"benchmark-practitioner-{i}", first_name="B")
            practitioner = Practitioner.objects.create(
                user=user, display_name=f"Benchmark Practitioner {i}", colour=f"#{i}0{i}0a0"
            )
            WorkingHours.objects.create(
                practitioner=practitioner, weekday=day.weekday(), start=OPENS, end=CLOSES
            )
            practitioners.append(practitioner)
            rooms.append(Room.objects.create(name=f"Benchmark room {i}"))
        courses = []
        for i in range(PATIENTS):
            patient = Patient.objects.create(
                given_name=f"Bench{i}",
                family_name="Mark",
                date_of_birth=day.replace(year=day.year - 40),
                phone="+442079460000",
            )
            complaint = Complaint.objects.create(
                patient=patient,
                title="Lower back and hip pain",
                regions=["lower_back", "hip"],
                side="left",
                onset_date=timezone.localdate() - timedelta(days=60),
                pain_at_intake=6,
                red_flags=[RedFlag.NUMBNESS] if i % 2 else [],
            )
            course = TreatmentCourse.objects.create(
                complaint=complaint,
                practitioner=practitioners[i % PRACTITIONERS],
                planned_sessions=12,
                start_date=day,
            )
            courses.append(course)
        return practitioners, rooms, courses

    def _book(self, day, size, practitioners, rooms, courses, by):
        """`size` appointments spread evenly over the day: practitioner i in room i."""
        per_practitioner = -(-size // PRACTITIONERS)
        open_minutes = (CLOSES.hour - OPENS.hour) * 60
        step = max(
            SLOT_MINUTES,
            open_minutes // per_practitioner // SLOT_MINUTES * SLOT_MINUTES,
        )
        length = timedelta(minutes=min(step, 45))
        follow_up = AppointmentType.objects.order_by("pk").first()
        for k in range(size):
            lane, slot = k % PRACTITIONERS, k // PRACTITIONERS
            course = courses[k % PATIENTS]
            start = local_datetime(day, OPENS) + timedelta(minutes=step * slot)
            scheduling.book(
                patient=course.complaint.patient,
                practitioner=practitioners[lane],
                room=rooms[lane],
                appointment_type=follow_up,
                start=start,
                end=start + length,
                course=course,
                by=by,
            )

    def _time(self, client, url, runs):
        # The test client's host, and plain HTTP, whatever production settings say.
        with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
            reset_queries()  # a full query log (DEBUG, 9000 entries) would count as nothing
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)  # also warms up templates
            # Count now: the next request empties the connection's query log.
            count = len(queries)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}.")
            times = []
            for _ in range(runs):
                started = clock.perf_counter()
                client.get(url)
                times.append((clock.perf_counter() - started) * 1000)
        return count, statistics.median(times)

    def _report(self, results, runs):
        base = results[0]
        self.stdout.write(
            f"{connection.vendor}: median of {runs} renders; ratio to N={base['size']}\n"
            f"{'N':>5}  {'day queries':>11} {'day ms':>8} {'ratio':>6}"
            f"  {'week queries':>12} {'week ms':>8} {'ratio':>6}"
        )
        for row in results:
            cells = [f"{row['size']:>5}"]
            for name, width in (("day", 11), ("week", 12)):
                queries, ms = row[name]
                cells.append(f"{queries:>{width}} {ms:>8.1f} {ms / base[name][1]:>5.2f}x")
            self.stdout.write("  ".join(cells))
